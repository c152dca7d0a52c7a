// The Webex integration (notify/webex): a markdown message to a room; the bot token comes from
// http_config.authorization, which the configuration requires.
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import type { NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

const MAX_MESSAGE_BYTES = 7439;

/** notify.TruncateInBytes: cut at a character boundary, with "…" (3 bytes) at the end. */
function truncateBytes(s: string, n: number): string {
  const bytes = Buffer.from(s);
  if (bytes.length <= n) return s;
  let cut = bytes.subarray(0, n - 3).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export class WebexIntegration extends JsonHttpIntegration<ConfigValue> {
  readonly kind = 'webex';

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, string> {
    const { text } = this.expand(ctx, alerts);
    const body: Record<string, string> = { markdown: truncateBytes(text(this.config.message as string | undefined), MAX_MESSAGE_BYTES) };
    const room = text(this.config.room_id as string | undefined);
    if (room !== '') body.roomId = room;
    return body;
  }

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest {
    return { url: this.config.api_url as string, body: this.message(ctx, alerts) };
  }
}
