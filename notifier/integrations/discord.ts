// The Discord integration (notify/discord): one embed, red while firing, green once resolved.
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { HttpClient } from './http-client.ts';
import { expander, groupStatus, postJson, secretValue, truncateRunes } from './http-json.ts';
import type { Integration, NotifyContext } from './integration.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class DiscordIntegration implements Integration {
  readonly kind = 'discord';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: ConfigValue;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: ConfigValue, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved === true;
    this.#http = http;
    this.#tmpl = tmpl;
  }

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.#c;
    const { text } = expander('discord', this.#tmpl, ctx, alerts);
    const body: Record<string, unknown> = {
      content: truncateRunes(text(str(c.content)), 2000),
      embeds: [
        {
          title: truncateRunes(text(str(c.title)), 256),
          description: truncateRunes(text(str(c.message)), 4096),
          color: groupStatus(alerts, ctx.nowMs) === 'firing' ? 0x992d22 : 0x2ecc71,
        },
      ],
    };
    if (str(c.username)) body.username = c.username;
    if (str(c.avatar_url) && URL.canParse(c.avatar_url as string)) body.avatar_url = c.avatar_url;
    return body;
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const url = secretValue('discord', 'webhook_url_file', str(this.#c.webhook_url), str(this.#c.webhook_url_file));
    await postJson('discord', url, this.message(ctx, alerts), this.#http, ctx.signal);
  }
}
