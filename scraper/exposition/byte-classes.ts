// The bytes the exposition formats give meaning to, and a lookup table of which bytes may start or
// continue a bare metric or label name (one load per byte on the hot path).
//
// The parser's hot-path files take these, and the functions they call per sample, into module
// constants (`import * as bytes ...; const { SPACE } = bytes;`) rather than using the imported
// bindings: V8 re-loads and hole-checks an imported binding at every use, while a module constant
// is folded into the optimised code. On the benchmark bodies that is about 5% of parse time.
// (Module state read per sample is exposed through small functions for the same reason, e.g.
// tokens.ts quotedStringFlags.)

export const SPACE = 0x20;
export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const HASH = 0x23;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const BRACE_OPEN = 0x7b;
export const BRACE_CLOSE = 0x7d;
export const COMMA = 0x2c;
export const EQUALS = 0x3d;
export const MINUS = 0x2d;
export const UNDERSCORE = 0x5f;

export const METRIC_START = 1; // [a-zA-Z_:]
export const METRIC_CONTINUE = 2; // [a-zA-Z0-9_:]
export const LABEL_START = 4; // [a-zA-Z_]
export const LABEL_CONTINUE = 8; // [a-zA-Z0-9_]

/** CHAR_CLASS[byte] is the set of the bits above that the byte has. */
export const CHAR_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === UNDERSCORE;
  const digit = c >= 0x30 && c <= 0x39;
  let cls = 0;
  if (letter || c === 0x3a) cls |= METRIC_START | METRIC_CONTINUE;
  if (digit) cls |= METRIC_CONTINUE | LABEL_CONTINUE;
  if (letter) cls |= LABEL_START | LABEL_CONTINUE;
  CHAR_CLASS[c] = cls;
}

/** The int64 limit as a double (9223372036854775807 rounds to 2^63). */
export const TWO_POW_63 = 9223372036854775807;
