// The provisioned Alertmanager data source (implementation: prometheus) against the notifier:
// the reads Grafana's Alertmanager data source makes (its health check on /api/v2/status, the
// alert list and groups, silences, receivers) answer in Alertmanager's shapes, and an alert
// posted to the notifier shows up in them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { ALERTMANAGER_DATASOURCE_UID } from '../../deploy/grafana/dashboards/common.ts';
import { eventually } from '../harness/eventually.ts';
import { startNotifierNode, type NotifierNode } from '../harness/notifier-node.ts';

describe('Grafana Alertmanager data source on the notifier', () => {
  const infra = inject('infra');
  let notifier: NotifierNode;
  const alertname = `GrafanaDatasource${Date.now()}`;

  beforeAll(async () => {
    notifier = await startNotifierNode({
      name: 'grafana-am',
      kafkaBrokers: infra.kafkaBrokers,
      alertmanagerConfig: { route: { receiver: 'blackhole', group_by: ['alertname'] }, receivers: [{ name: 'blackhole' }] },
    });
  });
  afterAll(async () => {
    await notifier?.node.stop();
  });

  it('is provisioned as an Alertmanager of the prometheus implementation', () => {
    const doc = parse(readFileSync(join(repoRoot(), 'deploy/grafana/provisioning/datasources/ringwatch.yaml'), 'utf8')) as { datasources: { uid: string; type: string; jsonData?: { implementation?: string } }[] };
    const ds = doc.datasources.find((d) => d.uid === ALERTMANAGER_DATASOURCE_UID);
    expect(ds).toMatchObject({ type: 'alertmanager', jsonData: { implementation: 'prometheus' } });
  });

  it('answers the reads Grafana makes in Alertmanager shapes', async () => {
    const status = (await (await fetch(`${notifier.url}/api/v2/status`)).json()) as { cluster?: unknown; versionInfo?: unknown; config?: { original?: string } };
    expect(status.config?.original).toContain('blackhole');
    expect(status.versionInfo).toBeDefined();
    expect(status.cluster).toBeDefined();

    const posted = await fetch(`${notifier.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname, severity: 'page' }, annotations: { summary: 'from the Grafana data source test' } }]),
    });
    expect(posted.status).toBe(200);
    const alerts = await eventually(
      async () => {
        const list = (await (await fetch(`${notifier.url}/api/v2/alerts?${new URLSearchParams([['filter', `alertname="${alertname}"`], ['active', 'true'], ['silenced', 'false'], ['inhibited', 'false']])}`)).json()) as { labels: Record<string, string>; status: { state: string } }[];
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 20_000, description: 'the posted alert in /api/v2/alerts' },
    );
    expect(alerts[0]?.labels.alertname).toBe(alertname);
    expect(alerts[0]?.status.state).toBe('active');

    const groups = (await (await fetch(`${notifier.url}/api/v2/alerts/groups`)).json()) as { labels: Record<string, string>; receiver: { name: string }; alerts: unknown[] }[];
    expect(groups.some((g) => g.labels.alertname === alertname && g.receiver.name === 'blackhole')).toBe(true);

    const silences = await fetch(`${notifier.url}/api/v2/silences`);
    expect(silences.status).toBe(200);
    expect(Array.isArray(await silences.json())).toBe(true);

    const receivers = (await (await fetch(`${notifier.url}/api/v2/receivers`)).json()) as { name: string }[];
    expect(receivers.map((r) => r.name)).toContain('blackhole');
  });
});
