// The notifier between real Kafka and etcd, with a local webhook sink and a real SMTP server as
// receivers, driven with amtool 0.25 as an Alertmanager: delivery within group_wait, grouping,
// resolution, silences, a receiver that is down not delaying another, state surviving a restart.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fingerprint } from '../../notifier/labels.ts';
import { eventually } from '../harness/eventually.ts';
import { startAlertProducer, startNotifierNode, type AlertProducer, type NotifierNode } from '../harness/notifier-node.ts';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink.ts';
import { startWebhookSink, type WebhookSink } from '../harness/webhook-sink.ts';

const run = promisify(execFile);
const AMTOOL = '/usr/bin/amtool';
const GROUP_WAIT_MS = 1000;
const GROUP_INTERVAL_MS = 2000;

async function amtool(url: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(AMTOOL, [`--alertmanager.url=${url}`, ...args], { timeout: 20_000 });
  return stdout;
}

function alertmanagerConfig(hook: WebhookSink, smtp: SmtpSink): Record<string, unknown> {
  return {
    global: { resolve_timeout: '5m', smtp_smarthost: smtp.smarthost, smtp_from: 'ringwatch@example.org', smtp_require_tls: false },
    route: {
      receiver: 'hook',
      group_by: ['alertname'],
      group_wait: `${GROUP_WAIT_MS / 1000}s`,
      group_interval: `${GROUP_INTERVAL_MS / 1000}s`,
      repeat_interval: '1h',
      routes: [{ matchers: ['route="mail"'], receiver: 'mail-and-hook' }],
    },
    receivers: [
      { name: 'hook', webhook_configs: [{ url: `${hook.url}/hook`, send_resolved: true }] },
      {
        name: 'mail-and-hook',
        email_configs: [{ to: 'oncall@example.org', send_resolved: true }],
        webhook_configs: [{ url: `${hook.url}/both`, send_resolved: true }],
      },
    ],
  };
}

describe('notifier on real Kafka and etcd', () => {
  const infra = inject('infra');
  const etcdPrefix = `/rw-notifier-${randomBytes(3).toString('hex')}/`;
  let hook: WebhookSink;
  let smtp: SmtpSink;
  let notifier: NotifierNode;
  let alerts: AlertProducer;

  beforeAll(async () => {
    hook = await startWebhookSink();
    smtp = await startSmtpSink();
    notifier = await startNotifierNode({
      name: 'notifier',
      kafkaBrokers: infra.kafkaBrokers,
      alertmanagerConfig: alertmanagerConfig(hook, smtp),
      etcd: { endpoints: infra.etcdEndpoints, prefix: etcdPrefix },
    });
    alerts = await startAlertProducer(infra.kafkaBrokers, notifier.topic);
  });
  afterAll(async () => {
    await alerts?.close();
    await notifier?.node.stop();
    await hook?.close();
    await smtp?.close();
    const etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    await etcd.delete().prefix(etcdPrefix);
    etcd.close();
  });

  const produce = (status: 'firing' | 'resolved', labels: Record<string, string>, startsAtMs: number): Promise<void> => alerts.send(status, labels, startsAtMs);

  const hooksFor = (alertname: string, path?: string) => hook.received.filter((r) => r.body.groupLabels.alertname === alertname && (path === undefined || r.path === path));
  const mailsFor = (alertname: string) => smtp.received.filter((m) => m.subject.includes(alertname));

  it('delivers a firing alert to the webhook and by mail within group_wait + 5 s, once, and then its resolution', async () => {
    const labels = { alertname: 'DiskFull', route: 'mail', instance: 'db-1' };
    const sentAt = Date.now();
    await produce('firing', labels, sentAt);
    const firstHook = await eventually(() => hooksFor('DiskFull', '/both')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the webhook notification' });
    const firstMail = await eventually(() => mailsFor('DiskFull')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the mail' });
    expect(firstHook.body.status).toBe('firing');
    expect(firstHook.body.version).toBe('4');
    expect(firstHook.body.receiver).toBe('mail-and-hook');
    expect(firstHook.body.alerts.map((a) => a.fingerprint)).toEqual([fingerprint(labels)]);
    expect(firstMail.subject).toBe('[FIRING:1] DiskFull (db-1 mail)');
    expect(firstMail.to).toBe('oncall@example.org');
    // email.default.html from Alertmanager's email.tmpl, rendered by the template engine.
    expect(firstMail.html).toContain('View in Alertmanager');
    expect(firstMail.html).toContain('DiskFull');
    console.log(`[notifier] firing: webhook after ${firstHook.atMs - sentAt} ms, mail after ${firstMail.atMs - sentAt} ms`);

    // The same alert sent again (as alerting replicas do while it fires) notifies nothing new:
    // two more group intervals pass and both receivers still have exactly one message.
    await produce('firing', labels, sentAt);
    const quietUntil = Date.now() + 2 * GROUP_INTERVAL_MS + 500;
    await eventually(() => (Date.now() >= quietUntil ? true : undefined), { timeoutMs: 10_000, description: 'two group intervals' });
    expect(hooksFor('DiskFull', '/both')).toHaveLength(1);
    expect(mailsFor('DiskFull')).toHaveLength(1);

    await produce('resolved', labels, sentAt);
    const resolved = await eventually(() => hooksFor('DiskFull', '/both').find((r) => r.body.status === 'resolved'), {
      timeoutMs: GROUP_INTERVAL_MS + 5000,
      description: 'the resolved notification',
    });
    expect(resolved.body.alerts[0]?.status).toBe('resolved');
    const resolvedMail = await eventually(() => mailsFor('DiskFull').find((m) => m.subject.startsWith('[RESOLVED]')), { timeoutMs: GROUP_INTERVAL_MS + 5000, description: 'the resolved mail' });
    expect(resolvedMail.subject).toBe('[RESOLVED] DiskFull (db-1 mail)');
  });

  it('groups 10 alerts of one group into one notification', async () => {
    const startsAt = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => produce('firing', { alertname: 'InstanceDown', instance: `node-${i}` }, startsAt)));
    const message = await eventually(() => hooksFor('InstanceDown')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the grouped notification' });
    expect(message.body.alerts).toHaveLength(10);
    expect(message.body.groupKey).toBe('{}:{alertname="InstanceDown"}');
    const quietUntil = Date.now() + GROUP_INTERVAL_MS + 500;
    await eventually(() => (Date.now() >= quietUntil ? true : undefined), { timeoutMs: 10_000, description: 'one more group interval' });
    expect(hooksFor('InstanceDown')).toHaveLength(1);
  });

  it('works with amtool: a silence suppresses what it matches and nothing else; alerts and silences are listed; expiry un-silences', async () => {
    const id = (await amtool(notifier.url, 'silence', 'add', 'alertname=Noisy', '--author=tester', '--comment=maintenance', '--duration=1h')).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const startsAt = Date.now();
    await produce('firing', { alertname: 'Noisy', instance: 'a' }, startsAt);
    await produce('firing', { alertname: 'Quiet', instance: 'a' }, startsAt);
    await eventually(() => hooksFor('Quiet')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the unsilenced alert' });

    const listed = await eventually(
      async () => {
        const out = await amtool(notifier.url, 'alert', 'query', '--active', '--silenced', '-o', 'json');
        const alerts = JSON.parse(out) as { labels: Record<string, string>; status: { state: string; silencedBy: string[] } }[];
        return alerts.some((a) => a.labels.alertname === 'Noisy') ? alerts : undefined;
      },
      { timeoutMs: 10_000, description: 'amtool alert query listing the alerts' },
    );
    const noisy = listed.find((a) => a.labels.alertname === 'Noisy');
    expect(noisy?.status).toMatchObject({ state: 'suppressed', silencedBy: [id] });
    expect(listed.find((a) => a.labels.alertname === 'Quiet')?.status.state).toBe('active');
    const simple = await amtool(notifier.url, 'alert', 'query', 'alertname=Quiet');
    expect(simple).toContain('Quiet');
    // Two group intervals: the silenced alert is still not notified.
    const quietUntil = Date.now() + 2 * GROUP_INTERVAL_MS;
    await eventually(() => (Date.now() >= quietUntil ? true : undefined), { timeoutMs: 10_000, description: 'two group intervals' });
    expect(hooksFor('Noisy')).toHaveLength(0);

    const query = await amtool(notifier.url, 'silence', 'query', '-q');
    expect(query.trim().split('\n')).toContain(id);
    const full = await amtool(notifier.url, 'silence', 'query', 'alertname=Noisy');
    expect(full).toContain('maintenance');

    await amtool(notifier.url, 'silence', 'expire', id);
    expect((await amtool(notifier.url, 'silence', 'query', '-q')).trim()).toBe('');
    expect((await amtool(notifier.url, 'silence', 'query', '--expired', '-q')).trim().split('\n')).toContain(id);
    await eventually(() => hooksFor('Noisy')[0], { timeoutMs: GROUP_INTERVAL_MS + 5000, description: 'the alert once its silence expired' });
  });

  it('keeps mailing while the webhook is down, and delivers the webhook once it is back', async () => {
    await hook.stop();
    const labels = { alertname: 'HookOutage', route: 'mail', instance: 'x' };
    const sentAt = Date.now();
    try {
      await produce('firing', labels, sentAt);
      const mail = await eventually(() => mailsFor('HookOutage')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the mail while the webhook is down' });
      console.log(`[notifier] webhook down: mail after ${mail.atMs - sentAt} ms`);
      expect(mail.atMs - sentAt).toBeLessThan(GROUP_WAIT_MS + 5000);
      // Down for several group intervals (the retries of more than one flush fail).
      const downUntil = Date.now() + 3 * GROUP_INTERVAL_MS;
      await eventually(() => (Date.now() >= downUntil ? true : undefined), { timeoutMs: 15_000, description: 'the webhook outage' });
    } finally {
      await hook.start();
    }
    const backAt = Date.now();
    const delivered = await eventually(() => hooksFor('HookOutage', '/both')[0], { timeoutMs: 2 * GROUP_INTERVAL_MS + 5000, description: 'the webhook after it came back' });
    console.log(`[notifier] webhook delivered ${delivered.atMs - backAt} ms after it came back`);
    expect(mailsFor('HookOutage')).toHaveLength(1);
    const metrics = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(metrics).toMatch(/alertmanager_notifications_failed_total\{integration="webhook",reason="[a-zA-Z]+"\} [1-9]/);
  });

  it('takes alerts from amtool alert add (POST /api/v2/alerts) and shows its configuration to amtool', async () => {
    await amtool(notifier.url, 'alert', 'add', 'alertname=ViaApi', 'instance=cli', '--annotation=summary=posted');
    const message = await eventually(() => hooksFor('ViaApi')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the posted alert notified' });
    expect(message.body.alerts[0]?.labels).toEqual({ alertname: 'ViaApi', instance: 'cli' });
    const config = await amtool(notifier.url, 'config', 'show');
    expect(config).toContain('name: mail-and-hook');
    expect(config).not.toContain(hook.url.replace('http://', ''));
    // (`amtool config routes` is not asserted: amtool 0.25 cannot parse the 0.28-shaped config it
    // gets back, e.g. smtp_tls_config and url_file, exactly as against a real Alertmanager 0.28.)
    const groups = (await (await fetch(`${notifier.url}/api/v2/alerts/groups`)).json()) as { labels: Record<string, string>; receiver: { name: string } }[];
    expect(groups.find((g) => g.labels.alertname === 'ViaApi')?.receiver.name).toBe('hook');
  });

  it('remembers silences and what it notified across a restart (state in etcd)', async () => {
    const id = (await amtool(notifier.url, 'silence', 'add', 'alertname=AfterRestart', '--author=tester', '--comment=kept', '--duration=1h')).trim();
    const labels = { alertname: 'Repeated', instance: 'r' };
    const startsAt = Date.now();
    await produce('firing', labels, startsAt);
    await eventually(() => hooksFor('Repeated')[0], { timeoutMs: GROUP_WAIT_MS + 5000, description: 'the first notification' });

    await notifier.node.stop();
    await notifier.node.start();
    expect((await amtool(notifier.url, 'silence', 'query', '-q')).trim().split('\n')).toContain(id);
    // The alert comes again after the restart: within repeat_interval it is not notified again.
    await produce('firing', labels, startsAt);
    await produce('firing', { alertname: 'AfterRestartProbe', instance: 'r' }, Date.now());
    await eventually(() => hooksFor('AfterRestartProbe')[0], { timeoutMs: GROUP_WAIT_MS + 10_000, description: 'a new alert after the restart' });
    const quietUntil = Date.now() + GROUP_INTERVAL_MS;
    await eventually(() => (Date.now() >= quietUntil ? true : undefined), { timeoutMs: 10_000, description: 'one group interval' });
    expect(hooksFor('Repeated')).toHaveLength(1);
  });

  it('delivers a notification that was not delivered before a crash: the record is replayed from Kafka', async () => {
    await hook.stop();
    const labels = { alertname: 'BeforeCrash', instance: 'c' };
    try {
      await produce('firing', labels, Date.now());
      // Consumed, and a delivery attempt failed (the sink is down).
      await eventually(
        async () => {
          const alerts = (await (await fetch(`${notifier.url}/api/v2/alerts?filter=alertname%3D%22BeforeCrash%22`)).json()) as unknown[];
          const metrics = await (await fetch(`${notifier.url}/metrics`)).text();
          const failed = Number(/^alertmanager_notification_requests_failed_total\{integration="webhook"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
          return alerts.length === 1 && failed > 0 ? true : undefined;
        },
        { timeoutMs: GROUP_WAIT_MS + 10_000, description: 'the alert consumed and its delivery failing' },
      );
      await notifier.node.kill();
    } finally {
      await hook.start();
    }
    await notifier.node.start();
    const delivered = await eventually(() => hooksFor('BeforeCrash')[0], { timeoutMs: 20_000, description: 'the notification after the restart' });
    expect(delivered.body.alerts.map((a) => a.labels.instance)).toEqual(['c']);
  });

  it('rejects an invalid new Alertmanager configuration on reload, naming the field, and keeps the old one', async () => {
    notifier.writeAlertmanagerConfig({ route: { receiver: 'nobody' }, receivers: [{ name: 'hook' }] });
    const res = await fetch(`${notifier.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('route.receiver: undefined receiver "nobody" used in route');
    const failed = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(failed).toMatch(/^alertmanager_config_last_reload_successful 0$/m);
    expect(failed).toMatch(/^ringwatch_config_last_reload_successful 0$/m);
    const status = (await (await fetch(`${notifier.url}/api/v2/status`)).json()) as { config: { original: string } };
    expect(status.config.original).toContain('mail-and-hook');
    notifier.writeAlertmanagerConfig(alertmanagerConfig(hook, smtp));
    expect((await fetch(`${notifier.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    const ok = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(ok).toMatch(/^alertmanager_config_last_reload_successful 1$/m);
    expect(ok).toMatch(/^ringwatch_config_last_reload_successful 1$/m);
  });

  it('ships configurations that amtool check-config accepts', async () => {
    const files = ['notifier/testdata/full.yml', 'notifier/testdata/example-alertmanager.yml', notifier.alertmanagerConfigFile];
    const out = await run(AMTOOL, ['check-config', ...files], { timeout: 20_000 });
    expect(out.stdout).not.toContain('FAILED');
    for (const f of files) expect(out.stdout).toContain(`Checking '${f}'  SUCCESS`);
  });
});
