// The last notifications this replica attempted (Alertmanager keeps none: its issue 172): what
// the status page and GET /api/v1/notifications show. In memory and bounded; one entry per
// integration per flush that tried to send. Only the failure's reason label is kept, never the
// error text (it can quote a receiver's URL or answer, which may carry secrets).
import type { Hono } from 'hono';
import type { FailureReason } from './integrations/integration.ts';

export type NotificationOutcome = 'sent' | 'failed' | 'will-retry';

export interface NotificationHistoryEntry {
  readonly atMs: number;
  readonly receiver: string;
  /** "webhook[0]", "email[1]", ... */
  readonly integration: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly status: 'firing' | 'resolved';
  readonly alerts: number;
  readonly attempts: number;
  readonly outcome: NotificationOutcome;
  readonly reason?: FailureReason;
}

export const DEFAULT_HISTORY_SIZE = 200;

export class NotificationHistory {
  readonly #capacity: number;
  readonly #entries: NotificationHistoryEntry[] = [];

  constructor(capacity = DEFAULT_HISTORY_SIZE) {
    this.#capacity = Math.max(1, capacity);
  }

  record(entry: NotificationHistoryEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
  }

  /** Newest first, at most `limit`. */
  latest(limit = this.#capacity): NotificationHistoryEntry[] {
    if (limit <= 0) return [];
    return this.#entries.slice(-limit).reverse();
  }
}

/** The JSON of GET /api/v1/notifications (times as RFC 3339). */
export function historyEntryToApi(e: NotificationHistoryEntry): Record<string, unknown> {
  return {
    at: new Date(e.atMs).toISOString(),
    receiver: e.receiver,
    integration: e.integration,
    groupKey: e.groupKey,
    groupLabels: e.groupLabels,
    status: e.status,
    alerts: e.alerts,
    attempts: e.attempts,
    outcome: e.outcome,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
  };
}

/** GET /api/v1/notifications?limit=N: the last notifications, newest first, Prometheus' envelope. */
export function mountNotificationHistoryApi(app: Hono, history: NotificationHistory): void {
  app.get('/api/v1/notifications', (c) => {
    const raw = c.req.query('limit');
    const limit = raw === undefined || raw === '' ? DEFAULT_HISTORY_SIZE : Number(raw);
    if (!Number.isInteger(limit) || limit < 0) return c.json({ status: 'error', errorType: 'bad_data', error: `limit: expected a non-negative integer, got ${JSON.stringify(raw)}` }, 400);
    return c.json({ status: 'success', data: history.latest(limit).map(historyEntryToApi) });
  });
}
