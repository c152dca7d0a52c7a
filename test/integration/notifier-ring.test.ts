// Two notifier replicas sharing one etcd: every replica reads every alert, each aggregation group
// is flushed by exactly one of them (its owner on the ring), and when one replica leaves the
// other notifies its groups.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../harness/eventually.ts';
import { startAlertProducer, startNotifierNode, waitForPeers, type AlertProducer, type NotifierNode } from '../harness/notifier-node.ts';
import { startWebhookSink, type WebhookSink } from '../harness/webhook-sink.ts';

describe('notifier replicas on a ring', () => {
  const infra = inject('infra');
  const prefix = `/rw-notifier-ring-${randomBytes(3).toString('hex')}/`;
  const topic = `alerts-ring-${randomBytes(3).toString('hex')}`;
  let hook: WebhookSink;
  let a: NotifierNode;
  let b: NotifierNode;
  let alerts: AlertProducer;

  beforeAll(async () => {
    hook = await startWebhookSink();
    const amConfig = {
      route: { receiver: 'hook', group_by: ['alertname'], group_wait: '1s', group_interval: '2s', repeat_interval: '1h' },
      receivers: [{ name: 'hook', webhook_configs: [{ url: `${hook.url}/ring` }] }],
    };
    const common = { kafkaBrokers: infra.kafkaBrokers, alertmanagerConfig: amConfig, etcd: { endpoints: infra.etcdEndpoints, prefix }, topic };
    [a, b] = await Promise.all([startNotifierNode({ name: 'ring-a', ...common }), startNotifierNode({ name: 'ring-b', ...common })]);
    alerts = await startAlertProducer(infra.kafkaBrokers, topic);
    // Both replicas see each other before alerts come (and their handoff delay has passed).
    await waitForPeers([a, b], 2);
  });
  afterAll(async () => {
    await alerts?.close();
    await Promise.all([a?.node.stop(), b?.node.stop()]);
    await hook?.close();
    const etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    await etcd.delete().prefix(prefix);
    etcd.close();
  });

  const fire = (alertname: string): Promise<void> => alerts.send('firing', { alertname, instance: 'i' });

  const sentBy = async (n: NotifierNode): Promise<number> => {
    const text = await (await fetch(`${n.url}/metrics`)).text();
    return Number(/^alertmanager_notification_requests_total\{integration="webhook"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };
  const countFor = (alertname: string): number => hook.received.filter((r) => r.body.groupLabels.alertname === alertname).length;

  it('notifies each group once, from one replica or the other', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `Ring${i}`);
    await Promise.all(names.map(fire));
    await eventually(() => (names.every((n) => countFor(n) >= 1) ? true : undefined), { timeoutMs: 15_000, description: 'every group notified' });
    const settleUntil = Date.now() + 4500;
    await eventually(() => (Date.now() >= settleUntil ? true : undefined), { timeoutMs: 10_000, description: 'two more group intervals' });
    expect(names.map(countFor)).toEqual(names.map(() => 1));
    const [fromA, fromB] = await Promise.all([sentBy(a), sentBy(b)]);
    console.log(`[notifier-ring] ${fromA} notifications from ring-a, ${fromB} from ring-b`);
    expect(fromA).toBeGreaterThan(0);
    expect(fromB).toBeGreaterThan(0);
    expect(fromA + fromB).toBe(names.length);
  });

  it('notifies the groups of a replica that left from the one that stays', async () => {
    await a.node.stop();
    await waitForPeers([b], 1);
    const names = Array.from({ length: 8 }, (_, i) => `After${i}`);
    await Promise.all(names.map(fire));
    await eventually(() => (names.every((n) => countFor(n) === 1) ? true : undefined), { timeoutMs: 15_000, description: 'every new group notified by ring-b' });
  });
});
