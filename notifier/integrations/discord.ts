// The Discord integration (notify/discord): one embed, red while firing, green once resolved.
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import { groupStatus, secretValue, truncateRunes } from './http-json.ts';
import type { NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class DiscordIntegration extends JsonHttpIntegration<ConfigValue> {
  readonly kind = 'discord';

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.config;
    const { text } = this.expand(ctx, alerts);
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

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest {
    return { url: secretValue('discord', 'webhook_url_file', str(this.config.webhook_url), str(this.config.webhook_url_file)), body: this.message(ctx, alerts) };
  }
}
