// The notifier's delivery rules end to end, on real Kafka and etcd with a local webhook sink and a
// real SMTP server: inhibition mutes exactly its targets, repeat_interval re-notifies on time and
// not sooner, and a webhook down for a whole minute gets its notification once it is back while
// mail keeps going out meanwhile.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../harness/eventually.ts';
import { startAlertProducer, startNotifierNode, type AlertProducer, type NotifierNode } from '../harness/notifier-node.ts';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink.ts';
import { startWebhookSink, type ReceivedWebhook, type WebhookSink } from '../harness/webhook-sink.ts';

const GROUP_WAIT_MS = 1000;
const GROUP_INTERVAL_MS = 2000;
const REPEAT_INTERVAL_MS = 6000;
const OUTAGE_REPEAT_INTERVAL_MS = 8000;
const OUTAGE_MS = 61_000;

const seconds = (ms: number): string => `${ms / 1000}s`;
const until = (atMs: number, description: string): Promise<true> =>
  eventually(() => (Date.now() >= atMs ? true : undefined), { timeoutMs: atMs - Date.now() + 5000, description });

describe('notifier delivery: inhibition, repeat_interval, a receiver down for a minute', () => {
  const infra = inject('infra');
  const etcdPrefix = `/rw-notifier-delivery-${randomBytes(3).toString('hex')}/`;
  let hook: WebhookSink;
  let outageHook: WebhookSink;
  let smtp: SmtpSink;
  let notifier: NotifierNode;
  let alerts: AlertProducer;

  beforeAll(async () => {
    [hook, outageHook, smtp] = await Promise.all([startWebhookSink(), startWebhookSink(), startSmtpSink()]);
    notifier = await startNotifierNode({
      name: 'notifier-delivery',
      kafkaBrokers: infra.kafkaBrokers,
      etcd: { endpoints: infra.etcdEndpoints, prefix: etcdPrefix },
      alertmanagerConfig: {
        global: { smtp_smarthost: smtp.smarthost, smtp_from: 'ringwatch@example.org', smtp_require_tls: false },
        route: {
          receiver: 'hook',
          group_by: ['alertname', 'cluster'],
          group_wait: seconds(GROUP_WAIT_MS),
          group_interval: seconds(GROUP_INTERVAL_MS),
          repeat_interval: '1h',
          routes: [
            { matchers: ['test="repeat"'], receiver: 'hook', repeat_interval: seconds(REPEAT_INTERVAL_MS) },
            { matchers: ['test="outage"'], receiver: 'mail-and-outage-hook', repeat_interval: seconds(OUTAGE_REPEAT_INTERVAL_MS) },
          ],
        },
        inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['cluster'] }],
        receivers: [
          { name: 'hook', webhook_configs: [{ url: `${hook.url}/hook`, send_resolved: true }] },
          {
            name: 'mail-and-outage-hook',
            email_configs: [{ to: 'oncall@example.org' }],
            webhook_configs: [{ url: `${outageHook.url}/outage` }],
          },
        ],
      },
    });
    alerts = await startAlertProducer(infra.kafkaBrokers, notifier.topic);
  });
  afterAll(async () => {
    await alerts?.close();
    await notifier?.node.stop();
    await Promise.all([hook?.close(), outageHook?.close(), smtp?.close()]);
    const etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    await etcd.delete().prefix(etcdPrefix);
    etcd.close();
  });

  const hooksFor = (sink: WebhookSink, alertname: string, cluster?: string): ReceivedWebhook[] =>
    sink.received.filter((r) => r.body.groupLabels.alertname === alertname && (cluster === undefined || r.body.groupLabels.cluster === cluster));
  const mailsFor = (alertname: string) => smtp.received.filter((m) => m.subject.includes(alertname));
  const apiAlert = async (labels: Record<string, string>): Promise<{ status: { state: string; inhibitedBy: string[] } } | undefined> => {
    const filter = Object.entries(labels).map(([k, v]) => `filter=${encodeURIComponent(`${k}="${v}"`)}`).join('&');
    const list = (await (await fetch(`${notifier.url}/api/v2/alerts?${filter}`)).json()) as { status: { state: string; inhibitedBy: string[] } }[];
    return list[0];
  };

  it('inhibits the target alert that shares the equal labels with a firing source, and nothing else', async () => {
    const source = { alertname: 'ServiceDown', severity: 'critical', cluster: 'eu' };
    const inhibited = { alertname: 'InstanceDown', severity: 'warning', cluster: 'eu', instance: 'eu-1' };
    const otherCluster = { alertname: 'InstanceDown', severity: 'warning', cluster: 'us', instance: 'us-1' };
    const notATarget = { alertname: 'InstanceSlow', severity: 'info', cluster: 'eu', instance: 'eu-1' };
    await alerts.send('firing', source);
    await eventually(() => hooksFor(hook, 'ServiceDown')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the source alert notified' });

    await Promise.all([alerts.send('firing', inhibited), alerts.send('firing', otherCluster), alerts.send('firing', notATarget)]);
    const us = await eventually(() => hooksFor(hook, 'InstanceDown', 'us')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the target alert of another cluster notified' });
    expect(us.body.alerts.map((a) => a.labels.instance)).toEqual(['us-1']);
    await eventually(() => hooksFor(hook, 'InstanceSlow')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the alert that is no target notified' });
    const status = await eventually(() => apiAlert(inhibited), { timeoutMs: 5000, description: 'the inhibited alert in the API' });
    expect(status.status.state).toBe('suppressed');
    expect(status.status.inhibitedBy).toHaveLength(1);
    expect((await apiAlert(otherCluster))?.status.state).toBe('active');

    // Two more group intervals: the inhibited group is still not notified.
    await until(Date.now() + 2 * GROUP_INTERVAL_MS + 500, 'two group intervals');
    expect(hooksFor(hook, 'InstanceDown', 'eu')).toHaveLength(0);
    expect(await (await fetch(`${notifier.url}/metrics`)).text()).toMatch(/^alertmanager_notifications_suppressed_total\{reason="inhibition"\} [1-9]/m);

    // It was the inhibition that held it back: once the source resolves, the target is notified.
    await alerts.send('resolved', source);
    const released = await eventually(() => hooksFor(hook, 'InstanceDown', 'eu')[0], { timeoutMs: 2 * GROUP_INTERVAL_MS + 5000, description: 'the target once its source resolved' });
    expect(released.body.alerts.map((a) => a.labels.instance)).toEqual(['eu-1']);
    expect(hooksFor(hook, 'InstanceDown', 'us')).toHaveLength(1);
  });

  it('re-notifies a firing group after repeat_interval, not sooner', async () => {
    await alerts.send('firing', { alertname: 'StillFiring', test: 'repeat', instance: 'r' });
    const [first, second] = await eventually(() => {
      const got = hooksFor(hook, 'StillFiring');
      return got.length >= 2 ? got : undefined;
    }, { timeoutMs: GROUP_WAIT_MS + REPEAT_INTERVAL_MS + 2 * GROUP_INTERVAL_MS + 5000, description: 'the repeated notification' });
    const gap = second!.atMs - first!.atMs;
    console.log(`[notifier-delivery] repeat_interval ${REPEAT_INTERVAL_MS} ms, group_interval ${GROUP_INTERVAL_MS} ms: re-notified after ${gap} ms`);
    // Flushes come every group_interval, so the repeat lands on the first flush after
    // repeat_interval has passed since the notification was logged (Alertmanager does the same).
    expect(gap).toBeGreaterThanOrEqual(REPEAT_INTERVAL_MS);
    expect(gap).toBeLessThanOrEqual(REPEAT_INTERVAL_MS + GROUP_INTERVAL_MS + 1000);
    expect(second!.body.alerts.map((a) => a.fingerprint)).toEqual(first!.body.alerts.map((a) => a.fingerprint));
  });

  it('delivers to a webhook down for a minute once it is back, keeps mailing meanwhile, and does not send twice after', async () => {
    await outageHook.stop();
    const sentAt = Date.now();
    let backAt = 0;
    try {
      await alerts.send('firing', { alertname: 'LongOutage', test: 'outage', instance: 'o' });
      const mail = await eventually(() => mailsFor('LongOutage')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the mail while the webhook is down' });
      console.log(`[notifier-delivery] webhook down: mail after ${mail.atMs - sentAt} ms`);
      await until(sentAt + OUTAGE_MS, 'the minute of the webhook outage');
    } finally {
      await outageHook.start();
      backAt = Date.now();
    }
    // Mail went on at its own repeat_interval all along: no gap waited for the webhook's retries.
    const mails = mailsFor('LongOutage');
    const gaps = mails.slice(1).map((m, i) => m.atMs - mails[i]!.atMs);
    console.log(`[notifier-delivery] ${mails.length} mails during the outage, gaps ${gaps.join(', ')} ms`);
    expect(mails.length).toBeGreaterThanOrEqual(Math.floor(OUTAGE_MS / (OUTAGE_REPEAT_INTERVAL_MS + GROUP_INTERVAL_MS)));
    for (const g of gaps) expect(g).toBeLessThanOrEqual(OUTAGE_REPEAT_INTERVAL_MS + GROUP_INTERVAL_MS + 1000);

    const delivered = await eventually(() => hooksFor(outageHook, 'LongOutage')[0], { timeoutMs: 2 * GROUP_INTERVAL_MS + 5000, description: 'the webhook after it came back' });
    console.log(`[notifier-delivery] webhook delivered ${delivered.atMs - backAt} ms after it came back`);
    // Nothing more to the webhook within repeat_interval of that delivery (no retries of earlier
    // flushes landing late).
    await until(delivered.atMs + OUTAGE_REPEAT_INTERVAL_MS - 100, 'repeat_interval after the delivery');
    expect(hooksFor(outageHook, 'LongOutage')).toHaveLength(1);
    const metrics = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(metrics).toMatch(/^alertmanager_notifications_failed_total\{integration="webhook",reason="[a-zA-Z]+"\} [1-9]/m);
  });
});
