// Parses a sample value from the raw bytes of an exposition body, accepting exactly what
// Prometheus accepts: Go's strconv.ParseFloat minus the post-Go-1.13 forms (hex floats and
// underscores, which Prometheus rejects as "unsupported character in float").
//
// Accepted: [+-]? digits with an optional '.', optional exponent [eE][+-]?digits, at least one
// digit in the mantissa; "inf" / "infinity" with optional sign and "nan" without sign, any case.
// Values that overflow to ±Inf are an error (Go's ErrRange); underflow to 0 is not.
//
// The result is bit-exact with Go (and with JS Number() on the same text): plain decimals take
// Clinger's fast path, which is exact when the decimal mantissa is below 2^53 and the power of
// ten is at most 22 (both operands are exact doubles, so the single IEEE multiply or divide
// rounds correctly). Everything else builds a string and asks Number(), which is correctly
// rounded. No allocation on the fast path.

export const FLOAT_OK = 0;
/** Not a number in Go's syntax (ParseFloat: invalid syntax). */
export const FLOAT_INVALID_SYNTAX = 1;
/** Contains p, P or _: forms Go 1.13+ accepts but Prometheus rejects. */
export const FLOAT_UNSUPPORTED_CHARACTER = 2;
/** Syntactically fine, but beyond the largest double (Go's ErrRange). */
export const FLOAT_OUT_OF_RANGE = 3;
export type FloatParseStatus =
  | typeof FLOAT_OK
  | typeof FLOAT_INVALID_SYNTAX
  | typeof FLOAT_UNSUPPORTED_CHARACTER
  | typeof FLOAT_OUT_OF_RANGE;

// The status of the last call, read with floatParseStatus(); a module variable rather than a
// result object so that the hot path allocates nothing.
let lastStatus: FloatParseStatus = FLOAT_OK;

/** Status of the most recent parseGoFloat call. */
export function floatParseStatus(): FloatParseStatus {
  return lastStatus;
}

/** Human-readable reason for a non-OK status. */
export function floatStatusReason(status: FloatParseStatus): string {
  switch (status) {
    case FLOAT_INVALID_SYNTAX:
      return 'invalid float';
    case FLOAT_UNSUPPORTED_CHARACTER:
      return 'unsupported character in float (hex floats and underscores are not accepted)';
    case FLOAT_OUT_OF_RANGE:
      return 'float out of range';
    default:
      return 'ok';
  }
}

// 10^0 .. 10^22 are exact doubles.
const POW10 = new Float64Array(23);
POW10[0] = 1;
for (let k = 1; k < 23; k++) POW10[k] = POW10[k - 1]! * 10;

const TWO_POW_53 = 9007199254740992;
const MAX_EXPONENT_DIGITS_VALUE = 100_000; // beyond this the result is 0 or Inf anyway

/**
 * Parses b[start, end) as a Go float. On failure returns NaN and floatParseStatus() tells why;
 * on success floatParseStatus() is FLOAT_OK (check it: NaN is also a valid value).
 */
export function parseGoFloat(b: Uint8Array, start: number, end: number): number {
  const fast = parseDecimalPrefix(b, start, end);
  if (prefixEnd === end) {
    lastStatus = FLOAT_OK;
    return fast;
  }
  return parseGoFloatSlow(b, start, end);
}

// Validates the full grammar, then lets Number() do the correctly rounded conversion.
function parseGoFloatSlow(b: Uint8Array, start: number, end: number): number {
  let i = start;
  if (i >= end) return fail(FLOAT_INVALID_SYNTAX);
  let c = b[i]!;
  if (c === 0x2d /* - */ || c === 0x2b /* + */) {
    i++;
    if (i >= end) return fail(FLOAT_INVALID_SYNTAX);
    c = b[i]!;
  }
  // Letters can only start inf / infinity / nan.
  if (c >= 0x41) return parseSpecial(b, start, i, end, b[start] === 0x2d);

  let sawDigits = false;
  while (i < end && isDigit(b[i]!)) {
    sawDigits = true;
    i++;
  }
  if (i < end && b[i] === 0x2e /* . */) {
    i++;
    while (i < end && isDigit(b[i]!)) {
      sawDigits = true;
      i++;
    }
  }
  if (!sawDigits) return failAt(b, start, end);
  if (i < end && (b[i] === 0x65 /* e */ || b[i] === 0x45) /* E */) {
    i++;
    if (i < end && (b[i] === 0x2d || b[i] === 0x2b)) i++;
    const exponentStart = i;
    while (i < end && isDigit(b[i]!)) i++;
    if (i === exponentStart) return failAt(b, start, end);
  }
  if (i !== end) return failAt(b, start, end);

  // Well-formed and ASCII, so Number() reads it exactly as Go does; only Go's overflow error
  // needs adding.
  let text = '';
  for (let k = start; k < end; k++) text += String.fromCharCode(b[k]!);
  const value = Number(text);
  if (value === Infinity || value === -Infinity) return fail(FLOAT_OUT_OF_RANGE);
  lastStatus = FLOAT_OK;
  return value;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// End of the number scanned by the last parseDecimalPrefix call, or -1 when it declined.
let prefixEnd = -1;

/** Where the number read by the last parseDecimalPrefix call ends, or -1 if it declined. */
export function decimalPrefixEnd(): number {
  return prefixEnd;
}

/**
 * Fast path for the common case, reading a plain decimal ([+-]digits[.digits][e[+-]digits])
 * from b[start, limit) up to the first byte that cannot continue it. Returns the value and sets
 * decimalPrefixEnd(); the caller must check that the number is followed by a delimiter. Declines
 * (decimalPrefixEnd() === -1) whenever the exact-result conditions do not hold or the text is
 * anything else (Inf, NaN, malformed): the caller then finds the token's end and uses
 * parseGoFloat, which also produces the error.
 */
export function parseDecimalPrefix(b: Uint8Array, start: number, limit: number): number {
  let i = start;
  prefixEnd = -1;
  if (i >= limit) return NaN;
  let c = b[i]!;
  let negative = false;
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d;
    if (++i >= limit) return NaN;
    c = b[i]!;
  }
  // The first 9 significant digits go into an int (Smi arithmetic, fast); any further ones into
  // a second accumulator, combined at the end.
  let head = 0;
  let tail = 0;
  let tailDigits = 0;
  let significantDigits = 0;
  let sawDigits = false;
  let fractionDigits = 0;
  while (i < limit) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) break;
    sawDigits = true;
    if (head !== 0 || d !== 0) significantDigits++;
    if (significantDigits <= 9) head = head * 10 + d;
    else if (tailDigits < 17) {
      tail = tail * 10 + d;
      tailDigits++;
    }
    i++;
  }
  if (i < limit && b[i] === 0x2e) {
    i++;
    while (i < limit) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      sawDigits = true;
      if (head !== 0 || d !== 0) significantDigits++;
      if (significantDigits <= 9) head = head * 10 + d;
      else if (tailDigits < 17) {
        tail = tail * 10 + d;
        tailDigits++;
      }
      fractionDigits++;
      i++;
    }
  }
  if (!sawDigits) return NaN;
  let exponent = 0;
  if (i < limit && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    let exponentNegative = false;
    if (i < limit && (b[i] === 0x2d || b[i] === 0x2b)) {
      exponentNegative = b[i] === 0x2d;
      i++;
    }
    const exponentStart = i;
    while (i < limit) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      if (exponent < MAX_EXPONENT_DIGITS_VALUE) exponent = exponent * 10 + d;
      i++;
    }
    if (i === exponentStart) return NaN;
    if (exponentNegative) exponent = -exponent;
  }
  let value: number;
  if (head === 0) {
    value = 0;
  } else {
    if (significantDigits > 16) return NaN;
    // head * 10^tailDigits is exact (head * 5^k < 2^53, then a power of two), so the sum is
    // exact below 2^53 and rounds to at least 2^53 otherwise.
    const mantissa = tailDigits === 0 ? head : head * POW10[tailDigits]! + tail;
    if (mantissa >= TWO_POW_53) return NaN;
    const e10 = exponent - fractionDigits;
    if (e10 === 0) value = mantissa;
    else if (e10 > 0 && e10 <= 22) value = mantissa * POW10[e10]!;
    else if (e10 < 0 && e10 >= -22) value = mantissa / POW10[-e10]!;
    else return NaN;
  }
  prefixEnd = i;
  return negative ? -value : value;
}

function fail(status: FloatParseStatus): number {
  lastStatus = status;
  return NaN;
}

// Prometheus checks for p, P and _ before calling ParseFloat, so those win over plain syntax errors.
function failAt(b: Uint8Array, start: number, end: number): number {
  for (let k = start; k < end; k++) {
    const c = b[k];
    if (c === 0x70 /* p */ || c === 0x50 /* P */ || c === 0x5f /* _ */) return fail(FLOAT_UNSUPPORTED_CHARACTER);
  }
  return fail(FLOAT_INVALID_SYNTAX);
}

// Case-insensitive "inf", "infinity" (optionally signed) and "nan" (unsigned), as Go's special().
function parseSpecial(b: Uint8Array, start: number, i: number, end: number, negative: boolean): number {
  const length = end - i;
  if (length === 3 && lower(b[i]!) === 0x6e && lower(b[i + 1]!) === 0x61 && lower(b[i + 2]!) === 0x6e) {
    if (i !== start) return failAt(b, start, end); // Go accepts no sign on NaN
    lastStatus = FLOAT_OK;
    return NaN;
  }
  if ((length === 3 || length === 8) && matchesLower(b, i, end, 'infinity')) {
    lastStatus = FLOAT_OK;
    return negative ? -Infinity : Infinity;
  }
  return failAt(b, start, end);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

function matchesLower(b: Uint8Array, i: number, end: number, word: string): boolean {
  for (let k = 0; i + k < end; k++) {
    if (lower(b[i + k]!) !== word.charCodeAt(k)) return false;
  }
  return true;
}
