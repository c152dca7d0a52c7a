import { describe, expect, it } from 'vitest';
import { type ExpositionFormat, ExpositionViolations, parseExposition, VIOLATION_RULES, type ViolationRule } from './parser.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function parse(text: string, format: ExpositionFormat): { samples: string[]; count: number; violations: ExpositionViolations } {
  const samples: string[] = [];
  const violations = new ExpositionViolations();
  const count = parseExposition(
    encoder.encode(text),
    format,
    {
      onSample(b, start, end, value) {
        samples.push(`${decoder.decode(b.subarray(start, end))} ${value}`);
      },
    },
    violations,
  );
  return { samples, count, violations };
}

function countsOf(v: ExpositionViolations): Partial<Record<ViolationRule, number>> {
  return Object.fromEntries(VIOLATION_RULES.filter((r) => v.count(r) > 0).map((r) => [r, v.count(r)]));
}

interface Case {
  rule: ViolationRule;
  format: ExpositionFormat;
  valid: string;
  violating: string;
  /** The line of the first violation in `violating`, and its family. */
  line: number;
  family: string;
  /** Violations of the rule in `violating`. */
  times?: number;
}

const cases: Case[] = [
  {
    rule: 'counter_negative',
    format: 'prometheus-text',
    valid: '# TYPE a_total counter\na_total{x="1"} 0\na_total{x="2"} 3\nb -1\n',
    violating: '# TYPE a_total counter\na_total{x="1"} 0\na_total{x="2"} -3\n',
    line: 3,
    family: 'a_total',
  },
  {
    rule: 'counter_negative',
    format: 'openmetrics',
    valid: '# TYPE a counter\na_total 1\na_created 1.7e9\n# TYPE g gauge\ng -4\n# EOF\n',
    violating: '# TYPE a counter\na_total -1\n# TYPE g gauge\ng -4\n# EOF\n',
    line: 2,
    family: 'a',
  },
  {
    rule: 'counter_nan',
    format: 'prometheus-text',
    valid: '# TYPE a counter\na 1\n# TYPE g gauge\ng NaN\n',
    violating: '# TYPE a counter\na NaN\na{x="y"} NaN\n',
    line: 2,
    family: 'a',
    times: 2,
  },
  {
    rule: 'counter_nan',
    format: 'openmetrics',
    valid: '# TYPE a counter\na_total 0\n# EOF\n',
    violating: '# TYPE a counter\n# HELP a help\na_total NaN\n# EOF\n',
    line: 3,
    family: 'a',
  },
  {
    rule: 'counter_missing_total',
    format: 'openmetrics',
    valid: '# TYPE a counter\na_total 1\n# TYPE b counter\nb_total 2\n# EOF\n',
    violating: '# TYPE a counter\na_total 1\n# TYPE b_total counter\nb_total 2\n# EOF\n',
    line: 4,
    family: 'b_total',
  },
  {
    rule: 'histogram_no_inf_bucket',
    format: 'prometheus-text',
    valid:
      '# TYPE h histogram\nh_bucket{x="a",le="0.1"} 1\nh_bucket{x="a",le="+Inf"} 2\nh_sum{x="a"} 3\nh_count{x="a"} 2\n' +
      'h_bucket{x="bb",le="0.1"} 0\nh_bucket{x="bb",le="+Inf"} 0\nh_sum{x="bb"} 0\nh_count{x="bb"} 0\n',
    violating:
      '# TYPE h histogram\nh_bucket{x="a",le="0.1"} 1\nh_bucket{x="a",le="1"} 2\nh_sum{x="a"} 3\nh_count{x="a"} 2\n' +
      'h_bucket{x="bb",le="0.1"} 0\nh_bucket{x="bb",le="+Inf"} 0\nh_sum{x="bb"} 0\nh_count{x="bb"} 0\n',
    line: 3,
    family: 'h',
  },
  {
    rule: 'histogram_no_inf_bucket',
    format: 'openmetrics',
    valid: '# TYPE h histogram\nh_bucket{le="1"} 0\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 2\n# TYPE g gaugehistogram\ng_bucket{le="+Inf"} 3\ng_gcount 3\n# EOF\n',
    // Two label sets back to back, both missing +Inf; and a body ending in a bucket.
    violating: '# TYPE h histogram\nh_bucket{a="1",le="1"} 0\nh_bucket{a="1",le="2"} 1\nh_bucket{a="2",le="1"} 0\nh_bucket{a="2",le="2"} 1\n# EOF\n',
    line: 3,
    family: 'h',
    times: 2,
  },
  {
    rule: 'histogram_bucket_decreasing',
    format: 'prometheus-text',
    valid: '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 4\nh_count 4\nh_sum 1\n',
    violating: '# TYPE h histogram\nh_bucket{le="0.5"} 3\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 4\nh_count 4\nh_sum 1\n',
    line: 3,
    family: 'h',
  },
  {
    rule: 'histogram_bucket_decreasing',
    format: 'openmetrics',
    valid: '# TYPE h gaugehistogram\nh_bucket{le="1.0"} 2\nh_bucket{le="+Inf"} 2\nh_gcount 2\nh_gsum 1\n# EOF\n',
    violating: '# TYPE h gaugehistogram\nh_bucket{le="1.0"} 2\nh_bucket{le="+Inf"} 1\nh_gcount 1\nh_gsum 1\n# EOF\n',
    line: 3,
    family: 'h',
  },
  {
    rule: 'histogram_count_mismatch',
    format: 'prometheus-text',
    // _sum between the buckets and _count; a count whose labels match no +Inf bucket is not compared.
    valid:
      '# TYPE h histogram\nh_bucket{x="a",le="1"} 1\nh_bucket{x="a",le="+Inf"} 2\nh_sum{x="a"} 3\nh_count{x="a"} 2\n' +
      'h_bucket{x="b",le="+Inf"} 5\nh_count{x="c"} 7\n# TYPE k histogram\nk_bucket{le="+Inf"} 1e3\nk_count 1000\n',
    violating:
      '# TYPE h histogram\nh_bucket{x="a",le="1"} 1\nh_bucket{x="a",le="+Inf"} 2\nh_sum{x="a"} 3\nh_count{x="a"} 2\n' +
      'h_bucket{x="bb",y="1",le="+Inf"} 4\nh_sum{x="bb",y="1"} 0\nh_count{x="bb",y="1"} 5\n',
    line: 8,
    family: 'h',
  },
  {
    rule: 'histogram_count_mismatch',
    format: 'openmetrics',
    valid: '# TYPE h histogram\nh_bucket{le="1"} 0\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 2\n# TYPE g gaugehistogram\ng_bucket{le="+Inf"} 3\ng_gcount 3\n# EOF\n',
    violating: '# TYPE h histogram\nh_bucket{le="1"} 0\nh_bucket{le="+Inf"} 1\nh_count 2\nh_sum 2\n# TYPE g gaugehistogram\ng_bucket{le="+Inf"} 3\ng_gcount 4\n# EOF\n',
    line: 4,
    family: 'h',
    times: 2,
  },
  {
    rule: 'metadata_after_samples',
    format: 'prometheus-text',
    // A gauge named like another family's suffix is its own family in the text format.
    valid: '# HELP a help\n# TYPE a counter\na 1\n# TYPE a_total gauge\na_total 2\n# TYPE b gauge\nb 1\n',
    violating: '# HELP a help\na 1\n# TYPE a counter\nb 1\n',
    line: 3,
    family: 'a',
  },
  {
    rule: 'metadata_after_samples',
    format: 'openmetrics',
    valid: '# TYPE a counter\n# HELP a help\na_total 1\n# TYPE b summary\nb_count 1\nb_sum 2\n# EOF\n',
    violating: '# TYPE a counter\na_total 1\n# HELP a help\n# TYPE b_seconds summary\nb_seconds_count 1\nb_seconds_sum 2\n# UNIT b_seconds seconds\n# EOF\n',
    line: 3,
    family: 'a',
    times: 2,
  },
];

describe('semantic rules: counted, and nothing dropped', () => {
  for (const c of cases) {
    it(`${c.rule} (${c.format}): a valid exposition has no violation`, () => {
      const { samples, count, violations } = parse(c.valid, c.format);
      expect(countsOf(violations)).toEqual({});
      expect(violations.first).toBeUndefined();
      expect(count).toBe(samples.length);
      expect(count).toBe(c.valid.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length);
    });

    it(`${c.rule} (${c.format}): a violating exposition is counted, its first violation located, and every sample returned`, () => {
      const { samples, count, violations } = parse(c.violating, c.format);
      expect(violations.count(c.rule)).toBe(c.times ?? 1);
      expect(violations.first).toEqual({ rule: c.rule, line: c.line, family: c.family });
      const sampleLines = c.violating.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(count).toBe(sampleLines.length);
      expect(samples.map((s) => s.split(' ')[0])).toEqual(sampleLines.map((l) => l.split(' ')[0]));
    });
  }

  it('counts every rule broken, and reports the first in body order', () => {
    const body = '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_count 1\n# TYPE c counter\nc -1\nc NaN\n';
    const { violations } = parse(body, 'prometheus-text');
    expect(countsOf(violations)).toEqual({ histogram_bucket_decreasing: 1, histogram_no_inf_bucket: 1, counter_negative: 1, counter_nan: 1 });
    expect(violations.total).toBe(4);
    expect(violations.first).toEqual({ rule: 'histogram_bucket_decreasing', line: 3, family: 'h' });
  });

  it('starts afresh on every parse', () => {
    const violations = new ExpositionViolations();
    const visitor = { onSample() {} };
    parseExposition(encoder.encode('# TYPE c counter\nc -1\n'), 'prometheus-text', visitor, violations);
    expect(violations.total).toBe(1);
    parseExposition(encoder.encode('# TYPE c counter\nc 1\n'), 'prometheus-text', visitor, violations);
    expect(violations.total).toBe(0);
    expect(violations.first).toBeUndefined();
  });

  it('keeps what it found before a parse error', () => {
    const violations = new ExpositionViolations();
    expect(() => parseExposition(encoder.encode('# TYPE c counter\nc -1\nc{ 1\n'), 'prometheus-text', { onSample() {} }, violations)).toThrow();
    expect(violations.first).toEqual({ rule: 'counter_negative', line: 2, family: 'c' });
  });

  it('does not mistake unrelated families or untyped samples for the current one', () => {
    const body =
      '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\nhx_bucket{le="1"} 0\nother -5\n' +
      '# TYPE c counter\nc 1\ncx -1\nc_totalx NaN\nc_xotal -1\ns_xum 1\n# TYPE s summary\ns_sum 1\nt_xreated 1\n# TYPE t counter\nt_total 1\n# TYPE "q.w" counter\n{"q.w"} 2\n';
    const { violations } = parse(body, 'prometheus-text');
    expect(countsOf(violations)).toEqual({});
  });
});
