// Alertmanager time intervals (timeinterval/timeinterval.go): parsing with Alertmanager's messages,
// containment of an instant, and the route-level "which of these named intervals is now" check.
// Zone offsets come from Intl, so any IANA zone the runtime knows works, DST included.
import { ConfigError, join, readObject } from '../core/config-schema.ts';

/** Minutes of the day, start inclusive, end exclusive (0..1440). */
export interface TimeRange {
  readonly start_minute: number;
  readonly end_minute: number;
}

/** An inclusive range; weekdays 0 = Sunday, months 1 = January, days of month may be negative (-1 = last). */
export interface InclusiveRange {
  readonly begin: number;
  readonly end: number;
}

/** One time interval; an absent field does not constrain, a present (even empty) list must match. */
export interface TimeInterval {
  readonly times?: readonly TimeRange[];
  readonly weekdays?: readonly InclusiveRange[];
  readonly days_of_month?: readonly InclusiveRange[];
  readonly months?: readonly InclusiveRange[];
  readonly years?: readonly InclusiveRange[];
  /** IANA zone name; absent means UTC. */
  readonly location?: string;
}

const DAYS_OF_WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

// strconv.Atoi: optional sign, decimal digits.
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function weekdayFromString(s: string): number {
  const i = DAYS_OF_WEEK.indexOf(s);
  if (i < 0) throw new Error(`${s} is not a valid weekday`);
  return i;
}

function monthFromString(s: string): number {
  const i = MONTHS.indexOf(s);
  if (i >= 0) return i + 1;
  try {
    return atoi(s);
  } catch {
    throw new Error(`${s} is not a valid month`);
  }
}

// stringableRangeFromString: "a:b" or "a", case-insensitive.
function rangeFromString(input: string, member: (s: string) => number): InclusiveRange {
  const s = input.toLowerCase();
  if (s.includes(':')) {
    const parts = s.split(':');
    if (parts.length !== 2) throw new Error(`couldn't parse range ${s}, invalid format`);
    return { begin: member(parts[0] as string), end: member(parts[1] as string) };
  }
  const v = member(s);
  return { begin: v, end: v };
}

function parseWeekdayRange(s: string): InclusiveRange {
  const r = rangeFromString(s, weekdayFromString);
  if (r.begin > r.end) throw new Error('start day cannot be before end day');
  return r;
}

function parseDayOfMonthRange(s: string): InclusiveRange {
  const r = rangeFromString(s, atoi);
  if (r.begin === 0 || r.begin < -31 || r.begin > 31) throw new Error(`${r.begin} is not a valid day of the month: out of range`);
  if (r.end === 0 || r.end < -31 || r.end > 31) throw new Error(`${r.end} is not a valid day of the month: out of range`);
  if (r.begin < 0 && r.end > 0) throw new Error('end day must be negative if start day is negative');
  // Negative indices can only be checked against the shortest month (28 days).
  const checkBegin = r.begin < 0 ? 28 + r.begin : r.begin;
  const checkEnd = r.end < 0 ? 28 + r.end : r.end;
  if (checkBegin > checkEnd) throw new Error(`end day ${r.end} is always before start day ${r.begin}`);
  return r;
}

function parseMonthRange(s: string): InclusiveRange {
  const r = rangeFromString(s, monthFromString);
  if (r.begin > r.end) throw new Error(`end month ${MONTHS[r.end - 1] ?? ''} is before start month ${MONTHS[r.begin - 1] ?? ''}`);
  return r;
}

function parseYearRange(s: string): InclusiveRange {
  const r = rangeFromString(s, atoi);
  if (r.begin > r.end) throw new Error(`end year ${r.end} is before start year ${r.begin}`);
  return r;
}

const VALID_TIME = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;

function parseTime(s: string): number {
  if (!VALID_TIME.test(s)) throw new Error(`couldn't parse timestamp ${s}, invalid format`);
  const [h, m] = s.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function scalar(raw: unknown, field: string): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new ConfigError(field, `expected a string, got ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw}`);
}

function withPath<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(field, (err as Error).message);
  }
}

/** A TimeRange from `{start_time: "09:00", end_time: "17:00"}`. */
export function parseTimeRange(raw: unknown, path: string): TimeRange {
  const obj = readObject(raw, path, ['start_time', 'end_time']);
  const start = obj.start_time === undefined || obj.start_time === null ? '' : scalar(obj.start_time, join(path, 'start_time'));
  const end = obj.end_time === undefined || obj.end_time === null ? '' : scalar(obj.end_time, join(path, 'end_time'));
  return withPath(path, () => {
    if (start === '' || end === '') throw new Error('both start and end times must be provided');
    const s = parseTime(start);
    const e = parseTime(end);
    if (s >= e) throw new Error('start time cannot be equal or greater than end time');
    return { start_minute: s, end_minute: e };
  });
}

/** Checks a zone name as time.LoadLocation would accept it; "" and "UTC" are UTC, "Local" the host's zone. */
export function checkLocation(name: string): void {
  if (name === '' || name === 'UTC' || name === 'Local') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
}

function rangeList(obj: Record<string, unknown>, key: string, path: string, parse: (s: string) => InclusiveRange): InclusiveRange[] | undefined {
  const value = obj[key];
  const field = join(path, key);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ConfigError(field, 'expected a list');
  return value.map((item, i) => {
    const p = join(field, i);
    return withPath(p, () => parse(scalar(item, p)));
  });
}

/** One entry of a named interval's `time_intervals:` list. */
export function parseTimeInterval(raw: unknown, path: string): TimeInterval {
  const obj = readObject(raw, path, ['times', 'weekdays', 'days_of_month', 'months', 'years', 'location']);
  const out: { -readonly [K in keyof TimeInterval]: TimeInterval[K] } = {};
  if (obj.times !== undefined && obj.times !== null) {
    const field = join(path, 'times');
    if (!Array.isArray(obj.times)) throw new ConfigError(field, 'expected a list');
    out.times = obj.times.map((t, i) => parseTimeRange(t, join(field, i)));
  }
  const weekdays = rangeList(obj, 'weekdays', path, parseWeekdayRange);
  if (weekdays) out.weekdays = weekdays;
  const days = rangeList(obj, 'days_of_month', path, parseDayOfMonthRange);
  if (days) out.days_of_month = days;
  const months = rangeList(obj, 'months', path, parseMonthRange);
  if (months) out.months = months;
  const years = rangeList(obj, 'years', path, parseYearRange);
  if (years) out.years = years;
  if (obj.location !== undefined && obj.location !== null) {
    const field = join(path, 'location');
    const loc = scalar(obj.location, field);
    withPath(field, () => checkLocation(loc));
    out.location = loc;
  }
  return out;
}

interface WallClock {
  year: number;
  month: number; // 1..12
  day: number;
  weekday: number; // 0 = Sunday
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function wallClock(ms: number, location: string | undefined): WallClock {
  if (location === undefined || location === '' || location === 'UTC') {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay(), minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes() };
  }
  let f = formatters.get(location);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: location === 'Local' ? undefined : location,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(location, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_SHORT.indexOf(parts.weekday as string),
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

// Calendar days of the month (Alertmanager 0.28 measured hours/24, which loses a day in a month
// with a DST change; fixed upstream later, and calendar days are what the config means).
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function clamp(n: number, min: number, max: number): number {
  return n <= min ? min : n >= max ? max : n;
}

/** TimeInterval.ContainsTime: `at` in the interval's location (UTC when none). */
export function intervalContains(interval: TimeInterval, at: Date | number): boolean {
  const t = wallClock(typeof at === 'number' ? at : at.getTime(), interval.location);
  if (interval.times !== undefined && !interval.times.some((r) => t.minuteOfDay >= r.start_minute && t.minuteOfDay < r.end_minute)) return false;
  if (interval.days_of_month !== undefined) {
    const dim = daysInMonth(t.year, t.month);
    const inDays = interval.days_of_month.some((r) => {
      let begin = r.begin < 0 ? dim + r.begin + 1 : r.begin;
      let end = r.end < 0 ? dim + r.end + 1 : r.end;
      if (begin > dim) return false; // the range starts after this month ends
      begin = clamp(begin, -dim, dim);
      end = clamp(end, -dim, dim);
      return t.day >= begin && t.day <= end;
    });
    if (!inDays) return false;
  }
  if (interval.months !== undefined && !interval.months.some((r) => t.month >= r.begin && t.month <= r.end)) return false;
  if (interval.weekdays !== undefined && !interval.weekdays.some((r) => t.weekday >= r.begin && t.weekday <= r.end)) return false;
  if (interval.years !== undefined && !interval.years.some((r) => t.year >= r.begin && t.year <= r.end)) return false;
  return true;
}

/**
 * Intervener.Mutes: which of `names` contain `at` (a name is listed once per matching interval, as
 * upstream does). Throws for a name that is not defined.
 */
export function activeIntervalNames(names: readonly string[], intervals: ReadonlyMap<string, readonly TimeInterval[]>, at: Date | number): string[] {
  const inside: string[] = [];
  for (const name of names) {
    const list = intervals.get(name);
    if (list === undefined) throw new Error(`time interval ${name} doesn't exist in config`);
    for (const ti of list) if (intervalContains(ti, at)) inside.push(name);
  }
  return inside;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const rangeText = (r: InclusiveRange, name?: (n: number) => string): string => {
  const f = name ?? String;
  return r.begin === r.end ? f(r.begin) : `${f(r.begin)}:${f(r.end)}`;
};

/** The interval as Alertmanager marshals it (weekdays by name, months and days as numbers). */
export function timeIntervalToYaml(interval: TimeInterval): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (interval.times !== undefined && interval.times.length > 0) {
    out.times = interval.times.map((r) => ({
      start_time: `${pad2(Math.floor(r.start_minute / 60))}:${pad2(r.start_minute % 60)}`,
      end_time: `${pad2(Math.floor(r.end_minute / 60))}:${pad2(r.end_minute % 60)}`,
    }));
  }
  if (interval.weekdays !== undefined && interval.weekdays.length > 0) out.weekdays = interval.weekdays.map((r) => rangeText(r, (n) => DAYS_OF_WEEK[n] as string));
  if (interval.days_of_month !== undefined && interval.days_of_month.length > 0) out.days_of_month = interval.days_of_month.map((r) => rangeText(r));
  if (interval.months !== undefined && interval.months.length > 0) out.months = interval.months.map((r) => rangeText(r));
  if (interval.years !== undefined && interval.years.length > 0) out.years = interval.years.map((r) => rangeText(r));
  if (interval.location !== undefined) out.location = interval.location;
  return out;
}
