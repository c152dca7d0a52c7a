// The notifier side by side with a real Alertmanager (0.25, Debian's), given the same
// configuration and the same alerts through API v2: the webhook messages, GET /api/v2/alerts and
// silences must be the same JSON (apart from what is per-instance: externalURL, ids, updatedAt).
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from '../../deploy/local/services/alertmanager.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';
import { startNotifierNode, type NotifierNode } from '../harness/notifier-node.ts';
import { startWebhookSink, type ReceivedWebhook, type WebhookSink } from '../harness/webhook-sink.ts';

const config = (url: string) => ({
  route: { receiver: 'hook', group_by: ['alertname'], group_wait: '1s', group_interval: '2s', repeat_interval: '1h' },
  receivers: [{ name: 'hook', webhook_configs: [{ url, send_resolved: true, max_alerts: 2 }] }],
});

describe('notifier and a real Alertmanager, side by side', () => {
  const infra = inject('infra');
  let hook: WebhookSink;
  let am: RunningAlertmanager;
  let notifier: NotifierNode;

  beforeAll(async () => {
    hook = await startWebhookSink();
    const dir = join(repoRoot(), '.data', 'test-nodes', `compat-${randomBytes(3).toString('hex')}`);
    am = await startAlertmanager({ dataDir: join(dir, 'alertmanager'), logDir: join(dir, 'logs'), configYaml: stringify(config(`${hook.url}/am`)) });
    notifier = await startNotifierNode({ name: 'compat', kafkaBrokers: infra.kafkaBrokers, alertmanagerConfig: config(`${hook.url}/rw`) });
  });
  afterAll(async () => {
    await am?.stop();
    await notifier?.node.stop();
    await hook?.close();
  });

  const postBoth = async (path: string, body: unknown): Promise<Response[]> =>
    Promise.all([am.url, notifier.url].map((u) => fetch(`${u}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })));
  const message = (path: string, status: string): ReceivedWebhook | undefined => hook.received.find((r) => r.path === path && r.body.status === status);
  const comparable = (r: ReceivedWebhook): unknown => ({ ...r.body, externalURL: undefined });

  it('sends the same webhook messages and lists the same alerts and silences', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const alerts = ['b', 'a', 'c'].map((i) => ({
      labels: { alertname: 'Compat', instance: `host-${i}`, job: 'node' },
      annotations: { summary: `host-${i} <down> & "out"` },
      startsAt,
      endsAt,
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    }));
    for (const res of await postBoth('/api/v2/alerts', alerts)) expect(res.status).toBe(200);
    const [fromAm, fromUs] = await eventually(
      () => {
        const a = message('/am', 'firing');
        const b = message('/rw', 'firing');
        return a !== undefined && b !== undefined ? [a, b] : undefined;
      },
      { timeoutMs: 15_000, description: 'both firing messages' },
    );
    expect(fromUs.body.truncatedAlerts).toBe(1);
    expect(comparable(fromUs)).toEqual(comparable(fromAm));

    const list = async (url: string) =>
      ((await (await fetch(`${url}/api/v2/alerts`)).json()) as Record<string, unknown>[])
        .map((a): Record<string, unknown> => ({ ...a, updatedAt: undefined }))
        .sort((x, y) => String(x.fingerprint).localeCompare(String(y.fingerprint)));
    expect(await list(notifier.url)).toEqual(await list(am.url));

    const silence = { matchers: [{ name: 'instance', value: 'host-.*', isRegex: true, isEqual: true }], startsAt, endsAt, createdBy: 'me', comment: 'compat' };
    const ids = await Promise.all((await postBoth('/api/v2/silences', silence)).map(async (r) => ((await r.json()) as { silenceID: string }).silenceID));
    // A start in the past becomes "now" on each side, a millisecond or so apart: compared apart.
    const [amSilence, ourSilence] = await Promise.all(
      [am.url, notifier.url].map(async (u, i): Promise<Record<string, unknown>> => ({ ...((await (await fetch(`${u}/api/v2/silence/${ids[i]}`)).json()) as Record<string, unknown>), id: undefined, updatedAt: undefined })),
    );
    expect(Math.abs(Date.parse(String(ourSilence?.startsAt)) - Date.parse(String(amSilence?.startsAt)))).toBeLessThan(1000);
    expect({ ...ourSilence, startsAt: undefined }).toEqual({ ...amSilence, startsAt: undefined });
    // Now suppressed on both sides, each by its own silence.
    const withoutIds = (l: Record<string, unknown>[]) => l.map((a) => ({ ...a, status: { ...(a.status as object), silencedBy: (a.status as { silencedBy: string[] }).silencedBy.length } }));
    const [amList, ourList] = await Promise.all([list(am.url), list(notifier.url)]);
    expect(withoutIds(ourList)).toEqual(withoutIds(amList));
    expect((ourList[0]?.status as { state: string }).state).toBe('suppressed');

    // Resolved alike: the same resolved message from both.
    await Promise.all([am.url, notifier.url].map((u, i) => fetch(`${u}/api/v2/silence/${ids[i]}`, { method: 'DELETE' })));
    const resolvedAt = new Date(Date.now() - 1000).toISOString();
    for (const res of await postBoth('/api/v2/alerts', alerts.map((a) => ({ ...a, endsAt: resolvedAt })))) expect(res.status).toBe(200);
    const [resolvedAm, resolvedUs] = await eventually(
      () => {
        const a = message('/am', 'resolved');
        const b = message('/rw', 'resolved');
        return a !== undefined && b !== undefined ? [a, b] : undefined;
      },
      { timeoutMs: 15_000, description: 'both resolved messages' },
    );
    expect(comparable(resolvedUs)).toEqual(comparable(resolvedAm));
  });
});
