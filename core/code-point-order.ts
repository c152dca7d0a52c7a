// Go orders strings by UTF-8 bytes, which is code point order; JavaScript's `<` compares UTF-16
// units. The two differ only between surrogates (0xD800–0xDFFF, code points ≥ 0x10000) and
// 0xE000–0xFFFF, so those units are remapped to put astral characters last, as their 4-byte
// UTF-8 encodings are. Label sets must be sorted this way for remote write and fingerprints.

function utf8Order(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Orders strings by code point (= UTF-8 byte order, Go's string order), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Order(x) - utf8Order(y);
  }
  return a.length - b.length;
}
