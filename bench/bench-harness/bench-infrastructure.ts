// What the benchmarks run on: a fresh single-node Kafka under .data/bench/, the peers built by
// bench/peers/build.sh, and where data, logs and configs go.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isExecutable, repoRoot } from '../../deploy/local/services/install-locations.ts';
import { startKafka, type RunningKafka } from '../../deploy/local/services/kafka.ts';
import type { Measured } from './bench-result.ts';

export interface BenchDirs {
  root: string;
  /** .data/bench */
  data: string;
  logs: string;
  configs: string;
  profiles: string;
}

/**
 * Where a run keeps its data, logs, configs and profiles: `.data/bench/`, or BENCH_DATA_DIR (a
 * path relative to the repository or absolute) so that two runs at once (two sessions on one
 * machine) do not wipe each other's Kafka storage or overwrite each other's node configs.
 */
export function benchDirs(root: string = repoRoot()): BenchDirs {
  const override = process.env['BENCH_DATA_DIR'];
  const data = override !== undefined && override !== '' ? resolve(root, override) : join(root, '.data', 'bench');
  const dirs = { root, data, logs: join(data, 'logs'), configs: join(data, 'config'), profiles: join(data, 'profiles') };
  for (const d of [dirs.data, dirs.logs, dirs.configs]) mkdirSync(d, { recursive: true });
  return dirs;
}

/** A Kafka with empty storage (the previous run's topics wiped), 6 partitions per topic by default. */
export async function startBenchKafka(dirs: BenchDirs): Promise<RunningKafka> {
  const dataDir = join(dirs.data, 'kafka');
  rmSync(dataDir, { recursive: true, force: true });
  return startKafka({ dataDir, logDir: dirs.logs, numPartitions: 6, heapMb: 1024, logLevel: 'WARN' });
}

/** Stops the benchmark's Kafka and deletes its storage (the topics are of no use afterwards: hundreds of MB). */
export async function stopBenchKafka(kafka: RunningKafka, dirs: BenchDirs): Promise<void> {
  await kafka.stop();
  rmSync(join(dirs.data, 'kafka'), { recursive: true, force: true });
}

export interface PeerBinaries {
  vmagent: Measured<string>;
  prometheus: Measured<string>;
}

/**
 * Runs bench/peers/build.sh (a no-op once built; about 6 minutes cold) and says which peer
 * binaries are there, or why not. BENCH_PEERS_DIR overrides where they go (default
 * .cache/peers); not RINGWATCH_*, which the nodes read as configuration.
 */
export function ensurePeers(dirs: BenchDirs, out: string = process.env['BENCH_PEERS_DIR'] ?? join(dirs.root, '.cache', 'peers')): PeerBinaries {
  const logFile = join(dirs.logs, 'peers-build.log');
  const build = spawnSync('bash', [join(dirs.root, 'bench', 'peers', 'build.sh'), out], { encoding: 'utf8', timeout: 20 * 60_000 });
  writeFileSync(logFile, `${build.stdout ?? ''}${build.stderr ?? ''}`);
  let buildProblem: string | undefined;
  if (build.error !== undefined) buildProblem = `bench/peers/build.sh could not run: ${build.error.message}`;
  else if (build.status !== 0) {
    const tail = `${build.stderr ?? ''}`.trim().split('\n').slice(-3).join(' / ');
    buildProblem = `bench/peers/build.sh failed (exit ${build.status}): ${tail} (full log: ${logFile})`;
  }
  const locate = (name: string): Measured<string> => {
    const path = join(out, name);
    if (isExecutable(path)) return { ok: true, value: path };
    return { ok: false, reason: buildProblem ?? `${path} missing after bench/peers/build.sh` };
  };
  return { vmagent: locate('vmagent'), prometheus: locate('prometheus') };
}

/**
 * Environment for a Ringwatch node under benchmark: `extra` on top, and every RINGWATCH_* variable
 * of this shell removed (the nodes read them as configuration overrides, e.g. the local stack's
 * RINGWATCH_KAFKA__BROKERS), so a run measures exactly the configuration the benchmark wrote.
 */
export function benchNodeEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith('RINGWATCH_')) env[name] = undefined;
  return { ...env, ...extra };
}
