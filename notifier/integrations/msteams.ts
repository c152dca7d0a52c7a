// The Microsoft Teams integration (notify/msteams): a MessageCard posted to an incoming webhook,
// red while firing, green once resolved.
import type { Alert } from '../alert.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { MsTeamsConfig } from '../receiver-config.ts';
import type { HttpClient } from './http-client.ts';
import { expander, groupStatus, postJson, secretValue } from './http-json.ts';
import type { Integration, NotifyContext } from './integration.ts';

export class MsTeamsIntegration implements Integration {
  readonly kind = 'msteams';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: MsTeamsConfig;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: MsTeamsConfig, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
    this.#tmpl = tmpl;
  }

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, string> {
    const { text } = expander('msteams', this.#tmpl, ctx, alerts);
    return {
      '@context': 'http://schema.org/extensions',
      type: 'MessageCard',
      title: text(this.#c.title),
      summary: text(this.#c.summary),
      text: text(this.#c.text),
      themeColor: groupStatus(alerts, ctx.nowMs) === 'firing' ? '8C1A1A' : '2DC72D',
    };
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const url = secretValue('msteams', 'webhook_url_file', this.#c.webhook_url, this.#c.webhook_url_file);
    await postJson('msteams', url, this.message(ctx, alerts), this.#http, ctx.signal);
  }
}
