// Throughput per node: the most samples per second one scraper sustains without falling behind,
// Ringwatch with node.scrape_workers 1 and 2 beside vmagent, same harness and targets as the
// scrape pipeline bench (the node_exporter 1.5 body from bench-harness/target-server.ts). The
// target count grows step by step (200, 500, 1000, ... at 1 s); a contestant keeps up at a step
// when, over the measured window:
//   - it scraped at least 98 % of the ticks (targets x window / interval; a skipped tick or a
//     scrape still running at the next tick shows as a missing scrape),
//   - no scrape failed or timed out (scrape_timeout = the interval),
//   - Ringwatch: at most 1 % of scrapes took longer than the interval (its duration histogram),
//   - the samples it shipped (to Kafka for Ringwatch, to the sink for vmagent) reached 95 % of
//     the samples scraped (nothing piles up behind the scrapes).
// The first step it fails ends its climb; its figure is the last step it kept up with.
//   node bench/scrape-throughput-bench.ts [--steps 200,500,1000,1500] [--interval 1]
//        [--warmup 10] [--window 20] [--only ringwatch-1,ringwatch-2,vmagent]
// JSON in .data/bench-throughput/scrape-throughput.json. Uses its own Kafka and directories
// (.data/bench-throughput), so it can run beside `npm run bench`, though not usefully at once.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startRingwatchNode, type RingwatchNode } from '../deploy/local/ringwatch-node.ts';
import { freePort } from '../deploy/local/services/free-port.ts';
import { repoRoot } from '../deploy/local/services/install-locations.ts';
import { startKafka, type RunningKafka } from '../deploy/local/services/kafka.ts';
import { killAllManagedProcesses, liveProcessCount, ManagedProcess } from '../deploy/local/services/managed-process.ts';
import { httpProbe } from '../deploy/local/services/readiness.ts';
import { benchNodeEnv, ensurePeers, type BenchDirs } from './bench-harness/bench-infrastructure.ts';
import { formatLoad } from './bench-harness/machine-info.ts';
import { sumMetric } from './bench-harness/metrics-reader.ts';
import { CpuMeter, machineBusyShare, machineCpuTimes } from './bench-harness/proc-stats.ts';
import { startRemoteWriteSink, type RunningSink } from './bench-harness/remote-write-sink.ts';
import { startTargetServer, type RunningTargetServer } from './bench-harness/target-server.ts';
import { globalSection, NODE_EXPORTER_BODY, scrapeConfigs, vmagentArgs } from './scrape-pipeline-bench.ts';

const REPORT_SERIES_PER_SCRAPE = 5;

type ContestantName = 'ringwatch-1' | 'ringwatch-2' | 'vmagent';
const CONTESTANTS: readonly ContestantName[] = ['ringwatch-1', 'ringwatch-2', 'vmagent'];

/** Counters read at both ends of the window. */
interface Counters {
  scrapes: number;
  failures: number;
  /** Ringwatch: scrapes within the interval (histogram bucket le=interval). */
  inInterval: number;
  samplesShipped: number;
}

interface Contestant {
  pids: Record<string, number | undefined>;
  counters(): Promise<Counters>;
  check(): void;
  stop(): Promise<void>;
}

export interface StepResult {
  contestant: ContestantName;
  targets: number;
  expectedScrapesPerSecond: number;
  scrapesPerSecond: number;
  /** Samples shipped per second of window: above the scraped rate while a backlog drains. */
  samplesPerSecond: number;
  /** Samples scraped per second of window (scrapes x samples per body): what the node sustained. */
  scrapedSamplesPerSecond: number;
  failures: number;
  /** Share of scrapes longer than the interval (Ringwatch; null for vmagent). */
  lateShare: number | null;
  shippedShare: number;
  keptUp: boolean;
  cpuSeconds: Record<string, number>;
  windowSeconds: number;
  machineBusy: number;
  error?: string;
}

interface Env {
  dirs: BenchDirs;
  kafka: RunningKafka;
  sink: RunningSink;
  targets: RunningTargetServer;
  intervalSeconds: number;
}

function dirsOf(root: string): BenchDirs {
  const data = join(root, '.data', 'bench-throughput');
  const dirs = { root, data, logs: join(data, 'logs'), configs: join(data, 'config'), profiles: join(data, 'profiles') };
  for (const d of [dirs.data, dirs.logs, dirs.configs]) mkdirSync(d, { recursive: true });
  return dirs;
}

async function metricsBody(baseUrl: string): Promise<Uint8Array> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { accept: 'text/plain; version=0.0.4' }, signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function startRingwatch(env: Env, workers: number, topic: string): Promise<Contestant> {
  const port = await freePort();
  const name = `throughput-scraper-${workers}`;
  const node: RingwatchNode = await startRingwatchNode({
    kind: 'scraper',
    name,
    httpAddress: `127.0.0.1:${port}`,
    configDir: env.dirs.configs,
    logDir: env.dirs.logs,
    env: benchNodeEnv({ RINGWATCH_LOG_LEVEL: 'error' }),
    config: {
      node: { id: name, listen_address: `127.0.0.1:${port}`, scrape_workers: workers },
      kafka: { brokers: env.kafka.brokers, topic, partitions: 6 },
      global: globalSection(env.intervalSeconds),
      scrape_configs: scrapeConfigs(env.targets.targets),
    },
  });
  const le = String(env.intervalSeconds);
  return {
    pids: { scraper: node.process?.pid },
    counters: async () => {
      // One read, so the count and the bucket are of the same instant.
      const body = await metricsBody(node.url);
      return {
        scrapes: sumMetric(body, 'ringwatch_scraper_scrape_duration_seconds_count'),
        failures: sumMetric(body, 'ringwatch_scraper_scrape_failures_total'),
        inInterval: sumMetric(body, 'ringwatch_scraper_scrape_duration_seconds_bucket', { le }),
        samplesShipped: sumMetric(body, 'ringwatch_scraper_samples_produced_total'),
      };
    },
    check: () => {
      if (!node.running) throw new Error(`${name} is not running: see ${node.logFile}`);
    },
    stop: () => node.stop(),
  };
}

async function startVmagent(env: Env, binary: string): Promise<Contestant> {
  const port = await freePort();
  const dir = join(env.dirs.data, 'vmagent');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const child = new ManagedProcess({ name: 'vmagent', command: binary, args: vmagentArgs(env, dir, port), logFile: join(env.dirs.logs, 'vmagent.log') });
  try {
    await child.waitUntilReady(httpProbe(`http://127.0.0.1:${port}/health`), 30_000);
  } catch (err) {
    await child.kill();
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    pids: { vmagent: child.pid },
    counters: async () => {
      const body = await metricsBody(url);
      const scrapes = sumMetric(body, 'vm_promscrape_scrapes_total');
      return {
        scrapes,
        failures: sumMetric(body, 'vm_promscrape_scrapes_failed_total') + sumMetric(body, 'vm_promscrape_scrapes_timed_out_total'),
        inInterval: scrapes, // no per-interval histogram: the scrape count and failures tell
        samplesShipped: (await env.sink.stats()).samples,
      };
    },
    check: () => {
      if (!child.running) throw new Error(`vmagent is not running: see ${child.logFile}\n${child.logTail(5)}`);
    },
    stop: async () => {
      await child.stop(15_000);
    },
  };
}

async function measure(
  name: ContestantName,
  start: () => Promise<Contestant>,
  env: Env,
  shared: Record<string, number | undefined>,
  warmupMs: number,
  windowMs: number,
): Promise<StepResult> {
  const targets = env.targets.targets.length;
  const expectedScrapesPerSecond = targets / env.intervalSeconds;
  const base: StepResult = {
    contestant: name, targets, expectedScrapesPerSecond, scrapesPerSecond: 0, samplesPerSecond: 0, scrapedSamplesPerSecond: 0, failures: 0,
    lateShare: null, shippedShare: 0, keptUp: false, cpuSeconds: {}, windowSeconds: 0, machineBusy: 0,
  };
  let c: Contestant | undefined;
  try {
    c = await start();
    await sleep(warmupMs);
    c.check();
    const meter = new CpuMeter({ ...c.pids, ...shared });
    const machineBefore = machineCpuTimes();
    const before = await c.counters();
    meter.start();
    const began = performance.now();
    await sleep(windowMs);
    const after = await c.counters();
    const windowSeconds = (performance.now() - began) / 1000;
    const cpuSeconds = meter.read();
    const machineBusy = machineBusyShare(machineBefore, machineCpuTimes());
    c.check();
    const scrapes = after.scrapes - before.scrapes;
    const samplesPerBody = env.targets.samplesPerBody + REPORT_SERIES_PER_SCRAPE;
    const shipped = after.samplesShipped - before.samplesShipped;
    const failures = after.failures - before.failures;
    const late = scrapes - (after.inInterval - before.inInterval);
    const result: StepResult = {
      ...base,
      windowSeconds,
      scrapesPerSecond: scrapes / windowSeconds,
      samplesPerSecond: shipped / windowSeconds,
      scrapedSamplesPerSecond: (scrapes * samplesPerBody) / windowSeconds,
      failures,
      lateShare: name === 'vmagent' ? null : scrapes === 0 ? 1 : late / scrapes,
      shippedShare: scrapes === 0 ? 0 : shipped / (scrapes * samplesPerBody),
      cpuSeconds,
      machineBusy,
    };
    result.keptUp = result.scrapesPerSecond >= 0.98 * expectedScrapesPerSecond && failures === 0 && (result.lateShare ?? 0) <= 0.01 && result.shippedShare >= 0.95;
    return result;
  } catch (err) {
    return { ...base, error: (err as Error).message.split('\n')[0] as string };
  } finally {
    await c?.stop().catch(() => undefined);
  }
}

function line(r: StepResult): string {
  if (r.error !== undefined) return `  ${r.contestant} @ ${r.targets} targets: failed: ${r.error}`;
  const cpu = Object.entries(r.cpuSeconds).map(([p, s]) => `${p} ${(s / r.windowSeconds).toFixed(2)}`).join(', ');
  return (
    `  ${r.contestant} @ ${r.targets} targets: ${r.keptUp ? 'kept up' : 'FELL BEHIND'}; scrapes ${r.scrapesPerSecond.toFixed(1)}/s of ${r.expectedScrapesPerSecond}/s, ` +
    `${Math.round(r.samplesPerSecond)} samples/s shipped (${(r.shippedShare * 100).toFixed(1)}% of scraped), failures ${r.failures}` +
    `${r.lateShare === null ? '' : `, late ${(r.lateShare * 100).toFixed(1)}%`}; cores used: ${cpu}; machine ${Math.round(r.machineBusy * 100)}% busy`
  );
}

export async function runScrapeThroughputBench(opts: {
  steps: number[];
  intervalSeconds: number;
  warmupMs: number;
  windowMs: number;
  only: readonly ContestantName[];
  log: (line: string) => void;
}): Promise<StepResult[]> {
  const dirs = dirsOf(repoRoot());
  const peers = opts.only.includes('vmagent') ? ensurePeers(dirs) : undefined;
  rmSync(join(dirs.data, 'kafka'), { recursive: true, force: true });
  const kafka = await startKafka({ dataDir: join(dirs.data, 'kafka'), logDir: dirs.logs, numPartitions: 6, heapMb: 1024, logLevel: 'WARN' });
  const sink = await startRemoteWriteSink({ logDir: dirs.logs });
  const results: StepResult[] = [];
  const climbing = new Set(opts.only);
  try {
    for (const n of opts.steps) {
      if (climbing.size === 0) break;
      const targets = await startTargetServer({ targets: n, bodyFile: NODE_EXPORTER_BODY, logDir: dirs.logs });
      const env: Env = { dirs, kafka, sink, targets, intervalSeconds: opts.intervalSeconds };
      const shared = { kafka: kafka.process?.pid, targets: targets.process.pid, sink: sink.process.pid };
      opts.log(`${n} targets x ${targets.samplesPerBody + REPORT_SERIES_PER_SCRAPE} samples every ${opts.intervalSeconds}s = ${(n * (targets.samplesPerBody + REPORT_SERIES_PER_SCRAPE)) / opts.intervalSeconds} samples/s; load ${formatLoad()}`);
      try {
        for (const name of CONTESTANTS) {
          if (!climbing.has(name)) continue;
          let start: () => Promise<Contestant>;
          if (name === 'vmagent') {
            if (peers === undefined || !peers.vmagent.ok) {
              opts.log(`  vmagent: missing (${peers?.vmagent.ok === false ? peers.vmagent.reason : 'not built'})`);
              climbing.delete(name);
              continue;
            }
            const binary = peers.vmagent.value;
            start = () => startVmagent(env, binary);
          } else {
            const workers = name === 'ringwatch-1' ? 1 : 2;
            start = () => startRingwatch(env, workers, `throughput-${workers}-${n}`);
          }
          const r = await measure(name, start, env, shared, opts.warmupMs, opts.windowMs);
          results.push(r);
          opts.log(line(r));
          if (!r.keptUp) climbing.delete(name);
        }
      } finally {
        await targets.stop();
      }
    }
  } finally {
    await sink.stop();
    await kafka.stop();
    rmSync(join(dirs.data, 'kafka'), { recursive: true, force: true });
  }
  writeFileSync(join(dirs.data, 'scrape-throughput.json'), `${JSON.stringify({ at: new Date().toISOString(), ...opts, log: undefined, results }, null, 2)}\n`);
  return results;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '200,500,1000,1500,2000' },
      interval: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '10' },
      window: { type: 'string', default: '20' },
      only: { type: 'string', default: CONTESTANTS.join(',') },
    },
  });
  const only = values.only.split(',').filter((n): n is ContestantName => (CONTESTANTS as readonly string[]).includes(n));
  const results = await runScrapeThroughputBench({
    steps: values.steps.split(',').map(Number),
    intervalSeconds: Number(values.interval),
    warmupMs: Number(values.warmup) * 1000,
    windowMs: Number(values.window) * 1000,
    only,
    log: (l) => console.log(l),
  });
  for (const name of only) {
    const best = results.filter((r) => r.contestant === name && r.keptUp).at(-1);
    console.log(`${name}: ${best === undefined ? 'kept up with no step' : `${Math.round(best.scrapedSamplesPerSecond)} samples/s scraped, sustained (${best.targets} targets)`}`);
  }
  if (liveProcessCount() > 0) killAllManagedProcesses();
}
