import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mountNotificationHistoryApi, NotificationHistory, type NotificationHistoryEntry } from './notification-history.ts';

const entry = (atMs: number, over: Partial<NotificationHistoryEntry> = {}): NotificationHistoryEntry => ({
  atMs,
  receiver: 'team',
  integration: 'webhook[0]',
  groupKey: '{}:{alertname="A"}',
  groupLabels: { alertname: 'A' },
  status: 'firing',
  alerts: 1,
  attempts: 1,
  outcome: 'sent',
  ...over,
});

describe('notification history', () => {
  it('keeps the newest entries up to its capacity, newest first', () => {
    const h = new NotificationHistory(3);
    for (let i = 1; i <= 5; i++) h.record(entry(i));
    expect(h.latest().map((e) => e.atMs)).toEqual([5, 4, 3]);
    expect(h.latest(2).map((e) => e.atMs)).toEqual([5, 4]);
    expect(h.latest(0)).toEqual([]);
  });

  it('serves GET /api/v1/notifications with RFC 3339 times and the reason, rejecting a bad limit', async () => {
    const h = new NotificationHistory();
    h.record(entry(Date.parse('2026-12-01T12:00:00Z'), { outcome: 'will-retry', reason: 'serverError', attempts: 3 }));
    const app = new Hono();
    mountNotificationHistoryApi(app, h);
    const body = (await (await app.request('/api/v1/notifications')).json()) as { status: string; data: Record<string, unknown>[] };
    expect(body.status).toBe('success');
    expect(body.data).toEqual([
      { at: '2026-12-01T12:00:00.000Z', receiver: 'team', integration: 'webhook[0]', groupKey: '{}:{alertname="A"}', groupLabels: { alertname: 'A' }, status: 'firing', alerts: 1, attempts: 3, outcome: 'will-retry', reason: 'serverError' },
    ]);
    expect((await app.request('/api/v1/notifications?limit=-1')).status).toBe(400);
    expect((await app.request('/api/v1/notifications?limit=0')).status).toBe(200);
  });
});
