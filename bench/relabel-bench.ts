// What the linear-time regex engine costs on normal relabel patterns: re2js (model/go-regexp.ts,
// what relabeling runs on) against V8's backtracking RegExp with the same anchored pattern, for a
// plain match (keep/drop) and a match with submatches (replace), over typical label values; and
// relabel() itself with a typical metric_relabel_configs set (the per-new-series hot path).
// Reported as ns per operation and as the re2js / V8 ratio. Standalone: node bench/relabel-bench.ts
import { GoRegexp } from '../model/go-regexp.ts';
import { relabel, validateRelabelConfig } from '../model/relabel.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const PATTERNS: { name: string; regex: string; values: string[] }[] = [
  { name: 'default (.*)', regex: '(.*)', values: ['10.0.0.1:9100', 'node_cpu_seconds_total', 'kube-system'] },
  { name: 'alternation', regex: 'node_(cpu|memory|filesystem)_.*', values: ['node_cpu_seconds_total', 'node_network_receive_bytes_total', 'go_goroutines'] },
  { name: 'host:port', regex: '([^:]+):\\d+', values: ['10.0.0.1:9100', 'db.internal:5432', 'no-port'] },
  { name: 'k8s meta', regex: '__meta_kubernetes_pod_label_(.+)', values: ['__meta_kubernetes_pod_label_app', '__meta_kubernetes_namespace', '__address__'] },
];

function nsPerOp(ops: number, run: () => void): number {
  for (let i = 0; i < ops / 10; i++) run(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / ops);
  }
  return best;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

export function runRelabelBench(ops = 200_000): BenchResult[] {
  const out: BenchResult[] = [];
  let sink = 0;
  for (const p of PATTERNS) {
    const re2 = GoRegexp.anchored(p.regex);
    const v8 = new RegExp(`^(?:${p.regex})$`, 's');
    const values = p.values;
    let k = 0;
    const re2Match = nsPerOp(ops, () => (sink += re2.matchString(values[k++ % values.length] as string) ? 1 : 0));
    const v8Match = nsPerOp(ops, () => (sink += v8.test(values[k++ % values.length] as string) ? 1 : 0));
    const re2Exec = nsPerOp(ops, () => (sink += re2.exec(values[k++ % values.length] as string) === null ? 0 : 1));
    const v8Exec = nsPerOp(ops, () => (sink += v8.exec(values[k++ % values.length] as string) === null ? 0 : 1));
    out.push(
      { name: `${p.name}: match, re2js`, value: round1(re2Match), unit: 'ns/op' },
      { name: `${p.name}: match, V8 RegExp`, value: round1(v8Match), unit: 'ns/op' },
      { name: `${p.name}: match, re2js / V8`, value: round1(re2Match / v8Match), unit: 'x' },
      { name: `${p.name}: submatches, re2js / V8`, value: round1(re2Exec / v8Exec), unit: 'x' },
    );
  }
  // The hot path as a scrape runs it: a typical metric_relabel_configs set on one new series.
  const rules = [
    { source_labels: ['__name__'], regex: 'go_gc_.*|go_memstats_.*', action: 'drop' },
    { source_labels: ['instance'], regex: '([^:]+):\\d+', target_label: 'host', replacement: '$1' },
    { regex: 'pod_template_hash|controller_revision_hash', action: 'labeldrop' },
  ].map((r, i) => validateRelabelConfig(r, `rules[${i}]`));
  const series = new Map([
    ['__name__', 'http_requests_total'],
    ['code', '200'],
    ['instance', '10.0.0.1:9100'],
    ['job', 'app'],
    ['pod_template_hash', 'abc123'],
  ]);
  const perSeries = nsPerOp(ops / 4, () => (sink += relabel(series, rules)?.size ?? 0));
  out.push({ name: 'relabel(): 3 typical metric_relabel_configs on a new series', value: round1(perSeries), unit: 'ns/series' });
  if (sink === -1) console.log(sink); // keeps the work observable
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of runRelabelBench()) console.log(`${r.name.padEnd(62)} ${String(r.value).padStart(10)} ${r.unit}`);
}
