import { describe, expect, it } from 'vitest';
import { sumMetric } from './metrics-reader.ts';

const body = new TextEncoder().encode(
  [
    '# TYPE ringwatch_writer_samples_sent_total counter',
    'ringwatch_writer_samples_sent_total{store="a"} 100',
    'ringwatch_writer_samples_sent_total{store="b"} 23',
    'ringwatch_writer_samples_sent_total_other 5',
    'ringwatch_writer_samples 7',
    'vm_promscrape_scraped_samples_sum 1.5e+06',
    '',
  ].join('\n'),
);

describe('sumMetric', () => {
  it('sums every series of exactly that metric', () => {
    expect(sumMetric(body, 'ringwatch_writer_samples_sent_total')).toBe(123);
    expect(sumMetric(body, 'vm_promscrape_scraped_samples_sum')).toBe(1_500_000);
  });
  it('filters on labels', () => {
    expect(sumMetric(body, 'ringwatch_writer_samples_sent_total', { store: 'b' })).toBe(23);
    expect(sumMetric(body, 'ringwatch_writer_samples_sent_total', { store: 'c' })).toBe(0);
  });
  it('is 0 for an absent metric', () => {
    expect(sumMetric(body, 'nope_total')).toBe(0);
  });
});
