// Ported from Alertmanager 0.28 timeinterval/timeinterval_test.go.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/config-schema.ts';
import {
  activeIntervalNames,
  intervalContains,
  parseTimeInterval,
  parseTimeRange,
  timeIntervalToYaml,
  type TimeInterval,
} from './time-interval.ts';

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** Go's time.RFC822Z ("02 Jan 06 15:04 -0700") as epoch milliseconds. */
function rfc822z(s: string): number {
  const m = /^(\d{1,2}) (\w{3}) (\d{2}) (\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (m === null) throw new Error(`bad test time ${s}`);
  const offsetMin = (m[6] === '-' ? -1 : 1) * (Number(m[7]) * 60 + Number(m[8]));
  const utc = Date.UTC(2000 + Number(m[3]), MONTHS[m[2] as string] as number, Number(m[1]), Number(m[4]), Number(m[5]));
  return utc - offsetMin * 60_000;
}

const r = (begin: number, end: number) => ({ begin, end });

describe('intervalContains (TestContainsTime)', () => {
  const cases: { interval: TimeInterval; valid: string[]; invalid: string[] }[] = [
    { interval: {}, valid: ['02 Jan 06 15:04 +0000', '03 Jan 07 10:04 +0000', '04 Jan 06 09:04 +0000'], invalid: [] },
    {
      // 9am to 5pm, monday to friday
      interval: { times: [{ start_minute: 540, end_minute: 1020 }], weekdays: [r(1, 5)] },
      valid: ['04 May 20 15:04 +0000', '05 May 20 10:04 +0000', '09 Jun 20 09:04 +0000'],
      invalid: ['03 May 20 15:04 +0000', '04 May 20 08:59 +0000', '05 May 20 05:00 +0000'],
    },
    {
      // Easter 2020
      interval: { days_of_month: [r(4, 6)], months: [r(4, 4)], years: [r(2020, 2020)] },
      valid: ['04 Apr 20 15:04 +0000', '05 Apr 20 00:00 +0000', '06 Apr 20 23:05 +0000'],
      invalid: ['03 May 18 15:04 +0000', '03 Apr 20 23:59 +0000', '04 Jun 20 23:59 +0000', '06 Apr 19 23:59 +0000', '07 Apr 20 00:00 +0000'],
    },
    {
      // Last 3 days of each month
      interval: { days_of_month: [r(-3, -1)] },
      valid: ['31 Jan 20 15:04 +0000', '30 Jan 20 15:04 +0000', '29 Jan 20 15:04 +0000', '30 Jun 20 00:00 +0000', '29 Feb 20 23:05 +0000'],
      invalid: ['03 May 18 15:04 +0000', '27 Jan 20 15:04 +0000', '03 Apr 20 23:59 +0000', '04 Jun 20 23:59 +0000', '06 Apr 19 23:59 +0000', '07 Apr 20 00:00 +0000', '01 Mar 20 00:00 +0000'],
    },
    {
      // Out-of-bound days are clamped to month boundaries
      interval: { months: [r(6, 6)], days_of_month: [r(-31, 31)] },
      valid: ['30 Jun 20 00:00 +0000', '01 Jun 20 00:00 +0000'],
      invalid: ['31 May 20 00:00 +0000', '1 Jul 20 00:00 +0000'],
    },
    {
      // AEST 9AM to 5PM, Monday to Friday.
      interval: { times: [{ start_minute: 540, end_minute: 1020 }], weekdays: [r(1, 5)], location: 'Australia/Sydney' },
      valid: ['06 Apr 21 13:00 +1000'],
      invalid: ['06 Apr 21 13:00 +0000'],
    },
    {
      // An alternative timezone during daylight savings time.
      interval: { times: [{ start_minute: 540, end_minute: 1020 }], weekdays: [r(1, 5)], months: [r(11, 11)], location: 'Australia/Sydney' },
      valid: ['01 Nov 21 09:00 +1100', '31 Oct 21 22:00 +0000'],
      invalid: ['31 Oct 21 21:00 +0000'],
    },
  ];
  cases.forEach((c, i) => {
    it(`case ${i}`, () => {
      for (const s of c.valid) expect(intervalContains(c.interval, rfc822z(s)), s).toBe(true);
      for (const s of c.invalid) expect(intervalContains(c.interval, rfc822z(s)), s).toBe(false);
    });
  });

  it('an empty but present list matches nothing', () => {
    expect(intervalContains({ times: [] }, 0)).toBe(false);
  });

  it('uses calendar days for negative days of month across a DST change', () => {
    // March 2024 in Berlin has 31 days although it is an hour short.
    const lastDay: TimeInterval = { days_of_month: [r(-1, -1)], location: 'Europe/Berlin' };
    expect(intervalContains(lastDay, Date.UTC(2024, 2, 31, 12))).toBe(true);
    expect(intervalContains(lastDay, Date.UTC(2024, 2, 30, 12))).toBe(false);
  });
});

describe('parseTimeRange (TestParseTimeString)', () => {
  const good: [string, number, number][] = [
    ["{'start_time': '00:00', 'end_time': '24:00'}", 0, 1440],
    ["{'start_time': '01:35', 'end_time': '17:39'}", 95, 1059],
    ["{'start_time': '09:35', 'end_time': '09:39'}", 575, 579],
  ];
  for (const [src, s, e] of good) it(src, () => expect(parseTimeRange(parseYaml(src), 't')).toEqual({ start_minute: s, end_minute: e }));
  const bad = [
    "{'start_time': '17:31', 'end_time': '17:31'}",
    "{'start_time': '12:30', 'end_time': '24:01'}",
    "{'start_time': '09:30', 'end_time': '07:41'}",
    "{'start_time': '24:00', 'end_time': '17:41'}",
    "{'start_time': '14:03'}",
  ];
  for (const src of bad) it(`rejects ${src}`, () => expect(() => parseTimeRange(parseYaml(src), 't')).toThrow(ConfigError));
});

function parseList(src: string): TimeInterval[] {
  const raw = parseYaml(src) as unknown[];
  return raw.map((x, i) => parseTimeInterval(x, `time_intervals[${i}]`));
}

describe('parseTimeInterval (TestYamlUnmarshal)', () => {
  const good: { src: string; want: TimeInterval[]; contains?: string[]; excludes?: string[] }[] = [
    {
      src: `
- weekdays: ['monday:friday']
  times:
    - start_time: '09:00'
      end_time: '17:00'
`,
      want: [{ weekdays: [r(1, 5)], times: [{ start_minute: 540, end_minute: 1020 }] }],
      contains: ['08 Jul 20 09:00 +0000', '08 Jul 20 16:59 +0000'],
      excludes: ['08 Jul 20 05:00 +0000', '08 Jul 20 08:59 +0000'],
    },
    {
      src: `
- weekdays: ['monday:friday', 'sunday']
  months: ['january:march']
  days_of_month: ['-7:-1']
  years: ['2020:2025', '2030:2035']
  times:
    - start_time: '09:00'
      end_time: '17:00'
`,
      want: [{ weekdays: [r(1, 5), r(0, 0)], times: [{ start_minute: 540, end_minute: 1020 }], months: [r(1, 3)], days_of_month: [r(-7, -1)], years: [r(2020, 2025), r(2030, 2035)] }],
      contains: ['27 Jan 21 09:00 +0000', '28 Jan 21 16:59 +0000', '29 Jan 21 13:00 +0000', '31 Mar 25 13:00 +0000', '31 Jan 35 13:00 +0000'],
      excludes: ['30 Jan 21 13:00 +0000', '01 Apr 21 13:00 +0000', '30 Jan 26 13:00 +0000', '31 Jan 35 17:01 +0000'],
    },
    { src: `- days_of_month: ['1:-1']`, want: [{ days_of_month: [r(1, -1)] }] },
    { src: `- months: ['January:december']`, want: [{ months: [r(1, 12)] }] },
    { src: `- years: ['2020:2022']\n  location: 'Australia/Sydney'`, want: [{ years: [r(2020, 2022)], location: 'Australia/Sydney' }] },
  ];
  good.forEach((c, i) => {
    it(`good case ${i}`, () => {
      const got = parseList(c.src);
      expect(got).toEqual(c.want);
      for (const s of c.contains ?? []) expect(got.some((ti) => intervalContains(ti, rfc822z(s))), s).toBe(true);
      for (const s of c.excludes ?? []) expect(got.some((ti) => intervalContains(ti, rfc822z(s))), s).toBe(false);
      // Marshalling and reading back gives the same intervals (TestYamlMarshal).
      expect(got.map((ti, j) => parseTimeInterval(timeIntervalToYaml(ti), `x[${j}]`))).toEqual(got);
    });
  });

  const bad: [string, string][] = [
    [`- times:\n    - start_time: '01:99'\n      end_time: '23:59'`, "couldn't parse timestamp 01:99, invalid format"],
    [`- times:\n    - start_time: '00:00'\n      end_time: '99:99'`, "couldn't parse timestamp 99:99, invalid format"],
    [`- weekdays: ['friday:monday']`, 'start day cannot be before end day'],
    [`- weekdays: ['blurgsday:flurgsday']`, 'blurgsday is not a valid weekday'],
    [`- weekdays: ['1:3']`, '1 is not a valid weekday'],
    [`- weekdays: ['-2:-1']`, '-2 is not a valid weekday'],
    [`- days_of_month: ['0']`, '0 is not a valid day of the month: out of range'],
    [`- days_of_month: ['-50:-20']`, '-50 is not a valid day of the month: out of range'],
    [`- days_of_month: ['1:50']`, '50 is not a valid day of the month: out of range'],
    [`- days_of_month: ['-15:5']`, 'end day must be negative if start day is negative'],
    [`- days_of_month: ['10:-25']`, 'end day -25 is always before start day 10'],
    [`- months: ['martius:june']`, 'martius is not a valid month'],
    [`- months: ['march:junius']`, 'junius is not a valid month'],
    [`- months: ['december:january']`, 'end month january is before start month december'],
    [`- years: ['2022:2020']`, 'end year 2020 is before start year 2022'],
    [`- location: 'Mars/Olympus_Mons'`, 'unknown time zone Mars/Olympus_Mons'],
  ];
  for (const [src, msg] of bad) {
    it(`rejects: ${msg}`, () => {
      let err: unknown;
      try {
        parseList(src);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain(msg);
      expect((err as ConfigError).field).toMatch(/^time_intervals\[0\]\./);
    });
  }
});

describe('complete intervals (TestTimeIntervalComplete)', () => {
  it('combines weekdays, times, days, years and months', () => {
    const [ti] = parseList(`
- weekdays: ['monday:wednesday', 'saturday', 'sunday']
  times:
    - start_time: '13:00'
      end_time: '15:00'
  days_of_month: ['1', '10', '20:-1']
  years: ['2020:2023']
  months: ['january:march']
`) as [TimeInterval];
    for (const s of ['10 Jan 21 13:00 +0000', '30 Jan 21 14:24 +0000']) expect(intervalContains(ti, rfc822z(s)), s).toBe(true);
    for (const s of ['09 Jan 21 13:00 +0000', '20 Jan 21 12:59 +0000', '02 Feb 21 13:00 +0000']) expect(intervalContains(ti, rfc822z(s)), s).toBe(false);
  });

  it('does not clamp a start day after the end of the month', () => {
    const [ti] = parseList(`- {days_of_month: ['30:31'], years: ['2020:2023'], months: ['february']}`) as [TimeInterval];
    expect(intervalContains(ti, rfc822z('28 Feb 21 13:00 +0000'))).toBe(false);
  });
});

describe('activeIntervalNames (TestIntervener_Mutes)', () => {
  const sydney = 'Australia/Sydney';
  const intervals = new Map<string, TimeInterval[]>([
    ['evenings', [{ times: [{ start_minute: 0, end_minute: 540 }, { start_minute: 1020, end_minute: 1440 }], location: sydney }]],
    ['weekends', [{ weekdays: [r(6, 6), r(0, 0)], location: sydney }]],
  ]);
  const names = ['evenings', 'weekends'];
  // Sydney is UTC+11 in January.
  const syd = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h) - 11 * 3_600_000;
  const cases: [string, number, string[]][] = [
    ['muted outside working hours', syd(2024, 1, 1, 0), ['evenings']],
    ['not muted during working hours', syd(2024, 1, 1, 9), []],
    ['muted during weekends', syd(2024, 1, 6, 10), ['weekends']],
    ['muted during weekend evenings', syd(2024, 1, 6, 17), ['evenings', 'weekends']],
    ['muted at 10:00 UTC on a weekday', Date.UTC(2024, 0, 1, 10), ['evenings']],
    ['muted at 10:00 UTC on a weekend', Date.UTC(2024, 0, 6, 10), ['evenings', 'weekends']],
  ];
  for (const [name, at, want] of cases) it(name, () => expect(activeIntervalNames(names, intervals, new Date(at))).toEqual(want));

  it('rejects an undefined name', () => {
    expect(() => activeIntervalNames(['nope'], intervals, 0)).toThrow("time interval nope doesn't exist in config");
  });
});
