// Target list epochs on real etcd: a change the coordinator writes in several transactions reaches
// every scraper's view as one set, switched at the epoch's effective instant on all of them, never
// as an intermediate list; and a target list larger than gRPC's 4 MiB message limit loads.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KEYS, type TargetRecord } from '../../cluster/cluster-state.ts';
import { ClusterView } from '../../cluster/cluster-view.ts';
import { encodeTarget } from '../../cluster/target-record-codec.ts';
import type { EtcdConfig } from '../../core/etcd-config.ts';
import { createLogger } from '../../core/logger.ts';
import { TargetListWriter } from '../../coordinator/target-list-writer.ts';
import { eventually } from '../harness/eventually.ts';
import { demoFleetTargets, writeJob, writeTargets } from '../harness/fleet-state.ts';
import { scrapeNodeMetrics, sumOf } from '../harness/node-metrics.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';

const logger = createLogger('test', 'silent');

/** What one view exposed, in order: each distinct target list (as a sorted id string) and when. */
interface Exposure {
  list: string;
  size: number;
  atMs: number;
}

function record(view: ClusterView): { seen: Exposure[]; upcomingAt: Set<number>; stop: () => void } {
  const seen: Exposure[] = [];
  const upcomingAt = new Set<number>();
  const look = (): void => {
    const ids = [...view.targets.keys()].sort().join(',');
    if (seen[seen.length - 1]?.list !== ids) seen.push({ list: ids, size: view.targets.size, atMs: Date.now() });
    const up = view.upcomingTargets();
    if (up !== undefined) upcomingAt.add(up.atMs);
  };
  view.on('change', look);
  // Between events too: a getter must never show a list before its instant either.
  const timer = setInterval(look, 2);
  look();
  return { seen, upcomingAt, stop: () => clearInterval(timer) };
}

describe('target list epochs', () => {
  const infra = inject('infra');
  const prefix = `/rw-epoch-${randomBytes(3).toString('hex')}/`;
  const job = 'epoch-job';
  const fenceKey = `${prefix}election/test-leader`;
  const etcdConfig: EtcdConfig = { endpoints: infra.etcdEndpoints, prefix, leaseTtlMs: 10_000, handoffDelayMs: 3000 };
  let etcd: Etcd3;
  const clients: Etcd3[] = [];
  const views: ClusterView[] = [];
  let nodes: TestNodes | undefined;

  const keysOf = (targets: readonly TargetRecord[]): Map<string, string> => {
    const keys = new Map<string, string>([[`${prefix}${KEYS.jobs}${job}`, JSON.stringify({ scrapeConfig: { job_name: job } })]]);
    for (const t of targets) keys.set(`${prefix}${KEYS.targets}${t.id}`, encodeTarget(t));
    return keys;
  };

  async function startView(): Promise<ClusterView> {
    const client = new Etcd3({ hosts: infra.etcdEndpoints });
    clients.push(client);
    const view = new ClusterView(client, etcdConfig, logger);
    views.push(view);
    await view.start();
    return view;
  }

  beforeAll(async () => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    await etcd.put(fenceKey).value('test');
  });

  afterAll(async () => {
    await nodes?.stopAll();
    for (const v of views) await v.close();
    for (const c of clients) c.close();
    await etcd.delete().prefix(prefix).exec().catch(() => undefined);
    etcd.close();
  });

  it('applies a 500-target change written in several transactions on every view at the same instant, never a partial list', async () => {
    const all = demoFleetTargets(job, '127.0.0.1:1', 550, 10_000, 1000);
    const before = all.slice(0, 300);
    const after = [...all.slice(250, 300), ...all.slice(300, 550)]; // 250 removed, 250 added: 500 operations
    const writer = new TargetListWriter({ etcd, prefix, logger, maxOpsPerTxn: 100, epochLeadMs: 1500 });
    const first = await writer.write(keysOf(before), fenceKey);
    expect(first.epoch?.epoch).toBe(1);

    const [a, b] = [await startView(), await startView()];
    for (const v of [a, b]) {
      await eventually(() => (v.epoch === 1 && v.targets.size === 300 ? true : undefined), { timeoutMs: 10_000, description: 'the first list' });
    }
    const recA = record(a);
    const recB = record(b);

    const change = await writer.write(keysOf(after), fenceKey);
    expect(change.transactions).toBeGreaterThanOrEqual(6); // 5 of 100 operations, then the epoch key
    expect(change.puts + change.deletes).toBe(500);
    const effectiveAt = change.epoch?.effectiveAtMs as number;
    expect(change.epoch).toMatchObject({ epoch: 2, targets: 300, jobs: 1 });

    for (const v of [a, b]) {
      await eventually(() => (v.epoch === 2 ? true : undefined), { timeoutMs: 10_000, description: 'the change applied' });
    }
    recA.stop();
    recB.stop();

    const oldList = before.map((t) => t.id).sort().join(',');
    const newList = after.map((t) => t.id).sort().join(',');
    for (const rec of [recA, recB]) {
      // Exactly two lists were ever exposed: the old one, then the whole new one.
      expect(rec.seen.map((s) => s.size)).toEqual([300, 300]);
      expect(rec.seen[0]?.list).toBe(oldList);
      expect(rec.seen[1]?.list).toBe(newList);
      // Not before the instant, and close to it (the margin is for a loaded machine).
      const switchedAt = rec.seen[1]?.atMs as number;
      expect(switchedAt).toBeGreaterThanOrEqual(effectiveAt);
      expect(switchedAt - effectiveAt).toBeLessThan(1000);
      // Both planned for the same instant before it came: it was announced.
      expect([...rec.upcomingAt]).toEqual([effectiveAt]);
    }
  });

  it('a scraper starts with 10,000 targets in etcd (one range over them exceeds gRPC\'s 4 MiB limit), and the coordinator reads them', async () => {
    const bigPrefix = `${prefix}big/`;
    const bigJob = 'big-job';
    // Plain records of an older coordinator, about 300 bytes each here, with a long label to pass 4 MiB.
    const targets = demoFleetTargets(bigJob, '127.0.0.1:1', 10_000, 3_600_000, 1000).map((t) => ({
      ...t,
      discoveredLabels: { ...t.discoveredLabels, __meta_note: 'x'.repeat(300) },
    }));
    await writeJob(etcd, bigPrefix, bigJob, { scrape_interval: '1h', scrape_timeout: '1s' });
    await writeTargets(etcd, bigPrefix, targets);
    const whole = (await etcd.getAll().prefix(`${bigPrefix}${KEYS.targets}`).keys()).length;
    expect(whole).toBe(10_000);
    let bytes = 0;
    for (const t of targets) bytes += JSON.stringify(t).length;
    expect(bytes).toBeGreaterThan(4 * 1024 * 1024);

    // The coordinator's full read, then its first write as leader (nothing differs: just an epoch).
    const writer = new TargetListWriter({ etcd, prefix: bigPrefix, logger });
    const desired = new Map<string, string>([[`${bigPrefix}${KEYS.jobs}${bigJob}`, JSON.stringify({ scrapeConfig: { job_name: bigJob, scrape_interval: '1h', scrape_timeout: '1s' } })]]);
    for (const t of targets) desired.set(`${bigPrefix}${KEYS.targets}${t.id}`, JSON.stringify(t));
    const r = await writer.write(desired, fenceKey);
    expect(r.epoch).toMatchObject({ epoch: 1, targets: 10_000 });

    nodes = testNodes(infra.kafkaBrokers, 'epoch');
    const scraper = await nodes.scraper('big-s1', { etcd: { endpoints: infra.etcdEndpoints, prefix: bigPrefix, lease_ttl: '4s', handoff_delay: '1s' } });
    const known = await eventually(
      async () => {
        const samples = await scrapeNodeMetrics(scraper.url).catch(() => []);
        const n = sumOf(samples, 'ringwatch_scraper_targets_known');
        return n === 10_000 ? n : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'the scraper knows all 10,000 targets' },
    );
    expect(known).toBe(10_000);
    expect(scraper.running).toBe(true);
  });
});
