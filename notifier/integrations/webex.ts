// The Webex integration (notify/webex): a markdown message to a room; the bot token comes from
// http_config.authorization, which the configuration requires.
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { HttpClient } from './http-client.ts';
import { expander, postJson } from './http-json.ts';
import type { Integration, NotifyContext } from './integration.ts';

const MAX_MESSAGE_BYTES = 7439;

/** notify.TruncateInBytes: cut at a character boundary, with "…" (3 bytes) at the end. */
function truncateBytes(s: string, n: number): string {
  const bytes = Buffer.from(s);
  if (bytes.length <= n) return s;
  let cut = bytes.subarray(0, n - 3).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export class WebexIntegration implements Integration {
  readonly kind = 'webex';
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

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, string> {
    const { text } = expander('webex', this.#tmpl, ctx, alerts);
    const body: Record<string, string> = { markdown: truncateBytes(text(this.#c.message as string | undefined), MAX_MESSAGE_BYTES) };
    const room = text(this.#c.room_id as string | undefined);
    if (room !== '') body.roomId = room;
    return body;
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    await postJson('webex', this.#c.api_url as string, this.message(ctx, alerts), this.#http, ctx.signal);
  }
}
