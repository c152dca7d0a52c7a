// Two notifier replicas on one etcd; one is killed with SIGKILL in the middle of a burst of
// notifications. Every group must still be notified (at least once). A duplicate can only be a
// notification the dead replica had delivered but not yet recorded in the notification log (etcd)
// when it died: the survivor, taking the group over, finds no log entry and sends it again. So the
// test asserts that bound exactly: the duplicated groups are a subset of the groups the sink had
// received but etcd's notification log did not hold at the moment of the kill.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../harness/eventually.ts';
import { startAlertProducer, startNotifierNode, waitForPeers, type AlertProducer, type NotifierNode } from '../harness/notifier-node.ts';
import { startWebhookSink, type WebhookSink } from '../harness/webhook-sink.ts';

const GROUPS = 60;
const WAVES = 3;
// The sink answers each request a second after it arrived: deliveries are in flight (received but
// not yet acknowledged, so not yet in the notification log) when the replica dies.
const RESPONSE_DELAY_MS = 1000;

describe('a notifier replica killed during a burst', () => {
  const infra = inject('infra');
  const prefix = `/rw-notifier-crash-${randomBytes(3).toString('hex')}/`;
  const topic = `alerts-crash-${randomBytes(3).toString('hex')}`;
  let hook: WebhookSink;
  let survivor: NotifierNode;
  let victim: NotifierNode;
  let alerts: AlertProducer;
  let etcd: Etcd3;

  beforeAll(async () => {
    hook = await startWebhookSink({ responseDelayMs: RESPONSE_DELAY_MS });
    const amConfig = {
      route: { receiver: 'hook', group_by: ['alertname'], group_wait: '1s', group_interval: '3s', repeat_interval: '1h' },
      receivers: [{ name: 'hook', webhook_configs: [{ url: `${hook.url}/crash` }] }],
    };
    const common = { kafkaBrokers: infra.kafkaBrokers, alertmanagerConfig: amConfig, etcd: { endpoints: infra.etcdEndpoints, prefix }, topic };
    [survivor, victim] = await Promise.all([startNotifierNode({ name: 'crash-a', ...common }), startNotifierNode({ name: 'crash-b', ...common })]);
    alerts = await startAlertProducer(infra.kafkaBrokers, topic);
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    await waitForPeers([survivor, victim], 2);
  });
  afterAll(async () => {
    await alerts?.close();
    await Promise.all([survivor?.node.stop(), victim?.node.stop()]);
    await hook?.close();
    await etcd?.delete().prefix(prefix);
    etcd?.close();
  });

  const loggedGroupKeys = async (): Promise<Set<string>> => {
    const values = await etcd.getAll().prefix(`${prefix}notifier/nflog/`).strings();
    return new Set(Object.values(values).map((v) => (JSON.parse(v) as { groupKey: string }).groupKey));
  };
  const webhookRequests = async (n: NotifierNode): Promise<number> => {
    const text = await (await fetch(`${n.url}/metrics`)).text();
    return Number(/^alertmanager_notification_requests_total\{integration="webhook"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };

  it('delivers every notification at least once; duplicates only of what was in flight', async () => {
    const names = Array.from({ length: GROUPS }, (_, i) => `Burst${i}`);
    const keyOf = (name: string): string => `{}:{alertname="${name}"}`;
    const perWave = GROUPS / WAVES;
    // The burst: waves of alerts, each wave its own groups; the kill lands while the second
    // wave's notifications are going out.
    await Promise.all(names.slice(0, perWave).map((n) => alerts.send('firing', { alertname: n, instance: 'i' })));
    await eventually(() => (hook.received.length >= perWave / 2 ? true : undefined), { timeoutMs: 15_000, description: 'the first wave going out' });
    await Promise.all(names.slice(perWave, 2 * perWave).map((n) => alerts.send('firing', { alertname: n, instance: 'i' })));
    await eventually(async () => ((await webhookRequests(victim)) > 0 && hook.received.length >= perWave + perWave / 4 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 50,
      description: 'the second wave going out, the victim sending',
    });
    await victim.node.kill();
    // What had reached the sink, and what the notification log held, when the victim died.
    const receivedAtKill = new Set(hook.received.map((r) => r.body.groupKey));
    const loggedAtKill = await loggedGroupKeys();
    const inFlight = new Set([...receivedAtKill].filter((k) => !loggedAtKill.has(k)));
    await Promise.all(names.slice(2 * perWave).map((n) => alerts.send('firing', { alertname: n, instance: 'i' })));

    const counts = (): Map<string, number> => {
      const m = new Map<string, number>();
      for (const r of hook.received) m.set(r.body.groupKey, (m.get(r.body.groupKey) ?? 0) + 1);
      return m;
    };
    await eventually(() => (names.every((n) => (counts().get(keyOf(n)) ?? 0) >= 1) ? true : undefined), { timeoutMs: 30_000, description: 'every group notified' });
    // Every group is in the notification log now, so nothing more may come: two more intervals.
    await eventually(async () => ((await loggedGroupKeys()).size >= GROUPS ? true : undefined), { timeoutMs: 10_000, description: 'every group logged' });
    const settledAt = Date.now() + 2 * 3000 + RESPONSE_DELAY_MS;
    await eventually(() => (Date.now() >= settledAt ? true : undefined), { timeoutMs: 15_000, description: 'two more group intervals' });

    const final = counts();
    const duplicated = [...final].filter(([, c]) => c > 1).map(([k]) => k);
    console.log(
      `[notifier-crash] ${receivedAtKill.size} groups received before the kill, ${inFlight.size} of them not yet logged (in flight); ` +
        `${duplicated.length} duplicated after the crash; ${hook.received.length} deliveries for ${GROUPS} groups`,
    );
    expect([...final.keys()].sort()).toEqual(names.map(keyOf).sort());
    // A group is sent at most twice (once by each replica), and only one that was in flight.
    for (const c of final.values()) expect(c).toBeLessThanOrEqual(2);
    for (const k of duplicated) expect(inFlight).toContain(k);
    expect(duplicated.length).toBeLessThanOrEqual(inFlight.size);
    expect(hook.received.length).toBe(GROUPS + duplicated.length);
  });
});
