// Go's fmt package as templates see it: print, printf, println and the %v rendering of values.
// Numbers follow the value model of values.ts: bigint is a Go int, number a Go float64.
import {
  GoFunc,
  kindOf,
  intValue,
  lookupMethod,
  sortedMapEntries,
  structFields,
  typeName,
  isThenable,
} from './values.ts';

// ---------------------------------------------------------------------------------------------
// Decimal digits of a float64.

interface Digits {
  d: string; // significant digits, no leading zeros ("" for zero)
  dp: number; // decimal point position: value = 0.d × 10^dp
}

/** Shortest digits that read back as x (what strconv uses for precision -1). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  const d = mant.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(exp) + 1 };
}

/** The exact decimal expansion of a finite positive float64 (every binary fraction is a finite decimal). */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let e2: number;
  if (expBits === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  // A non-zero mantissa times a power of 5 has no leading zeros.
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    // mant / 2^k = mant * 5^k / 10^k
    const k = -e2;
    digits = (mant * 5n ** BigInt(k)).toString();
    dp = digits.length - k;
  }
  return { d: digits.replace(/0+$/, ''), dp };
}

/** Rounds exact digits to nd significant digits, half to even (strconv's decimal.Round). */
function roundDigits(x: Digits, nd: number): Digits {
  const { d, dp } = x;
  if (nd < 0) return { d: '', dp: 0 };
  if (nd >= d.length) return x;
  let up: boolean;
  const c = d.charCodeAt(nd) - 48;
  if (c > 5) up = true;
  else if (c < 5) up = false;
  else if (nd + 1 < d.length) up = true; // more non-zero digits follow (trailing zeros are trimmed)
  else up = nd > 0 && (d.charCodeAt(nd - 1) - 48) % 2 === 1; // exactly half: to even
  if (!up) return { d: d.slice(0, nd).replace(/0+$/, ''), dp };
  // Round up: increment the prefix.
  const prefix = d.slice(0, nd).split('');
  let i = nd - 1;
  while (i >= 0 && prefix[i] === '9') i--;
  if (i < 0) return { d: '1', dp: dp + 1 };
  prefix[i] = String.fromCharCode((prefix[i] as string).charCodeAt(0) + 1);
  return { d: prefix.slice(0, i + 1).join(''), dp };
}

function digitAt(x: Digits, i: number): string {
  return i < x.d.length ? (x.d[i] as string) : '0';
}

function fmtE(x: Digits, prec: number, e: 'e' | 'E'): string {
  let s = x.d.length === 0 ? '0' : digitAt(x, 0);
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(x, i);
  }
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  if (exp < 0) exp = -exp;
  return `${s}${e}${sign}${exp < 10 ? '0' : ''}${exp}`;
}

function fmtF(x: Digits, prec: number): string {
  let s = '';
  if (x.dp > 0) {
    for (let i = 0; i < x.dp; i++) s += digitAt(x, i);
  } else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      const j = x.dp + i;
      s += j < 0 ? '0' : digitAt(x, j);
    }
  }
  return s;
}

/**
 * strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f g G, prec -1 meaning shortest.
 * The sign is included; infinities are "+Inf"/"-Inf" as fmt prints them.
 */
export function formatFloat(x: number, fmtChar: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(a);
    if (fmtChar === 'e' || fmtChar === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (fmtChar === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const exact = exactDigits(a);
    if (fmtChar === 'e' || fmtChar === 'E') digs = roundDigits(exact, prec + 1);
    else if (fmtChar === 'f') digs = roundDigits(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = roundDigits(exact, prec);
    }
  }
  let body: string;
  switch (fmtChar) {
    case 'e':
    case 'E':
      body = fmtE(digs, prec, fmtChar);
      break;
    case 'f':
      body = fmtF(digs, prec);
      break;
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      // %e is used if the exponent from the conversion is less than -4 or greater than or
      // equal to the precision; if precision was the shortest possible, use precision 6.
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      const e = fmtChar === 'g' ? 'e' : 'E';
      if (digs.d.length === 0) {
        body = '0';
      } else if (exp < -4 || exp >= eprec) {
        let p = prec;
        if (p > digs.d.length) p = digs.d.length;
        body = fmtE(digs, p - 1, e);
      } else {
        let p = prec;
        if (p > digs.dp) p = digs.d.length;
        body = fmtF(digs, Math.max(p - digs.dp, 0));
      }
    }
  }
  return neg ? `-${body}` : body;
}

/** The %v of a float64: strconv 'g' with the shortest precision ("1e+06", "100000", "1e-05"). */
export function formatFloatV(x: number): string {
  return formatFloat(x, 'g', -1);
}

// ---------------------------------------------------------------------------------------------
// Quoting (strconv.Quote and friends).

function isPrintRune(r: number): boolean {
  if (r === 0x20) return true;
  if (r < 0x20 || r === 0x7f) return false;
  if (r >= 0xd800 && r <= 0xdfff) return false;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(r));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function quoteRuneInto(r: number, quote: string, asciiOnly: boolean): string {
  if (r === quote.charCodeAt(0) || r === 0x5c) return `\\${String.fromCodePoint(r)}`;
  if (asciiOnly ? r < 0x80 && isPrintRune(r) : isPrintRune(r)) return String.fromCodePoint(r);
  switch (r) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return `\\x${hex(r, 2)}`;
  if (r >= 0xd800 && r <= 0xdfff) return '\\ufffd';
  if (r < 0x10000) return `\\u${hex(r, 4)}`;
  return `\\U${hex(r, 8)}`;
}

/** strconv.Quote. */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += quoteRuneInto(ch.codePointAt(0) as number, '"', asciiOnly);
  return `${out}"`;
}

/** strconv.QuoteRune. */
export function quoteRune(r: number): string {
  if (r > 0x10ffff || r < 0 || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  return `'${quoteRuneInto(r, "'", false)}'`;
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    if (r === 0x60 || r === 0xfeff) return false;
    if (r < 0x20 && r !== 0x09) return false;
    if (r === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The printer.

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid: number | undefined;
  prec: number | undefined;
  /** %+v: struct field names. */
  plusV: boolean;
}

function noFlags(): Flags {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, wid: undefined, prec: undefined, plusV: false };
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function padding(n: number, zero: boolean): string {
  return n > 0 ? (zero ? '0' : ' ').repeat(n) : '';
}

/** Pads to the width: spaces, or zeros with the 0 flag (callers clear it where Go ignores it). */
function pad(s: string, f: Flags, zeroOK = true): string {
  if (f.wid === undefined || f.wid === 0) return s;
  const width = f.wid - runeCount(s);
  if (width <= 0) return s;
  if (f.minus) return s + padding(width, false);
  return padding(width, zeroOK && f.zero) + s;
}

function truncateRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n >= prec) break;
    out += ch;
    n++;
  }
  return out;
}

const DIGITS_LOWER = '0123456789abcdefx';
const DIGITS_UPPER = '0123456789ABCDEFX';

function fmtInteger(v: bigint, base: number, verb: string, f: Flags, upper: boolean): string {
  const negative = v < 0n;
  let u = negative ? -v : v;
  let prec = 0;
  if (f.prec !== undefined) {
    prec = f.prec;
    if (prec === 0 && u === 0n) return pad('', { ...f, zero: false });
  } else if (f.zero && !f.minus && f.wid !== undefined) {
    prec = f.wid;
    if (negative || f.plus || f.space) prec--;
  }
  let digits = u === 0n ? '0' : '';
  const b = BigInt(base);
  const table = upper ? DIGITS_UPPER : DIGITS_LOWER;
  while (u > 0n) {
    digits = table[Number(u % b)] + digits;
    u /= b;
  }
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 2) digits = `0b${digits}`;
    else if (base === 8) {
      if (!digits.startsWith('0')) digits = `0${digits}`;
    } else if (base === 16) digits = `0${table[16]}${digits}`;
  }
  if (verb === 'O') digits = `0o${digits}`;
  if (negative) digits = `-${digits}`;
  else if (f.plus) digits = `+${digits}`;
  else if (f.space) digits = ` ${digits}`;
  return pad(digits, { ...f, zero: false });
}

function fmtFloatVerb(x: number, verb: string, f: Flags): string {
  let fmtChar: 'e' | 'E' | 'f' | 'g' | 'G';
  let prec: number;
  switch (verb) {
    case 'v':
      fmtChar = 'g';
      prec = f.prec ?? -1;
      break;
    case 'e':
    case 'E':
      fmtChar = verb;
      prec = f.prec ?? 6;
      break;
    case 'f':
    case 'F':
      fmtChar = 'f';
      prec = f.prec ?? 6;
      break;
    default:
      fmtChar = verb as 'g' | 'G';
      prec = f.prec ?? -1;
  }
  let num = formatFloat(x, fmtChar, prec);
  if (!num.startsWith('-') && !num.startsWith('+')) num = `+${num}`;
  if (f.space && num[0] === '+' && !f.plus) num = ` ${num.slice(1)}`;
  if (num[1] === 'I' || num[1] === 'N') {
    // Infinities and NaN don't look like numbers: no zero padding, no sign on NaN unless asked.
    if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
    return pad(num, { ...f, zero: false });
  }
  if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
  if (f.plus || num[0] !== '+') {
    // If we're zero padding to the left we want the sign before the leading zeros.
    if (f.zero && !f.minus && f.wid !== undefined && f.wid > num.length) {
      return num[0] + '0'.repeat(f.wid - num.length) + num.slice(1);
    }
    return pad(num, f);
  }
  return pad(num.slice(1), f);
}

/** The # flag on %e %f %g (fmt's fmtFloat): keep a decimal point, and for %g the trailing zeros. num starts with its sign. */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G') digits = prec === -1 ? 6 : prec;
  let tail = '';
  let hasDecimalPoint = false;
  let sawNonzeroDigit = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i] as string;
    if (c === '.') hasDecimalPoint = true;
    else if (c === 'e' || c === 'E') {
      tail = num.slice(i);
      num = num.slice(0, i);
      break;
    } else {
      if (c !== '0') sawNonzeroDigit = true;
      // Count significant digits after the first non-zero digit.
      if (sawNonzeroDigit) digits--;
    }
  }
  if (!hasDecimalPoint) {
    // Leading digit 0 should contribute once to digits.
    if (num.length === 2 && num[1] === '0') digits--;
    num += '.';
  }
  if (digits > 0) num += '0'.repeat(digits);
  return num + tail;
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
    case 's':
      return pad(truncateRunes(s, f.prec), f);
    case 'q': {
      const t = truncateRunes(s, f.prec);
      if (f.sharp && canBackquote(t)) return pad(`\`${t}\``, f);
      return pad(quote(t, f.plus), f);
    }
    case 'x':
    case 'X': {
      let bytes: Uint8Array = Buffer.from(s, 'utf8');
      if (f.prec !== undefined && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
      return pad(hexBytes(bytes, verb === 'X', f), f);
    }
  }
  return badVerb(verb, s);
}

function hexBytes(bytes: Uint8Array, upper: boolean, f: Flags): string {
  if (bytes.length === 0) return '';
  const parts: string[] = [];
  for (const b of bytes) {
    let h = hex(b, 2);
    if (upper) h = h.toUpperCase();
    parts.push(h);
  }
  const prefix = f.sharp ? (upper ? '0X' : '0x') : '';
  if (f.space) return parts.map((p) => prefix + p).join(' ');
  return prefix + parts.join('');
}

function badVerb(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, 'v', noFlags(), 1)})`;
}

/** Calls a value's Error or String method, as fmt does for %v %s %q %x %X. */
function stringMethod(v: unknown): string | undefined {
  if (v instanceof Error) return v.message;
  if (typeof v !== 'object' || v === null) return undefined;
  const m = lookupMethod(v, 'Error') ?? lookupMethod(v, 'String');
  if (!m) return undefined;
  const out = m.call(v);
  if (isThenable(out)) throw new Error('String method returned a Promise');
  return typeof out === 'string' ? out : String(out);
}

/** Formats one value for a verb (fmt's printArg / printValue). */
export function formatValue(v: unknown, verb: string, f: Flags, depth = 0): string {
  if (verb === 'T') return pad(typeName(v), f);
  if (v === null || v === undefined) {
    if (verb === 'v') return pad('<nil>', f);
    return badVerb(verb, v);
  }
  if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') {
    const s = stringMethod(v);
    if (s !== undefined) return fmtString(s, verb, f);
  }
  switch (kindOf(v)) {
    case 'bool':
      if (verb === 't' || verb === 'v') return pad(v ? 'true' : 'false', f);
      return badVerb(verb, v);
    case 'int': {
      const n = intValue(v);
      switch (verb) {
        case 'v':
        case 'd':
          return fmtInteger(n, 10, verb, f, false);
        case 'b':
          return fmtInteger(n, 2, verb, f, false);
        case 'o':
        case 'O':
          return fmtInteger(n, 8, verb, f, false);
        case 'x':
          return fmtInteger(n, 16, verb, f, false);
        case 'X':
          return fmtInteger(n, 16, verb, f, true);
        case 'c':
          return pad(String.fromCodePoint(runeOf(n)), f);
        case 'q':
          return pad(quoteRune(runeOf(n)), f);
        case 'U': {
          const u = n < 0n ? n + (1n << 64n) : n;
          let s = `U+${u.toString(16).toUpperCase().padStart(Math.max(4, f.prec ?? 0), '0')}`;
          const r = u <= 0x10ffffn ? Number(u) : -1;
          if (f.sharp && r >= 0 && isPrintRune(r)) s += ` '${String.fromCodePoint(r)}'`;
          return pad(s, f, false);
        }
      }
      return badVerb(verb, v);
    }
    case 'float':
      switch (verb) {
        case 'v':
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
          return fmtFloatVerb(v as number, verb, f);
      }
      return badVerb(verb, v);
    case 'string':
      return fmtString(v as string, verb, f);
    case 'slice': {
      if (v instanceof Uint8Array && (verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')) {
        return fmtString(Buffer.from(v).toString('utf8'), verb, f);
      }
      const items = (v as unknown[]).map((e) => formatValue(e, verb, { ...f, wid: f.wid }, depth + 1));
      return `[${items.join(' ')}]`;
    }
    case 'map': {
      const parts = sortedMapEntries(v).map(([k, e]) => `${formatValue(k, verb, f, depth + 1)}:${formatValue(e, verb, f, depth + 1)}`);
      return `map[${parts.join(' ')}]`;
    }
    case 'struct': {
      const parts = structFields(v as object).map(([name, e]) =>
        f.plusV ? `${name}:${formatValue(e, verb, f, depth + 1)}` : formatValue(e, verb, f, depth + 1),
      );
      return `{${parts.join(' ')}}`;
    }
    case 'func':
      if (verb === 'v' || verb === 'p') return pad(v instanceof GoFunc ? '0x1' : '0x1', f);
      return badVerb(verb, v);
    default:
      return badVerb(verb, v);
  }
}

function runeOf(n: bigint): number {
  if (n < 0n || n > 0x10ffffn) return 0xfffd;
  const r = Number(n);
  return r >= 0xd800 && r <= 0xdfff ? 0xfffd : r;
}

function isGoString(v: unknown): boolean {
  return typeof v === 'string';
}

/** fmt.Sprint: spaces are added between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (i > 0 && !isGoString(arg) && !isGoString(args[i - 1])) out += ' ';
    out += formatValue(arg, 'v', noFlags());
  }
  return out;
}

/** fmt.Sprintln: spaces always between operands, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatValue(a, 'v', noFlags())).join(' ')}\n`;
}

function intArg(v: unknown): number | undefined {
  if (typeof v === 'bigint') {
    if (v > 1000000n || v < -1000000n) return undefined; // Go: tooLarge
    return Number(v);
  }
  return undefined;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let afterIndex = false;
  const end = format.length;
  let i = 0;
  while (i < end) {
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++; // skip %
    const f = noFlags();
    // Flags.
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    // Argument index, then width.
    [argNum, i, afterIndex] = argNumber(argNum, format, i, args.length);
    if (afterIndex) reordered = true;
    let badWidth = false;
    if (i < end && format[i] === '*') {
      i++;
      const w = argNum < args.length ? intArg(args[argNum]) : undefined;
      if (w === undefined) badWidth = true;
      else {
        f.wid = w;
        if (w < 0) {
          f.wid = -w;
          f.minus = true;
          f.zero = false;
        }
      }
      argNum++;
      afterIndex = false;
    } else {
      const start = i;
      while (i < end && format[i]! >= '0' && format[i]! <= '9') i++;
      if (i > start) f.wid = Number(format.slice(start, i));
      if (afterIndex && f.wid !== undefined) reordered = false;
    }
    let badPrec = false;
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) reordered = false;
      [argNum, i, afterIndex] = argNumber(argNum, format, i, args.length);
      if (i < end && format[i] === '*') {
        i++;
        const p = argNum < args.length ? intArg(args[argNum]) : undefined;
        if (p === undefined || p < 0) {
          if (p === undefined) badPrec = true;
          f.prec = undefined;
        } else f.prec = p;
        argNum++;
        afterIndex = false;
      } else {
        const start = i;
        while (i < end && format[i]! >= '0' && format[i]! <= '9') i++;
        f.prec = Number(format.slice(start, i) || '0');
      }
    }
    if (!afterIndex) {
      [argNum, i, afterIndex] = argNumber(argNum, format, i, args.length);
      if (afterIndex) reordered = true;
    }
    if (badWidth) out += '%!(BADWIDTH)';
    if (badPrec) out += '%!(BADPREC)';
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i) as number;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === 'w') {
      out += `%!w(${typeName(args[argNum])}=${formatValue(args[argNum], 'v', noFlags())})`;
      argNum++;
      continue;
    }
    if (verb === 'v') {
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
      if (f.sharp) f.sharp = false; // %#v (Go syntax) is not supported: rendered as %v
    }
    out += formatValue(args[argNum], verb, f);
    argNum++;
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ';
    out += args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a, 'v', noFlags())}`))
      .join(', ');
    out += ')';
  }
  return out;
}

/** Parses an explicit [n] argument index. */
function argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
  if (format.length <= i || format[i] !== '[') return [argNum, i, false];
  const close = format.indexOf(']', i);
  if (close < 0) return [argNum, i, false];
  const n = Number(format.slice(i + 1, close));
  if (!Number.isInteger(n) || n < 1 || format.slice(i + 1, close) === '') return [argNum, close + 1, false];
  return [n - 1 < numArgs ? n - 1 : numArgs, close + 1, true];
}
