import { describe, expect, it } from 'vitest';
import { formatPromTime, parsePromDuration, parsePromTime } from './prom-params.ts';

describe('Prometheus API parameters', () => {
  it('reads times as Unix seconds or RFC 3339', () => {
    expect(parsePromTime('1700000000')).toBe(1_700_000_000_000);
    expect(parsePromTime('1700000000.123')).toBe(1_700_000_000_123);
    expect(parsePromTime('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
    expect(parsePromTime('2023-11-14T22:13:20.5+01:00')).toBe(1_700_000_000_000 - 3_600_000 + 500);
    expect(parsePromTime('soon')).toBeUndefined();
    expect(parsePromTime(null)).toBeUndefined();
  });
  it('reads steps as float seconds or durations', () => {
    expect(parsePromDuration('15')).toBe(15_000);
    expect(parsePromDuration('0.5')).toBe(500);
    expect(parsePromDuration('1m30s')).toBe(90_000);
    expect(parsePromDuration('x')).toBeUndefined();
  });
  it('writes times as seconds', () => {
    expect(formatPromTime(1_700_000_000_000)).toBe('1700000000');
    expect(formatPromTime(1_700_000_000_500)).toBe('1700000000.500');
  });
});
