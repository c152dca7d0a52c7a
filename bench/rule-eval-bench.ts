// Rule evaluation and alert latency: the Ringwatch alerting node beside Prometheus' own rule
// manager, on the same synthetic data in the same run.
//
// Data: a few hundred counter series (5 metrics x jobs x instances) pushed by remote write every
// 5 s (with 2 minutes of history first) into a Prometheus used as the store (Debian's 2.42), and
// into the peers' Prometheus (3.16, bench/peers/build.sh) when it is built.
//
// 1. Throughput. G groups of 10 rules (5 recording rules `sum by (job) (rate(m[1m]))`, 5 alerting
//    rules `m > 1e9` that never fire), all at interval I, one rule file:
//    - idle baseline: every Prometheus receiving the pushes, no rules, CPU over a window;
//    - Ringwatch: `ringwatch alerting` with that file against the store; CPU of the node and of
//      the store over a window, evaluations from the node's prometheus_rule_evaluations_total.
//      Every rule is one HTTP instant query to the store, so the store's CPU above its idle
//      baseline is part of the bill;
//    - each Prometheus with the same file in rule_files (POST /-/reload): its CPU above its idle
//      baseline per evaluation (its prometheus_rule_evaluations_total), no HTTP in between; it
//      also appends the recording rules' results to its TSDB, which Ringwatch without a `kafka`
//      section does not write anywhere.
// 2. Alert latency: a rule `bench_latency_probe{contestant="..."} > 100`, `for: 0`, interval 1 s,
//    in Ringwatch (querying the store) and in each Prometheus; a value above the threshold is
//    pushed by remote write and the time until the alert shows in an Alertmanager's
//    GET /api/v2/alerts is taken, a few repetitions per contestant, interleaved.
//
//   node bench/rule-eval-bench.ts [--quick] [--no-peers] [--groups N] [--interval S] [--window S] [--idle S] [--reps N]
//     --no-peers  skip bench/peers/build.sh: the store's own rule manager is the only peer
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startRingwatchNode, type RingwatchNode } from '../deploy/local/ringwatch-node.ts';
import { startAlertmanager, type RunningAlertmanager } from '../deploy/local/services/alertmanager.ts';
import { freePort } from '../deploy/local/services/free-port.ts';
import { ManagedProcess } from '../deploy/local/services/managed-process.ts';
import { renderPrometheusConfig } from '../deploy/local/services/prometheus-config.ts';
import { startPrometheus, type RunningPrometheus } from '../deploy/local/services/prometheus.ts';
import { httpProbe } from '../deploy/local/services/readiness.ts';
import { pushRemoteWrite, type FixtureSeries } from '../test/harness/remote-write-fixture.ts';
import { benchDirs, benchNodeEnv, ensurePeers, type BenchDirs, type PeerBinaries } from './bench-harness/bench-infrastructure.ts';
import { roundSignificant, type BenchResult, type Measured } from './bench-harness/bench-result.ts';
import { formatBenchTable } from './bench-harness/bench-table.ts';
import { sumMetric } from './bench-harness/metrics-reader.ts';
import { CpuMeter, machineBusyShare, machineCpuTimes } from './bench-harness/proc-stats.ts';

export const RULE_METRICS = 5;
export const RULES_PER_GROUP = 2 * RULE_METRICS;
const PUSH_INTERVAL_MS = 5_000;
const HISTORY_MS = 120_000;
const LATENCY_THRESHOLD = 100;

export interface RuleEvalBenchOptions {
  dirs: BenchDirs;
  /** The peers' Prometheus (3.16); without it only the store's own rule manager is the peer. */
  peers?: PeerBinaries;
  /** Rule groups of 10 rules each. Default 1,000. */
  groups?: number;
  /** Jobs x instances per metric (5 metrics). Default 6 x 10: 300 series. */
  jobs?: number;
  instances?: number;
  /** Every group's interval. Default 10. */
  intervalSeconds?: number;
  /** Idle baseline window. Default 30 s. */
  idleMs?: number;
  /** After a contestant starts (or reloads) its rules, before the window. Default interval + 10 s. */
  warmupMs?: number;
  /** Measured window per contestant. Default 60 s. */
  windowMs?: number;
  /** Alert latency repetitions per contestant. Default 20. */
  latencyReps?: number;
  /** Run the Ringwatch node under node --cpu-prof (profiles in dirs.profiles/<node name>/). */
  profile?: boolean;
  log?: (line: string) => void;
}

/** Small numbers for `--quick` (a smoke test of the harness, not figures to quote). */
export const RULE_EVAL_QUICK: Partial<RuleEvalBenchOptions> = {
  groups: 100,
  intervalSeconds: 5,
  idleMs: 5_000,
  warmupMs: 7_000,
  windowMs: 10_000,
  latencyReps: 2,
};

export interface ThroughputFigures {
  windowSeconds: number;
  evaluations: number;
  failures: number;
  missedIterations: number;
  /** CPU seconds in the window by process tree (e.g. ringwatch, store). */
  cpuSeconds: Record<string, number>;
  /** Share of the whole machine busy during the window (all processes, ours or not), 0..1. */
  machineBusy?: number;
}

export interface LatencyFigures {
  /** Milliseconds from the push of the value above the threshold to the alert in Alertmanager. */
  samplesMs: number[];
  /** Repetitions whose alert never showed up. */
  timeouts: number;
}

export interface RuleEvalFigures {
  config: { groups: number; rulesPerGroup: number; series: number; intervalSeconds: number; windowSeconds: number; idleSeconds: number; latencyReps: number };
  /** Label of each Prometheus (from its buildinfo), by key. */
  prometheusVersions: Record<string, string>;
  /** Idle CPU seconds per second of each Prometheus (receiving the pushes, no rules, no queries). */
  idleCpuPerSecond: Record<string, number>;
  ringwatch: Measured<ThroughputFigures>;
  /** Each Prometheus' own rule manager, by key. */
  prometheus: Record<string, Measured<ThroughputFigures>>;
  latency: Record<string, Measured<LatencyFigures>>;
}

export interface RuleEvalBenchReport {
  results: BenchResult[];
  figures: Measured<RuleEvalFigures>;
}

// ---------------------------------------------------------------------------------------------
// The rule files and the data (pure, unit-tested).

export function metricName(k: number): string {
  return `bench_metric_${k}_total`;
}

/** The throughput rule file: `groups` groups of 5 recording and 5 alerting rules at `intervalSeconds`. */
export function benchRuleFile(groups: number, intervalSeconds: number): { groups: Record<string, unknown>[] } {
  return {
    groups: Array.from({ length: groups }, (_, g) => {
      const name = `bench-${String(g).padStart(4, '0')}`;
      const rules: Record<string, unknown>[] = [];
      for (let k = 0; k < RULE_METRICS; k++) {
        rules.push({ record: `bench:metric_${k}:rate1m:g${g}`, expr: `sum by (job) (rate(${metricName(k)}[1m]))` });
      }
      for (let k = 0; k < RULE_METRICS; k++) {
        rules.push({ alert: `BenchNeverFires${k}`, expr: `${metricName(k)} > 1e9`, labels: { group: name } });
      }
      return { name, interval: `${intervalSeconds}s`, rules };
    }),
  };
}

/** The latency rule file of one contestant: one alert on its own probe series, for 0, every second. */
export function latencyRuleFile(contestant: string): { groups: Record<string, unknown>[] } {
  return {
    groups: [
      {
        name: 'bench-latency',
        interval: '1s',
        rules: [{ alert: 'BenchLatencyProbe', expr: `bench_latency_probe{contestant="${contestant}"} > ${LATENCY_THRESHOLD}`, for: '0s' }],
      },
    ],
  };
}

export interface SeriesSet {
  labels: Record<string, string>[];
  /** Per-second increment of each counter. */
  rates: number[];
}

export function benchSeries(jobs: number, instances: number): SeriesSet {
  const labels: Record<string, string>[] = [];
  const rates: number[] = [];
  for (let k = 0; k < RULE_METRICS; k++) {
    for (let j = 0; j < jobs; j++) {
      for (let i = 0; i < instances; i++) {
        labels.push({ __name__: metricName(k), job: `job-${j}`, instance: `host-${i}:9100` });
        rates.push(1 + ((k * 7 + j * 3 + i) % 11));
      }
    }
  }
  return { labels, rates };
}

/** Counter samples of every series at each timestamp (values: rate x seconds since `originMs`). */
export function seriesSamples(set: SeriesSet, originMs: number, timestampsMs: readonly number[]): FixtureSeries[] {
  return set.labels.map((labels, n) => ({
    labels,
    samples: timestampsMs.map((t) => ({ value: ((set.rates[n] ?? 1) * (t - originMs)) / 1000, timestampMs: t })),
  }));
}

/** Nearest-rank percentile of `values` (0 < p <= 100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** CPU seconds per 1,000 evaluations, after taking `idleSeconds` (the baseline for the window) off. */
export function cpuPerThousand(cpuSeconds: number, evaluations: number, idleSeconds = 0): number {
  return evaluations <= 0 ? Number.NaN : (Math.max(0, cpuSeconds - idleSeconds) * 1000) / evaluations;
}

// ---------------------------------------------------------------------------------------------
// The processes.

interface PromUnderTest {
  /** "prometheus-2.42" etc. (also the probe series' contestant label). */
  key: string;
  /** "Prometheus 2.42.0 (store)" etc. */
  label: string;
  url: string;
  remoteWriteUrl: string;
  port: number;
  configFile: string;
  logFile: string;
  pid(): number | undefined;
  running(): boolean;
  stop(): Promise<void>;
}

async function prometheusVersion(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/api/v1/status/buildinfo`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { data?: { version?: string } };
    return body.data?.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function versionKey(version: string): string {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m === null ? 'unknown' : `prometheus-${m[1]}.${m[2]}`;
}

async function startStore(dirs: BenchDirs, intervalSeconds: number): Promise<{ prom: PromUnderTest; running: RunningPrometheus }> {
  const dataDir = join(dirs.data, 'rules-store');
  const logDir = join(dirs.logs, 'rules-store');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const running = await startPrometheus({ dataDir, logDir, evaluationInterval: `${intervalSeconds}s` });
  const version = await prometheusVersion(running.url);
  return {
    running,
    prom: {
      key: versionKey(version),
      label: `Prometheus ${version} (the store)`,
      url: running.url,
      remoteWriteUrl: running.remoteWriteUrl,
      port: running.port,
      configFile: running.configFile,
      logFile: running.logFile,
      pid: () => running.process?.pid,
      running: () => running.running,
      stop: () => running.stop(),
    },
  };
}

/** The peers' Prometheus as a second rule manager (own TSDB, same pushes); no rules until reloaded. */
async function startPeerPrometheus(dirs: BenchDirs, binary: string, intervalSeconds: number): Promise<PromUnderTest> {
  const dir = join(dirs.data, 'rules-peer-prometheus');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, renderPrometheusConfig({ evaluationInterval: `${intervalSeconds}s` }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = new ManagedProcess({
    name: 'rules-peer-prometheus',
    command: binary,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--web.enable-lifecycle',
    ],
    logFile: join(dirs.logs, 'rules-peer-prometheus.log'),
  });
  try {
    await child.waitUntilReady(httpProbe(`${url}/-/ready`), 60_000);
  } catch (err) {
    await child.kill();
    throw err;
  }
  const version = await prometheusVersion(url);
  return {
    key: versionKey(version),
    label: `Prometheus ${version} (peers' build)`,
    url,
    remoteWriteUrl: `${url}/api/v1/write`,
    port,
    configFile,
    logFile: child.logFile,
    pid: () => child.pid,
    running: () => child.running,
    stop: async () => {
      await child.stop(15_000);
    },
  };
}

/** Rewrites a Prometheus' config (rule files, Alertmanagers) and reloads it. */
async function configurePrometheus(p: PromUnderTest, options: { ruleFiles?: string[]; alertmanagers?: string[]; intervalSeconds: number }): Promise<void> {
  writeFileSync(
    p.configFile,
    renderPrometheusConfig({
      evaluationInterval: `${options.intervalSeconds}s`,
      ...(options.ruleFiles !== undefined ? { ruleFiles: options.ruleFiles } : {}),
      ...(options.alertmanagers !== undefined ? { alertmanagers: options.alertmanagers } : {}),
    }),
  );
  const res = await fetch(`${p.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`${p.label}: reload: HTTP ${res.status}: ${await res.text()}`);
}

/** Pushes the counters to every Prometheus every PUSH_INTERVAL_MS (from this process: not measured). */
class SeriesPusher {
  readonly #urls: string[];
  readonly #set: SeriesSet;
  readonly #origin = Date.now() - HISTORY_MS;
  #timer: NodeJS.Timeout | undefined;
  #pending: Promise<void> = Promise.resolve();
  failures = 0;
  lastError = '';

  constructor(urls: string[], set: SeriesSet) {
    this.#urls = urls;
    this.#set = set;
  }

  async start(): Promise<void> {
    const now = Date.now();
    const history: number[] = [];
    for (let t = this.#origin; t < now; t += PUSH_INTERVAL_MS) history.push(t);
    await this.#push(history);
    this.#timer = setInterval(() => {
      this.#pending = this.#pending.then(() => this.#push([Date.now()]));
    }, PUSH_INTERVAL_MS);
  }

  async #push(timestamps: number[]): Promise<void> {
    const series = seriesSamples(this.#set, this.#origin, timestamps);
    await Promise.all(
      this.#urls.map((url) =>
        pushRemoteWrite(url, series).catch((err: unknown) => {
          this.failures++;
          this.lastError = (err as Error).message;
        }),
      ),
    );
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#pending;
  }
}

function nodeEnv(dirs: BenchDirs, profile: boolean, name: string): Record<string, string | undefined> {
  if (!profile) return benchNodeEnv();
  const dir = join(dirs.profiles, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return benchNodeEnv({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` });
}

async function startAlertingNode(
  dirs: BenchDirs,
  name: string,
  options: { ruleFile: string; intervalSeconds: number; storeUrl: string; alertmanager?: string; profile: boolean },
): Promise<RingwatchNode> {
  const port = await freePort();
  return startRingwatchNode({
    kind: 'alerting',
    name,
    httpAddress: `127.0.0.1:${port}`,
    configDir: dirs.configs,
    logDir: dirs.logs,
    env: nodeEnv(dirs, options.profile, name),
    config: {
      node: { id: name, listen_address: `127.0.0.1:${port}` },
      global: { evaluation_interval: `${options.intervalSeconds}s` },
      rule_files: [options.ruleFile],
      query: { url: options.storeUrl },
      ...(options.alertmanager !== undefined ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] } } : {}),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The run.

interface Counters {
  evaluations: number;
  failures: number;
  missed: number;
  /** performance.now() halfway through the /metrics request. */
  atMs: number;
}

/** The rule counters from one GET /metrics (of a Prometheus with 1,000 groups: a large body, slow under load). */
async function counters(url: string): Promise<Counters> {
  const began = performance.now();
  const res = await fetch(`${url}/metrics`, { headers: { accept: 'text/plain; version=0.0.4' }, signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${url}/metrics: HTTP ${res.status}`);
  const body = new Uint8Array(await res.arrayBuffer());
  const atMs = (began + performance.now()) / 2;
  return {
    evaluations: sumMetric(body, 'prometheus_rule_evaluations_total'),
    failures: sumMetric(body, 'prometheus_rule_evaluation_failures_total'),
    missed: sumMetric(body, 'prometheus_rule_group_iterations_missed_total'),
    atMs,
  };
}

/**
 * One window: CPU of `pids` over it, evaluations from `metricsUrl`'s counters read just before
 * and just after. The counters' own interval (request midpoint to midpoint, a little longer than
 * the CPU window) gives the rate; `evaluations` is that rate over the CPU window.
 */
async function measureWindow(metricsUrl: string, pids: Record<string, number | undefined>, windowMs: number, check: () => void): Promise<ThroughputFigures> {
  const meter = new CpuMeter(pids);
  const before = await counters(metricsUrl);
  const machineBefore = machineCpuTimes();
  meter.start();
  const began = performance.now();
  await sleep(windowMs);
  const cpuSeconds = meter.read();
  const windowSeconds = (performance.now() - began) / 1000;
  const machineBusy = machineBusyShare(machineBefore, machineCpuTimes());
  const after = await counters(metricsUrl);
  check();
  const countSeconds = (after.atMs - before.atMs) / 1000;
  return {
    windowSeconds,
    evaluations: Math.round(((after.evaluations - before.evaluations) * windowSeconds) / countSeconds),
    failures: after.failures - before.failures,
    missedIterations: after.missed - before.missed,
    cpuSeconds,
    machineBusy,
  };
}

export async function runRuleEvalBench(options: RuleEvalBenchOptions): Promise<RuleEvalBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  let figures: Measured<RuleEvalFigures>;
  try {
    figures = { ok: true, value: await measureRules(options, log) };
  } catch (err) {
    const reason = `failed: ${(err as Error).message.split('\n')[0]}`;
    log(`  rules: ${reason}`);
    figures = { ok: false, reason };
  }
  return { results: ruleEvalResults(figures), figures };
}

async function measureRules(options: RuleEvalBenchOptions, log: (line: string) => void): Promise<RuleEvalFigures> {
  const { dirs } = options;
  const groups = options.groups ?? 1000;
  const intervalSeconds = options.intervalSeconds ?? 10;
  const idleMs = options.idleMs ?? 30_000;
  const warmupMs = options.warmupMs ?? intervalSeconds * 1000 + 10_000;
  const windowMs = options.windowMs ?? 60_000;
  const latencyReps = options.latencyReps ?? 20;
  const set = benchSeries(options.jobs ?? 6, options.instances ?? 10);
  const ruleDir = join(dirs.configs, 'rules');
  mkdirSync(ruleDir, { recursive: true });
  const ruleFile = join(ruleDir, 'bench-rules.yml');
  writeFileSync(ruleFile, stringify(benchRuleFile(groups, intervalSeconds)));

  const stopping: (() => Promise<void>)[] = [];
  try {
    const { prom: store } = await startStore(dirs, intervalSeconds);
    stopping.push(() => store.stop());
    const proms: PromUnderTest[] = [store];
    const peerBinary = options.peers?.prometheus;
    const peerMissing: Record<string, string> = {};
    if (peerBinary?.ok === true) {
      try {
        const peer = await startPeerPrometheus(dirs, peerBinary.value, intervalSeconds);
        stopping.push(() => peer.stop());
        proms.push(peer);
      } catch (err) {
        peerMissing['peer'] = `the peers' Prometheus did not start: ${(err as Error).message.split('\n')[0]}`;
      }
    } else if (peerBinary !== undefined && !peerBinary.ok) {
      peerMissing['peer'] = `the peers' Prometheus is not built: ${peerBinary.reason}`;
    }
    const prometheusVersions = Object.fromEntries(proms.map((p) => [p.key, p.label]));
    const checkProm = (p: PromUnderTest) => () => {
      if (!p.running()) throw new Error(`${p.label} is not running: see ${p.logFile}`);
    };
    log(
      `rules: ${groups} groups x ${RULES_PER_GROUP} rules every ${intervalSeconds}s (${(groups * RULES_PER_GROUP) / intervalSeconds} evaluations/s expected) over ` +
        `${set.labels.length} series; ${proms.map((p) => p.label).join(', ')}${peerMissing['peer'] !== undefined ? `; ${peerMissing['peer']}` : ''}`,
    );

    const pusher = new SeriesPusher(proms.map((p) => p.remoteWriteUrl), set);
    stopping.push(() => pusher.stop());
    await pusher.start();
    if (pusher.failures > 0) throw new Error(`pushing the series failed: ${pusher.lastError}`);

    // Idle baseline: pushes only.
    await sleep(Math.min(5_000, idleMs));
    const idleMeter = new CpuMeter(Object.fromEntries(proms.map((p) => [p.key, p.pid()])));
    idleMeter.start();
    const idleBegan = performance.now();
    await sleep(idleMs);
    const idleCpu = idleMeter.read();
    const idleSeconds = (performance.now() - idleBegan) / 1000;
    const idleCpuPerSecond: Record<string, number> = {};
    for (const p of proms) idleCpuPerSecond[p.key] = (idleCpu[p.key] ?? 0) / idleSeconds;
    log(`  idle baseline over ${idleSeconds.toFixed(1)} s: ${proms.map((p) => `${p.key} ${(idleCpuPerSecond[p.key] ?? 0).toFixed(4)} CPU-s/s`).join(', ')}`);

    // Ringwatch against the store.
    let ringwatch: Measured<ThroughputFigures>;
    let node: RingwatchNode | undefined;
    try {
      node = await startAlertingNode(dirs, 'bench-rules', { ruleFile, intervalSeconds, storeUrl: store.url, profile: options.profile === true });
      await sleep(warmupMs);
      const n = node;
      const f = await measureWindow(n.url, { ringwatch: n.process?.pid, store: store.pid() }, windowMs, () => {
        if (!n.running) throw new Error(`the alerting node died: see ${n.logFile}`);
        checkProm(store)();
      });
      ringwatch = { ok: true, value: f };
      const storeIdle = (idleCpuPerSecond[store.key] ?? 0) * f.windowSeconds;
      log(
        `  ringwatch: ${f.evaluations} evaluations in ${f.windowSeconds.toFixed(1)} s (${(f.evaluations / f.windowSeconds).toFixed(0)}/s), ` +
          `${f.failures} failed, ${f.missedIterations} iterations missed; CPU-s: ringwatch ${(f.cpuSeconds['ringwatch'] ?? 0).toFixed(2)}, ` +
          `store ${(f.cpuSeconds['store'] ?? 0).toFixed(2)} (idle share ${storeIdle.toFixed(2)}); machine ${Math.round((f.machineBusy ?? 0) * 100)}% busy`,
      );
    } catch (err) {
      ringwatch = { ok: false, reason: `failed: ${(err as Error).message.split('\n')[0]}` };
      log(`  ringwatch: ${ringwatch.reason}`);
    } finally {
      await node?.stop();
    }

    // Each Prometheus' own rule manager, one at a time.
    const prometheus: Record<string, Measured<ThroughputFigures>> = {};
    for (const p of proms) {
      try {
        await configurePrometheus(p, { ruleFiles: [ruleFile], intervalSeconds });
        await sleep(warmupMs);
        const f = await measureWindow(p.url, { [p.key]: p.pid() }, windowMs, checkProm(p));
        prometheus[p.key] = { ok: true, value: f };
        log(
          `  ${p.key} rule manager: ${f.evaluations} evaluations in ${f.windowSeconds.toFixed(1)} s (${(f.evaluations / f.windowSeconds).toFixed(0)}/s), ` +
            `${f.failures} failed, ${f.missedIterations} iterations missed; CPU-s ${(f.cpuSeconds[p.key] ?? 0).toFixed(2)} ` +
            `(idle share ${((idleCpuPerSecond[p.key] ?? 0) * f.windowSeconds).toFixed(2)}); machine ${Math.round((f.machineBusy ?? 0) * 100)}% busy`,
        );
      } catch (err) {
        prometheus[p.key] = { ok: false, reason: `failed: ${(err as Error).message.split('\n')[0]}` };
        log(`  ${p.key} rule manager: ${(prometheus[p.key] as { reason: string }).reason}`);
      } finally {
        await configurePrometheus(p, { intervalSeconds }).catch(() => undefined);
      }
    }
    if (peerMissing['peer'] !== undefined) prometheus['peer'] = { ok: false, reason: peerMissing['peer'] };

    // Alert latency.
    const latency = await measureLatency({ dirs, store, proms, reps: latencyReps, ruleDir, profile: options.profile === true, log, stopping });
    if (peerMissing['peer'] !== undefined) latency['peer'] = { ok: false, reason: peerMissing['peer'] };
    if (pusher.failures > 0) log(`  warning: ${pusher.failures} pushes failed, the last: ${pusher.lastError}`);

    return {
      config: {
        groups,
        rulesPerGroup: RULES_PER_GROUP,
        series: set.labels.length,
        intervalSeconds,
        windowSeconds: windowMs / 1000,
        idleSeconds: Math.round(idleSeconds * 10) / 10,
        latencyReps,
      },
      prometheusVersions,
      idleCpuPerSecond,
      ringwatch,
      prometheus,
      latency,
    };
  } finally {
    for (const stop of stopping.reverse()) await stop().catch((err: unknown) => log(`  rules: stopping: ${(err as Error).message}`));
  }
}

interface AlertmanagerAlert {
  labels?: Record<string, string>;
}

/** Polls GET /api/v2/alerts until an alert with `labels` is there; the time it was seen, or undefined on timeout. */
async function waitForAlert(am: RunningAlertmanager, labels: Record<string, string>, timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`${am.url}/api/v2/alerts`, { signal: AbortSignal.timeout(2000) });
      const alerts = (await res.json()) as AlertmanagerAlert[];
      const seen = performance.now();
      if (alerts.some((a) => Object.entries(labels).every(([k, v]) => a.labels?.[k] === v))) return seen;
    } catch {
      // not answering this time: try again
    }
    await sleep(10);
  }
  return undefined;
}

async function measureLatency(ctx: {
  dirs: BenchDirs;
  store: PromUnderTest;
  proms: PromUnderTest[];
  reps: number;
  ruleDir: string;
  profile: boolean;
  log: (line: string) => void;
  stopping: (() => Promise<void>)[];
}): Promise<Record<string, Measured<LatencyFigures>>> {
  const { dirs, store, proms, log } = ctx;
  const out: Record<string, Measured<LatencyFigures>> = {};
  const amDir = join(dirs.data, 'rules-alertmanager');
  rmSync(amDir, { recursive: true, force: true });
  const amLogs = join(dirs.logs, 'rules-alertmanager');
  mkdirSync(amLogs, { recursive: true });
  const am = await startAlertmanager({ dataDir: amDir, logDir: amLogs });
  ctx.stopping.push(() => am.stop());
  const amTarget = `127.0.0.1:${am.port}`;

  interface Contestant {
    key: string;
    check: () => void;
  }
  const contestants: Contestant[] = [];
  const ringwatchRules = join(ctx.ruleDir, 'latency-ringwatch.yml');
  writeFileSync(ringwatchRules, stringify(latencyRuleFile('ringwatch')));
  try {
    const node = await startAlertingNode(dirs, 'bench-rules-latency', {
      ruleFile: ringwatchRules,
      intervalSeconds: 1,
      storeUrl: store.url,
      alertmanager: amTarget,
      profile: ctx.profile,
    });
    ctx.stopping.push(() => node.stop());
    contestants.push({
      key: 'ringwatch',
      check: () => {
        if (!node.running) throw new Error(`the alerting node died: see ${node.logFile}`);
      },
    });
  } catch (err) {
    out['ringwatch'] = { ok: false, reason: `failed: ${(err as Error).message.split('\n')[0]}` };
  }
  for (const p of proms) {
    const file = join(ctx.ruleDir, `latency-${p.key}.yml`);
    writeFileSync(file, stringify(latencyRuleFile(p.key)));
    try {
      await configurePrometheus(p, { ruleFiles: [file], alertmanagers: [amTarget], intervalSeconds: 1 });
      contestants.push({
        key: p.key,
        check: () => {
          if (!p.running()) throw new Error(`${p.label} is not running: see ${p.logFile}`);
        },
      });
    } catch (err) {
      out[p.key] = { ok: false, reason: `failed: ${(err as Error).message.split('\n')[0]}` };
    }
  }
  // Every probe goes to every Prometheus (the store answers Ringwatch's queries).
  const urls = proms.map((p) => p.remoteWriteUrl);
  const push = (labels: Record<string, string>, value: number): Promise<unknown> =>
    Promise.all(urls.map((u) => pushRemoteWrite(u, [{ labels, samples: [{ value, timestampMs: Date.now() }] }])));
  await sleep(3000); // the groups are running
  const figures = new Map<string, LatencyFigures>(contestants.map((c) => [c.key, { samplesMs: [], timeouts: 0 }]));
  const failed = new Map<string, string>();
  for (let rep = 1; rep <= ctx.reps; rep++) {
    for (const c of contestants) {
      if (failed.has(c.key)) continue;
      const f = figures.get(c.key) as LatencyFigures;
      try {
        c.check();
        // A random phase against the 1 s evaluation.
        await sleep(200 + Math.random() * 1000);
        const labels = { __name__: 'bench_latency_probe', contestant: c.key, rep: String(rep) };
        const began = performance.now();
        await push(labels, LATENCY_THRESHOLD * 10);
        const seen = await waitForAlert(am, { alertname: 'BenchLatencyProbe', contestant: c.key, rep: String(rep) }, 20_000);
        if (seen === undefined) f.timeouts++;
        else f.samplesMs.push(seen - began);
        await push(labels, 0);
      } catch (err) {
        failed.set(c.key, `failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }
  for (const c of contestants) {
    const f = figures.get(c.key) as LatencyFigures;
    const reason = failed.get(c.key);
    out[c.key] = reason !== undefined ? { ok: false, reason } : f.samplesMs.length === 0 ? { ok: false, reason: `no alert arrived in ${f.timeouts} tries` } : { ok: true, value: f };
    log(
      `  alert latency ${c.key}: ${reason ?? `${f.samplesMs.map((ms) => Math.round(ms)).join(', ')} ms (p50 ${Math.round(percentile(f.samplesMs, 50))}, max ${Math.round(Math.max(...f.samplesMs))})${f.timeouts > 0 ? `, ${f.timeouts} timed out` : ''}`}`,
    );
  }
  for (const p of proms) await configurePrometheus(p, { intervalSeconds: 1 }).catch(() => undefined);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Results

export function ruleEvalResults(figures: Measured<RuleEvalFigures>): BenchResult[] {
  if (!figures.ok) return [{ name: 'rules', value: Number.NaN, unit: '', note: `rule evaluation run: ${figures.reason}` }];
  const f = figures.value;
  const c = f.config;
  const out: BenchResult[] = [];
  const setup =
    `${c.groups} groups x ${c.rulesPerGroup} rules (5 recording rules sum by (job) (rate(m[1m])), 5 alerting rules m > 1e9 that never fire) ` +
    `every ${c.intervalSeconds}s over ${c.series} counter series pushed by remote write every 5 s; ${c.windowSeconds} s window per contestant, ` +
    `CPU from /proc/<pid>/stat; "above idle": minus the same process' CPU over a ${c.idleSeconds} s baseline with the pushes and no rules.`;
  const storeKey = Object.keys(f.prometheusVersions)[0] ?? 'store';
  const storeLabel = f.prometheusVersions[storeKey] ?? 'the store';
  const idle = (key: string, seconds: number): number => (f.idleCpuPerSecond[key] ?? 0) * seconds;
  const busy = (t: ThroughputFigures): string => (t.machineBusy === undefined ? '?' : `${Math.round(t.machineBusy * 100)}%`);
  let ringwatchTotal = Number.NaN;
  const rw = f.ringwatch;
  if (rw.ok) {
    const r = rw.value;
    const own = r.cpuSeconds['ringwatch'] ?? Number.NaN;
    const store = Math.max(0, (r.cpuSeconds['store'] ?? 0) - idle(storeKey, r.windowSeconds));
    ringwatchTotal = cpuPerThousand(own + store, r.evaluations);
    out.push(
      {
        name: 'rules: evaluations/s, Ringwatch alerting node',
        value: Math.round(r.evaluations / r.windowSeconds),
        unit: 'evals/s',
        note: `${setup} Expected ${(c.groups * c.rulesPerGroup) / c.intervalSeconds}/s; in the window ${r.failures} evaluations failed, ${r.missedIterations} group iterations were missed; machine ${busy(r)} busy.`,
      },
      {
        name: 'rules: Ringwatch CPU per 1,000 evals (pays an HTTP query per rule)',
        value: roundSignificant(cpuPerThousand(own, r.evaluations), 4),
        unit: 'CPU-s',
        note: 'The alerting node process alone: every rule is one POST /api/v1/query to the store (JSON in and out), no `kafka` section (results not written anywhere).',
      },
      {
        name: `rules: store CPU per 1,000 Ringwatch evals, above idle (answering the HTTP queries)`,
        value: roundSignificant(cpuPerThousand(store, r.evaluations), 4),
        unit: 'CPU-s',
        note: `${storeLabel} answering Ringwatch's instant queries: PromQL evaluation plus the HTTP/JSON round trip.`,
      },
      {
        name: 'rules: Ringwatch + store CPU per 1,000 evals (HTTP query per rule)',
        value: roundSignificant(ringwatchTotal, 4),
        unit: 'CPU-s',
      },
      {
        name: 'rules: Ringwatch evals per CPU-second, node alone (per core)',
        value: Math.round(r.evaluations / own),
        unit: 'evals/s/core',
      },
      {
        name: 'rules: Ringwatch evals per CPU-second, node + store above idle (per core)',
        value: Math.round(r.evaluations / (own + store)),
        unit: 'evals/s/core',
      },
    );
  } else {
    out.push({ name: 'rules: Ringwatch alerting node', value: Number.NaN, unit: '', note: `Ringwatch run: ${rw.reason}` });
  }
  for (const [key, m] of Object.entries(f.prometheus)) {
    const label = f.prometheusVersions[key] ?? key;
    if (!m.ok) {
      out.push({ name: `rules: ${key === 'peer' ? "peers' Prometheus" : label} rule manager`, value: Number.NaN, unit: '', note: `${key}: ${m.reason}` });
      continue;
    }
    const p = m.value;
    const above = Math.max(0, (p.cpuSeconds[key] ?? 0) - idle(key, p.windowSeconds));
    const perThousand = cpuPerThousand(above, p.evaluations);
    const short = label.replace(/ \(.*\)$/, '');
    out.push(
      {
        name: `rules: ${short} rule manager CPU per 1,000 evals, above idle (in process, no HTTP query)`,
        value: roundSignificant(perThousand, 4),
        unit: 'CPU-s',
        note:
          `${label} with the same rule file in rule_files, same data: its whole process above its idle baseline; it evaluates PromQL in process and appends ` +
          `the recording rules' results (${c.groups * 5 * 6} series) to its TSDB. ${Math.round(p.evaluations / p.windowSeconds)} evals/s in the window, ` +
          `${p.failures} failed, ${p.missedIterations} iterations missed; ${(p.cpuSeconds[key] ?? 0).toFixed(2)} CPU-s raw, ${idle(key, p.windowSeconds).toFixed(2)} of it idle; machine ${busy(p)} busy.`,
      },
      {
        name: `rules: ${short} rule manager evals per CPU-second above idle (per core)`,
        value: Math.round(p.evaluations / above),
        unit: 'evals/s/core',
      },
      {
        name: `rules: ratio Ringwatch + store / ${short} rule manager, CPU per eval`,
        value: roundSignificant(ringwatchTotal / perThousand, 3),
        unit: 'x',
      },
    );
  }
  for (const [key, m] of Object.entries(f.latency)) {
    const label = key === 'ringwatch' ? 'Ringwatch (queries the store)' : key === 'peer' ? "peers' Prometheus" : (f.prometheusVersions[key] ?? key).replace(/ \(.*\)$/, '');
    if (!m.ok) {
      out.push({ name: `alert latency: ${label}`, value: Number.NaN, unit: '', note: `${key}: ${m.reason}` });
      continue;
    }
    const note =
      `Remote write of a value above the threshold -> alert listed by Alertmanager's GET /api/v2/alerts (polled every ~10 ms); rule for: 0, interval 1 s; ` +
      `${m.value.samplesMs.length} repetitions${m.value.timeouts > 0 ? `, ${m.value.timeouts} timed out (20 s)` : ''}.`;
    out.push(
      { name: `alert latency p50: ${label}`, value: Math.round(percentile(m.value.samplesMs, 50)), unit: 'ms', note },
      { name: `alert latency max: ${label}`, value: Math.round(Math.max(...m.value.samplesMs)), unit: 'ms' },
    );
  }
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      groups: { type: 'string' },
      interval: { type: 'string' },
      window: { type: 'string' },
      idle: { type: 'string' },
      reps: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'no-peers': { type: 'boolean' },
    },
  });
  const dirs = benchDirs();
  const report = await runRuleEvalBench({
    dirs,
    ...(values['no-peers'] === true ? {} : { peers: ensurePeers(dirs) }),
    profile: values['cpu-prof'] === true,
    ...(values.quick === true ? RULE_EVAL_QUICK : {}),
    ...(values.groups !== undefined ? { groups: Number(values.groups) } : {}),
    ...(values.interval !== undefined ? { intervalSeconds: Number(values.interval) } : {}),
    ...(values.window !== undefined ? { windowMs: Number(values.window) * 1000 } : {}),
    ...(values.idle !== undefined ? { idleMs: Number(values.idle) * 1000 } : {}),
    ...(values.reps !== undefined ? { latencyReps: Number(values.reps) } : {}),
  });
  console.log(formatBenchTable([{ title: 'rule evaluation and alert latency', results: report.results }]));
  if (report.figures.ok) console.log(JSON.stringify(report.figures.value));
}
