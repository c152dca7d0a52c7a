// The sharded fleet on real etcd, Kafka and Prometheus, scrapers as separate processes: every
// target scraped exactly once per interval (counted at the target), across a join, a graceful
// leave and a crash; staleness markers when a target leaves the list.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TargetRecord } from '../../cluster/cluster-state.ts';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { eventually } from '../harness/eventually.ts';
import { remoteServiceControl } from '../harness/infrastructure-control.ts';
import { deleteTarget, demoFleetTargets, writeJob, writeTargets } from '../harness/fleet-state.ts';
import { instantQuery } from '../harness/prometheus-api.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import { cadenceViolations } from '../harness/scrape-cadence.ts';

const TARGETS = 300;
const INTERVAL_MS = 2000;
const LEASE_TTL_S = 4;

describe('sharded scraper fleet', () => {
  const infra = inject('infra');
  const prefix = `/rw-test-${randomBytes(3).toString('hex')}/`;
  const job = `fleet-${prefix.slice(9, 15)}`;
  let etcd: Etcd3;
  let demo: DemoTarget;
  let nodes: TestNodes;
  let targets: TargetRecord[];
  const scrapers = new Map<string, RingwatchNode>();

  const servedTimes = (): number[][] => Array.from({ length: TARGETS }, (_, i) => demo.served(i).map((s) => s.at));
  const etcdSection = { endpoints: infra.etcdEndpoints, prefix, lease_ttl: `${LEASE_TTL_S}s`, handoff_delay: '2s' };

  async function startScraper(name: string): Promise<RingwatchNode> {
    const node = await nodes.scraper(name, { etcd: etcdSection });
    scrapers.set(name, node);
    return node;
  }

  async function ownedBy(node: RingwatchNode): Promise<number> {
    const res = await fetch(`${node.url}/api/v1/targets`);
    const body = (await res.json()) as { data: { activeTargets: unknown[] } };
    return body.data.activeTargets.length;
  }

  /** Waits until `intervals` more intervals have passed, by the clock the targets see. */
  async function waitIntervals(intervals: number): Promise<void> {
    const until = Date.now() + intervals * INTERVAL_MS;
    await eventually(() => (Date.now() >= until ? true : undefined), { timeoutMs: intervals * INTERVAL_MS + 5000, intervalMs: 100, description: `${intervals} intervals` });
  }

  beforeAll(async () => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: TARGETS });
    const host = new URL(demo.url).host;
    nodes = testNodes(infra.kafkaBrokers, 'fleet');
    targets = demoFleetTargets(job, host, TARGETS, INTERVAL_MS, 1000);
    await writeJob(etcd, prefix, job, { scrape_interval: '2s', scrape_timeout: '1s' });
    await writeTargets(etcd, prefix, targets);
    await nodes.storageWriter('fleet-writer', {
      remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms' } }],
    });
    await Promise.all(['s1', 's2', 's3'].map((n) => startScraper(n)));
  });

  afterAll(async () => {
    await nodes?.stopAll();
    await demo?.close();
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('three scrapers: every target scraped exactly once per interval over 5 intervals', async () => {
    await eventually(() => (servedTimes().every((t) => t.length > 0) ? true : undefined), { timeoutMs: 30_000, description: 'every target scraped once' });
    const from = Date.now();
    await waitIntervals(5);
    const to = Date.now();
    expect(cadenceViolations(servedTimes(), INTERVAL_MS, from, to)).toEqual([]);
    const owned = await Promise.all([...scrapers.values()].map(ownedBy));
    expect(owned.reduce((a, b) => a + b, 0)).toBe(TARGETS);
    for (const n of owned) expect(n).toBeGreaterThan(TARGETS / 3 / 1.2);
  });

  it('a fourth scraper joins: it owns about a quarter within 2 intervals, no tick missed or doubled', async () => {
    const from = Date.now();
    const s4 = await startScraper('s4');
    // Within 2 intervals of joining, the new scraper owns about a quarter of the targets.
    await waitIntervals(2);
    const owned4 = await ownedBy(s4);
    expect(owned4).toBeGreaterThanOrEqual(Math.floor(TARGETS / 4 / 1.2));
    expect(owned4).toBeLessThanOrEqual(Math.ceil((TARGETS / 4) * 1.1));
    // ...and scrapes them: two intervals later every one of its targets has been scraped (up).
    await waitIntervals(2);
    const s4Targets = (await (await fetch(`${s4.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
    expect(s4Targets.data.activeTargets.map((t) => t.health).filter((h) => h !== 'up')).toEqual([]);
    const owned = await Promise.all([...scrapers.values()].map(ownedBy));
    expect(owned.reduce((a, b) => a + b, 0)).toBe(TARGETS);
    expect(cadenceViolations(servedTimes(), INTERVAL_MS, from, Date.now())).toEqual([]);
  });

  it('a scraper leaves gracefully (SIGTERM): its targets move with no tick missed or doubled', async () => {
    const from = Date.now();
    const leaving = scrapers.get('s2') as RingwatchNode;
    await leaving.stop();
    scrapers.delete('s2');
    await waitIntervals(3);
    const owned = await Promise.all([...scrapers.values()].map(ownedBy));
    expect(owned.reduce((a, b) => a + b, 0)).toBe(TARGETS);
    expect(cadenceViolations(servedTimes(), INTERVAL_MS, from, Date.now())).toEqual([]);
  });

  it('a scraper is killed (SIGKILL): its targets are scraped again within TTL + one interval, never twice', async () => {
    const victim = scrapers.get('s3') as RingwatchNode;
    const res = (await (await fetch(`${victim.url}/api/v1/targets`)).json()) as { data: { activeTargets: { scrapeUrl: string }[] } };
    const victimTargets = new Set(res.data.activeTargets.map((t) => Number(/targets\/(\d+)\//.exec(t.scrapeUrl)?.[1])));
    expect(victimTargets.size).toBeGreaterThan(0);
    const from = Date.now();
    await victim.kill();
    scrapers.delete('s3');
    const killedAt = Date.now();
    const bound = LEASE_TTL_S * 1000 + INTERVAL_MS;
    await waitIntervals(Math.ceil(bound / INTERVAL_MS) + 2);
    const times = servedTimes();
    for (const t of victimTargets) {
      const next = (times[t] ?? []).find((at) => at > killedAt);
      expect(next, `target ${t} scraped again after the kill`).toBeDefined();
      // Allow one more interval of slack for the watch delay and the tick grid.
      expect((next as number) - killedAt).toBeLessThanOrEqual(bound + INTERVAL_MS);
    }
    // No doubles anywhere; misses only on the victim's targets, only during the takeover.
    const violations = cadenceViolations(times, INTERVAL_MS, from, Date.now());
    expect(violations.filter((v) => v.kind === 'double')).toEqual([]);
    expect(violations.filter((v) => !victimTargets.has(v.target))).toEqual([]);
    const owned = await Promise.all([...scrapers.values()].map(ownedBy));
    expect(owned.reduce((a, b) => a + b, 0)).toBe(TARGETS);
  });

  it('etcd unreachable for less than the lease TTL: the scrapers keep scraping what they own, no tick missed', async () => {
    const etcdControl = remoteServiceControl(infra.controlUrl, 'etcd');
    const before = await Promise.all([...scrapers.values()].map(ownedBy));
    const from = Date.now();
    await etcdControl.stop();
    const downAt = Date.now();
    await eventually(() => (Date.now() - downAt >= (LEASE_TTL_S * 1000) / 2 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
      description: 'half a lease TTL of etcd outage',
    });
    await etcdControl.start();
    await waitIntervals(3);
    expect(cadenceViolations(servedTimes(), INTERVAL_MS, from, Date.now())).toEqual([]);
    expect(await Promise.all([...scrapers.values()].map(ownedBy))).toEqual(before);
  });

  it('a target removed from the list gets staleness markers: its series vanish from instant queries', async () => {
    const victim = targets[7] as TargetRecord;
    const instance = victim.labels.find(([k]) => k === 'instance')?.[1] as string;
    const selector = `demo_scrapes_served_total{job="${job}",instance="${instance}"}`;
    await eventually(async () => ((await instantQuery(infra.prometheusUrl, selector)).length === 1 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'the series in Prometheus',
    });
    await deleteTarget(etcd, prefix, victim.id);
    await eventually(async () => ((await instantQuery(infra.prometheusUrl, selector)).length === 0 ? true : undefined), {
      timeoutMs: 15_000,
      description: 'the series to go stale',
    });
    expect(await instantQuery(infra.prometheusUrl, `up{job="${job}",instance="${instance}"}`)).toEqual([]);
    // The other targets are still there.
    expect((await instantQuery(infra.prometheusUrl, `up{job="${job}"}`)).length).toBe(TARGETS - 1);
  });
});
