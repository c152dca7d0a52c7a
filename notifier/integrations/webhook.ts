// The webhook integration (notify/webhook): POSTs Alertmanager's version-4 JSON message.
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { WebhookConfig } from '../receiver-config.ts';
import { webhookBody, webhookMessage } from '../webhook-payload.ts';
import type { Alert } from '../alert.ts';
import type { HttpClient } from './http-client.ts';
import { asNotifyError, checkHttpStatus, NotifyError, type Integration, type NotifyContext } from './integration.ts';

export class WebhookIntegration implements Integration {
  readonly kind = 'webhook';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #config: WebhookConfig;
  readonly #http: HttpClient;

  constructor(config: WebhookConfig, index: number, http: HttpClient) {
    this.#config = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
  }

  #url(): string {
    if (this.#config.url !== undefined && this.#config.url !== '') return this.#config.url;
    try {
      return readFileSync(this.#config.url_file as string, 'utf8').trim();
    } catch (err) {
      throw new NotifyError(`webhook: cannot read url_file: ${(err as Error).message}`, false, 'other');
    }
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const body = webhookBody(
      webhookMessage({
        receiver: ctx.receiver,
        groupKey: ctx.groupKey,
        groupLabels: ctx.groupLabels,
        alerts,
        externalURL: ctx.externalUrl,
        maxAlerts: this.#config.max_alerts,
        nowMs: ctx.nowMs,
      }),
    );
    const signal = this.#config.timeout > 0 ? AbortSignal.any([ctx.signal, AbortSignal.timeout(this.#config.timeout)]) : ctx.signal;
    try {
      const res = await request(this.#url(), {
        method: 'POST',
        dispatcher: this.#http.dispatcher,
        headers: { ...this.#http.headers(), 'Content-Type': 'application/json', 'User-Agent': 'Alertmanager/0.28.1' },
        body,
        signal,
      });
      const text = await res.body.text();
      checkHttpStatus('webhook', res.statusCode, text);
    } catch (err) {
      throw asNotifyError(err, ctx.signal);
    }
  }
}
