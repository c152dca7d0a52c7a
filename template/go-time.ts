// Go's time.Time, time.Duration and time.Location as template values: Format and Parse with Go's
// reference layouts ("2006-01-02 15:04:05"), String() as Go prints times, and time zones read from
// the system's zoneinfo files as Go reads them (falling back to Intl when a file is missing).
import { readFileSync } from 'node:fs';
import { withSignature, type TypeCheck } from './functions.ts';
import { goIntValue, registerDateConverter } from './values.ts';

// --- Duration --------------------------------------------------------------------------------

const NANOSECOND = 1n;
const MICROSECOND = 1000n;
const MILLISECOND = 1000000n;
const SECOND = 1000000000n;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

/** fmtFrac: the fraction of v/10**prec (".12345"), trailing zeros omitted; the decimal point too when 0. */
function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let out = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = digit.toString() + out;
    v /= 10n;
  }
  if (print) out = `.${out}`;
  return [out, v];
}

/** time.Duration: nanoseconds, an int64 with methods. */
export class GoDuration {
  static readonly goTypeName = 'time.Duration';
  readonly ns: bigint;
  constructor(ns: bigint) {
    this.ns = ns;
  }
  get [goIntValue](): bigint {
    return this.ns;
  }
  /** Go's Duration.String: "72h3m0.5s", "1.5µs", "0s". */
  String(): string {
    let u = this.ns < 0n ? -this.ns : this.ns;
    const neg = this.ns < 0n;
    let out: string;
    if (u < SECOND) {
      let prec: number;
      let unit: string;
      if (u === 0n) return '0s';
      if (u < MICROSECOND) [prec, unit] = [0, 'ns'];
      else if (u < MILLISECOND) [prec, unit] = [3, 'µs'];
      else [prec, unit] = [6, 'ms'];
      const [frac, rest] = fmtFrac(u, prec);
      out = `${rest}${frac}${unit}`;
    } else {
      const [frac, secs] = fmtFrac(u, 9);
      u = secs;
      out = `${u % 60n}${frac}s`;
      u /= 60n;
      if (u > 0n) {
        out = `${u % 60n}m${out}`;
        u /= 60n;
        if (u > 0n) out = `${u}h${out}`;
      }
    }
    return neg ? `-${out}` : out;
  }
  Nanoseconds(): bigint {
    return this.ns;
  }
  Microseconds(): bigint {
    return this.ns / MICROSECOND;
  }
  Milliseconds(): bigint {
    return this.ns / MILLISECOND;
  }
  Seconds(): number {
    return Number(this.ns / SECOND) + Number(this.ns % SECOND) / 1e9;
  }
  Minutes(): number {
    return Number(this.ns / MINUTE) + Number(this.ns % MINUTE) / (60 * 1e9);
  }
  Hours(): number {
    return Number(this.ns / HOUR) + Number(this.ns % HOUR) / (3600 * 1e9);
  }
  Abs(): GoDuration {
    return new GoDuration(this.ns < 0n ? -this.ns : this.ns);
  }
  Truncate(m: GoDuration): GoDuration {
    return m.ns <= 0n ? this : new GoDuration(this.ns - (this.ns % m.ns));
  }
}

export const durationType: TypeCheck = { name: 'time.Duration', literal: 'int', accepts: (v) => v instanceof GoDuration || typeof v === 'bigint' };

function durationArg(v: unknown): bigint {
  return v instanceof GoDuration ? v.ns : (v as bigint);
}

// --- Month and Weekday -----------------------------------------------------------------------

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** time.Month: an int that prints as its English name. */
export class GoMonth {
  static readonly goTypeName = 'time.Month';
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  get [goIntValue](): bigint {
    return BigInt(this.n);
  }
  String(): string {
    return LONG_MONTHS[this.n - 1] ?? `%!Month(${this.n})`;
  }
}

/** time.Weekday: an int that prints as its English name. */
export class GoWeekday {
  static readonly goTypeName = 'time.Weekday';
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  get [goIntValue](): bigint {
    return BigInt(this.n);
  }
  String(): string {
    return LONG_DAYS[this.n] ?? `%!Weekday(${this.n})`;
  }
}

// --- Locations -------------------------------------------------------------------------------

interface Zone {
  /** Seconds east of UTC. */
  offset: number;
  /** Abbreviation, e.g. CET; "" when unknown. */
  name: string;
}

/** time.Location. */
export class GoLocation {
  static readonly goTypeName = '*time.Location';
  readonly name: string;
  private readonly lookupFn: (unixSec: number) => Zone;
  constructor(name: string, lookup: (unixSec: number) => Zone) {
    this.name = name;
    this.lookupFn = lookup;
  }
  lookup(unixSec: number): Zone {
    return this.lookupFn(unixSec);
  }
  String(): string {
    return this.name;
  }
}

export const UTC = new GoLocation('UTC', () => ({ offset: 0, name: 'UTC' }));

/** time.FixedZone. */
export function fixedZone(name: string, offset: number): GoLocation {
  return new GoLocation(name, () => ({ offset, name }));
}

interface TzifData {
  transitions: number[]; // unix seconds, ascending
  transitionTypes: number[];
  types: Array<{ offset: number; isDst: boolean; name: string }>;
}

/** Reads the 64-bit (v2+) part of a TZif file. */
function parseTzif(buf: Buffer): TzifData | undefined {
  if (buf.toString('latin1', 0, 4) !== 'TZif') return undefined;
  const version = buf[4] ?? 0;
  const counts = (at: number) => ({
    isut: buf.readUInt32BE(at + 20),
    isstd: buf.readUInt32BE(at + 24),
    leap: buf.readUInt32BE(at + 28),
    time: buf.readUInt32BE(at + 32),
    type: buf.readUInt32BE(at + 36),
    char: buf.readUInt32BE(at + 40),
  });
  let at = 0;
  let c = counts(0);
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the v1 block: it holds 32-bit times only.
    at = 44 + c.time * 4 + c.time + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    if (buf.toString('latin1', at, at + 4) !== 'TZif') return undefined;
    c = counts(at);
    timeSize = 8;
  }
  let p = at + 44;
  const transitions: number[] = [];
  for (let i = 0; i < c.time; i++, p += timeSize) transitions.push(timeSize === 8 ? Number(buf.readBigInt64BE(p)) : buf.readInt32BE(p));
  const transitionTypes: number[] = [];
  for (let i = 0; i < c.time; i++, p++) transitionTypes.push(buf[p] as number);
  const rawTypes: Array<{ offset: number; isDst: boolean; abbrIndex: number }> = [];
  for (let i = 0; i < c.type; i++, p += 6) rawTypes.push({ offset: buf.readInt32BE(p), isDst: buf[p + 4] === 1, abbrIndex: buf[p + 5] as number });
  const chars = buf.toString('latin1', p, p + c.char);
  const types = rawTypes.map((t) => ({ offset: t.offset, isDst: t.isDst, name: chars.slice(t.abbrIndex, chars.indexOf('\0', t.abbrIndex)) }));
  return { transitions, transitionTypes, types };
}

function intlOffset(name: string, unixSec: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' }).formatToParts(new Date(unixSec * 1000));
  const tz = parts.find((x) => x.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(tz);
  if (!m) return 0;
  const secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -secs : secs;
}

/** Go's name for a zone without an abbreviation: "+01", "-0330". */
function numericZoneName(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = String(Math.floor(abs / 3600)).padStart(2, '0');
  const m = Math.floor((abs % 3600) / 60);
  return m === 0 ? `${sign}${h}` : `${sign}${h}${String(m).padStart(2, '0')}`;
}

const locationCache = new Map<string, GoLocation>();

/** The zoneinfo directory Go would read (ZONEINFO is Go's override). */
function zoneinfoPath(name: string): string {
  return `${process.env.ZONEINFO ?? '/usr/share/zoneinfo'}/${name}`;
}

/** time.LoadLocation: throws "unknown time zone NAME" as Go does. */
export function loadLocation(name: string): GoLocation {
  if (name === '' || name === 'UTC') return UTC;
  const cached = locationCache.get(name);
  if (cached) return cached;
  if (name.includes('..') || name.startsWith('/') || name.startsWith('\\')) throw new Error(`time: invalid location name`);
  let tzif: TzifData | undefined;
  try {
    tzif = parseTzif(readFileSync(zoneinfoPath(name)));
  } catch {
    tzif = undefined;
  }
  let intlOK = true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    intlOK = false;
  }
  if (!tzif && !intlOK) throw new Error(`unknown time zone ${name}`);
  let loc: GoLocation;
  if (tzif && tzif.types.length > 0) {
    const data = tzif;
    const last = data.transitions.length > 0 ? (data.transitions[data.transitions.length - 1] as number) : -Infinity;
    loc = new GoLocation(name, (sec) => {
      if (sec >= last && intlOK && data.transitions.length > 0) {
        // Past the table (the file's POSIX rule applies): take the offset from Intl and the
        // abbreviation of the zone type with that offset.
        const offset = intlOffset(name, sec);
        const type = [...data.types].reverse().find((t) => t.offset === offset);
        return { offset, name: type?.name ?? numericZoneName(offset) };
      }
      let idx = -1;
      let lo = 0;
      let hi = data.transitions.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if ((data.transitions[mid] as number) <= sec) {
          idx = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const type = idx < 0 ? (data.types.find((t) => !t.isDst) ?? data.types[0]) : data.types[data.transitionTypes[idx] as number];
      return { offset: type?.offset ?? 0, name: type?.name ?? '' };
    });
  } else {
    loc = new GoLocation(name, (sec) => {
      const offset = intlOffset(name, sec);
      return { offset, name: numericZoneName(offset) };
    });
  }
  locationCache.set(name, loc);
  return loc;
}

// --- civil calendar --------------------------------------------------------------------------

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { year: y + (m <= 2 ? 1 : 0), month: m, day: d };
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  yday: number;
}

// --- Time ------------------------------------------------------------------------------------

const ZERO_TIME_SEC = -62135596800n; // 0001-01-01T00:00:00Z

/** time.Time: an instant (Unix seconds and nanoseconds) in a location. */
export class GoTime {
  static readonly goTypeName = 'time.Time';
  readonly sec: bigint;
  readonly nsec: number;
  readonly loc: GoLocation;

  constructor(sec: bigint, nsec: number, loc: GoLocation = UTC) {
    this.sec = sec;
    this.nsec = nsec;
    this.loc = loc;
  }

  static fromUnixNano(ns: bigint, loc: GoLocation = UTC): GoTime {
    let sec = ns / SECOND;
    let nsec = ns % SECOND;
    if (nsec < 0n) {
      nsec += SECOND;
      sec -= 1n;
    }
    return new GoTime(sec, Number(nsec), loc);
  }

  static fromDate(d: Date): GoTime {
    return GoTime.fromUnixNano(BigInt(d.getTime()) * MILLISECOND);
  }

  /** The zero time.Time (January 1, year 1, 00:00:00 UTC). */
  static zero(): GoTime {
    return new GoTime(ZERO_TIME_SEC, 0, UTC);
  }

  /** time.Date: month, day, hour, min, sec and nsec may be outside their usual ranges. */
  static date(year: number, month: number, day: number, hour: number, min: number, sec: number, nsec: number, loc: GoLocation): GoTime {
    const y = year + Math.floor((month - 1) / 12);
    const m = ((((month - 1) % 12) + 12) % 12) + 1;
    const days = daysFromCivil(y, m, 1) + (day - 1);
    const local = BigInt(days) * 86400n + BigInt(hour * 3600 + min * 60 + sec) + BigInt(Math.floor(nsec / 1e9));
    const ns = ((nsec % 1e9) + 1e9) % 1e9;
    // The offset in effect at that local time: look it up at the local time read as UTC, then refine.
    let offset = loc.lookup(Number(local)).offset;
    const refined = loc.lookup(Number(local - BigInt(offset))).offset;
    if (refined !== offset) offset = refined;
    return new GoTime(local - BigInt(offset), ns, loc);
  }

  private zone(): Zone {
    return this.loc.lookup(Number(this.sec));
  }

  /** Calendar fields in the time's location. */
  civil(): Civil {
    const local = this.sec + BigInt(this.zone().offset);
    const days = Number(floorDiv(local, 86400n));
    const secOfDay = Number(local - BigInt(days) * 86400n);
    const { year, month, day } = civilFromDays(days);
    const weekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    const yday = days - daysFromCivil(year, 1, 1) + 1;
    return { year, month, day, hour: Math.floor(secOfDay / 3600), minute: Math.floor((secOfDay % 3600) / 60), second: secOfDay % 60, weekday, yday };
  }

  unixNano(): bigint {
    return this.sec * SECOND + BigInt(this.nsec);
  }

  // --- Go methods (visible to templates) ---

  String(): string {
    return this.Format('2006-01-02 15:04:05.999999999 -0700 MST');
  }
  Format(layout: string): string {
    return formatTime(this, layout);
  }
  Unix(): bigint {
    return this.sec;
  }
  UnixMilli(): bigint {
    return floorDiv(this.unixNano(), MILLISECOND);
  }
  UnixMicro(): bigint {
    return floorDiv(this.unixNano(), MICROSECOND);
  }
  UnixNano(): bigint {
    return this.unixNano();
  }
  UTC(): GoTime {
    return new GoTime(this.sec, this.nsec, UTC);
  }
  In(loc: GoLocation): GoTime {
    return new GoTime(this.sec, this.nsec, loc);
  }
  Location(): GoLocation {
    return this.loc;
  }
  Add(d: GoDuration | bigint): GoTime {
    return GoTime.fromUnixNano(this.unixNano() + durationArg(d), this.loc);
  }
  Sub(u: GoTime): GoDuration {
    return new GoDuration(this.unixNano() - u.unixNano());
  }
  AddDate(years: bigint, months: bigint, days: bigint): GoTime {
    const c = this.civil();
    return GoTime.date(c.year + Number(years), c.month + Number(months), c.day + Number(days), c.hour, c.minute, c.second, this.nsec, this.loc);
  }
  Before(u: GoTime): boolean {
    return this.unixNano() < u.unixNano();
  }
  After(u: GoTime): boolean {
    return this.unixNano() > u.unixNano();
  }
  Equal(u: GoTime): boolean {
    return this.unixNano() === u.unixNano();
  }
  Compare(u: GoTime): bigint {
    const a = this.unixNano();
    const b = u.unixNano();
    return a < b ? -1n : a > b ? 1n : 0n;
  }
  IsZero(): boolean {
    return this.sec === ZERO_TIME_SEC && this.nsec === 0;
  }
  Year(): bigint {
    return BigInt(this.civil().year);
  }
  Month(): GoMonth {
    return new GoMonth(this.civil().month);
  }
  Day(): bigint {
    return BigInt(this.civil().day);
  }
  Hour(): bigint {
    return BigInt(this.civil().hour);
  }
  Minute(): bigint {
    return BigInt(this.civil().minute);
  }
  Second(): bigint {
    return BigInt(this.civil().second);
  }
  Nanosecond(): bigint {
    return BigInt(this.nsec);
  }
  YearDay(): bigint {
    return BigInt(this.civil().yday);
  }
  Weekday(): GoWeekday {
    return new GoWeekday(this.civil().weekday);
  }
  Truncate(d: GoDuration | bigint): GoTime {
    const n = durationArg(d);
    if (n <= 0n) return this;
    // Go truncates relative to the zero time.
    const since = this.unixNano() - ZERO_TIME_SEC * SECOND;
    return GoTime.fromUnixNano(this.unixNano() - (((since % n) + n) % n), this.loc);
  }
  /** Used by eq: Go compares time.Time structs field by field (instant and location). */
  equalsForTemplate(other: unknown): boolean {
    return other instanceof GoTime && other.sec === this.sec && other.nsec === this.nsec && other.loc === this.loc;
  }
  /** JSON (encoding/json uses RFC 3339 with nanoseconds). */
  toJSON(): string {
    return this.Format(RFC3339_NANO);
  }
}

for (const [method, params] of [
  ['Format', ['string']],
  ['Add', [durationType]],
  ['Sub', [{ name: 'time.Time', accepts: (v: unknown) => v instanceof GoTime }]],
  ['AddDate', ['int', 'int', 'int']],
  ['Before', [{ name: 'time.Time', accepts: (v: unknown) => v instanceof GoTime }]],
  ['After', [{ name: 'time.Time', accepts: (v: unknown) => v instanceof GoTime }]],
  ['Equal', [{ name: 'time.Time', accepts: (v: unknown) => v instanceof GoTime }]],
  ['Compare', [{ name: 'time.Time', accepts: (v: unknown) => v instanceof GoTime }]],
  ['In', [{ name: '*time.Location', accepts: (v: unknown) => v instanceof GoLocation }]],
  ['Truncate', [durationType]],
] as const) {
  withSignature((GoTime.prototype as unknown as Record<string, (...a: never[]) => unknown>)[method] as (...a: never[]) => unknown, [...params]);
}
withSignature(GoDuration.prototype.Truncate, [durationType]);

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

registerDateConverter((d) => GoTime.fromDate(d));

export const timeType: TypeCheck = { name: 'time.Time', accepts: (v) => v instanceof GoTime };

export const RFC3339 = '2006-01-02T15:04:05Z07:00';
export const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';

/** time.Now (millisecond precision; JavaScript has no monotonic wall clock reading). */
export function now(): GoTime {
  return GoTime.fromDate(new Date());
}

// --- layouts ---------------------------------------------------------------------------------

type Std =
  | 'Jan'
  | 'January'
  | '1'
  | '01'
  | 'Mon'
  | 'Monday'
  | '2'
  | '_2'
  | '02'
  | '__2'
  | '002'
  | '15'
  | '3'
  | '03'
  | '4'
  | '04'
  | '5'
  | '05'
  | '2006'
  | '06'
  | 'PM'
  | 'pm'
  | 'MST'
  | 'Z0700'
  | 'Z070000'
  | 'Z07'
  | 'Z07:00'
  | 'Z07:00:00'
  | '-0700'
  | '-070000'
  | '-07'
  | '-07:00'
  | '-07:00:00'
  | { frac: '0' | '9'; digits: number; sep: string };

function startsWithLowerCase(s: string): boolean {
  return s.length > 0 && s[0]! >= 'a' && s[0]! <= 'z';
}

/** Go's nextStdChunk: the text before the first layout element, the element, and the rest. */
function nextStdChunk(layout: string): [prefix: string, std: Std | undefined, suffix: string] {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i] as string;
    const rest = layout.slice(i);
    const hit = (std: Std, len: number): [string, Std, string] => [layout.slice(0, i), std, layout.slice(i + len)];
    switch (c) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return hit('January', 7);
          if (!startsWithLowerCase(rest.slice(3))) return hit('Jan', 3); // "Janet" is text
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return hit('Monday', 6);
          if (!startsWithLowerCase(rest.slice(3))) return hit('Mon', 3); // "Month" is text
        }
        if (rest.startsWith('MST')) return hit('MST', 3);
        break;
      case '0':
        if (layout[i + 1] !== undefined && layout[i + 1]! >= '1' && layout[i + 1]! <= '6') return hit(['01', '02', '03', '04', '05', '06'][Number(layout[i + 1]) - 1] as Std, 2);
        if (rest.startsWith('002')) return hit('002', 3);
        break;
      case '1':
        if (rest.startsWith('15')) return hit('15', 2);
        return hit('1', 1);
      case '2':
        if (rest.startsWith('2006')) return hit('2006', 4);
        return hit('2', 1);
      case '_':
        if (layout[i + 1] === '2') {
          // _2006 is really a literal _, followed by stdLongYear
          if (rest.startsWith('_2006')) return [layout.slice(0, i + 1), '2006', layout.slice(i + 5)];
          return hit('_2', 2);
        }
        if (rest.startsWith('__2')) return hit('__2', 3);
        break;
      case '3':
      case '4':
      case '5':
        return hit(c as Std, 1);
      case 'P':
        if (layout[i + 1] === 'M') return hit('PM', 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return hit('pm', 2);
        break;
      case '-':
        for (const s of ['-07:00:00', '-070000', '-07:00', '-0700', '-07'] as const) if (rest.startsWith(s)) return hit(s, s.length);
        break;
      case 'Z':
        for (const s of ['Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07'] as const) if (rest.startsWith(s)) return hit(s, s.length);
        break;
      case '.':
      case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const ch = layout[i + 1] as '0' | '9';
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          // String of digits must end here - only fractional second if all digits are the same.
          if (!(j < layout.length && layout[j]! >= '0' && layout[j]! <= '9')) {
            return [layout.slice(0, i), { frac: ch, digits: j - (i + 1), sep: c }, layout.slice(j)];
          }
        }
        break;
    }
  }
  return [layout, undefined, ''];
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function formatTime(t: GoTime, layout: string): string {
  const c = t.civil();
  const zone = t.loc.lookup(Number(t.sec));
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const [prefix, std, suffix] = nextStdChunk(rest);
    out += prefix;
    if (std === undefined) break;
    rest = suffix;
    if (typeof std === 'object') {
      out += fracSecond(t.nsec, std);
      continue;
    }
    switch (std) {
      case '06':
        out += pad(Math.abs(c.year) % 100, 2);
        break;
      case '2006':
        out += pad(c.year, 4);
        break;
      case 'Jan':
        out += (LONG_MONTHS[c.month - 1] as string).slice(0, 3);
        break;
      case 'January':
        out += LONG_MONTHS[c.month - 1];
        break;
      case '1':
        out += c.month;
        break;
      case '01':
        out += pad(c.month, 2);
        break;
      case 'Mon':
        out += (LONG_DAYS[c.weekday] as string).slice(0, 3);
        break;
      case 'Monday':
        out += LONG_DAYS[c.weekday];
        break;
      case '2':
        out += c.day;
        break;
      case '_2':
        out += c.day < 10 ? ` ${c.day}` : c.day;
        break;
      case '02':
        out += pad(c.day, 2);
        break;
      case '__2':
        out += String(c.yday).padStart(3, ' ');
        break;
      case '002':
        out += pad(c.yday, 3);
        break;
      case '15':
        out += pad(c.hour, 2);
        break;
      case '3':
        out += c.hour % 12 === 0 ? 12 : c.hour % 12;
        break;
      case '03':
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
        break;
      case '4':
        out += c.minute;
        break;
      case '04':
        out += pad(c.minute, 2);
        break;
      case '5':
        out += c.second;
        break;
      case '05':
        out += pad(c.second, 2);
        break;
      case 'PM':
        out += c.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += c.hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        if (zone.name !== '') out += zone.name;
        else out += numericOffset(zone.offset, '-0700');
        break;
      default:
        if (zone.offset === 0 && std.startsWith('Z')) out += 'Z';
        else out += numericOffset(zone.offset, std);
    }
  }
  return out;
}

function numericOffset(offset: number, std: string): string {
  let zone = Math.trunc(offset / 60);
  let abs = offset;
  let s = '+';
  if (zone < 0) {
    s = '-';
    zone = -zone;
    abs = -abs;
  }
  s += pad(Math.floor(zone / 60), 2);
  const colon = std.includes(':');
  if (colon) s += ':';
  if (std !== '-07' && std !== 'Z07') s += pad(zone % 60, 2);
  if (std.endsWith('0000') || std.endsWith(':00:00')) {
    if (colon) s += ':';
    s += pad(abs % 60, 2);
  }
  return s;
}

function fracSecond(nsec: number, std: { frac: '0' | '9'; digits: number; sep: string }): string {
  let digits = String(nsec).padStart(9, '0').slice(0, Math.min(std.digits, 9));
  if (std.frac === '9') {
    digits = digits.replace(/0+$/, '');
    if (digits === '') return '';
  }
  return std.sep + digits;
}

// --- parsing ---------------------------------------------------------------------------------

function quoteGo(s: string): string {
  return JSON.stringify(s);
}

/** time.ParseError, worded as Go words it. */
export class TimeParseError extends Error {
  constructor(layout: string, value: string, layoutElem: string, valueElem: string, message = '') {
    super(
      message === ''
        ? `parsing time ${quoteGo(value)} as ${quoteGo(layout)}: cannot parse ${quoteGo(valueElem)} as ${quoteGo(layoutElem)}`
        : `parsing time ${quoteGo(value)}${message}`,
    );
    this.name = 'TimeParseError';
  }
}

function stdString(std: Std): string {
  return typeof std === 'object' ? std.sep + std.frac.repeat(std.digits) : std;
}

/** time.ParseInLocation for the common layout elements. */
export function parseTime(layout: string, value: string, loc: GoLocation = UTC): GoTime {
  const alayout = layout;
  const avalue = value;
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | undefined;
  let zoneName = '';
  const fail = (elem: string, v: string): never => {
    throw new TimeParseError(alayout, avalue, elem, v);
  };
  const num = (v: string, fixed: number, min = 1): [number, string] => {
    const m = fixed > 0 ? new RegExp(`^\\d{${fixed}}`).exec(v) : new RegExp(`^\\d{${min},}`).exec(v);
    if (!m) throw new Error('bad');
    return [Number(m[0]), v.slice(m[0].length)];
  };
  while (true) {
    const [prefix, std, suffix] = nextStdChunk(layout);
    const stdstr = std === undefined ? '' : stdString(std);
    // skip the literal prefix, leniently about spaces as Go's skip() is
    let p = prefix;
    while (p.length > 0) {
      if (p[0] === ' ') {
        if (value.length > 0 && value[0] !== ' ') fail(prefix, value);
        p = p.replace(/^ +/, '');
        value = value.replace(/^ +/, '');
        continue;
      }
      if (value.length === 0 || value[0] !== p[0]) fail(prefix, value);
      p = p.slice(1);
      value = value.slice(1);
    }
    if (std === undefined) {
      if (value.length !== 0) throw new TimeParseError(alayout, avalue, '', value, `: extra text: ${quoteGo(value)}`);
      break;
    }
    layout = suffix;
    const hold = value;
    try {
      if (typeof std === 'object') {
        if (value[0] !== '.' && value[0] !== ',') throw new Error('bad');
        const [n, rest] = num(value.slice(1), std.frac === '0' ? std.digits : 0);
        const digits = value.length - 1 - rest.length;
        nsec = Math.round(n * 10 ** (9 - digits));
        value = rest;
        continue;
      }
      switch (std) {
        case '2006':
          if (value.length < 4 || !/^\d{4}/.test(value)) throw new Error('bad');
          year = Number(value.slice(0, 4));
          value = value.slice(4);
          break;
        case '06': {
          const [n, r] = num(value, 2);
          year = n >= 69 ? n + 1900 : n + 2000;
          value = r;
          break;
        }
        case 'Jan':
        case 'January': {
          const names = std === 'Jan' ? LONG_MONTHS.map((m) => m.slice(0, 3)) : LONG_MONTHS;
          const i = names.findIndex((n) => value.toLowerCase().startsWith(n.toLowerCase()));
          if (i < 0) throw new Error('bad');
          month = i + 1;
          value = value.slice((names[i] as string).length);
          break;
        }
        case 'Mon':
        case 'Monday': {
          const names = std === 'Mon' ? LONG_DAYS.map((m) => m.slice(0, 3)) : LONG_DAYS;
          const i = names.findIndex((n) => value.toLowerCase().startsWith(n.toLowerCase()));
          if (i < 0) throw new Error('bad');
          value = value.slice((names[i] as string).length);
          break;
        }
        case '1':
        case '01': {
          const [n, r] = std === '01' ? num(value, 2) : numUpTo(value, 2);
          if (n < 1 || n > 12) throw new TimeParseError(alayout, avalue, stdstr, value, ': month out of range');
          month = n;
          value = r;
          break;
        }
        case '2':
        case '_2':
        case '02': {
          let v = value;
          if (std === '_2' && v[0] === ' ') v = v.slice(1);
          const [n, r] = std === '02' ? num(v, 2) : numUpTo(v, 2);
          day = n;
          value = r;
          break;
        }
        case '__2':
        case '002': {
          const [n, r] = std === '002' ? num(value, 3) : numUpTo(value.replace(/^ {1,2}/, ''), 3);
          yday = n;
          value = r;
          break;
        }
        case '15': {
          const [n, r] = numUpTo(value, 2);
          if (n < 0 || n >= 24) throw new TimeParseError(alayout, avalue, stdstr, value, ': hour out of range');
          hour = n;
          value = r;
          break;
        }
        case '3':
        case '03': {
          const [n, r] = std === '03' ? num(value, 2) : numUpTo(value, 2);
          if (n < 0 || n > 12) throw new TimeParseError(alayout, avalue, stdstr, value, ': hour out of range');
          hour = n;
          value = r;
          break;
        }
        case '4':
        case '04': {
          const [n, r] = std === '04' ? num(value, 2) : numUpTo(value, 2);
          if (n < 0 || n >= 60) throw new TimeParseError(alayout, avalue, stdstr, value, ': minute out of range');
          min = n;
          value = r;
          break;
        }
        case '5':
        case '05': {
          const [n, r] = std === '05' ? num(value, 2) : numUpTo(value, 2);
          if (n < 0 || n >= 60) throw new TimeParseError(alayout, avalue, stdstr, value, ': second out of range');
          sec = n;
          value = r;
          // Special case: do we have a fractional second but no fractional second in the format?
          if ((value[0] === '.' || value[0] === ',') && /^[.,]\d/.test(value)) {
            const nextStd = nextStdChunk(layout)[1];
            if (!(typeof nextStd === 'object')) {
              const m = /^[.,](\d+)/.exec(value) as RegExpExecArray;
              nsec = Math.round(Number(`0.${(m[1] as string).slice(0, 9)}`) * 1e9);
              value = value.slice(m[0].length);
            }
          }
          break;
        }
        case 'PM':
        case 'pm': {
          const v = value.slice(0, 2);
          if (v.toUpperCase() === 'PM') pmSet = true;
          else if (v.toUpperCase() === 'AM') amSet = true;
          else throw new Error('bad');
          value = value.slice(2);
          break;
        }
        case 'MST': {
          const m = /^(UTC|GMT|[A-Z]{3,5})/.exec(value);
          if (!m) throw new Error('bad');
          zoneName = m[1] as string;
          value = value.slice(zoneName.length);
          break;
        }
        default: {
          // numeric zones, with Z allowed for the ISO 8601 forms
          if (std.startsWith('Z') && value[0] === 'Z') {
            value = value.slice(1);
            zoneOffset = 0;
            break;
          }
          const colon = std.includes(':');
          const withSeconds = std.endsWith('0000') || std.endsWith(':00:00');
          const short = std === '-07' || std === 'Z07';
          const re = short ? /^([+-])(\d{2})/ : colon ? (withSeconds ? /^([+-])(\d{2}):(\d{2}):(\d{2})/ : /^([+-])(\d{2}):(\d{2})/) : withSeconds ? /^([+-])(\d{2})(\d{2})(\d{2})/ : /^([+-])(\d{2})(\d{2})/;
          const m = re.exec(value);
          if (!m) throw new Error('bad');
          const off = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
          zoneOffset = m[1] === '-' ? -off : off;
          value = value.slice(m[0].length);
        }
      }
    } catch (e) {
      if (e instanceof TimeParseError) throw e;
      fail(stdstr, hold);
    }
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    if (month < 0 || day < 0) {
      const d = civilFromDays(daysFromCivil(year, 1, 1) + yday - 1);
      month = d.month;
      day = d.day;
    }
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) throw new TimeParseError(alayout, avalue, '', '', ': day out of range');
  if (zoneOffset !== undefined) {
    const t = GoTime.date(year, month, day, hour, min, sec, nsec, UTC).Add(new GoDuration(BigInt(-zoneOffset) * SECOND));
    // Go keeps the offset: use the location if it agrees, else a fixed zone.
    const inLoc = t.In(loc);
    if (loc.lookup(Number(t.sec)).offset === zoneOffset) return inLoc;
    return t.In(zoneOffset === 0 ? UTC : fixedZone('', zoneOffset));
  }
  if (zoneName !== '') {
    const t = GoTime.date(year, month, day, hour, min, sec, nsec, loc);
    if (zoneName === 'UTC' || zoneName === 'GMT') return GoTime.date(year, month, day, hour, min, sec, nsec, UTC);
    return t;
  }
  return GoTime.date(year, month, day, hour, min, sec, nsec, loc);
}

function numUpTo(v: string, max: number): [number, string] {
  const m = new RegExp(`^\\d{1,${max}}`).exec(v);
  if (!m) throw new Error('bad');
  return [Number(m[0]), v.slice(m[0].length)];
}

export { NANOSECOND, MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR };
