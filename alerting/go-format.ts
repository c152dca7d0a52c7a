// The few Go formatting behaviours Prometheus' JSON output depends on, reproduced exactly.
import { utf8Bytes } from './utf8.ts';

/** strconv.FormatFloat(v, 'e', -1, 64): shortest round-trip digits, exponent of at least two digits. */
export function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0e+00' : '0e+00';
  const s = v.toExponential(); // shortest digits that round-trip, like Go's -1 precision
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s) as RegExpExecArray;
  return `${m[1]}e${m[2]}${(m[3] as string).padStart(2, '0')}`;
}

/** A sample value as Prometheus' query API writes it ("NaN", "+Inf", "-Inf" or a decimal). */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The inverse of formatSampleValue, accepting what Go's strconv.ParseFloat accepts for special values. */
export function parseSampleValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  return Number(text);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function dateTimePart(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

/** Go's zero time.Time, which Prometheus' API prints for "never". */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * time.Time's JSON form (RFC 3339 with nanoseconds, trailing zeros trimmed) in UTC; undefined is
 * Go's zero time. Our times have millisecond precision.
 */
export function formatRFC3339Nano(ms: number | undefined): string {
  if (ms === undefined) return GO_ZERO_TIME;
  const fraction = ((ms % 1000) + 1000) % 1000;
  const frac = fraction === 0 ? '' : `.${pad(fraction, 3).replace(/0+$/, '')}`;
  return `${dateTimePart(ms)}${frac}Z`;
}

/** strfmt.DateTime's form (RFC 3339 with exactly three fraction digits), as Alertmanager's API v2 uses. */
export function formatRFC3339Millis(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01T00:00:00.000Z';
  return `${dateTimePart(ms)}.${pad(((ms % 1000) + 1000) % 1000, 3)}Z`;
}

/** Parses what formatRFC3339Millis / formatRFC3339Nano write (any RFC 3339 time) back to milliseconds. */
export function parseRFC3339(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Go's url.QueryEscape: unreserved bytes kept, space as '+', every other byte as %XX. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of utf8Bytes(s)) {
    const c = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's %q of a rune, as PromQL lexer errors print the offending character. */
export function quoteRune(ch: string): string {
  switch (ch) {
    case "'":
      return "'\\''";
    case '\\':
      return "'\\\\'";
    case '\n':
      return "'\\n'";
    case '\t':
      return "'\\t'";
    case '\r':
      return "'\\r'";
    case '':
      return "'\\x00'";
  }
  const cp = ch.codePointAt(0) as number;
  if (cp < 0x20 || cp === 0x7f) return `'\\x${cp.toString(16).padStart(2, '0')}'`;
  return `'${ch}'`;
}
