// Query node latency: a dashboard of 10 range queries over the last 7 days at step 5m, loaded N
// times directly against the store (VictoriaMetrics, which accepts a week of history by remote
// write), through the query node with a cold cache on every load (a new node per load), and
// through one query node with its cache warm (the same loads repeated after one priming load).
//
// Data: 7 days of 1-minute samples for ~50 series (request counters, a latency histogram, a
// gauge) pushed from this process before anything is timed. A "load" is the 10 panels sent at
// once, as Grafana does; its latency is until the last panel has answered. Store requests per
// load come from VictoriaMetrics' own vm_http_requests_total{path="/api/v1/query_range"}.
//
// VictoriaMetrics keeps its own rollup result cache (on by default, as a user would run it): the
// direct loads and the cold node's piece requests after the first are served partly from it; a
// second direct mode sends nocache=1 to show the store without it.
//
//   node bench/query-bench.ts [--quick] [--loads N] [--days D]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../deploy/local/services/free-port.ts';
import { isExecutable } from '../deploy/local/services/install-locations.ts';
import { ManagedProcess } from '../deploy/local/services/managed-process.ts';
import { httpProbe } from '../deploy/local/services/readiness.ts';
import { createLogger } from '../core/logger.ts';
import { startQueryNode, type QueryNode } from '../query/main.ts';
import { readQueryConfig } from '../query/query-config.ts';
import { pushRemoteWrite, type FixtureSeries } from '../test/harness/remote-write-fixture.ts';
import { benchDirs, ensurePeers, type BenchDirs } from './bench-harness/bench-infrastructure.ts';
import { roundSignificant, type BenchResult, type Measured } from './bench-harness/bench-result.ts';
import { formatBenchTable } from './bench-harness/bench-table.ts';
import { formatLoad, machineInfo } from './bench-harness/machine-info.ts';
import { fetchMetricSum } from './bench-harness/metrics-reader.ts';

const MINUTE_MS = 60_000;
export const STEP_SECONDS = 300;

export interface QueryBenchOptions {
  dirs: BenchDirs;
  /** The victoria-metrics binary (bench/peers/build.sh); the bench cannot run without it. */
  victoriaMetrics: Measured<string>;
  /** Dashboard loads per mode. Default 20. */
  loads?: number;
  /** Days of history pushed and queried. Default 7. */
  days?: number;
  log?: (line: string) => void;
}

export const QUERY_BENCH_QUICK: Partial<QueryBenchOptions> = { loads: 3 };

export interface LoadFigures {
  /** Milliseconds per dashboard load. */
  samplesMs: number[];
  /** Store query_range requests per load (VictoriaMetrics' counter), mean. */
  storeRequestsPerLoad: number;
}

export interface QueryBenchFigures {
  config: { series: number; samples: number; days: number; stepSeconds: number; panels: number; loads: number; splitInterval: string; maxFreshness: string };
  direct: LoadFigures;
  /** Direct with nocache=1: VictoriaMetrics' own rollup result cache bypassed. */
  directNoCache: LoadFigures;
  cold: LoadFigures;
  warm: LoadFigures;
}

export interface QueryBenchReport {
  results: BenchResult[];
  figures: Measured<QueryBenchFigures>;
}

// ---------------------------------------------------------------------------------------------
// Pure parts (unit-tested): the panels, the series, the percentiles.

/** The dashboard: 10 panels of the kinds a service dashboard has. */
export const DASHBOARD_PANELS: readonly string[] = [
  'sum by (job) (rate(bench_http_requests_total[5m]))',
  'sum by (code) (rate(bench_http_requests_total[5m]))',
  'sum(rate(bench_http_requests_total{code="500"}[5m])) / sum(rate(bench_http_requests_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(bench_request_duration_seconds_bucket[5m])))',
  'histogram_quantile(0.5, sum by (le, instance) (rate(bench_request_duration_seconds_bucket[5m])))',
  'sum(rate(bench_request_duration_seconds_sum[5m])) / sum(rate(bench_request_duration_seconds_count[5m]))',
  'avg_over_time(bench_queue_depth[1h])',
  'max by (instance) (max_over_time(bench_queue_depth[30m]))',
  'topk(3, sum by (instance) (increase(bench_http_requests_total[1h])))',
  'sum by (instance) (rate(bench_request_duration_seconds_count[5m]))',
];

const INSTANCES = ['a', 'b', 'c', 'd'];
const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'];

export type SeriesKind = 'counter' | 'gauge';
export interface BenchSeries {
  labels: Record<string, string>;
  kind: SeriesKind;
  /** Mean increase per minute (counters) or level (gauges). */
  rate: number;
}

/** 52 series: 16 request counters, a 6-bucket histogram per instance (+ _sum, _count), 4 gauges. */
export function querySeries(): BenchSeries[] {
  const out: BenchSeries[] = [];
  for (const job of ['api', 'web']) {
    for (const instance of INSTANCES) {
      for (const code of ['200', '500']) {
        out.push({ labels: { __name__: 'bench_http_requests_total', job, instance, code }, kind: 'counter', rate: code === '200' ? 600 : 6 });
      }
    }
  }
  for (const instance of INSTANCES) {
    BUCKETS.forEach((le, i) => {
      // Cumulative buckets: each at least the one below it.
      out.push({ labels: { __name__: 'bench_request_duration_seconds_bucket', job: 'api', instance, le }, kind: 'counter', rate: 100 + 100 * i });
    });
    out.push({ labels: { __name__: 'bench_request_duration_seconds_count', job: 'api', instance }, kind: 'counter', rate: 100 + 100 * (BUCKETS.length - 1) });
    out.push({ labels: { __name__: 'bench_request_duration_seconds_sum', job: 'api', instance }, kind: 'counter', rate: 90 });
    out.push({ labels: { __name__: 'bench_queue_depth', job: 'api', instance }, kind: 'gauge', rate: 50 });
  }
  return out;
}

/** The value of series `s` at minute `m` (deterministic; counters increase by rate x a daily wave). */
export function seriesValue(s: BenchSeries, minute: number): number {
  const wave = 1 + 0.5 * Math.sin((2 * Math.PI * minute) / 1440);
  if (s.kind === 'gauge') return Math.round(s.rate * wave);
  // Integral of rate * wave over [0, minute]: monotonic, so no counter resets.
  return Math.round(s.rate * (minute + ((0.5 * 1440) / (2 * Math.PI)) * (1 - Math.cos((2 * Math.PI * minute) / 1440))));
}

/** Nearest-rank percentile of `values` (0 < p <= 100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The figures of the table (pure: from measured figures). */
export function queryBenchResults(f: QueryBenchFigures): BenchResult[] {
  const c = f.config;
  const out: BenchResult[] = [];
  const modes: [keyof Pick<QueryBenchFigures, 'direct' | 'directNoCache' | 'cold' | 'warm'>, string, string][] = [
    ['direct', 'direct to VictoriaMetrics', 'Each panel one query_range to VictoriaMetrics (its own rollup cache on, as by default).'],
    ['directNoCache', 'direct, VictoriaMetrics cache off', 'As direct, with nocache=1: VictoriaMetrics computes every step from its raw data.'],
    ['cold', 'query node, cache cold', `A new query node (empty cache) per load: every panel split at ${c.splitInterval}, every piece asked of the store.`],
    ['warm', 'query node, cache warm', `One query node, after one priming load: pieces older than now - ${c.maxFreshness} from the cache, the newest ${c.splitInterval} piece asked fresh.`],
  ];
  for (const [key, label, note] of modes) {
    const m = f[key];
    out.push(
      {
        name: `dashboard load p50: ${label}`,
        value: roundSignificant(percentile(m.samplesMs, 50), 3),
        unit: 'ms',
        note: `${note} ${c.panels} panels over ${c.days} d at step ${c.stepSeconds}s, sent at once; ${c.series} series, ${c.samples} samples at 1 min; ${c.loads} loads.`,
      },
      { name: `dashboard load p99: ${label}`, value: roundSignificant(percentile(m.samplesMs, 99), 3), unit: 'ms' },
      { name: `store query_range requests per load: ${label}`, value: roundSignificant(m.storeRequestsPerLoad, 3), unit: 'requests' },
    );
  }
  out.push(
    { name: 'ratio warm / direct, p50', value: roundSignificant(percentile(f.warm.samplesMs, 50) / percentile(f.direct.samplesMs, 50), 3), unit: 'x' },
    { name: 'ratio warm / direct, p99', value: roundSignificant(percentile(f.warm.samplesMs, 99) / percentile(f.direct.samplesMs, 99), 3), unit: 'x' },
    { name: 'ratio warm / cold, p50', value: roundSignificant(percentile(f.warm.samplesMs, 50) / percentile(f.cold.samplesMs, 50), 3), unit: 'x' },
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run.

/** The victoria-metrics binary bench/peers/build.sh puts beside vmagent (run ensurePeers first). */
export function victoriaMetricsBinary(dirs: BenchDirs, out: string = process.env['BENCH_PEERS_DIR'] ?? join(dirs.root, '.cache', 'peers')): Measured<string> {
  const path = join(out, 'victoria-metrics');
  return isExecutable(path) ? { ok: true, value: path } : { ok: false, reason: `${path} missing (bash bench/peers/build.sh builds it)` };
}

interface Vm {
  url: string;
  stop(): Promise<void>;
}

async function startVictoriaMetrics(dirs: BenchDirs, binary: string): Promise<Vm> {
  const dir = join(dirs.data, 'query-victoria-metrics');
  rmSync(dir, { recursive: true, force: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = new ManagedProcess({
    name: 'query-victoria-metrics',
    command: binary,
    args: [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=1y', '-loggerLevel=WARN'],
    logFile: join(dirs.logs, 'query-victoria-metrics.log'),
  });
  try {
    await child.waitUntilReady(httpProbe(`${url}/health`), 60_000);
  } catch (err) {
    await child.kill();
    throw err;
  }
  return {
    url,
    stop: async () => {
      await child.stop(15_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pushHistory(vmUrl: string, series: readonly BenchSeries[], fromMs: number, minutes: number): Promise<void> {
  const chunk = 1440; // one remote write request per day of history, every series in it
  for (let m0 = 0; m0 < minutes; m0 += chunk) {
    const batch: FixtureSeries[] = series.map((s) => {
      const samples: { value: number; timestampMs: number }[] = [];
      for (let m = m0; m < Math.min(minutes, m0 + chunk); m++) samples.push({ value: seriesValue(s, m), timestampMs: fromMs + m * MINUTE_MS });
      return { labels: s.labels, samples };
    });
    await pushRemoteWrite(`${vmUrl}/api/v1/write`, batch);
  }
}

async function promQuery(baseUrl: string, path: string, params: Record<string, string>): Promise<{ status: string; data?: { result: unknown[] } }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path} ${params['query'] ?? ''}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { status: string; data?: { result: unknown[] } };
}

/** Waits until VictoriaMetrics answers with every pushed sample (its in-memory parts are flushed). */
async function waitForSamples(vmUrl: string, expected: number, days: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  let last = 0;
  while (Date.now() < deadline) {
    const body = await promQuery(vmUrl, '/api/v1/query', { query: `sum(count_over_time({__name__=~"bench_.+"}[${days + 1}d]))` });
    const first = body.data?.result[0] as { value?: [number, string] } | undefined;
    last = Number(first?.value?.[1] ?? 0);
    if (last >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`VictoriaMetrics holds ${last} of the ${expected} pushed samples after 120 s`);
}

/** One dashboard load: every panel at once; resolves with its duration in ms. */
async function loadDashboard(baseUrl: string, days: number, extra: Record<string, string> = {}): Promise<number> {
  const endS = Date.now() / 1000;
  const startS = endS - days * 86_400;
  const began = performance.now();
  await Promise.all(
    DASHBOARD_PANELS.map(async (query) => {
      const body = await promQuery(baseUrl, '/api/v1/query_range', { query, start: startS.toFixed(3), end: endS.toFixed(3), step: String(STEP_SECONDS), ...extra });
      if (body.status !== 'success' || (body.data?.result.length ?? 0) === 0) throw new Error(`${baseUrl}: ${query}: empty or failed answer`);
    }),
  );
  return performance.now() - began;
}

/**
 * VictoriaMetrics' query_range request count. Its /metrics answer lags by up to about a second
 * (measured: a request shows after ~1 s), so the read waits 2.5 s first: nothing else asks the
 * store meanwhile, and the figure then includes every request made before the call.
 */
async function storeRequests(vmUrl: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  return fetchMetricSum(vmUrl, 'vm_http_requests_total', { path: '/api/v1/query_range' });
}

async function startNode(vmUrl: string): Promise<QueryNode> {
  const port = await freePort();
  const config = readQueryConfig({
    node: { id: 'query-bench', listen_address: `127.0.0.1:${port}` },
    stores: [{ name: 'vm', url: vmUrl }],
    cache: { split_interval: '24h', max_freshness: '10m' },
  });
  return startQueryNode(config, createLogger('query/bench', 'warn'));
}

export async function runQueryBench(options: QueryBenchOptions): Promise<QueryBenchReport> {
  const log = options.log ?? (() => {});
  const loads = options.loads ?? 20;
  const days = options.days ?? 7;
  if (!options.victoriaMetrics.ok) {
    const figures: Measured<QueryBenchFigures> = { ok: false, reason: `victoria-metrics: ${options.victoriaMetrics.reason}` };
    return { results: [{ name: 'query node latency', value: Number.NaN, unit: '', note: figures.reason }], figures };
  }
  const vm = await startVictoriaMetrics(options.dirs, options.victoriaMetrics.value);
  try {
    const series = querySeries();
    const minutes = days * 1440 + 60;
    const fromMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS;
    log(`query: pushing ${series.length} series x ${minutes} minutes (${series.length * minutes} samples) to VictoriaMetrics at ${vm.url}`);
    const pushBegan = performance.now();
    await pushHistory(vm.url, series, fromMs, minutes);
    await waitForSamples(vm.url, series.length * minutes, days);
    log(`query: history stored in ${((performance.now() - pushBegan) / 1000).toFixed(1)} s`);

    const measure = async (label: string, run: () => Promise<number>): Promise<LoadFigures> => {
      const samplesMs: number[] = [];
      const before = await storeRequests(vm.url);
      for (let i = 0; i < loads; i++) samplesMs.push(await run());
      const storeRequestsPerLoad = ((await storeRequests(vm.url)) - before) / loads;
      log(`query: ${label}: p50 ${percentile(samplesMs, 50).toFixed(1)} ms, p99 ${percentile(samplesMs, 99).toFixed(1)} ms, ${storeRequestsPerLoad} store requests per load`);
      return { samplesMs, storeRequestsPerLoad };
    };

    // One unmeasured load first so VictoriaMetrics has read its parts once, as in every later mode.
    await loadDashboard(vm.url, days);
    const direct = await measure('direct', () => loadDashboard(vm.url, days));
    const directNoCache = await measure('direct, nocache=1', () => loadDashboard(vm.url, days, { nocache: '1' }));
    // Cold: a new node per load, started before the clock and closed after it.
    const coldSamples: number[] = [];
    const coldBefore = await storeRequests(vm.url);
    for (let i = 0; i < loads; i++) {
      const node = await startNode(vm.url);
      try {
        coldSamples.push(await loadDashboard(node.url, days));
      } finally {
        await node.close();
      }
    }
    const cold: LoadFigures = { samplesMs: coldSamples, storeRequestsPerLoad: ((await storeRequests(vm.url)) - coldBefore) / loads };
    log(`query: cold: p50 ${percentile(cold.samplesMs, 50).toFixed(1)} ms, p99 ${percentile(cold.samplesMs, 99).toFixed(1)} ms, ${cold.storeRequestsPerLoad} store requests per load`);
    const node = await startNode(vm.url);
    let warm: LoadFigures;
    try {
      await loadDashboard(node.url, days); // priming load
      warm = await measure('warm', () => loadDashboard(node.url, days));
    } finally {
      await node.close();
    }
    const figures: QueryBenchFigures = {
      config: { series: series.length, samples: series.length * minutes, days, stepSeconds: STEP_SECONDS, panels: DASHBOARD_PANELS.length, loads, splitInterval: '24h', maxFreshness: '10m' },
      direct,
      directNoCache,
      cold,
      warm,
    };
    return { results: queryBenchResults(figures), figures: { ok: true, value: figures } };
  } finally {
    await vm.stop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, loads: { type: 'string' }, days: { type: 'string' } } });
  const dirs = benchDirs();
  const machine = machineInfo();
  console.log(`machine: ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}; load ${formatLoad()}`);
  ensurePeers(dirs);
  const report = await runQueryBench({
    dirs,
    victoriaMetrics: victoriaMetricsBinary(dirs),
    log: (line) => console.log(line),
    ...(values.quick === true ? QUERY_BENCH_QUICK : {}),
    ...(values.loads !== undefined ? { loads: Number(values.loads) } : {}),
    ...(values.days !== undefined ? { days: Number(values.days) } : {}),
  });
  console.log(formatBenchTable([{ title: 'query node latency (VictoriaMetrics as the store)', results: report.results }]));
  if (report.figures.ok) console.log(JSON.stringify(report.figures.value));
  console.log(`load at the end ${formatLoad()}`);
}
