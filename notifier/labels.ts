// Label sets as Alertmanager sees them (prometheus/common model.LabelSet): printing, fingerprints,
// label-name validity, and the Go string helpers those need to print byte-for-byte the same.

/** An alert's labels (or annotations): name -> value. A missing label reads as "". */
export type LabelSet = Readonly<Record<string, string>>;

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** model.LabelName.IsValid in classic (legacy) validation, as Alertmanager's classic mode uses it. */
export function isValidLabelName(name: string): boolean {
  return LEGACY_LABEL_NAME.test(name);
}

/** Go's string ordering (bytewise on UTF-8), which is code point order; JS's default sort is UTF-16 order. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function sortedNames(labels: LabelSet): string[] {
  return Object.keys(labels).sort(compareGoStrings);
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.Quote: a double-quoted Go string literal with Go's escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (GO_PRINTABLE.test(ch)) {
      out += ch;
    } else {
      switch (ch) {
        case '\x07': out += '\\a'; break;
        case '\b': out += '\\b'; break;
        case '\f': out += '\\f'; break;
        case '\n': out += '\\n'; break;
        case '\r': out += '\\r'; break;
        case '\t': out += '\\t'; break;
        case '\v': out += '\\v'; break;
        default:
          if (r < 0x20 || r === 0x7f) out += `\\x${r.toString(16).padStart(2, '0')}`;
          else if (r < 0x10000) out += `\\u${r.toString(16).padStart(4, '0')}`;
          else out += `\\U${r.toString(16).padStart(8, '0')}`;
      }
    }
  }
  return `${out}"`;
}

/** model.LabelSet.String(): `{a="1", b="2"}`, names sorted, values Go-quoted. */
export function labelSetString(labels: LabelSet): string {
  return `{${sortedNames(labels).map((n) => `${n}=${goQuote(labels[n] as string)}`).join(', ')}}`;
}

const utf8 = new TextEncoder();
const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;

/**
 * model.LabelSet.Fingerprint(): FNV-1a 64 over sorted `name 0xff value 0xff`, as 16 hex digits
 * (Fingerprint.String()). This is the alert fingerprint in webhook payloads and the API.
 */
export function fingerprint(labels: LabelSet): string {
  let hi = FNV_OFFSET_HI;
  let lo = FNV_OFFSET_LO;
  const add = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    // h *= 0x100000001b3 (mod 2^64) on two 32-bit halves: h*0x1b3 + (h << 40).
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x1_0000_0000);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = loMul >>> 0;
  };
  for (const name of sortedNames(labels)) {
    for (const b of utf8.encode(name)) add(b);
    add(0xff);
    for (const b of utf8.encode(labels[name] as string)) add(b);
    add(0xff);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
