// The Microsoft Teams v2 integration (notify/msteamsv2): an Adaptive Card for Power Automate
// workflows: a heading (coloured by status) and the text.
import type { Alert } from '../alert.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { MsTeamsV2Config } from '../receiver-config.ts';
import type { HttpClient } from './http-client.ts';
import { expander, groupStatus, postJson, secretValue } from './http-json.ts';
import type { Integration, NotifyContext } from './integration.ts';

export class MsTeamsV2Integration implements Integration {
  readonly kind = 'msteamsv2';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: MsTeamsV2Config;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: MsTeamsV2Config, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
    this.#tmpl = tmpl;
  }

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const { text } = expander('msteamsv2', this.#tmpl, ctx, alerts);
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.2',
            body: [
              { type: 'TextBlock', text: text(this.#c.title), weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading', color: groupStatus(alerts, ctx.nowMs) === 'firing' ? 'Attention' : 'Good' },
              { type: 'TextBlock', text: text(this.#c.text), wrap: true },
            ],
            msteams: { width: 'full' },
          },
        },
      ],
    };
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const url = secretValue('msteamsv2', 'webhook_url_file', this.#c.webhook_url, this.#c.webhook_url_file);
    await postJson('msteamsv2', url, this.message(ctx, alerts), this.#http, ctx.signal);
  }
}
