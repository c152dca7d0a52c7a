// The target list at fleet scale, on a real etcd (deploy/local/services/etcd.ts): 100,000 targets
// written by the coordinator's TargetListWriter and followed by 20 simulated scrapers (a
// ClusterView and a TargetAssigner each, in this process, each on its own etcd client and watch).
// Reports the etcd footprint (before and after compaction + defrag), the time from a change to
// every scraper acting on it, a joining scraper's convergence, and the watch bytes per changed
// target for changes of different sizes (they must not grow with the list).
//
//   node bench/target-scale-bench.ts [--targets 100000] [--scrapers 20]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Etcd3 } from 'etcd3';
import { encodeRecord, KEYS, type MemberRecord } from '../cluster/cluster-state.ts';
import { ClusterView } from '../cluster/cluster-view.ts';
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';
import { TargetAssigner } from '../cluster/target-assigner.ts';
import type { EtcdConfig } from '../core/etcd-config.ts';
import { createLogger } from '../core/logger.ts';
import { buildTargetList, jobRecord, targetListKeys, type JobDefinition } from '../coordinator/target-list.ts';
import { TargetListWriter } from '../coordinator/target-list-writer.ts';
import { readGlobalConfig, readScrapeConfig } from '../model/scrape-config.ts';
import type { TargetGroup } from '../discovery/target-group.ts';
import { startEtcd, type RunningEtcd } from '../deploy/local/services/etcd.ts';
import { repoRoot } from '../deploy/local/services/install-locations.ts';
import type { BenchResult } from './bench-harness/bench-result.ts';
import { round } from './bench-harness/bench-result.ts';

export interface TargetScaleOptions {
  targets?: number;
  scrapers?: number;
  /** Epoch lead (the coordinator's default is 1 s). */
  epochLeadMs?: number;
  log?: (line: string) => void;
}

export interface TargetScaleFigures {
  targets: number;
  scrapers: number;
  recordBytesPlain: number;
  recordBytesCompact: number;
  initialWriteMs: number;
  initialTransactions: number;
  dbBytes: number;
  dbBytesAfterCompactDefrag: number;
  dbBytesAfterChanges: number;
  dbBytesAfterChangesCompacted: number;
  fullReadMs: number;
  startAllMs: number;
  joinConvergeMs: number;
  joinIntoFleetMs: number;
  planMs: number;
  changes: { changed: number; writeMs: number; heardAllMs: number; appliedAllAfterEffectiveMs: number; changeToActingMs: number; watchBytesPerChangedTargetPerScraper: number }[];
}

const JOBS = ['node', 'kube-state-metrics', 'cadvisor', 'app', 'blackbox'];

/** Realistic file_sd groups: 100 targets per group, group labels, a meta label. */
function groupsFor(targets: number, generation: number): Map<string, TargetGroup[]> {
  const byJob = new Map<string, TargetGroup[]>(JOBS.map((j) => [j, []]));
  for (let g = 0; g * 100 < targets; g++) {
    const job = JOBS[g % JOBS.length] as string;
    const file = `/etc/ringwatch/targets/${job}-${g}.json`;
    const addrs: string[] = [];
    for (let i = g * 100; i < Math.min(targets, (g + 1) * 100); i++) addrs.push(`10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}:${9100 + (generation % 7)}`);
    byJob.get(job)?.push({ source: `file_sd:${file}:0`, targets: addrs, labels: { env: 'prod', team: `team-${g % 17}`, dc: `dc${g % 3}`, __meta_filepath: file } });
  }
  return byJob;
}

function jobs(): JobDefinition[] {
  const global = readGlobalConfig({ scrape_interval: '15s', scrape_timeout: '10s' }, 'global');
  return JOBS.map((job_name) => {
    const raw = { job_name, file_sd_configs: [{ files: ['/etc/ringwatch/targets/*.json'] }] };
    const options = readScrapeConfig(raw, 'scrape_configs', global);
    return { options, record: jobRecord(raw, options) };
  });
}

async function grpcSentBytes(etcd: RunningEtcd): Promise<number> {
  const text = await (await fetch(etcd.metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith('etcd_network_client_grpc_sent_bytes_total')) sum += Number(line.split(' ').pop());
  return sum;
}

async function dbSize(client: Etcd3): Promise<number> {
  const s = await client.maintenance.status();
  return Number(s.dbSize);
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function runTargetScaleBench(opts: TargetScaleOptions = {}): Promise<{ results: BenchResult[]; figures: TargetScaleFigures }> {
  const n = opts.targets ?? 100_000;
  const scrapers = opts.scrapers ?? 20;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const silent = createLogger('bench', 'silent');
  const dataDir = join(repoRoot(), '.data', 'bench', 'etcd-targets');
  rmSync(dataDir, { recursive: true, force: true });
  const etcdServer = await startEtcd({ dataDir, logDir: join(repoRoot(), '.data', 'bench', 'logs') });
  const prefix = '/ringwatch/';
  const config: EtcdConfig = { endpoints: etcdServer.endpoints, prefix, leaseTtlMs: 10_000, handoffDelayMs: 3000 };
  const etcd = new Etcd3({ hosts: etcdServer.endpoints });
  const clients: Etcd3[] = [];
  const views: ClusterView[] = [];
  try {
    const fence = `${prefix}${KEYS.election}`;
    await etcd.put(fence).value('bench');
    const defs = jobs();
    const listAt = (generation: number, count: number) => buildTargetList(defs, groupsFor(count, generation));
    const list = listAt(0, n);
    const keys = targetListKeys(list, prefix);
    let plain = 0;
    let compact = 0;
    for (const t of list.targets.values()) plain += encodeRecord(t).length;
    for (const [k, v] of keys) if (k.startsWith(prefix + KEYS.targets)) compact += v.length;
    const figures: Partial<TargetScaleFigures> = { targets: list.targets.size, scrapers, recordBytesPlain: round(plain / list.targets.size, 0), recordBytesCompact: round(compact / list.targets.size, 0) };
    log(`target list: ${list.targets.size} targets, ${figures.recordBytesPlain} B plain vs ${figures.recordBytesCompact} B compact per record`);

    let t0 = performance.now();
    const first = await new TargetListWriter({ etcd, prefix, logger: silent }).write(keys, fence);
    figures.initialWriteMs = round(performance.now() - t0, 0);
    figures.initialTransactions = first.transactions;
    figures.dbBytes = await dbSize(etcd);
    const rev = Number((await etcd.get(fence).exec()).header.revision);
    await etcd.kv.compact({ revision: rev, physical: true });
    await etcd.maintenance.defragment();
    figures.dbBytesAfterCompactDefrag = await dbSize(etcd);
    log(`initial write: ${figures.initialWriteMs} ms in ${first.transactions} transactions; etcd db ${(figures.dbBytes / 1e6).toFixed(1)} MB, after compaction + defrag ${(figures.dbBytesAfterCompactDefrag / 1e6).toFixed(1)} MB`);

    // The coordinator's full re-read (every 5 minutes, and on becoming leader).
    // It continues as the leader's writer below.
    const writer = new TargetListWriter({ etcd, prefix, logger: silent, ...(opts.epochLeadMs !== undefined ? { epochLeadMs: opts.epochLeadMs } : {}) });
    t0 = performance.now();
    await writer.write(keys, fence);
    figures.fullReadMs = round(performance.now() - t0, 0);

    const members: MemberRecord[] = Array.from({ length: scrapers }, (_, i) => ({ id: `scraper-${i}`, address: `127.0.0.1:${9000 + i}`, startedAt: 0, activeFrom: 0 }));
    for (const m of members) await etcd.put(`${prefix}${KEYS.members}${m.id}`).value(encodeRecord(m));
    const newView = (): ClusterView => {
      const client = new Etcd3({ hosts: etcdServer.endpoints });
      clients.push(client);
      const v = new ClusterView(client, config, silent);
      views.push(v);
      return v;
    };
    const assigner = new TargetAssigner('scraper-0', () => new BoundedLoadRendezvous());
    const planOnce = (v: ClusterView): number => {
      const s = performance.now();
      const now = Date.now();
      assigner.plan([...v.members.values()], [...v.targets.keys()], now, v.upcomingTargets(now));
      return performance.now() - s;
    };
    // A scraper joining: from start to its first plan, alone in this process.
    t0 = performance.now();
    const alone = newView();
    await alone.start();
    // Loaded at the epoch's revision: the members written after it come through the watch.
    await waitFor(() => alone.members.size === scrapers, 30_000, 'the joiner to catch up');
    planOnce(alone);
    figures.joinConvergeMs = round(performance.now() - t0, 0);
    await alone.close();
    log(`a joining scraper converged in ${figures.joinConvergeMs} ms`);

    t0 = performance.now();
    const fleet = Array.from({ length: scrapers }, () => newView());
    await Promise.all(fleet.map((v) => v.start()));
    await waitFor(() => fleet.every((v) => v.members.size === scrapers), 30_000, 'the fleet to catch up');
    figures.startAllMs = round(performance.now() - t0, 0);

    planOnce(fleet[0] as ClusterView); // warm-up
    figures.planMs = round(Math.min(planOnce(fleet[0] as ClusterView), planOnce(fleet[0] as ClusterView)), 0);
    log(`${scrapers} scrapers loaded ${n} targets in ${figures.startAllMs} ms (all in this one process); one plan: ${figures.planMs} ms`);

    // The same with the 20 others in this process (their heaps and watches share its one thread).
    t0 = performance.now();
    const joiner = newView();
    await joiner.start();
    await waitFor(() => joiner.members.size === scrapers, 30_000, 'the joiner to catch up');
    planOnce(joiner);
    figures.joinIntoFleetMs = round(performance.now() - t0, 0);
    await joiner.close();
    log(`a 21st scraper in the same process converged in ${figures.joinIntoFleetMs} ms`);

    figures.changes = [];
    let generation = 0;
    for (const changed of [10, 1000, 10_000]) {
      // Replace `changed` targets: half removed, half added (new addresses).
      generation++;
      const next = new Map(keys);
      const targetKeys = [...keys.keys()].filter((k) => k.startsWith(prefix + KEYS.targets));
      for (const k of targetKeys.slice(0, changed / 2)) next.delete(k);
      const fresh = targetListKeys(listAt(generation, changed / 2), prefix);
      for (const [k, v] of fresh) if (k.startsWith(prefix + KEYS.targets)) next.set(k, v);
      const before = fleet[0]?.epoch ?? 0;
      const heard: number[] = [];
      const applied: number[] = [];
      const listeners = fleet.map((v, i) => {
        const fn = (): void => {
          if (heard[i] === undefined && (v.upcomingTargets() !== undefined || v.epoch === before + 1)) heard[i] = Date.now();
          if (applied[i] === undefined && v.epoch === before + 1) applied[i] = Date.now();
        };
        v.on('change', fn);
        return fn;
      });
      const bytes0 = await grpcSentBytes(etcdServer);
      const start = Date.now();
      const r = await writer.write(next, fence);
      const written = Date.now();
      await waitFor(() => applied.filter((x) => x !== undefined).length === scrapers, 60_000, 'every scraper to apply the change');
      const bytes = (await grpcSentBytes(etcdServer)) - bytes0;
      fleet.forEach((v, i) => v.off('change', listeners[i] as () => void));
      const effective = r.epoch?.effectiveAtMs as number;
      const ops = r.puts + r.deletes;
      const row = {
        changed: ops,
        writeMs: written - start,
        heardAllMs: Math.max(...heard.map((h) => (h ?? written) - written)),
        appliedAllAfterEffectiveMs: Math.max(...applied) - effective,
        // Acting: the last scraper applied it, plus one plan (each scraper plans on its own CPU).
        changeToActingMs: Math.max(...applied) - start + (figures.planMs ?? 0),
        watchBytesPerChangedTargetPerScraper: round(bytes / ops / scrapers, 0),
      };
      figures.changes.push(row);
      log(
        `change of ${ops} targets: written in ${row.writeMs} ms (${r.transactions} transactions); all ${scrapers} heard the epoch ${row.heardAllMs} ms after; applied ≤ ${row.appliedAllAfterEffectiveMs} ms after its instant; change → acting ${row.changeToActingMs} ms; ${row.watchBytesPerChangedTargetPerScraper} B sent per changed target per scraper`,
      );
      for (const k of keys.keys()) if (!next.has(k)) keys.delete(k);
      for (const [k, v] of next) keys.set(k, v);
    }

    // History left by the changes, and what compaction + defrag give back.
    figures.dbBytesAfterChanges = await dbSize(etcd);
    await etcd.kv.compact({ revision: Number((await etcd.get(fence).exec()).header.revision), physical: true });
    await etcd.maintenance.defragment();
    figures.dbBytesAfterChangesCompacted = await dbSize(etcd);
    log(`after the changes: etcd db ${(figures.dbBytesAfterChanges / 1e6).toFixed(1)} MB, after compaction + defrag ${(figures.dbBytesAfterChangesCompacted / 1e6).toFixed(1)} MB`);

    const f = figures as TargetScaleFigures;
    const mid = f.changes[1] ?? f.changes[0];
    const results: BenchResult[] = [
      { name: `target record (compact; plain JSON ${f.recordBytesPlain} B)`, value: f.recordBytesCompact, unit: 'bytes' },
      { name: `etcd db, ${f.targets} targets, after compaction + defrag (goal ≤ 50 MB)`, value: round(f.dbBytesAfterCompactDefrag / 1e6, 1), unit: 'MB', note: `before compaction: ${round(f.dbBytes / 1e6, 1)} MB; after the changes below ${round(f.dbBytesAfterChanges / 1e6, 1)} MB, compacted + defragmented ${round(f.dbBytesAfterChangesCompacted / 1e6, 1)} MB` },
      { name: `coordinator full re-read of ${f.targets} targets`, value: f.fullReadMs, unit: 'ms' },
      { name: `change of ${mid?.changed} targets → all ${f.scrapers} scrapers acting (goal ≤ 2 s)`, value: mid?.changeToActingMs ?? Number.NaN, unit: 'ms', note: 'write + epoch lead (1 s) + apply + one plan' },
      { name: `joining scraper converges (${f.targets} targets; goal ≤ 2 s)`, value: f.joinConvergeMs, unit: 'ms', note: `from start to its first plan; ${f.joinIntoFleetMs} ms when sharing this process with the ${f.scrapers} others` },
      ...f.changes.map((c) => ({ name: `etcd bytes sent per changed target per scraper (change of ${c.changed})`, value: c.watchBytesPerChangedTargetPerScraper, unit: 'bytes' })),
    ];
    return { results, figures: f };
  } finally {
    for (const v of views) await v.close().catch(() => undefined);
    for (const c of clients) c.close();
    etcd.close();
    await etcdServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { targets: { type: 'string' }, scrapers: { type: 'string' } } });
  const r = await runTargetScaleBench({
    ...(values.targets !== undefined ? { targets: Number(values.targets) } : {}),
    ...(values.scrapers !== undefined ? { scrapers: Number(values.scrapers) } : {}),
  });
  process.stdout.write(`${JSON.stringify(r.figures, null, 2)}\n`);
}
