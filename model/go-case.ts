// Go's strings.ToLower / strings.ToUpper: simple (one-to-one) case mapping per code point.
// JavaScript's toLowerCase/toUpperCase use full mappings ("ß" → "SS", "İ" → "i̇") and a context
// rule for final sigma, which Go does not. Relabeling's lowercase/uppercase and the templates'
// toLower/toUpper must agree with Go.

const NON_ASCII = /[^\x00-\x7f]/;

// Code points whose full mapping is several code points but whose simple mapping is one.
const SIMPLE_LOWER: ReadonlyMap<number, number> = new Map([[0x0130, 0x0069]]);
const SIMPLE_UPPER: ReadonlyMap<number, number> = new Map([
  ...Array.from({ length: 8 }, (_, i): [number, number] => [0x1f80 + i, 0x1f88 + i]),
  ...Array.from({ length: 8 }, (_, i): [number, number] => [0x1f90 + i, 0x1f98 + i]),
  ...Array.from({ length: 8 }, (_, i): [number, number] => [0x1fa0 + i, 0x1fa8 + i]),
  [0x1fb3, 0x1fbc],
  [0x1fc3, 0x1fcc],
  [0x1ff3, 0x1ffc],
]);

function mapSimpleCase(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) {
      out += upper ? ch.toUpperCase() : ch.toLowerCase();
      continue;
    }
    const special = (upper ? SIMPLE_UPPER : SIMPLE_LOWER).get(cp);
    if (special !== undefined) {
      out += String.fromCodePoint(special);
      continue;
    }
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    // One code point (1 or 2 UTF-16 units): a simple mapping. Several: a full-only mapping, which Go leaves alone.
    const single = mapped.length === 1 || (mapped.length === 2 && (mapped.codePointAt(0) as number) > 0xffff);
    out += single ? mapped : ch;
  }
  return out;
}

export function goToLower(s: string): string {
  return NON_ASCII.test(s) ? mapSimpleCase(s, false) : s.toLowerCase();
}

export function goToUpper(s: string): string {
  return NON_ASCII.test(s) ? mapSimpleCase(s, true) : s.toUpperCase();
}
