// The OpsGenie integration (notify/opsgenie): create an alert (alias = the group key's hash)
// while firing, close it once everything resolved.
import type { Alert } from '../alert.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { OpsGenieConfig } from '../receiver-config.ts';
import type { HttpClient } from './http-client.ts';
import { expander, groupKeyHash, groupStatus, postJson, secretValue, truncateRunes } from './http-json.ts';
import type { Integration, NotifyContext } from './integration.ts';

export class OpsGenieIntegration implements Integration {
  readonly kind = 'opsgenie';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: OpsGenieConfig;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: OpsGenieConfig, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
    this.#tmpl = tmpl;
  }

  request(ctx: NotifyContext, alerts: readonly Alert[]): { url: string; body: Record<string, unknown> } {
    const c = this.#c;
    const { text, data } = expander('opsgenie', this.#tmpl, ctx, alerts);
    const alias = groupKeyHash(ctx.groupKey);
    const base = c.api_url ?? 'https://api.opsgenie.com/';
    if (groupStatus(alerts, ctx.nowMs) === 'resolved') {
      return { url: `${base}v2/alerts/${alias}/close?identifierType=alias`, body: { source: text(c.source) } };
    }
    const details: Record<string, string> = {};
    for (const [k, v] of data.CommonLabels.entries) details[String(k)] = String(v);
    for (const [k, v] of Object.entries(c.details ?? {})) details[k] = text(v);
    const tags = text(c.tags)
      .split(/[,\s]+/)
      .filter((t) => t !== '');
    const body: Record<string, unknown> = {
      alias,
      message: truncateRunes(text(c.message), 130),
      description: text(c.description),
      details,
      source: text(c.source),
      responders: (c.responders ?? []).map((r) => {
        const out: Record<string, string> = { type: text(r.type) };
        if (r.id) out.id = text(r.id);
        if (r.name) out.name = text(r.name);
        if (r.username) out.username = text(r.username);
        return out;
      }),
      tags,
      note: text(c.note),
      priority: text(c.priority),
      entity: text(c.entity),
      actions: text(c.actions)
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    };
    for (const k of ['description', 'source', 'note', 'priority', 'entity']) if (body[k] === '') delete body[k];
    for (const k of ['responders', 'tags', 'actions']) if ((body[k] as unknown[]).length === 0) delete body[k];
    return { url: `${base}v2/alerts`, body };
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const key = secretValue('opsgenie', 'api_key_file', this.#c.api_key, this.#c.api_key_file);
    const { url, body } = this.request(ctx, alerts);
    await postJson('opsgenie', url, body, this.#http, ctx.signal, { Authorization: `GenieKey ${key}` });
  }
}
