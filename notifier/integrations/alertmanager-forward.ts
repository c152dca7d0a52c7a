// A Ringwatch extension receiver: forwards a group's alerts to a real Alertmanager, as
// Prometheus' notifier sends them (POST <url>/api/v2/alerts, a JSON list of postable alerts:
// labels, annotations, startsAt, endsAt, generatorURL; batches of at most 256 alerts, as
// Prometheus' maxBatchSize). For setups that keep their Alertmanager behind Ringwatch. Declared
// in the notifier's own file (`receiver_extensions.<receiver>.alertmanager_configs`).
import { request } from 'undici';
import { checkUrl, ConfigError, join, readBoolean, readDuration, readObject, readString } from '../../core/config-schema.ts';
import { redactUrl } from '../../core/logger.ts';
import type { Alert } from '../alert.ts';
import { parseStruct, redactStruct, type ConfigValue } from '../config-fields.ts';
import { HTTP_CLIENT_CONFIG, type HttpClientConfig } from '../http-config.ts';
import type { HttpClient } from './http-client.ts';
import { readBounded } from './http-template.ts';
import { asNotifyError, checkHttpStatus, type Integration, type NotifyContext } from './integration.ts';

/** Prometheus' notifier maxBatchSize: one request carries at most this many alerts. */
export const MAX_ALERTS_PER_REQUEST = 256;

export interface AlertmanagerForwardConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  /** The Alertmanager's base URL (with its --web.route-prefix, if any). */
  url: string;
  /** milliseconds, 0 = the flush deadline only */
  timeout: number;
}

const KEYS = ['url', 'http_config', 'send_resolved', 'timeout'];

export function readAlertmanagerForwardConfig(raw: unknown, path: string): AlertmanagerForwardConfig {
  const obj = readObject(raw, path, KEYS);
  const url = checkUrl(readString(obj, 'url', path), join(path, 'url')).replace(/\/+$/, '');
  const config: AlertmanagerForwardConfig = { send_resolved: readBoolean(obj, 'send_resolved', path, true), url, timeout: readDuration(obj, 'timeout', path, 0) };
  if (new URL(url).search !== '') throw new ConfigError(join(path, 'url'), 'must be the base URL of an Alertmanager, without a query');
  if (obj.http_config !== undefined && obj.http_config !== null) config.http_config = parseStruct(obj.http_config, join(path, 'http_config'), HTTP_CLIENT_CONFIG, {}) as unknown as HttpClientConfig;
  return config;
}

/** The entry as logs may show it: URL userinfo and http_config secrets redacted. */
export function redactAlertmanagerForwardConfig(c: AlertmanagerForwardConfig): Record<string, unknown> {
  return {
    ...c,
    url: redactUrl(c.url),
    ...(c.http_config !== undefined ? { http_config: redactStruct(structuredClone(c.http_config) as unknown as ConfigValue, HTTP_CLIENT_CONFIG) } : {}),
  };
}

/** A postable alert as Prometheus' notifier writes it (models.PostableAlert). */
export function postableAlert(a: Alert): Record<string, unknown> {
  return {
    labels: { ...a.labels },
    annotations: { ...a.annotations },
    startsAt: new Date(a.startsAtMs).toISOString(),
    ...(a.endsAtMs !== 0 ? { endsAt: new Date(a.endsAtMs).toISOString() } : {}),
    generatorURL: a.generatorURL,
  };
}

export class AlertmanagerForwardIntegration implements Integration {
  readonly kind = 'alertmanager';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #config: AlertmanagerForwardConfig;
  readonly #http: HttpClient;

  constructor(config: AlertmanagerForwardConfig, index: number, http: HttpClient) {
    this.#config = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const signal = this.#config.timeout > 0 ? AbortSignal.any([ctx.signal, AbortSignal.timeout(this.#config.timeout)]) : ctx.signal;
    // A retry resends every batch: Alertmanager merges an alert it already has (same labels).
    for (let i = 0; i < alerts.length; i += MAX_ALERTS_PER_REQUEST) {
      const batch = alerts.slice(i, i + MAX_ALERTS_PER_REQUEST).map(postableAlert);
      try {
        const res = await request(`${this.#config.url}/api/v2/alerts`, {
          method: 'POST',
          dispatcher: this.#http.dispatcher,
          headers: { ...this.#http.headers(), 'Content-Type': 'application/json', 'User-Agent': 'Alertmanager/0.28.1' },
          body: JSON.stringify(batch),
          signal,
        });
        checkHttpStatus('alertmanager', res.statusCode, await readBounded(res.body));
      } catch (err) {
        throw asNotifyError(err, ctx.signal);
      }
    }
  }
}
