import { describe, expect, it } from 'vitest';
import type { Alert } from './alert.ts';
import { generatorURL, needsSending, notificationLabels, takeAlertsToSend, toPostableAlerts, validUntil } from './alert-sending.ts';

const firing = (extra: Partial<Alert> = {}): Alert => ({
  state: 'firing',
  labels: { alertname: 'HighLatency', a1: '1' },
  annotations: { summary: 'slow' },
  value: 2,
  activeAt: 0,
  firedAt: 60_000,
  ...extra,
});

describe('needsSending', () => {
  it('never sends pending alerts', () => {
    expect(needsSending(firing({ state: 'pending', firedAt: undefined }), 1e9, 0)).toBe(false);
  });
  it('sends a firing alert never sent, then strictly after the resend delay', () => {
    expect(needsSending(firing(), 60_000, 60_000)).toBe(true);
    expect(needsSending(firing({ lastSentAt: 60_000 }), 120_000, 60_000)).toBe(false);
    expect(needsSending(firing({ lastSentAt: 60_000 }), 120_001, 60_000)).toBe(true);
  });
  it('sends a resolution once, then again after the resend delay', () => {
    const resolved = firing({ state: 'inactive', lastSentAt: 60_000, resolvedAt: 90_000 });
    expect(needsSending(resolved, 90_000, 60_000)).toBe(true);
    expect(needsSending({ ...resolved, lastSentAt: 90_000 }, 120_000, 60_000)).toBe(false);
    expect(needsSending({ ...resolved, lastSentAt: 90_000 }, 180_000, 60_000)).toBe(true);
  });
});

describe('takeAlertsToSend (sendAlerts)', () => {
  it('marks the alerts sent with validUntil = ts + 4 * max(interval, resend delay)', () => {
    const a = firing();
    const sent = takeAlertsToSend([a, firing({ state: 'pending' })], 60_000, 60_000, 15_000);
    expect(sent).toHaveLength(1);
    expect(a).toMatchObject({ lastSentAt: 60_000, validUntil: 60_000 + 240_000 });
    expect(validUntil(0, 60_000, 300_000)).toBe(1_200_000);
    sent[0]!.labels = {};
    expect(a.labels.alertname).toBe('HighLatency'); // copies
  });
});

describe('notificationLabels', () => {
  it('adds external labels without overriding alert labels', () => {
    expect(notificationLabels({ alertname: 'A', region: 'eu' }, { region: 'us', replica: 'r1' })).toEqual({ alertname: 'A', region: 'eu', replica: 'r1' });
  });
  it('applies relabeling after the external labels, and may drop the alert', () => {
    expect(notificationLabels({ alertname: 'A' }, { replica: 'r1' }, (l) => ({ ...l, replica: '' }))).toEqual({ alertname: 'A' });
    expect(notificationLabels({ alertname: 'A' }, {}, () => null)).toBeNull();
  });
});

describe('toPostableAlerts', () => {
  it('builds Alertmanager API v2 alerts as Prometheus does', () => {
    const body = toPostableAlerts(
      [firing({ lastSentAt: 60_000, validUntil: 300_000 }), firing({ state: 'inactive', resolvedAt: 120_500, validUntil: 300_000 })],
      { expr: 'latency > 0.5', externalURL: 'http://prom:9090', externalLabels: { cluster: 'c1' } },
    );
    expect(body).toEqual([
      {
        labels: { a1: '1', alertname: 'HighLatency', cluster: 'c1' },
        annotations: { summary: 'slow' },
        startsAt: '1970-01-01T00:01:00.000Z',
        endsAt: '1970-01-01T00:05:00.000Z',
        generatorURL: 'http://prom:9090/graph?g0.expr=latency+%3E+0.5&g0.tab=1',
      },
      {
        labels: { a1: '1', alertname: 'HighLatency', cluster: 'c1' },
        annotations: { summary: 'slow' },
        startsAt: '1970-01-01T00:01:00.000Z',
        endsAt: '1970-01-01T00:02:00.500Z',
        generatorURL: 'http://prom:9090/graph?g0.expr=latency+%3E+0.5&g0.tab=1',
      },
    ]);
  });

  it('relabels the payload only, not the alert (TestSendAlertsDontAffectActiveAlerts)', () => {
    const a = firing();
    const [sent] = toPostableAlerts([a], { expr: 'foo', relabel: (l) => ({ ...l, a1: 'bug' }) });
    expect(sent?.labels.a1).toBe('bug');
    expect(a.labels.a1).toBe('1');
  });

  it('leaves out alerts dropped by relabeling and gives a relative link without external URL', () => {
    expect(toPostableAlerts([firing()], { expr: 'x', relabel: () => null })).toEqual([]);
    expect(generatorURL('', 'up == 0')).toBe('/graph?g0.expr=up+%3D%3D+0&g0.tab=1');
  });
});
