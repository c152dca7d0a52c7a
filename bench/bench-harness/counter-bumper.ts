// Keeps a static /metrics body's values moving at almost no cost: a few counters' digits are
// incremented in place (an odometer over the value's digits, so the body never changes length
// and nothing is re-rendered per request).

export interface ValueSpan {
  /** Byte offsets of the value's mantissa digits (with any '.'), e.g. "1.760768" of "1.760768e+06". */
  start: number;
  end: number;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const HASH = 0x23;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= ZERO && b <= NINE;
}

/**
 * Up to `max` sample lines of a text exposition body whose metric name ends in `_total` and whose
 * value (the last field; these bodies carry no timestamps) has at least `minDigits` digits.
 */
export function findCounterValues(body: Uint8Array, max: number, minDigits = 3): ValueSpan[] {
  const out: ValueSpan[] = [];
  let lineStart = 0;
  while (lineStart < body.length && out.length < max) {
    let lineEnd = body.indexOf(NEWLINE, lineStart);
    if (lineEnd < 0) lineEnd = body.length;
    if (body[lineStart] !== HASH && lineEnd > lineStart) {
      const valueStart = body.lastIndexOf(SPACE, lineEnd - 1) + 1;
      let nameEnd = lineStart;
      while (nameEnd < lineEnd && body[nameEnd] !== 0x7b /* { */ && body[nameEnd] !== SPACE) nameEnd++;
      const name = new TextDecoder().decode(body.subarray(lineStart, nameEnd));
      let end = valueStart;
      let digits = 0;
      while (end < lineEnd && (isDigit(body[end]) || body[end] === DOT)) {
        if (body[end] !== DOT) digits++;
        end++;
      }
      const restIsExponent = end === lineEnd || body[end] === 0x65 /* e */;
      if (valueStart > lineStart && name.endsWith('_total') && digits >= minDigits && restIsExponent) {
        out.push({ start: valueStart, end });
      }
    }
    lineStart = lineEnd + 1;
  }
  return out;
}

/** Adds one to the last digit of span, carrying leftwards over '.'; all nines wrap to zeros. */
export function bumpValue(body: Uint8Array, span: ValueSpan): void {
  for (let i = span.end - 1; i >= span.start; i--) {
    const b = body[i] as number;
    if (b === DOT) continue;
    if (b < NINE) {
      body[i] = b + 1;
      return;
    }
    body[i] = ZERO;
  }
}
