import { describe, expect, it } from 'vitest';
import { queryDataRange } from './query-data-range.ts';

const M = 60_000;

describe('queryDataRange', () => {
  it('widens the start by the lookback delta', () => {
    expect(queryDataRange('up', 100 * M, 200 * M)).toEqual({ startMs: 95 * M, endMs: 200 * M });
  });
  it('adds range selectors, subquery ranges and offsets', () => {
    expect(queryDataRange('rate(x[10m])', 100 * M, 200 * M).startMs).toBe(85 * M);
    expect(queryDataRange('max_over_time(rate(x[2m])[30m:1m])', 100 * M, 200 * M).startMs).toBe(63 * M);
    expect(queryDataRange('x offset 1h', 100 * M, 200 * M).startMs).toBe(35 * M);
    expect(queryDataRange('x offset -10m', 100 * M, 200 * M)).toEqual({ startMs: 95 * M, endMs: 210 * M });
  });
  it('ignores label matchers that look like ranges', () => {
    expect(queryDataRange('x{a="[5m]"}', 100 * M, 200 * M).startMs).toBeLessThanOrEqual(95 * M);
  });
});
