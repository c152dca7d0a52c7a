import { describe, expect, it } from 'vitest';
import { isValidLabelName, isValidMetricName } from './labels.ts';

describe('label and metric names', () => {
  it('legacy names are [a-zA-Z_][a-zA-Z0-9_]*, metric names may also hold colons', () => {
    for (const ok of ['a', '_x', 'job', 'A1_b']) expect(isValidLabelName(ok)).toBe(true);
    for (const bad of ['', '1a', 'a-b', 'a:b', 'é', 'a b']) expect(isValidLabelName(bad)).toBe(false);
    expect(isValidMetricName('job:rate5m')).toBe(true);
    expect(isValidMetricName(':x')).toBe(true);
    expect(isValidMetricName('1x')).toBe(false);
  });

  it('utf8 names are any non-empty well-formed string', () => {
    expect(isValidLabelName('http.server.duration', 'utf8')).toBe(true);
    expect(isValidLabelName('', 'utf8')).toBe(false);
    expect(isValidLabelName('\uD800', 'utf8')).toBe(false); // a lone surrogate is not UTF-8
    expect(isValidMetricName('ü', 'utf8')).toBe(true);
  });
});
