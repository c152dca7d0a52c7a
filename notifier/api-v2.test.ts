import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { AlertStore } from './alert-store.ts';
import { loadAlertmanagerFile } from './alertmanager-file.ts';
import { mountApiV2 } from './api-v2.ts';
import { Dispatcher } from './dispatcher.ts';
import { HttpClients } from './integrations/http-client.ts';
import { NotificationLog } from './notification-log.ts';
import { NotificationPipeline } from './notification-pipeline.ts';
import { NotifierMetrics } from './notifier-metrics.ts';
import { MemorySharedMap } from './shared-map.ts';
import { SilenceStore } from './silence-store.ts';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');

describe('API v2', () => {
  let app: Hono;
  let dispatcher: Dispatcher;

  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notifier-api-'));
    writeFileSync(
      join(dir, 'am.yml'),
      `global: { resolve_timeout: 2m }
route: { receiver: team, group_wait: 1h, routes: [{ matchers: [severity="page"], receiver: pager }] }
receivers:
  - name: team
  - name: pager
    webhook_configs: [{ url: 'http://user:pw@127.0.0.1:1/hook' }]
`,
    );
    const config = await loadAlertmanagerFile(join(dir, 'am.yml'), new HttpClients(), 'http://am');
    const store = new AlertStore();
    const silences = new SilenceStore(new MemorySharedMap(), 3_600_000);
    const logger = createLogger('test', 'silent');
    const metrics = new NotifierMetrics({ alerts: () => ({ active: 0, suppressed: 0, unprocessed: 0 }), silences: () => ({ active: 0, pending: 0, expired: 0 }), groups: () => 0 });
    const pipeline = new NotificationPipeline({
      allAlerts: () => store.all(),
      silences,
      nflog: new NotificationLog(new MemorySharedMap()),
      metrics,
      logger,
      externalUrl: 'http://am',
      retentionMs: 3_600_000,
      now: () => NOW,
    });
    dispatcher = new Dispatcher(config, pipeline, logger, () => NOW);
    store.subscribe((a) => dispatcher.insert(a));
    app = new Hono();
    mountApiV2(app, {
      alerts: () => store.all(),
      putAlert: (a) => store.put(a),
      dispatcher: () => dispatcher,
      silences,
      resolveTimeoutMs: () => config.config.global.resolve_timeout,
      startedAtMs: NOW - 1000,
      version: 'test',
      peers: () => [],
      clusterName: 'n1',
      clustered: false,
      reload: async () => undefined,
      ready: () => true,
      now: () => NOW,
    });
  });
  afterEach(() => dispatcher.stop());

  const post = (path: string, body: unknown) => app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

  it('takes posted alerts with Alertmanager defaults and lists them in its shape', async () => {
    expect((await post('/api/v2/alerts', [{ labels: { alertname: 'A', severity: 'page' }, annotations: { summary: 's' } }])).status).toBe(200);
    const alerts = (await (await app.request('/api/v2/alerts')).json()) as Record<string, unknown>[];
    expect(alerts).toEqual([
      {
        annotations: { summary: 's' },
        endsAt: '2026-12-01T10:02:00.000Z',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        receivers: [{ name: 'pager' }],
        startsAt: '2026-12-01T10:00:00.000Z',
        status: { state: 'active', silencedBy: [], inhibitedBy: [] },
        updatedAt: '2026-12-01T10:00:00.000Z',
        generatorURL: '',
        labels: { alertname: 'A', severity: 'page' },
      },
    ]);
    const groups = (await (await app.request('/api/v2/alerts/groups')).json()) as { receiver: { name: string }; labels: object }[];
    expect(groups.map((g) => g.receiver.name)).toEqual(['pager']);
    expect((await (await app.request('/api/v2/alerts?receiver=team')).json()) as unknown[]).toEqual([]);
    expect((await (await app.request('/api/v2/alerts?filter=alertname%3D%22B%22')).json()) as unknown[]).toEqual([]);
  });

  it('rejects bad alerts naming what is wrong', async () => {
    const res = await post('/api/v2/alerts', [{ labels: {} }, { labels: { 'bad-name': 'x' } }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toBe('[0].labels: at least one label pair required; [1].labels: invalid name "bad-name"');
  });

  it('creates, lists, gets and expires silences, and they suppress alerts', async () => {
    const res = await post('/api/v2/silences', {
      matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }],
      startsAt: '2026-12-01T10:00:00.000Z',
      endsAt: '2026-12-01T11:00:00.000Z',
      createdBy: 'me',
      comment: 'why',
    });
    expect(res.status).toBe(200);
    const { silenceID } = (await res.json()) as { silenceID: string };
    await post('/api/v2/alerts', [{ labels: { alertname: 'A' } }]);
    const [a] = (await (await app.request('/api/v2/alerts')).json()) as { status: object }[];
    expect(a?.status).toEqual({ state: 'suppressed', silencedBy: [silenceID], inhibitedBy: [] });
    expect((await (await app.request('/api/v2/alerts?silenced=false')).json()) as unknown[]).toEqual([]);
    const one = (await (await app.request(`/api/v2/silence/${silenceID}`)).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ id: silenceID, status: { state: 'active' }, createdBy: 'me', matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }] });
    expect(((await (await app.request('/api/v2/silences?filter=alertname%3DA')).json()) as unknown[]).length).toBe(1);
    expect((await app.request(`/api/v2/silence/${silenceID}`, { method: 'DELETE' })).status).toBe(200);
    expect(((await (await app.request(`/api/v2/silence/${silenceID}`)).json()) as { status: { state: string } }).status.state).toBe('expired');
    expect((await app.request('/api/v2/silence/nope', { method: 'DELETE' })).status).toBe(404);
    const bad = await post('/api/v2/silences', { matchers: [], endsAt: '2026-12-01T11:00:00.000Z' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toBe('invalid silence: at least one matcher required');
  });

  it('reports status with the configuration redacted, and the receivers', async () => {
    const status = (await (await app.request('/api/v2/status')).json()) as { cluster: object; config: { original: string }; versionInfo: { version: string }; uptime: string };
    expect(status.cluster).toEqual({ name: 'n1', peers: [], status: 'disabled' });
    expect(status.config.original).toContain('<secret>');
    expect(status.config.original).not.toContain('pw@');
    expect(status.uptime).toBe('2026-12-01T09:59:59.000Z');
    expect(status.versionInfo.version).toBe('test');
    expect(await (await app.request('/api/v2/receivers')).json()).toEqual([{ name: 'team' }, { name: 'pager' }]);
  });
});
