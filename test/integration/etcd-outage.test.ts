// etcd itself down (every scraper cut) for longer than lease TTL + handoff delay: nobody can have
// taken anything over through etcd, so the scrapers ask each other (GET
// /api/v1/status/membership), find that no peer has seen their record go, and keep scraping their
// last assignment past their lease deadlines. Counted at the targets: no tick missed or doubled
// across the outage, and the fleet scraping every target exactly once per interval after it.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { eventually } from '../harness/eventually.ts';
import { demoFleetTargets, writeJob, writeTargets } from '../harness/fleet-state.ts';
import { remoteServiceControl } from '../harness/infrastructure-control.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import { cadenceViolations } from '../harness/scrape-cadence.ts';

const TARGETS = 90;
const INTERVAL_MS = 2000;
const LEASE_TTL_MS = 3000;
const HANDOFF_DELAY_MS = 1000;
/** Well past every scraper's lease deadline + handoff delay (at most TTL + handoff after the stop). */
const OUTAGE_MS = 10_000;

describe('etcd down for longer than lease TTL + handoff delay', () => {
  const infra = inject('infra');
  const prefix = `/rw-outage-${randomBytes(3).toString('hex')}/`;
  const job = `outage-${prefix.slice(11, 17)}`;
  const etcdControl = remoteServiceControl(infra.controlUrl, 'etcd');
  let etcd: Etcd3;
  let demo: DemoTarget;
  let nodes: TestNodes;
  const scrapers = new Map<string, RingwatchNode>();

  const servedTimes = (): number[][] => Array.from({ length: TARGETS }, (_, i) => demo.served(i).map((s) => s.at));

  async function ownedBy(node: RingwatchNode): Promise<number> {
    const body = (await (await fetch(`${node.url}/api/v1/targets`)).json()) as { data: { activeTargets: unknown[] } };
    return body.data.activeTargets.length;
  }
  async function waitUntil(at: number, description: string): Promise<void> {
    await eventually(() => (Date.now() >= at ? true : undefined), { timeoutMs: at - Date.now() + 5000, intervalMs: 100, description });
  }

  beforeAll(async () => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: TARGETS });
    nodes = testNodes(infra.kafkaBrokers, 'outage');
    await writeJob(etcd, prefix, job, { scrape_interval: '2s', scrape_timeout: '1s' });
    await writeTargets(etcd, prefix, demoFleetTargets(job, new URL(demo.url).host, TARGETS, INTERVAL_MS, 1000));
    const etcdSection = { endpoints: infra.etcdEndpoints, prefix, lease_ttl: `${LEASE_TTL_MS / 1000}s`, handoff_delay: `${HANDOFF_DELAY_MS / 1000}s` };
    await Promise.all(['s1', 's2', 's3'].map(async (n) => scrapers.set(n, await nodes.scraper(n, { etcd: etcdSection }))));
  });

  // etcd is shared by every test of this run: it must come back even when the test fails midway.
  afterEach(async () => {
    await etcdControl.start();
  });

  afterAll(async () => {
    await etcdControl.start().catch(() => undefined);
    await nodes?.stopAll();
    await demo?.close();
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('the scrapers keep scraping their last assignment through the outage: no tick missed or doubled, then the fleet settles', async () => {
    const all = [...scrapers.values()];
    await eventually(
      async () => ((await Promise.all(all.map(ownedBy))).every((n) => n > 0) && servedTimes().every((t) => t.length > 0) ? true : undefined),
      { timeoutMs: 30_000, description: 'every target scraped, every scraper owning some' },
    );
    await waitUntil(Date.now() + 2 * INTERVAL_MS, 'two steady intervals');
    const before = await Promise.all(all.map(ownedBy));
    expect(before.reduce((a, b) => a + b, 0)).toBe(TARGETS);

    const from = Date.now();
    try {
      await etcdControl.stop();
      const downAt = Date.now();
      await waitUntil(downAt + OUTAGE_MS, 'the outage');
      // Every scraper is past its lease deadline + handoff delay, still owning what it owned.
      expect(await Promise.all(all.map(ownedBy))).toEqual(before);
    } finally {
      await etcdControl.start();
    }
    const upAt = Date.now();
    // After etcd returns: the same leases (a restarted etcd extends them), the same assignment.
    await waitUntil(upAt + 3 * INTERVAL_MS, 'three intervals after etcd came back');
    const to = Date.now();
    expect(await Promise.all(all.map(ownedBy))).toEqual(before);
    const violations = cadenceViolations(servedTimes(), INTERVAL_MS, from, to);
    expect(violations.filter((v) => v.kind !== 'double'), 'ticks missed').toEqual([]);
    expect(violations.filter((v) => v.kind === 'double'), 'ticks doubled').toEqual([]);
    // Settled: every target exactly once per interval over the last intervals.
    expect(cadenceViolations(servedTimes(), INTERVAL_MS, upAt + INTERVAL_MS, to)).toEqual([]);
    console.info(`etcd outage: ${upAt - from} ms (TTL ${LEASE_TTL_MS}, handoff ${HANDOFF_DELAY_MS}); ${TARGETS} targets on ${all.length} scrapers, no tick missed or doubled`);
  });
});
