import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseRuleFile } from '../alerting/rule-file.ts';
import { formatBenchTable } from './bench-harness/bench-table.ts';
import {
  benchRuleFile,
  benchSeries,
  cpuPerThousand,
  latencyRuleFile,
  percentile,
  ruleEvalResults,
  RULES_PER_GROUP,
  seriesSamples,
  type RuleEvalFigures,
} from './rule-eval-bench.ts';

describe('the benchmark rule files', () => {
  it('are valid rule files: groups of 5 recording and 5 alerting rules at the interval', () => {
    const groups = parseRuleFile('bench-rules.yml', stringify(benchRuleFile(3, 10)));
    expect(groups).toHaveLength(3);
    for (const g of groups) {
      expect(g.intervalMs).toBe(10_000);
      expect(g.rules).toHaveLength(RULES_PER_GROUP);
      expect(g.rules.filter((r) => r.kind === 'recording')).toHaveLength(5);
      expect(g.rules.filter((r) => r.kind === 'alerting')).toHaveLength(5);
    }
    expect(groups[1]!.rules[0]).toMatchObject({ name: 'bench:metric_0:rate1m:g1', expr: 'sum by (job) (rate(bench_metric_0_total[1m]))' });
    expect(groups[1]!.rules[5]).toMatchObject({ name: 'BenchNeverFires0', expr: 'bench_metric_0_total > 1e9' });
    expect(new Set(groups.map((g) => g.name)).size).toBe(3);
  });

  it('gives each latency contestant its own probe series, for 0, every second', () => {
    const [group] = parseRuleFile('latency.yml', stringify(latencyRuleFile('ringwatch')));
    expect(group!.intervalMs).toBe(1000);
    expect(group!.rules[0]).toMatchObject({ kind: 'alerting', expr: 'bench_latency_probe{contestant="ringwatch"} > 100', forMs: 0 });
  });
});

describe('the data', () => {
  it('has 5 metrics x jobs x instances counter series that only grow, far below the alert threshold', () => {
    const set = benchSeries(6, 10);
    expect(set.labels).toHaveLength(300);
    expect(new Set(set.labels.map((l) => JSON.stringify(l))).size).toBe(300);
    const series = seriesSamples(set, 0, [5000, 10_000]);
    for (const s of series) {
      const [a, b] = s.samples;
      expect(b!.value).toBeGreaterThan(a!.value);
      expect(b!.value).toBeLessThan(1e9);
    }
  });
});

describe('figures', () => {
  it('percentile is nearest rank', () => {
    expect(percentile([30, 10, 20], 50)).toBe(20);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([5], 100)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });

  it('cpuPerThousand takes the idle share off and never goes below zero', () => {
    expect(cpuPerThousand(3, 2000, 1)).toBe(1);
    expect(cpuPerThousand(1, 2000, 2)).toBe(0);
    expect(cpuPerThousand(1, 0)).toBeNaN();
  });

  it('puts Ringwatch (node + store) and the Prometheus rule manager side by side with their ratio', () => {
    const figures: RuleEvalFigures = {
      config: { groups: 1000, rulesPerGroup: 10, series: 300, intervalSeconds: 10, windowSeconds: 60, idleSeconds: 30, latencyReps: 2 },
      prometheusVersions: { 'prometheus-2.42': 'Prometheus 2.42.0 (the store)' },
      idleCpuPerSecond: { 'prometheus-2.42': 0.01 },
      ringwatch: { ok: true, value: { windowSeconds: 60, evaluations: 60_000, failures: 0, missedIterations: 0, cpuSeconds: { ringwatch: 30, store: 30.6 } } },
      prometheus: {
        'prometheus-2.42': { ok: true, value: { windowSeconds: 60, evaluations: 60_000, failures: 0, missedIterations: 0, cpuSeconds: { 'prometheus-2.42': 12.6 } } },
        peer: { ok: false, reason: 'not built' },
      },
      latency: { ringwatch: { ok: true, value: { samplesMs: [100, 300, 200], timeouts: 0 } }, 'prometheus-2.42': { ok: false, reason: 'no alert arrived' } },
    };
    const results = ruleEvalResults({ ok: true, value: figures });
    const value = (name: string): number | undefined => results.find((r) => r.name.startsWith(name))?.value;
    expect(value('rules: evaluations/s')).toBe(1000);
    expect(value('rules: Ringwatch CPU per 1,000 evals (pays an HTTP query per rule)')).toBe(0.5);
    expect(value('rules: store CPU per 1,000 Ringwatch evals, above idle')).toBe(0.5);
    expect(value('rules: Ringwatch + store CPU per 1,000 evals')).toBe(1);
    expect(value('rules: Prometheus 2.42.0 rule manager CPU per 1,000 evals, above idle (in process, no HTTP query)')).toBe(0.2);
    expect(value('rules: ratio Ringwatch + store / Prometheus 2.42.0')).toBe(5);
    expect(value('alert latency p50: Ringwatch')).toBe(200);
    expect(value('alert latency max: Ringwatch')).toBe(300);
    const table = formatBenchTable([{ title: 'rules', results }]);
    expect(table).toContain('not built');
    expect(table).toContain('no alert arrived');
  });

  it('is one row saying why when the run failed', () => {
    expect(ruleEvalResults({ ok: false, reason: 'Prometheus did not start' })).toEqual([
      { name: 'rules', value: Number.NaN, unit: '', note: 'rule evaluation run: Prometheus did not start' },
    ]);
  });
});
