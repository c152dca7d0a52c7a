// Ported from Alertmanager 0.28 notify/webhook/webhook_test.go (TestWebhookTruncateAlerts) and
// template/template_test.go (TestData), plus the message shape of notify/webhook.
import { describe, expect, it } from 'vitest';
import { fingerprint } from './labels.ts';
import { goTimeString, quoteMeta, templateData, truncateAlerts, webhookBody, webhookMessage, type NotificationAlert } from './webhook-payload.ts';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0, 0);
const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}, endsAtMs?: number): NotificationAlert => ({
  labels,
  annotations,
  startsAtMs: NOW - 60_000,
  ...(endsAtMs === undefined ? {} : { endsAtMs }),
  generatorURL: 'http://prom/graph',
});

describe('truncateAlerts (TestWebhookTruncateAlerts)', () => {
  const ten = Array.from({ length: 10 }, (_, i) => i);
  it('keeps all with 0, cuts to max_alerts, and counts the rest', () => {
    expect(truncateAlerts(0, ten)).toEqual({ alerts: ten, truncated: 0 });
    expect(truncateAlerts(4, ten)).toEqual({ alerts: [0, 1, 2, 3], truncated: 6 });
    expect(truncateAlerts(100, ten)).toEqual({ alerts: ten, truncated: 0 });
  });
});

describe('templateData (TestData)', () => {
  it('is resolved when there are no alerts', () => {
    expect(templateData('webhook', {}, [], 'http://am', NOW)).toEqual({
      receiver: 'webhook', status: 'resolved', alerts: [], groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am',
    });
  });

  it('computes common labels and annotations and per-alert status', () => {
    const d = templateData(
      'webhook',
      { job: 'foo' },
      [
        alert({ job: 'foo', instance: 'a', severity: 'warning' }, { summary: 'x', description: 'a' }),
        alert({ job: 'foo', instance: 'b', severity: 'warning' }, { summary: 'x', description: 'b' }, NOW - 1000),
      ],
      'http://am',
      NOW,
    );
    expect(d.status).toBe('firing');
    expect(d.commonLabels).toEqual({ job: 'foo', severity: 'warning' });
    expect(d.commonAnnotations).toEqual({ summary: 'x' });
    expect(d.groupLabels).toEqual({ job: 'foo' });
    expect(d.alerts.map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(d.alerts[0]).toEqual({
      status: 'firing',
      labels: { instance: 'a', job: 'foo', severity: 'warning' },
      annotations: { description: 'a', summary: 'x' },
      startsAt: '2024-06-01T11:59:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prom/graph',
      fingerprint: fingerprint({ job: 'foo', instance: 'a', severity: 'warning' }),
    });
    expect(d.alerts[1]?.endsAt).toBe('2024-06-01T11:59:59Z');
  });

  it('hides an end time that has not passed yet (the alert is still firing)', () => {
    const d = templateData('r', {}, [alert({ a: '1' }, {}, NOW + 300_000)], '', NOW);
    expect(d.alerts[0]).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z' });
    expect(d.status).toBe('firing');
  });

  it('is resolved when every alert is', () => {
    expect(templateData('r', {}, [alert({ a: '1' }, {}, NOW), alert({ a: '2' }, {}, NOW - 5)], '', NOW).status).toBe('resolved');
  });

  it('quotes regexp metacharacters in the receiver name, as upstream does', () => {
    expect(quoteMeta('team.web (prod)')).toBe('team\\.web \\(prod\\)');
    expect(templateData('team.web', {}, [], '', NOW).receiver).toBe('team\\.web');
  });
});

describe('webhookMessage', () => {
  const alerts = [alert({ alertname: 'A', i: '1' }), alert({ alertname: 'A', i: '2' }), alert({ alertname: 'A', i: '3' })];
  const msg = webhookMessage({ receiver: 'hook', groupKey: '{}:{alertname="A"}', groupLabels: { alertname: 'A' }, alerts, externalURL: 'http://am:9093', maxAlerts: 2, nowMs: NOW });

  it('is version 4 with the group key and the truncated count, in Go field order', () => {
    expect(msg.version).toBe('4');
    expect(msg.groupKey).toBe('{}:{alertname="A"}');
    expect(msg.truncatedAlerts).toBe(1);
    expect(msg.alerts).toHaveLength(2);
    expect(Object.keys(msg)).toEqual(['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
    expect(Object.keys(msg.alerts[0] as object)).toEqual(['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
  });

  it('computes common labels over the alerts that are sent', () => {
    const one = webhookMessage({ receiver: 'hook', groupKey: 'k', groupLabels: {}, alerts, externalURL: '', maxAlerts: 1, nowMs: NOW });
    expect(one.commonLabels).toEqual({ alertname: 'A', i: '1' });
  });

  it('writes the body as Go json.Encoder does', () => {
    const body = webhookBody(webhookMessage({ receiver: 'r', groupKey: '{}:{a="<b>&"}', groupLabels: {}, alerts: [], externalURL: '', maxAlerts: 0, nowMs: NOW }));
    expect(body).toContain('"groupKey":"{}:{a=\\"\\u003cb\\u003e\\u0026\\"}"');
    expect(body.endsWith('}\n')).toBe(true);
    expect(JSON.parse(body).groupKey).toBe('{}:{a="<b>&"}');
  });
});

describe('goTimeString', () => {
  it('formats like Go RFC3339Nano in UTC', () => {
    expect(goTimeString(0)).toBe('0001-01-01T00:00:00Z');
    expect(goTimeString(Date.UTC(2024, 0, 2, 3, 4, 5, 600))).toBe('2024-01-02T03:04:05.6Z');
    expect(goTimeString(Date.UTC(2024, 0, 2, 3, 4, 5, 123))).toBe('2024-01-02T03:04:05.123Z');
  });
});
