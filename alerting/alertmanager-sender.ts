// Sends alerts to Alertmanagers as Prometheus' notifier does (notifier/manager.go): one bounded
// queue (the oldest alerts dropped and counted when it overflows), batches of at most 256 alerts
// posted to every configured Alertmanager's /api/v2/alerts at once; a batch counts as delivered
// when at least one Alertmanager took it, dropped when none did. Alertmanagers de-duplicate, and
// every firing alert is re-sent each resend delay anyway, so there is no retry of a failed batch.
import { request, type Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher } from '../core/http-client-config.ts';
import type { Logger } from '../core/logger.ts';
import type { AlertmanagerConfig } from './alerting-config.ts';
import type { AlertingMetrics } from './alerting-metrics.ts';

/** Alertmanager API v2 `postableAlert`. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

export const QUEUE_CAPACITY = 10_000;
export const MAX_BATCH_SIZE = 256;

interface Target {
  url: string;
  config: AlertmanagerConfig;
  dispatcher: Dispatcher;
}

export class AlertmanagerSender {
  readonly #targets: Target[];
  readonly #logger: Logger;
  readonly #metrics: AlertingMetrics;
  #queue: PostableAlert[] = [];
  #sending: Promise<void> | undefined;
  #closed = false;

  constructor(configs: readonly AlertmanagerConfig[], logger: Logger, metrics: AlertingMetrics) {
    this.#logger = logger.child({ component: 'notifier' });
    this.#metrics = metrics;
    this.#targets = configs.flatMap((config) => {
      const dispatcher = createHttpDispatcher(config.http, { connections: 4 });
      return config.urls.map((url) => ({ url, config, dispatcher }));
    });
    metrics.notificationQueueCapacity.set(QUEUE_CAPACITY);
    for (const t of this.#targets) {
      metrics.notificationsSent.inc({ alertmanager: t.url }, 0);
      metrics.notificationErrors.inc({ alertmanager: t.url }, 0);
    }
  }

  get alertmanagers(): readonly string[] {
    return this.#targets.map((t) => t.url);
  }

  /** Queues alerts for sending; returns at once. */
  send(alerts: readonly PostableAlert[]): void {
    if (this.#targets.length === 0 || alerts.length === 0 || this.#closed) return;
    this.#queue.push(...alerts);
    const overflow = this.#queue.length - QUEUE_CAPACITY;
    if (overflow > 0) {
      this.#queue.splice(0, overflow);
      this.#metrics.notificationsDropped.inc(overflow);
      this.#logger.warn({ dropped: overflow }, 'alert notification queue full, dropping alerts');
    }
    this.#metrics.notificationQueueLength.set(this.#queue.length);
    this.#kick();
  }

  /** Resolves once everything queued so far was attempted. */
  async flush(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    await Promise.all([...new Set(this.#targets.map((t) => t.dispatcher))].map((d) => d.close()));
  }

  #kick(): void {
    if (this.#sending !== undefined) return;
    this.#sending = this.#drain().finally(() => {
      this.#sending = undefined;
      if (this.#queue.length > 0 && !this.#closed) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH_SIZE);
      this.#metrics.notificationQueueLength.set(this.#queue.length);
      const body = JSON.stringify(batch);
      const results = await Promise.all(this.#targets.map((t) => this.#post(t, body, batch.length)));
      if (!results.some(Boolean)) {
        this.#metrics.notificationsDropped.inc(batch.length);
        this.#logger.error({ count: batch.length }, 'error sending alerts to every Alertmanager: dropped');
      }
    }
  }

  async #post(target: Target, body: string, count: number): Promise<boolean> {
    const began = performance.now();
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Ringwatch/0.1' };
      const authorization = authorizationHeader(target.config.http.auth);
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await request(target.url, { method: 'POST', headers, body, dispatcher: target.dispatcher, signal: AbortSignal.timeout(target.config.timeoutMs) });
      const text = (await res.body.text()).slice(0, 300);
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`bad response status ${res.statusCode}: ${text}`);
      this.#metrics.notificationsSent.inc({ alertmanager: target.url }, count);
      return true;
    } catch (err) {
      this.#metrics.notificationErrors.inc({ alertmanager: target.url }, count);
      this.#logger.error({ alertmanager: target.url, count, err: (err as Error).message }, 'error sending alerts');
      return false;
    } finally {
      this.#metrics.notificationLatency.observe({ alertmanager: target.url }, (performance.now() - began) / 1000);
    }
  }
}
