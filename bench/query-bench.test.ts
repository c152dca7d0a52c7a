import { describe, expect, it } from 'vitest';
import { formatBenchTable } from './bench-harness/bench-table.ts';
import { DASHBOARD_PANELS, percentile, queryBenchResults, querySeries, seriesValue, type QueryBenchFigures } from './query-bench.ts';

describe('the dashboard', () => {
  it('has 10 distinct panels, each over series the bench pushes, none skipping the cache', () => {
    expect(DASHBOARD_PANELS).toHaveLength(10);
    expect(new Set(DASHBOARD_PANELS).size).toBe(10);
    const names = new Set(querySeries().map((s) => s.labels['__name__']));
    for (const panel of DASHBOARD_PANELS) {
      const used = panel.match(/bench_[a-z_]+/g) ?? [];
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) expect(names.has(name)).toBe(true);
      expect(panel).not.toContain('@');
    }
    for (const kind of ['rate(', 'sum by', 'histogram_quantile(', 'avg_over_time(']) expect(DASHBOARD_PANELS.some((p) => p.includes(kind))).toBe(true);
  });

  it('pushes about 50 series with unique label sets', () => {
    const series = querySeries();
    expect(series.length).toBe(52);
    expect(new Set(series.map((s) => JSON.stringify(s.labels))).size).toBe(series.length);
  });

  it('counters never decrease, and histogram buckets are cumulative', () => {
    const series = querySeries();
    for (const s of series.filter((x) => x.kind === 'counter')) {
      for (let m = 1; m < 3000; m += 7) expect(seriesValue(s, m)).toBeGreaterThanOrEqual(seriesValue(s, m - 1));
    }
    const buckets = series.filter((s) => s.labels['__name__'] === 'bench_request_duration_seconds_bucket' && s.labels['instance'] === 'a');
    for (let i = 1; i < buckets.length; i++) expect(seriesValue(buckets[i]!, 5000)).toBeGreaterThanOrEqual(seriesValue(buckets[i - 1]!, 5000));
  });
});

describe('percentile', () => {
  it('is nearest rank', () => {
    expect(percentile([30, 10, 20], 50)).toBe(20);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([7, 1, 3], 99)).toBe(7);
    expect(percentile([5], 100)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('queryBenchResults', () => {
  it('gives p50, p99 and store requests per mode, and the warm/direct ratios', () => {
    const f: QueryBenchFigures = {
      config: { series: 52, samples: 527_280, days: 7, stepSeconds: 300, panels: 10, loads: 2, splitInterval: '24h', maxFreshness: '10m' },
      direct: { samplesMs: [40, 60], storeRequestsPerLoad: 10 },
      directNoCache: { samplesMs: [90, 100], storeRequestsPerLoad: 10 },
      cold: { samplesMs: [150, 200], storeRequestsPerLoad: 80 },
      warm: { samplesMs: [20, 30], storeRequestsPerLoad: 10 },
    };
    const results = queryBenchResults(f);
    const byName = Object.fromEntries(results.map((r) => [r.name, r.value]));
    expect(byName['dashboard load p50: direct to VictoriaMetrics']).toBe(40);
    expect(byName['dashboard load p50: direct, VictoriaMetrics cache off']).toBe(90);
    expect(byName['dashboard load p99: query node, cache cold']).toBe(200);
    expect(byName['store query_range requests per load: query node, cache warm']).toBe(10);
    expect(byName['ratio warm / direct, p50']).toBe(0.5);
    expect(byName['ratio warm / direct, p99']).toBe(0.5);
    expect(formatBenchTable([{ title: 'query', results }])).toContain('ratio warm / cold, p50');
  });
});
