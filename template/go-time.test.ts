// Cases of Go's time package tests (time_test.go durationTests, format_test.go formatTests).
import { describe, expect, it } from 'vitest';
import { GoDuration, GoTime, UTC, fixedZone, loadLocation, parseTime, RFC3339, RFC3339_NANO } from './go-time.ts';

describe('time.Duration.String (durationTests)', () => {
  it.each([
    ['0s', 0n],
    ['1ns', 1n],
    ['1.1µs', 1100n],
    ['2.2ms', 2200000n],
    ['3.3s', 3300000000n],
    ['4m5s', 245000000000n],
    ['4m5.001s', 245001000000n],
    ['5h6m7.001s', 18367001000000n],
    ['8m0.000000001s', 480000000001n],
    ['2562047h47m16.854775807s', (1n << 63n) - 1n],
    ['-2562047h47m16.854775808s', -(1n << 63n)],
  ] as Array<[string, bigint]>)('%s', (out, ns) => {
    expect(new GoDuration(ns).String()).toBe(out);
  });
});

describe('time.Time.Format (formatTests)', () => {
  const PST = fixedZone('PST', -8 * 3600);
  const t = GoTime.date(2009, 2, 4, 21, 0, 57, 12345600, PST);
  it.each([
    ['ANSIC', 'Mon Jan _2 15:04:05 2006', 'Wed Feb  4 21:00:57 2009'],
    ['UnixDate', 'Mon Jan _2 15:04:05 MST 2006', 'Wed Feb  4 21:00:57 PST 2009'],
    ['RubyDate', 'Mon Jan 02 15:04:05 -0700 2006', 'Wed Feb 04 21:00:57 -0800 2009'],
    ['RFC822', '02 Jan 06 15:04 MST', '04 Feb 09 21:00 PST'],
    ['RFC850', 'Monday, 02-Jan-06 15:04:05 MST', 'Wednesday, 04-Feb-09 21:00:57 PST'],
    ['RFC1123', 'Mon, 02 Jan 2006 15:04:05 MST', 'Wed, 04 Feb 2009 21:00:57 PST'],
    ['RFC1123Z', 'Mon, 02 Jan 2006 15:04:05 -0700', 'Wed, 04 Feb 2009 21:00:57 -0800'],
    ['RFC3339', RFC3339, '2009-02-04T21:00:57-08:00'],
    ['RFC3339Nano', RFC3339_NANO, '2009-02-04T21:00:57.0123456-08:00'],
    ['Kitchen', '3:04PM', '9:00PM'],
    ['am/pm', '3pm', '9pm'],
    ['AM/PM', '3PM', '9PM'],
    ['two-digit year', '06 01 02', '09 02 04'],
    // Three-letter months and days must not be followed by lower-case letter.
    ['Janet', 'Hi Janet, the Month is January', 'Hi Janet, the Month is February'],
    // Time stamps, Fractional seconds.
    ['Stamp', 'Jan _2 15:04:05', 'Feb  4 21:00:57'],
    ['StampMilli', 'Jan _2 15:04:05.000', 'Feb  4 21:00:57.012'],
    ['StampMicro', 'Jan _2 15:04:05.000000', 'Feb  4 21:00:57.012345'],
    ['StampNano', 'Jan _2 15:04:05.000000000', 'Feb  4 21:00:57.012345600'],
    ['DateTime', '2006-01-02 15:04:05', '2009-02-04 21:00:57'],
    ['DateOnly', '2006-01-02', '2009-02-04'],
    ['TimeOnly', '15:04:05', '21:00:57'],
    ['YearDay', 'Jan  2 002 __2 2', 'Feb  4 035  35 4'],
    ['Year', '2006 6 06 _6 __6 ___6', '2009 6 09 _6 __6 ___6'],
    ['Month', 'Jan January 1 01 _1', 'Feb February 2 02 _2'],
    ['DayOfMonth', '2 02 _2 __2', '4 04  4  35'],
    ['DayOfWeek', 'Mon Monday', 'Wed Wednesday'],
    ['Hour', '15 3 03 _3', '21 9 09 _9'],
    ['Minute', '4 04 _4', '0 00 _0'],
    ['Second', '5 05 _5', '57 57 _57'],
  ])('%s', (_, layout, out) => {
    expect(t.Format(layout)).toBe(out);
  });

  it('String() as Go prints a time', () => {
    expect(t.String()).toBe('2009-02-04 21:00:57.0123456 -0800 PST');
    expect(GoTime.zero().String()).toBe('0001-01-01 00:00:00 +0000 UTC');
    expect(GoTime.zero().Format(RFC3339_NANO)).toBe('0001-01-01T00:00:00Z');
  });
});

describe('time zones from zoneinfo', () => {
  it('knows abbreviations and daylight saving time', () => {
    const paris = loadLocation('Europe/Paris');
    expect(GoTime.date(2024, 1, 1, 8, 15, 30, 0, UTC).In(paris).String()).toBe('2024-01-01 09:15:30 +0100 CET');
    expect(GoTime.date(2024, 7, 1, 12, 0, 0, 0, UTC).In(paris).String()).toBe('2024-07-01 14:00:00 +0200 CEST');
    expect(GoTime.date(2024, 1, 1, 12, 0, 0, 0, UTC).In(loadLocation('America/New_York')).Format('15:04 MST -07:00')).toBe('07:00 EST -05:00');
    expect(GoTime.date(2060, 7, 1, 12, 0, 0, 0, UTC).In(paris).Format('15:04 MST')).toBe('14:00 CEST');
  });
  it('rejects unknown zones like Go', () => {
    expect(() => loadLocation('Invalid/Timezone')).toThrow('unknown time zone Invalid/Timezone');
  });
});

describe('time.Parse', () => {
  it('parses layouts', () => {
    expect(parseTime(RFC3339, '2009-02-04T21:00:57-08:00').UTC().String()).toBe('2009-02-05 05:00:57 +0000 UTC');
    expect(parseTime('2006-01-02 15:04:05.000', '2024-03-15 10:11:12.345').String()).toBe('2024-03-15 10:11:12.345 +0000 UTC');
    expect(parseTime('Jan _2 2006 3:04PM', 'Feb  4 2009 9:00PM').Format('2006-01-02 15:04')).toBe('2009-02-04 21:00');
  });
  it('reports errors as Go words them', () => {
    expect(() => parseTime('2006-01-02', 'not-a-date')).toThrow('parsing time "not-a-date" as "2006-01-02": cannot parse "not-a-date" as "2006"');
    expect(() => parseTime('2006-01-02', '2024-13-01')).toThrow('parsing time "2024-13-01": month out of range');
    expect(() => parseTime('2006-01-02', '2024-01-01x')).toThrow('parsing time "2024-01-01x": extra text: "x"');
  });
});
