// The Microsoft Teams v2 integration (notify/msteamsv2): an Adaptive Card for Power Automate
// workflows: a heading (coloured by status) and the text.
import type { Alert } from '../alert.ts';
import type { MsTeamsV2Config } from '../receiver-config.ts';
import { groupStatus, secretValue } from './http-json.ts';
import type { NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

export class MsTeamsV2Integration extends JsonHttpIntegration<MsTeamsV2Config> {
  readonly kind = 'msteamsv2';

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const { text } = this.expand(ctx, alerts);
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
              { type: 'TextBlock', text: text(this.config.title), weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading', color: groupStatus(alerts, ctx.nowMs) === 'firing' ? 'Attention' : 'Good' },
              { type: 'TextBlock', text: text(this.config.text), wrap: true },
            ],
            msteams: { width: 'full' },
          },
        },
      ],
    };
  }

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest {
    return { url: secretValue('msteamsv2', 'webhook_url_file', this.config.webhook_url, this.config.webhook_url_file), body: this.message(ctx, alerts) };
  }
}
