// The parts of Go's strconv the template language needs: literal unquoting, integer literals
// with base prefixes and underscores, and ParseFloat with Go's error messages.

/** A strconv failure, worded like Go's *strconv.NumError ("strconv.ParseFloat: parsing "x": invalid syntax"). */
export class StrconvError extends Error {
  constructor(func: string, input: string, reason: 'invalid syntax' | 'value out of range') {
    super(`strconv.${func}: parsing ${goQuoteSimple(input)}: ${reason}`);
    this.name = 'StrconvError';
  }
}

function goQuoteSimple(s: string): string {
  return JSON.stringify(s);
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function hexValue(c: string): number {
  const n = parseInt(c, 16);
  return Number.isNaN(n) ? -1 : n;
}

/**
 * Decodes one (possibly escaped) character at s[i] of a quoted literal whose quote is `quote`.
 * Returns the code point or byte, whether it is a raw byte (\x, octal), and the next index.
 */
function unquoteCharAt(s: string, i: number, quote: string): { value: number; isByte: boolean; next: number } {
  const c = s[i] as string;
  if (c !== '\\') {
    if (c === quote && (quote === "'" || quote === '"')) throw new SyntaxError('invalid syntax');
    const cp = s.codePointAt(i) as number;
    return { value: cp, isByte: false, next: i + (cp > 0xffff ? 2 : 1) };
  }
  const e = s[i + 1];
  if (e === undefined) throw new SyntaxError('invalid syntax');
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (e in simple) return { value: simple[e] as number, isByte: false, next: i + 2 };
  switch (e) {
    case 'x':
    case 'u':
    case 'U': {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      let v = 0;
      for (let j = 0; j < n; j++) {
        const h = hexValue(s[i + 2 + j] ?? '');
        if (h < 0) throw new SyntaxError('invalid syntax');
        v = v * 16 + h;
      }
      if (e === 'x') return { value: v, isByte: quote !== "'", next: i + 2 + n };
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxError('invalid syntax');
      return { value: v, isByte: false, next: i + 2 + n };
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      let v = 0;
      for (let j = 0; j < 3; j++) {
        const d = (s[i + 1 + j] ?? '').charCodeAt(0) - 48;
        if (!(d >= 0 && d <= 7)) throw new SyntaxError('invalid syntax');
        v = v * 8 + d;
      }
      if (v > 255) throw new SyntaxError('invalid syntax');
      return { value: v, isByte: quote !== "'", next: i + 4 };
    }
    case "'":
    case '"':
      if (e !== quote) throw new SyntaxError('invalid syntax');
      return { value: e.charCodeAt(0), isByte: false, next: i + 2 };
  }
  throw new SyntaxError('invalid syntax');
}

/** strconv.Unquote for "..." and `...` literals; throws SyntaxError('invalid syntax'). */
export function unquote(s: string): string {
  if (s.length < 2) throw new SyntaxError('invalid syntax');
  const q = s[0];
  if (q !== s[s.length - 1]) throw new SyntaxError('invalid syntax');
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxError('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"') throw new SyntaxError('invalid syntax');
  if (!body.includes('\\') && !body.includes('"') && !body.includes('\n')) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] === '\n') throw new SyntaxError('invalid syntax');
    const { value, isByte, next } = unquoteCharAt(body, i, '"');
    if (isByte) bytes.push(value);
    else for (const b of utf8.encode(String.fromCodePoint(value))) bytes.push(b);
    i = next;
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}

/** Decodes a character literal 'x' to its code point; throws SyntaxError. */
export function unquoteChar(s: string): { value: number; tail: string } {
  const { value, next } = unquoteCharAt(s, 1, "'");
  return { value, tail: s.slice(next) };
}

/** Whether the underscores in a number literal only separate digits (strconv.underscoreOK). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1] as string)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** An integer literal with base prefix (0x, 0o, 0b, or leading 0 for octal) and underscores; undefined if malformed. */
export function parseIntLiteral(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '') return undefined;
  let base = 10;
  let digits = s;
  if (s.length >= 2 && s[0] === '0') {
    const p = (s[1] as string).toLowerCase();
    if (p === 'x') [base, digits] = [16, s.slice(2)];
    else if (p === 'o') [base, digits] = [8, s.slice(2)];
    else if (p === 'b') [base, digits] = [2, s.slice(2)];
    else [base, digits] = [8, s.slice(1)];
  }
  if (digits.includes('_') && !underscoreOK(text)) return undefined;
  digits = digits.replace(/_/g, '');
  if (digits === '') return base === 8 && s === '0' ? 0n : undefined;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!valid.test(digits)) return undefined;
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[base as 2 | 8 | 10 | 16];
  const v = BigInt(prefix + digits);
  return neg ? -v : v;
}

export const MAX_INT64 = (1n << 63n) - 1n;
export const MIN_INT64 = -(1n << 63n);
export const MAX_UINT64 = (1n << 64n) - 1n;

/** Parses a hexadecimal float literal such as 0x1.ep+2 (the p exponent is required, as in Go). */
function parseHexFloat(s: string): number | undefined {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
  if (!m) return undefined;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart === '' && frac === '') return undefined;
  const mant = BigInt(`0x${intPart}${frac}` === '0x' ? '0x0' : `0x${intPart}${frac}`);
  const exp = Number(m[4]) - 4 * frac.length;
  // Number(bigint) rounds to nearest; scaling by a power of two is then exact (barring overflow).
  let v = Number(mant) * 2 ** exp;
  if (!Number.isFinite(v) && mant !== 0n) v = Infinity;
  return m[1] === '-' ? -v : v;
}

/** strconv.ParseFloat(s, 64): decimal or hex, underscores as in Go, Inf/NaN; throws StrconvError. */
export function parseFloat64(input: string): number {
  const lower = input.toLowerCase();
  const sign = lower.startsWith('-') ? -1 : 1;
  const unsigned = lower.replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity') return sign * Infinity;
  if (unsigned === 'nan' && lower === unsigned) return NaN;
  let s = input;
  if (s.includes('_')) {
    if (!underscoreOK(s)) throw new StrconvError('ParseFloat', input, 'invalid syntax');
    s = s.replace(/_/g, '');
  }
  let v: number | undefined;
  if (/^[+-]?0[xX]/.test(s)) v = parseHexFloat(s);
  else if (/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) v = Number(s);
  if (v === undefined || Number.isNaN(v)) throw new StrconvError('ParseFloat', input, 'invalid syntax');
  if (!Number.isFinite(v)) throw new StrconvError('ParseFloat', input, 'value out of range');
  return v;
}
