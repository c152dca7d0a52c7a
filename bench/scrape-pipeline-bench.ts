// Scrape pipeline: CPU per million samples scraped, parsed and shipped, Ringwatch next to vmagent
// and Prometheus in agent mode scraping the same targets. N targets (the real node_exporter 1.5
// body, 507 samples, from bench-harness/target-server.ts) every interval; each contestant runs
// alone for a warm-up, then a measured window, charged for its processes' CPU time
// (/proc/<pid>/stat) and peak RSS:
//   a. Ringwatch scraper -> Kafka (the scraper process alone; Kafka's JVM reported apart),
//   b. Ringwatch scraper -> Kafka -> storage-writer -> sink (both Ringwatch processes),
//   c. vmagent -> sink, d. Prometheus --agent -> sink.
// Samples: the scraper's ringwatch_scraper_samples_produced_total for (a), the sink's decoded
// count for the others, so every remote-writing contestant is counted the same way.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startRingwatchNode, type RingwatchNode } from '../deploy/local/ringwatch-node.ts';
import { freePort } from '../deploy/local/services/free-port.ts';
import type { RunningKafka } from '../deploy/local/services/kafka.ts';
import { ManagedProcess } from '../deploy/local/services/managed-process.ts';
import { httpProbe } from '../deploy/local/services/readiness.ts';
import { benchDirs, benchNodeEnv, ensurePeers, startBenchKafka, stopBenchKafka, type BenchDirs, type PeerBinaries } from './bench-harness/bench-infrastructure.ts';
import { roundSignificant, type BenchResult, type Measured, type PeerFigure } from './bench-harness/bench-result.ts';
import { formatBenchTable } from './bench-harness/bench-table.ts';
import { formatProfileSummary, summarizeProfileDirs } from './bench-harness/cpu-profile-summary.ts';
import { fetchMetricSum } from './bench-harness/metrics-reader.ts';
import { combineRounds, cpuSecondsPerMillion, type ContestantFigures } from './bench-harness/contestant-figures.ts';
import { CpuMeter, machineBusyShare, machineCpuTimes, treePeakRssBytes, treeRssBytes } from './bench-harness/proc-stats.ts';
import { startRemoteWriteSink, type RunningSink } from './bench-harness/remote-write-sink.ts';
import { startTargetServer, type RunningTargetServer } from './bench-harness/target-server.ts';

export const NODE_EXPORTER_BODY = resolve(import.meta.dirname, '../test/fixtures/exposition/node-exporter-1.5.txt');
/** Prometheus' (and Ringwatch's) scrape report series added to every scrape. */
const REPORT_SERIES_PER_SCRAPE = 5;
/** The same request size for every remote writer (vmagent's default -remoteWrite.maxRowsPerBlock). */
const MAX_SAMPLES_PER_SEND = 10_000;

export type ContestantName = 'ringwatch-scraper' | 'ringwatch-end-to-end' | 'vmagent' | 'prometheus-agent';

export { cpuSecondsPerMillion, type ContestantFigures };

/**
 * The scraper's fixed base: one started with Kafka connected and a single target (its code, JIT,
 * Kafka connection and pools warm, its cache of 512 series negligible), RSS after settling. RSS
 * per active series above it is what the cache and the per-scrape work of N targets cost.
 */
export interface ScraperBaseFigures {
  /** Mean RSS over the last seconds of the settle time. */
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Active series of the base scraper (one target's samples and report series). */
  series: number;
  settleSeconds: number;
}

export interface ScrapePipelineReport {
  results: BenchResult[];
  /** The idle scraper's RSS (when ringwatch-scraper ran). */
  scraperBase?: Measured<ScraperBaseFigures>;
  /** Every round of a contestant added up. */
  runs: Record<ContestantName, Measured<ContestantFigures>>;
  /** Each round on its own, in order. */
  rounds: Record<ContestantName, Measured<ContestantFigures>[]>;
  config: {
    targets: number;
    intervalSeconds: number;
    warmupSeconds: number;
    windowSeconds: number;
    rounds: number;
    expectedSamplesPerSecond: number;
  };
}

export interface ScrapePipelineBenchOptions {
  dirs: BenchDirs;
  kafka: RunningKafka;
  peers: PeerBinaries;
  targets?: number;
  intervalSeconds?: number;
  warmupMs?: number;
  windowMs?: number;
  /**
   * Every contestant runs this many times, interleaved (a b c d a b c d), so that a burst of
   * background load hits all of them alike; the rounds are added up. Default 2.
   */
  rounds?: number;
  /** Run the Ringwatch nodes under node --cpu-prof (profiles in dirs.profiles/<node name>/). */
  profile?: boolean;
  /** The Ringwatch scraper's `producer:` section (default: none, the scraper's defaults). */
  scraperProducer?: Record<string, unknown>;
  /** Run only these contestants (default: all). */
  only?: ContestantName[];
  /** Extra NODE_OPTIONS for the Ringwatch nodes, for experiments (e.g. `--max-semi-space-size=32`). */
  nodeOptions?: string;
  /** Measure the scraper's fixed base first (default: when ringwatch-scraper runs). */
  measureBase?: boolean;
  /** Extra environment for the Ringwatch nodes, for experiments (e.g. glibc's MALLOC_MMAP_THRESHOLD_). */
  nodeEnv?: Record<string, string>;
  log?: (line: string) => void;
}

interface Started {
  /** Processes charged to the contestant. */
  pids: Record<string, number | undefined>;
  samples: () => Promise<number>;
  stop: () => Promise<void>;
  /** Throws if a process of the contestant died. */
  check: () => void;
  /** Extra figures read at the end of the window (e.g. V8 heap sizes), for the log and the JSON. */
  details?: () => Promise<Record<string, number>>;
  /** Active series the contestant holds (targets x samples per scrape). */
  series?: number;
  /** The scraper's fixed base (measureScraperBase), for RSS per active series above it. */
  baseRssBytes?: number;
  baseSeries?: number;
}

export async function runScrapePipelineBench(options: ScrapePipelineBenchOptions): Promise<ScrapePipelineReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const targetsCount = options.targets ?? 200;
  const intervalSeconds = options.intervalSeconds ?? 1;
  const warmupMs = options.warmupMs ?? 10_000;
  const windowMs = options.windowMs ?? 30_000;
  const roundCount = options.rounds ?? 2;
  const { dirs, kafka } = options;

  const targets = await startTargetServer({ targets: targetsCount, bodyFile: NODE_EXPORTER_BODY, logDir: dirs.logs });
  let sink: RunningSink | undefined;
  let scraperBase: Measured<ScraperBaseFigures> | undefined;
  const rounds: Record<ContestantName, Measured<ContestantFigures>[]> = {
    'ringwatch-scraper': [],
    'ringwatch-end-to-end': [],
    vmagent: [],
    'prometheus-agent': [],
  };
  const expectedSamplesPerSecond = (targetsCount * (targets.samplesPerBody + REPORT_SERIES_PER_SCRAPE)) / intervalSeconds;
  try {
    sink = await startRemoteWriteSink({ logDir: dirs.logs });
    const env: ContestantEnv = {
      dirs,
      kafka,
      sink,
      targets,
      intervalSeconds,
      profile: options.profile === true,
      scraperProducer: options.scraperProducer,
      nodeOptions: options.nodeOptions,
      extraEnv: options.nodeEnv ?? {},
      seriesPerTarget: targets.samplesPerBody + REPORT_SERIES_PER_SCRAPE,
      scraperBaseRssBytes: undefined,
      scraperBaseSeries: undefined,
    };
    const shared = { kafka: kafka.process?.pid, sink: sink.process.pid, targets: targets.process.pid };
    log(
      `scrape pipeline: ${targetsCount} targets x ${targets.samplesPerBody + REPORT_SERIES_PER_SCRAPE} samples every ${intervalSeconds}s = ` +
        `${expectedSamplesPerSecond} samples/s expected; ${roundCount} rounds of warm-up ${warmupMs / 1000}s + window ${windowMs / 1000}s per contestant`,
    );

    const contestants: [ContestantName, () => Promise<Started>][] = [
      ['ringwatch-scraper', () => startRingwatchScraperOnly(env)],
      ['ringwatch-end-to-end', () => startRingwatchEndToEnd(env)],
      ['vmagent', () => (options.peers.vmagent.ok ? startVmagent(env, options.peers.vmagent.value) : Promise.reject(new PeerMissing(options.peers.vmagent.reason)))],
      ['prometheus-agent', () => (options.peers.prometheus.ok ? startPrometheusAgent(env, options.peers.prometheus.value) : Promise.reject(new PeerMissing(options.peers.prometheus.reason)))],
    ];
    const runsScraper = options.only === undefined || options.only.includes('ringwatch-scraper');
    if (options.measureBase ?? runsScraper) {
      scraperBase = await measureScraperBase(env, targets.samplesPerBody + REPORT_SERIES_PER_SCRAPE, log);
      env.scraperBaseRssBytes = scraperBase.ok ? scraperBase.value.rssBytes : undefined;
      env.scraperBaseSeries = scraperBase.ok ? scraperBase.value.series : undefined;
    }
    for (let round = 1; round <= roundCount; round++) {
      for (const [name, start] of contestants) {
        if (options.only !== undefined && !options.only.includes(name)) {
          rounds[name].push({ ok: false, reason: 'not run (--only)' });
          continue;
        }
        // A peer that is not there is not tried again.
        const first = rounds[name][0];
        if (first !== undefined && !first.ok && first.reason.startsWith(PEER_MISSING)) {
          rounds[name].push(first);
          continue;
        }
        rounds[name].push(await measureContestant(`${name} (round ${round})`, start, shared, warmupMs, windowMs, log));
      }
    }
  } finally {
    await sink?.stop();
    await targets.stop();
  }
  const runs = {} as Record<ContestantName, Measured<ContestantFigures>>;
  for (const name of Object.keys(rounds) as ContestantName[]) runs[name] = combineRounds(rounds[name]);
  return {
    results: scrapeResults(runs, rounds, expectedSamplesPerSecond, scraperBase),
    ...(scraperBase !== undefined ? { scraperBase } : {}),
    runs,
    rounds,
    config: {
      targets: targetsCount,
      intervalSeconds,
      warmupSeconds: warmupMs / 1000,
      windowSeconds: windowMs / 1000,
      rounds: roundCount,
      expectedSamplesPerSecond,
    },
  };
}

const PEER_MISSING = 'peer missing: ';

class PeerMissing extends Error {
  constructor(reason: string) {
    super(`${PEER_MISSING}${reason}`);
  }
}

async function measureContestant(
  name: string,
  start: () => Promise<Started>,
  shared: Record<string, number | undefined>,
  warmupMs: number,
  windowMs: number,
  log: (line: string) => void,
): Promise<Measured<ContestantFigures>> {
  let started: Started | undefined;
  try {
    log(`  ${name}: starting`);
    started = await start();
    await sleep(warmupMs);
    started.check();
    const meter = new CpuMeter({ ...started.pids, ...shared });
    const machineBefore = machineCpuTimes();
    const samplesBefore = await started.samples();
    meter.start();
    const began = performance.now();
    // RSS through the window (the contestant's processes), to see whether it stays flat.
    const rssTrace: { seconds: number; bytes: number }[] = [];
    const traceRss = (): void => {
      let bytes = 0;
      for (const pid of Object.values(started?.pids ?? {})) if (pid !== undefined) bytes += treeRssBytes(pid);
      rssTrace.push({ seconds: (performance.now() - began) / 1000, bytes });
    };
    traceRss();
    const stepMs = Math.max(1000, Math.round(windowMs / 60));
    while (performance.now() - began + stepMs <= windowMs) {
      await sleep(stepMs);
      traceRss();
    }
    await sleep(Math.max(0, windowMs - (performance.now() - began)));
    const times = meter.readTimes();
    const cpuSeconds: Record<string, number> = {};
    const systemSeconds: Record<string, number> = {};
    for (const [p, t] of Object.entries(times)) {
      cpuSeconds[p] = t.user + t.system;
      systemSeconds[p] = t.system;
    }
    const windowSeconds = (performance.now() - began) / 1000;
    const samples = (await started.samples()) - samplesBefore;
    const machineBusy = machineBusyShare(machineBefore, machineCpuTimes());
    started.check();
    let peakRssBytes = 0;
    let rssBytes = 0;
    for (const pid of Object.values(started.pids)) {
      if (pid === undefined) continue;
      peakRssBytes += treePeakRssBytes(pid);
      rssBytes += treeRssBytes(pid);
    }
    // RSS at the end of the window beside the peak: a peak far above it is the start (first
    // scrapes, all cache misses), not the steady state.
    rssTrace.push({ seconds: windowSeconds, bytes: rssBytes });
    const details: Record<string, number> = { 'rss at end bytes': rssBytes, ...rssWindowFigures(rssTrace), ...((await started.details?.()) ?? {}) };
    if (started.baseRssBytes !== undefined && started.baseSeries !== undefined && started.series !== undefined && started.series > started.baseSeries) {
      details['rss per active series above base KB'] = (rssBytes - started.baseRssBytes) / (started.series - started.baseSeries) / 1000;
      details['active series'] = started.series;
      details['base rss bytes'] = started.baseRssBytes;
    }
    const figures: ContestantFigures = { windowSeconds, samples, cpuSeconds, systemSeconds, charged: Object.keys(started.pids), peakRssBytes, machineBusy, details };
    const cpuText = Object.entries(cpuSeconds)
      .map(([p, s]) => `${p} ${s.toFixed(2)} (sys ${(systemSeconds[p] ?? 0).toFixed(2)})`)
      .join(', ');
    log(
      `  ${name}: ${Math.round(samples / windowSeconds)} samples/s, ${roundSignificant(cpuSecondsPerMillion(figures))} CPU-s per 1M samples, ` +
        `peak RSS ${Math.round(peakRssBytes / 2 ** 20)} MiB; CPU-s in ${windowSeconds.toFixed(1)} s: ${cpuText}; machine ${Math.round(machineBusy * 100)}% busy`,
    );
    if (Object.keys(details).length > 0) {
      log(`  ${name}: ${Object.entries(details).map(([k, v]) => (k.endsWith(' bytes') ? `${k.slice(0, -6)} ${Math.round(v / 2 ** 20)} MiB` : `${k} ${roundSignificant(v)}`)).join(', ')}`);
    }
    return { ok: true, value: figures };
  } catch (err) {
    const reason = err instanceof PeerMissing ? err.message : `failed: ${(err as Error).message.split('\n')[0]}`;
    log(`  ${name}: ${reason}`);
    return { ok: false, reason };
  } finally {
    await started?.stop().catch((err: unknown) => log(`  ${name}: stop failed: ${(err as Error).message}`));
  }
}

// ---------------------------------------------------------------------------------------------
// Contestants

interface ContestantEnv {
  dirs: BenchDirs;
  kafka: RunningKafka;
  sink: RunningSink;
  targets: RunningTargetServer;
  intervalSeconds: number;
  profile: boolean;
  scraperProducer: Record<string, unknown> | undefined;
  /** Extra NODE_OPTIONS for the Ringwatch nodes (experiments, e.g. GC flags). */
  nodeOptions: string | undefined;
  extraEnv: Record<string, string>;
  seriesPerTarget: number;
  scraperBaseRssBytes: number | undefined;
  scraperBaseSeries: number | undefined;
}

/** The scrape_configs every contestant gets: one job, one static group per target. */
/** vmagent's command line in both pipeline benches: the same scrape configs, the sink, requests of MAX_SAMPLES_PER_SEND. */
export function vmagentArgs(env: { dirs: { configs: string }; intervalSeconds: number; targets: RunningTargetServer; sink: { writeUrl: string } }, dataDir: string, port: number): string[] {
  const configFile = join(env.dirs.configs, 'vmagent-scrape.yaml');
  writeFileSync(configFile, stringify({ global: globalSection(env.intervalSeconds), scrape_configs: scrapeConfigs(env.targets.targets) }));
  return [
    `-promscrape.config=${configFile}`,
    `-remoteWrite.url=${env.sink.writeUrl}`,
    `-remoteWrite.tmpDataPath=${join(dataDir, 'remote-write')}`,
    // The sink speaks Prometheus remote write only; skip the protocol probing.
    '-remoteWrite.forcePromProto=true',
    `-remoteWrite.maxRowsPerBlock=${MAX_SAMPLES_PER_SEND}`,
    `-httpListenAddr=127.0.0.1:${port}`,
  ];
}

export function scrapeConfigs(targets: RunningTargetServer['targets']): Record<string, unknown>[] {
  return [
    {
      job_name: 'node',
      static_configs: targets.map((t) => ({ targets: [t.address], labels: { __metrics_path__: t.metricsPath } })),
    },
  ];
}

export function globalSection(intervalSeconds: number): Record<string, string> {
  return { scrape_interval: `${intervalSeconds}s`, scrape_timeout: `${intervalSeconds}s` };
}

function nodeEnv(env: ContestantEnv, profileName: string): Record<string, string | undefined> {
  const options: string[] = env.nodeOptions === undefined ? [] : [env.nodeOptions];
  if (env.profile) {
    const dir = join(env.dirs.profiles, profileName);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    options.push(`--cpu-prof --cpu-prof-dir=${dir}`);
  }
  return benchNodeEnv({ ...env.extraEnv, ...(options.length === 0 ? {} : { NODE_OPTIONS: options.join(' ') }) });
}

/** V8 heap and off-heap memory of Ringwatch nodes, from prom-client's default metrics. */
function nodeMemory(...nodes: RingwatchNode[]): () => Promise<Record<string, number>> {
  return async () => {
    const out: Record<string, number> = {};
    for (const n of nodes) {
      out[`${n.name} heap used bytes`] = await fetchMetricSum(n.url, 'nodejs_heap_size_used_bytes');
      out[`${n.name} heap total bytes`] = await fetchMetricSum(n.url, 'nodejs_heap_size_total_bytes');
      out[`${n.name} external bytes`] = await fetchMetricSum(n.url, 'nodejs_external_memory_bytes');
      // Since the node started (warm-up included): how many collections of each kind, and their time.
      for (const kind of ['minor', 'major', 'incremental']) {
        out[`${n.name} gc ${kind} count`] = await fetchMetricSum(n.url, 'nodejs_gc_duration_seconds_count', { kind });
        out[`${n.name} gc ${kind} seconds`] = await fetchMetricSum(n.url, 'nodejs_gc_duration_seconds_sum', { kind });
      }
    }
    return out;
  };
}

function nodeCheck(...nodes: RingwatchNode[]): () => void {
  return () => {
    for (const n of nodes) if (!n.running) throw new Error(`${n.name} is not running: see ${n.logFile}`);
  };
}

async function startScraper(env: ContestantEnv, name: string, topic: string, targets = env.targets.targets): Promise<RingwatchNode> {
  const port = await freePort();
  return startRingwatchNode({
    kind: 'scraper',
    name,
    httpAddress: `127.0.0.1:${port}`,
    configDir: env.dirs.configs,
    logDir: env.dirs.logs,
    env: nodeEnv(env, name),
    config: {
      node: { id: name, listen_address: `127.0.0.1:${port}` },
      kafka: { brokers: env.kafka.brokers, topic, partitions: 6 },
      global: globalSection(env.intervalSeconds),
      scrape_configs: scrapeConfigs(targets),
      ...(env.scraperProducer !== undefined ? { producer: env.scraperProducer } : {}),
    },
  });
}

async function startRingwatchScraperOnly(env: ContestantEnv): Promise<Started> {
  const scraper = await startScraper(env, 'bench-scraper', 'bench-scrape-only');
  return {
    pids: { scraper: scraper.process?.pid },
    samples: () => fetchMetricSum(scraper.url, 'ringwatch_scraper_samples_produced_total'),
    stop: () => scraper.stop(),
    check: nodeCheck(scraper),
    details: nodeMemory(scraper),
    series: env.targets.targets.length * env.seriesPerTarget,
    ...(env.scraperBaseRssBytes !== undefined && env.scraperBaseSeries !== undefined ? { baseRssBytes: env.scraperBaseRssBytes, baseSeries: env.scraperBaseSeries } : {}),
  };
}

const BASE_SETTLE_MS = 20_000;

/** An idle scraper (Kafka connected, one target) after settling: the base RSS per-series figures stand on. */
async function measureScraperBase(env: ContestantEnv, seriesPerTarget: number, log: (line: string) => void): Promise<Measured<ScraperBaseFigures>> {
  let scraper: RingwatchNode | undefined;
  try {
    log('  scraper base (1 target, Kafka connected): starting');
    scraper = await startScraper(env, 'bench-scraper-base', 'bench-scrape-base', env.targets.targets.slice(0, 1));
    const pid = scraper.process?.pid;
    if (pid === undefined) throw new Error('no scraper pid');
    await sleep(BASE_SETTLE_MS - 5000);
    const last: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(1000);
      last.push(treeRssBytes(pid));
    }
    if (!scraper.running) throw new Error(`the base scraper died: see ${scraper.logFile}`);
    if ((await fetchMetricSum(scraper.url, 'ringwatch_scraper_samples_produced_total')) === 0) throw new Error('the base scraper produced nothing (Kafka not connected?)');
    const figures: ScraperBaseFigures = {
      rssBytes: last.reduce((a, b) => a + b, 0) / last.length,
      heapUsedBytes: await fetchMetricSum(scraper.url, 'nodejs_heap_size_used_bytes'),
      heapTotalBytes: await fetchMetricSum(scraper.url, 'nodejs_heap_size_total_bytes'),
      externalBytes: await fetchMetricSum(scraper.url, 'nodejs_external_memory_bytes'),
      series: seriesPerTarget,
      settleSeconds: BASE_SETTLE_MS / 1000,
    };
    const mib = (b: number): number => Math.round(b / 2 ** 20);
    log(
      `  scraper base: RSS ${mib(figures.rssBytes)} MiB after ${figures.settleSeconds} s (heap used ${mib(figures.heapUsedBytes)} MiB, heap total ${mib(figures.heapTotalBytes)} MiB, external ${mib(figures.externalBytes)} MiB)`,
    );
    return { ok: true, value: figures };
  } catch (err) {
    const reason = `failed: ${(err as Error).message.split('\n')[0]}`;
    log(`  scraper base: ${reason}`);
    return { ok: false, reason };
  } finally {
    await scraper?.stop();
  }
}

/** RSS at the start, middle and end of the window, and its least-squares slope (bytes per minute). */
export function rssWindowFigures(trace: readonly { seconds: number; bytes: number }[]): Record<string, number> {
  if (trace.length === 0) return {};
  const at = (i: number): number => (trace[i] as { bytes: number }).bytes;
  const n = trace.length;
  let sx = 0;
  let sy = 0;
  for (const p of trace) {
    sx += p.seconds;
    sy += p.bytes;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of trace) {
    sxy += (p.seconds - mx) * (p.bytes - my);
    sxx += (p.seconds - mx) ** 2;
  }
  const slopePerSecond = sxx === 0 ? 0 : sxy / sxx;
  return {
    'rss window start bytes': at(0),
    'rss window middle bytes': at(Math.floor((n - 1) / 2)),
    'rss window end bytes': at(n - 1),
    'rss slope MiB per min': (slopePerSecond * 60) / 2 ** 20,
  };
}

async function startRingwatchEndToEnd(env: ContestantEnv): Promise<Started> {
  const topic = 'bench-scrape-e2e';
  const port = await freePort();
  // The writer first, so it has joined its group when the first scrapes arrive.
  const writer = await startRingwatchNode({
    kind: 'storage-writer',
    name: 'bench-e2e-writer',
    httpAddress: `127.0.0.1:${port}`,
    configDir: env.dirs.configs,
    logDir: env.dirs.logs,
    env: nodeEnv(env, 'bench-e2e-writer'),
    config: {
      node: { id: 'bench-e2e-writer', listen_address: `127.0.0.1:${port}` },
      kafka: { brokers: env.kafka.brokers, topic, partitions: 6 },
      consumer: { group_id: 'bench-e2e' },
      remote_write: [{ name: 'sink', url: env.sink.writeUrl, queue_config: { max_samples_per_send: MAX_SAMPLES_PER_SEND, batch_send_deadline: '1s' } }],
    },
  });
  let scraper: RingwatchNode;
  try {
    scraper = await startScraper(env, 'bench-e2e-scraper', topic);
  } catch (err) {
    await writer.stop();
    throw err;
  }
  return {
    pids: { scraper: scraper.process?.pid, writer: writer.process?.pid },
    samples: async () => (await env.sink.stats()).samples,
    stop: async () => {
      await scraper.stop();
      await writer.stop();
    },
    check: nodeCheck(scraper, writer),
    details: nodeMemory(scraper, writer),
  };
}

function peerProcessHandle(child: ManagedProcess, env: ContestantEnv, cpuName: string): Started {
  return {
    pids: { [cpuName]: child.pid },
    samples: async () => (await env.sink.stats()).samples,
    stop: async () => {
      await child.stop(15_000);
    },
    check: () => {
      if (!child.running) throw new Error(`${child.name} is not running: see ${child.logFile}\n${child.logTail(5)}`);
    },
  };
}

async function startVmagent(env: ContestantEnv, binary: string): Promise<Started> {
  const port = await freePort();
  const dir = join(env.dirs.data, 'vmagent');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const child = new ManagedProcess({ name: 'vmagent', command: binary, args: vmagentArgs(env, dir, port), logFile: join(env.dirs.logs, 'vmagent.log') });
  const handle = peerProcessHandle(child, env, 'vmagent');
  try {
    await child.waitUntilReady(httpProbe(`http://127.0.0.1:${port}/health`), 30_000);
  } catch (err) {
    await child.kill();
    throw err;
  }
  return handle;
}

async function startPrometheusAgent(env: ContestantEnv, binary: string): Promise<Started> {
  const port = await freePort();
  const dir = join(env.dirs.data, 'prometheus-agent');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const configFile = join(env.dirs.configs, 'prometheus-agent.yaml');
  writeFileSync(
    configFile,
    stringify({
      global: globalSection(env.intervalSeconds),
      scrape_configs: scrapeConfigs(env.targets.targets),
      remote_write: [{ url: env.sink.writeUrl, queue_config: { max_samples_per_send: MAX_SAMPLES_PER_SEND } }],
    }),
  );
  const child = new ManagedProcess({
    name: 'prometheus-agent',
    command: binary,
    args: ['--agent', `--config.file=${configFile}`, `--storage.agent.path=${join(dir, 'wal')}`, `--web.listen-address=127.0.0.1:${port}`],
    logFile: join(env.dirs.logs, 'prometheus-agent.log'),
  });
  const handle = peerProcessHandle(child, env, 'prometheus');
  try {
    await child.waitUntilReady(httpProbe(`http://127.0.0.1:${port}/-/ready`), 30_000);
  } catch (err) {
    await child.kill();
    throw err;
  }
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Results

function peerFigure(run: Measured<ContestantFigures>, peer: string, figure: (f: ContestantFigures) => number): PeerFigure {
  return run.ok ? { peer, value: roundSignificant(figure(run.value), 4) } : { peer, value: null, note: `${peer}: ${run.reason}` };
}

/** "per round: Ringwatch 5.1 / 4.9; vmagent 1.4 / 1.4; ...": how much the rounds disagree. */
function roundSpread(rounds: Record<ContestantName, Measured<ContestantFigures>[]>, names: [ContestantName, string][]): string {
  const parts: string[] = [];
  for (const [name, label] of names) {
    const values = rounds[name].filter((r) => r.ok).map((r) => (r.ok ? roundSignificant(cpuSecondsPerMillion(r.value), 3) : 0));
    if (values.length > 0) parts.push(`${label} ${values.join(' / ')}`);
  }
  return `CPU-s per 1M samples per round: ${parts.join('; ')}.`;
}

/** The scraper's base RSS, RSS per active series above it, and the window's RSS slope (issue 12's memory goal). */
function scraperMemoryResults(f: ContestantFigures, base: Measured<ScraperBaseFigures> | undefined): BenchResult[] {
  const out: BenchResult[] = [];
  if (base === undefined) return out;
  if (!base.ok) return [{ name: 'scrape -> Kafka: scraper base RSS', value: Number.NaN, unit: '', note: `base run: ${base.reason}` }];
  out.push({
    name: 'scrape -> Kafka: scraper base RSS (1 target, Kafka connected)',
    value: Math.round(base.value.rssBytes / 2 ** 20),
    unit: 'MiB',
    note: `An idle scraper scraping one target, RSS averaged over the last 5 s of ${base.value.settleSeconds} s; heap used ${Math.round(base.value.heapUsedBytes / 2 ** 20)} MiB, heap total ${Math.round(base.value.heapTotalBytes / 2 ** 20)} MiB, external ${Math.round(base.value.externalBytes / 2 ** 20)} MiB.`,
  });
  const perSeries = f.details['rss per active series above base KB'];
  if (perSeries !== undefined) {
    out.push({
      name: 'scrape -> Kafka: scraper RSS per active series above the base',
      value: roundSignificant(perSeries, 3),
      unit: 'KB',
      note: `(RSS at the end of the last window - base) / (active series - the base's ${base.value.series}); ${f.details['active series'] ?? '?'} active series. Goal (issue 12): <= 0.4 KB.`,
    });
  }
  const slope = f.details['rss slope MiB per min'];
  if (slope !== undefined) {
    out.push({ name: 'scrape -> Kafka: scraper RSS slope over the last window', value: roundSignificant(slope, 3), unit: 'MiB/min', note: 'Least-squares slope of the RSS sampled through the window (goal: flat).' });
  }
  return out;
}

function scrapeResults(
  runs: Record<ContestantName, Measured<ContestantFigures>>,
  rounds: Record<ContestantName, Measured<ContestantFigures>[]>,
  expectedSamplesPerSecond: number,
  scraperBase?: Measured<ScraperBaseFigures>,
): BenchResult[] {
  const peers = (figure: (f: ContestantFigures) => number): PeerFigure[] => [
    peerFigure(runs.vmagent, 'vmagent', figure),
    peerFigure(runs['prometheus-agent'], 'prometheus-agent', figure),
  ];
  const perM = cpuSecondsPerMillion;
  const rate = (f: ContestantFigures): number => f.samples / f.windowSeconds;
  const rssMiB = (f: ContestantFigures): number => f.peakRssBytes / 2 ** 20;
  const out: BenchResult[] = [{ name: 'expected samples/s (targets x samples per scrape / interval)', value: expectedSamplesPerSecond, unit: 'samples/s' }];
  const a = runs['ringwatch-scraper'];
  const b = runs['ringwatch-end-to-end'];
  const peerNote = 'vmagent and Prometheus agent: the whole process (scrape, parse, remote write to the sink), samples counted at the sink.';
  if (a.ok) {
    out.push(
      {
        name: 'scrape -> Kafka: CPU per 1M samples (scraper process)',
        value: roundSignificant(perM(a.value), 4),
        unit: 'CPU-s',
        peers: peers(perM),
        note:
          `Ringwatch (a): the scraper process alone (scrape, parse, encode, compress, produce to Kafka), samples from its ringwatch_scraper_samples_produced_total. ${peerNote} ` +
          roundSpread(rounds, [['ringwatch-scraper', 'Ringwatch'], ['vmagent', 'vmagent'], ['prometheus-agent', 'Prometheus']]),
      },
      { name: 'scrape -> Kafka: samples/s', value: Math.round(rate(a.value)), unit: 'samples/s', peers: peers(rate) },
      { name: 'scrape -> Kafka: scraper peak RSS', value: Math.round(rssMiB(a.value)), unit: 'MiB', peers: peers(rssMiB) },
      ...scraperMemoryResults(a.value, scraperBase),
      {
        name: 'Kafka broker CPU per 1M samples during (a)',
        value: roundSignificant(((a.value.cpuSeconds['kafka'] ?? 0) * 1e6) / a.value.samples, 3),
        unit: 'CPU-s',
        note: 'Infrastructure, not charged to Ringwatch: the Kafka JVM receiving the scraper\'s produce requests (acks=all, 1 broker).',
      },
    );
  } else {
    out.push({ name: 'scrape -> Kafka (a)', value: Number.NaN, unit: '', note: `Ringwatch scraper run: ${a.reason}` });
  }
  if (b.ok) {
    out.push(
      {
        name: 'scrape -> remote write end to end: CPU per 1M samples',
        value: roundSignificant(perM(b.value), 4),
        unit: 'CPU-s',
        peers: peers(perM),
        note: `Ringwatch (b): scraper + storage-writer processes (Kafka's CPU not included), samples counted at the sink. ${peerNote} ${roundSpread(rounds, [['ringwatch-end-to-end', 'Ringwatch']])}`,
      },
      { name: 'scrape -> remote write end to end: samples/s at the sink', value: Math.round(rate(b.value)), unit: 'samples/s', peers: peers(rate) },
      { name: 'scrape -> remote write end to end: peak RSS (scraper + writer)', value: Math.round(rssMiB(b.value)), unit: 'MiB', peers: peers(rssMiB) },
    );
  } else {
    out.push({ name: 'scrape -> remote write end to end (b)', value: Number.NaN, unit: '', note: `Ringwatch end-to-end run: ${b.reason}` });
  }
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string' },
      interval: { type: 'string' },
      warmup: { type: 'string' },
      window: { type: 'string' },
      rounds: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      only: { type: 'string' },
      linger: { type: 'string' },
      'node-options': { type: 'string' },
      'node-env': { type: 'string', multiple: true },
    },
  });
  const dirs = benchDirs();
  const startedAt = new Date().toISOString();
  const peers = ensurePeers(dirs);
  const kafka = await startBenchKafka(dirs);
  try {
    const report = await runScrapePipelineBench({
      dirs,
      kafka,
      peers,
      profile: values['cpu-prof'] === true,
      ...(values.targets !== undefined ? { targets: Number(values.targets) } : {}),
      ...(values.interval !== undefined ? { intervalSeconds: Number(values.interval) } : {}),
      ...(values.warmup !== undefined ? { warmupMs: Number(values.warmup) * 1000 } : {}),
      ...(values.window !== undefined ? { windowMs: Number(values.window) * 1000 } : {}),
      ...(values.rounds !== undefined ? { rounds: Number(values.rounds) } : {}),
      ...(values.linger !== undefined ? { scraperProducer: { linger: values.linger } } : {}),
      ...(values.only !== undefined ? { only: values.only.split(',') as ContestantName[] } : {}),
      ...(values['node-options'] !== undefined ? { nodeOptions: values['node-options'] } : {}),
      ...(values['node-env'] !== undefined ? { nodeEnv: Object.fromEntries(values['node-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) } : {}),
    });
    console.log(formatBenchTable([{ title: 'scrape pipeline', results: report.results }]));
    // For npm run bench:compare (bench/compare.ts), in the shape of npm run bench's latest.json.
    const jsonFile = join(dirs.data, 'latest-scrape-pipeline.json');
    writeFileSync(jsonFile, `${JSON.stringify({ startedAt, command: process.argv.slice(1).join(' '), scrapePipeline: { config: report.config, runs: report.runs, rounds: report.rounds } }, null, 2)}\n`);
    console.log(`JSON: ${jsonFile}`);
    if (values['cpu-prof'] === true) {
      for (const [file, summary] of summarizeProfileDirs(dirs)) console.log(`\n${formatProfileSummary(file, summary)}`);
    }
  } finally {
    await stopBenchKafka(kafka, dirs);
  }
}
