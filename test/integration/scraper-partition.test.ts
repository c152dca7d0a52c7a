// One scraper cut from etcd for longer than its lease TTL while the others keep etcd (it reaches
// etcd through a loopback proxy the test cuts): the others take its targets over, it stops
// scraping them on its own lease deadline although it cannot reach etcd at all, and rejoins as a
// new member once etcd is back. Counted at the targets: every tick scraped at least once, and
// double scraping only on its targets, for at most one TTL.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeMember, KEYS, type MemberRecord } from '../../cluster/cluster-state.ts';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { eventually } from '../harness/eventually.ts';
import { demoFleetTargets, writeJob, writeTargets } from '../harness/fleet-state.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import { cadenceViolations } from '../harness/scrape-cadence.ts';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.ts';

const TARGETS = 120;
const INTERVAL_MS = 2000;
const LEASE_TTL_MS = 4000;
const HANDOFF_DELAY_MS = 2000;
/** The cut lasts three TTLs: etcd expires the lease well before the scraper can reach it again. */
const CUT_MS = 3 * LEASE_TTL_MS;

describe('a scraper cut from etcd for longer than its lease TTL', () => {
  const infra = inject('infra');
  const prefix = `/rw-part-${randomBytes(3).toString('hex')}/`;
  const job = `part-${prefix.slice(9, 15)}`;
  let etcd: Etcd3;
  let demo: DemoTarget;
  let nodes: TestNodes;
  let proxy: TcpProxy;
  const scrapers = new Map<string, RingwatchNode>();

  const servedTimes = (): number[][] => Array.from({ length: TARGETS }, (_, i) => demo.served(i).map((s) => s.at));
  const etcdSection = (endpoints: string[]): Record<string, unknown> => ({ endpoints, prefix, lease_ttl: `${LEASE_TTL_MS / 1000}s`, handoff_delay: `${HANDOFF_DELAY_MS / 1000}s` });

  async function ownedTargets(node: RingwatchNode): Promise<Set<number>> {
    const body = (await (await fetch(`${node.url}/api/v1/targets`)).json()) as { data: { activeTargets: { scrapeUrl: string }[] } };
    return new Set(body.data.activeTargets.map((t) => Number(/targets\/(\d+)\//.exec(t.scrapeUrl)?.[1])));
  }
  async function memberRecord(id: string): Promise<{ record: MemberRecord; lease: string } | undefined> {
    const key = `${prefix}${KEYS.members}${id}`;
    const res = await etcd.get(key).exec();
    const kv = res.kvs[0];
    return kv === undefined ? undefined : { record: decodeMember(key, kv.value.toString()), lease: kv.lease };
  }
  async function waitUntil(at: number, description: string): Promise<void> {
    await eventually(() => (Date.now() >= at ? true : undefined), { timeoutMs: at - Date.now() + 5000, intervalMs: 100, description });
  }

  beforeAll(async () => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: TARGETS });
    proxy = await startTcpProxy(infra.etcdEndpoints[0] as string);
    nodes = testNodes(infra.kafkaBrokers, 'partition');
    await writeJob(etcd, prefix, job, { scrape_interval: '2s', scrape_timeout: '1s' });
    await writeTargets(etcd, prefix, demoFleetTargets(job, new URL(demo.url).host, TARGETS, INTERVAL_MS, 1000));
    await Promise.all(
      ['s1', 's2'].map(async (n) => scrapers.set(n, await nodes.scraper(n, { etcd: etcdSection(infra.etcdEndpoints) }))),
    );
    scrapers.set('cut', await nodes.scraper('cut', { etcd: etcdSection([`http://${proxy.address}`]) }));
  });

  afterAll(async () => {
    proxy?.restore();
    await nodes?.stopAll();
    await proxy?.close();
    await demo?.close();
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('the others take over, it stops on its own lease deadline, rejoins as a new member; nothing lost, doubles within one TTL', async () => {
    const cut = scrapers.get('cut') as RingwatchNode;
    const others = [scrapers.get('s1'), scrapers.get('s2')] as RingwatchNode[];
    await eventually(async () => ((await ownedTargets(cut)).size > 0 && servedTimes().every((t) => t.length > 0) ? true : undefined), {
      timeoutMs: 30_000,
      description: 'every target scraped, some by the scraper to be cut',
    });
    await waitUntil(Date.now() + 2 * INTERVAL_MS, 'two steady intervals');
    const victims = await ownedTargets(cut);
    const before = (await memberRecord('cut')) as { record: MemberRecord; lease: string };
    expect(before).toBeDefined();

    const from = Date.now();
    proxy.cut();
    const cutAt = Date.now();

    // The others see its lease expire and take every target.
    await eventually(async () => ((await Promise.all(others.map(ownedTargets))).reduce((n, s) => n + s.size, 0) === TARGETS ? true : undefined), {
      timeoutMs: LEASE_TTL_MS + 3 * INTERVAL_MS + 5000,
      description: 'the others owning every target',
    });
    // The cut scraper stops by its own lease clock, while it still cannot reach etcd: its last
    // keepalive was at most a third of a TTL before the cut, then one TTL and the handoff delay.
    const stoppedAt = await eventually(async () => ((await ownedTargets(cut)).size === 0 ? Date.now() : undefined), {
      timeoutMs: LEASE_TTL_MS + HANDOFF_DELAY_MS + 5000,
      intervalMs: 100,
      description: 'the cut scraper to stop scraping',
    });
    expect(proxy.isCut).toBe(true);
    expect(stoppedAt - cutAt).toBeLessThanOrEqual(LEASE_TTL_MS + HANDOFF_DELAY_MS + 2000);
    await waitUntil(cutAt + CUT_MS, 'the rest of the cut');
    expect((await ownedTargets(cut)).size).toBe(0);

    proxy.restore();
    const restoredAt = Date.now();
    // A new member: a new lease and a join announced after etcd came back.
    const after = await eventually(
      async () => {
        const m = await memberRecord('cut');
        return m !== undefined && m.lease !== before.lease && m.record.activeFrom > restoredAt ? m : undefined;
      },
      { timeoutMs: 30_000, description: 'the cut scraper to rejoin as a new member' },
    );
    expect(after.record.activeFrom).toBeGreaterThan(restoredAt);
    await eventually(async () => ((await ownedTargets(cut)).size > 0 ? true : undefined), {
      timeoutMs: HANDOFF_DELAY_MS + 3 * INTERVAL_MS + 5000,
      description: 'the rejoined scraper owning targets again',
    });
    await waitUntil(Date.now() + 3 * INTERVAL_MS, 'three intervals after the rejoin');
    const to = Date.now();

    const owned = await Promise.all([...scrapers.values()].map(ownedTargets));
    expect(owned.reduce((n, s) => n + s.size, 0)).toBe(TARGETS);
    const violations = cadenceViolations(servedTimes(), INTERVAL_MS, from, to);
    // Nothing lost: every tick of every target scraped at least once.
    expect(violations.filter((v) => v.kind !== 'double')).toEqual([]);
    // Doubles only on the cut scraper's targets, and only for at most one TTL.
    const doubles = violations.filter((v) => v.kind === 'double');
    expect(doubles.filter((v) => !victims.has(v.target))).toEqual([]);
    const span = doubles.length === 0 ? 0 : Math.max(...doubles.map((d) => d.at)) - Math.min(...doubles.map((d) => d.at));
    expect(span, 'double scraping window (ms)').toBeLessThanOrEqual(LEASE_TTL_MS);
    console.info(
      `partition: cut ${CUT_MS} ms (TTL ${LEASE_TTL_MS}, handoff ${HANDOFF_DELAY_MS}); the cut scraper stopped ${stoppedAt - cutAt} ms after the cut; ` +
        `${doubles.length} doubled ticks on ${new Set(doubles.map((d) => d.target)).size} of ${victims.size} of its targets, within ${span} ms; ` +
        `rejoined, owning targets from ${after.record.activeFrom - restoredAt} ms after etcd came back`,
    );
  });
});
