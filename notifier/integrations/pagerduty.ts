// The PagerDuty integration (notify/pagerduty): Events API v2 (routing_key) with the group key's
// hash as dedup key, trigger while anything fires and resolve once everything resolved; Events
// API v1 (service_key) with the same rules.
import type { Alert } from '../alert.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { PagerdutyConfig } from '../receiver-config.ts';
import type { HttpClient } from './http-client.ts';
import { expander, groupKeyHash, groupStatus, postJson, secretValue, truncateRunes } from './http-json.ts';
import { NotifyError, type Integration, type NotifyContext } from './integration.ts';

const V1_URL = 'https://events.pagerduty.com/generic/2010-04-15/create_event.json';

export class PagerdutyIntegration implements Integration {
  readonly kind = 'pagerduty';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: PagerdutyConfig;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: PagerdutyConfig, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
    this.#tmpl = tmpl;
  }

  message(ctx: NotifyContext, alerts: readonly Alert[]): { url: string; body: Record<string, unknown> } {
    const c = this.#c;
    const { text } = expander('pagerduty', this.#tmpl, ctx, alerts);
    const resolved = groupStatus(alerts, ctx.nowMs) === 'resolved';
    const details: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.details ?? {})) details[k] = text(v);
    const serviceKey = secretValue('pagerduty', 'service_key_file', c.service_key, c.service_key_file);
    if (serviceKey !== '') {
      const body: Record<string, unknown> = {
        service_key: serviceKey,
        incident_key: groupKeyHash(ctx.groupKey),
        event_type: resolved ? 'resolve' : 'trigger',
        description: truncateRunes(text(c.description), 1024),
        details,
      };
      if (!resolved) {
        body.client = text(c.client);
        body.client_url = text(c.client_url);
      }
      return { url: c.url !== undefined && c.url !== 'https://events.pagerduty.com/v2/enqueue' ? c.url : V1_URL, body };
    }
    const routingKey = text(secretValue('pagerduty', 'routing_key_file', c.routing_key, c.routing_key_file));
    if (routingKey === '') throw new NotifyError('pagerduty: routing key cannot be empty', false, 'other');
    const payload: Record<string, unknown> = {
      summary: truncateRunes(text(c.description), 1024),
      source: text(c.source),
      severity: text(c.severity) || 'error',
      custom_details: details,
    };
    for (const k of ['class', 'component', 'group'] as const) {
      const v = text(c[k]);
      if (v !== '') payload[k] = v;
    }
    const body: Record<string, unknown> = {
      routing_key: routingKey,
      dedup_key: groupKeyHash(ctx.groupKey),
      event_action: resolved ? 'resolve' : 'trigger',
      payload,
      client: text(c.client),
      client_url: text(c.client_url),
      images: (c.images ?? []).map((i) => ({ src: text(i.src), alt: text(i.alt), href: text(i.href) })).filter((i) => i.src !== ''),
      links: (c.links ?? []).map((l) => ({ href: text(l.href), text: text(l.text) })).filter((l) => l.href !== ''),
    };
    for (const k of ['client', 'client_url']) if (body[k] === '') delete body[k];
    for (const k of ['images', 'links']) if ((body[k] as unknown[]).length === 0) delete body[k];
    return { url: c.url ?? 'https://events.pagerduty.com/v2/enqueue', body };
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const { url, body } = this.message(ctx, alerts);
    await postJson('pagerduty', url, body, this.#http, ctx.signal);
  }
}
