import { describe, expect, it } from 'vitest';
import {
  formatFloatE,
  formatRFC3339Millis,
  formatRFC3339Nano,
  formatSampleValue,
  parseRFC3339,
  parseSampleValue,
  queryEscape,
  quoteRune,
} from './go-format.ts';

describe('formatFloatE (strconv.FormatFloat(v, e, -1, 64))', () => {
  it.each([
    [1, '1e+00'],
    [11, '1.1e+01'],
    [0.5, '5e-01'],
    [-123.456, '-1.23456e+02'],
    [1e300, '1e+300'],
    [1e-7, '1e-07'],
    [0, '0e+00'],
    [-0, '-0e+00'],
    [0.1 + 0.2, '3.0000000000000004e-01'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%d -> %s', (v, s) => {
    expect(formatFloatE(v)).toBe(s);
  });
});

describe('sample values', () => {
  it('round-trips the special values', () => {
    for (const v of [NaN, Infinity, -Infinity, 0, 1.5, -2e-9]) {
      expect(parseSampleValue(formatSampleValue(v))).toBe(v);
    }
  });
  it('rejects what is not a number', () => {
    expect(parseSampleValue('abc')).toBeUndefined();
    expect(parseSampleValue('')).toBeUndefined();
    expect(parseSampleValue('1,5')).toBeUndefined();
  });
});

describe('times', () => {
  it('formats like Go time.Time JSON (trailing zeros trimmed)', () => {
    expect(formatRFC3339Nano(0)).toBe('1970-01-01T00:00:00Z');
    expect(formatRFC3339Nano(1_700_000_000_120)).toBe('2023-11-14T22:13:20.12Z');
    expect(formatRFC3339Nano(1_700_000_000_001)).toBe('2023-11-14T22:13:20.001Z');
    expect(formatRFC3339Nano(undefined)).toBe('0001-01-01T00:00:00Z');
  });
  it('formats like strfmt.DateTime (always milliseconds)', () => {
    expect(formatRFC3339Millis(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatRFC3339Millis(1_700_000_000_120)).toBe('2023-11-14T22:13:20.120Z');
    expect(parseRFC3339(formatRFC3339Millis(1_700_000_000_120))).toBe(1_700_000_000_120);
    expect(parseRFC3339('yesterday')).toBeUndefined();
  });
});

describe('queryEscape (url.QueryEscape)', () => {
  it('escapes as Go does', () => {
    expect(queryEscape('up == 0')).toBe('up+%3D%3D+0');
    expect(queryEscape(`rate(x{job="a"}[5m]) > 0.5`)).toBe('rate%28x%7Bjob%3D%22a%22%7D%5B5m%5D%29+%3E+0.5');
    expect(queryEscape("!'()*~-_.")).toBe('%21%27%28%29%2A~-_.');
    expect(queryEscape('é')).toBe('%C3%A9');
  });
});

describe('quoteRune', () => {
  it('quotes like Go %q', () => {
    expect(quoteRune('$')).toBe("'$'");
    expect(quoteRune(' ')).toBe("' '");
    expect(quoteRune('\n')).toBe("'\\n'");
  });
});
