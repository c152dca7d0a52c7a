// The Microsoft Teams integration (notify/msteams): a MessageCard posted to an incoming webhook,
// red while firing, green once resolved.
import type { Alert } from '../alert.ts';
import type { MsTeamsConfig } from '../receiver-config.ts';
import { groupStatus, secretValue } from './http-json.ts';
import type { NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

export class MsTeamsIntegration extends JsonHttpIntegration<MsTeamsConfig> {
  readonly kind = 'msteams';

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, string> {
    const { text } = this.expand(ctx, alerts);
    return {
      '@context': 'http://schema.org/extensions',
      type: 'MessageCard',
      title: text(this.config.title),
      summary: text(this.config.summary),
      text: text(this.config.text),
      themeColor: groupStatus(alerts, ctx.nowMs) === 'firing' ? '8C1A1A' : '2DC72D',
    };
  }

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest {
    return { url: secretValue('msteams', 'webhook_url_file', this.config.webhook_url, this.config.webhook_url_file), body: this.message(ctx, alerts) };
  }
}
