// The Rocket.Chat integration (notify/rocketchat): chat.postMessage with one attachment, the
// token and user id in X-Auth-Token / X-User-Id; a 200 answer with success false is a failure
// for good.
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import { secretValue, truncateRunes } from './http-json.ts';
import { NotifyError, type NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

const MAX_TITLE_RUNES = 1024;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Go's omitempty for the string fields of a JSON object: empty ones are left out. */
function omitEmpty(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === '' || o[k] === undefined) delete o[k];
  return o;
}

/** url.URL.JoinPath: the base's path and the element joined by one slash. */
export function joinPath(base: string, element: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${element.replace(/^\/+/, '')}`;
  return u.toString();
}

export class RocketchatIntegration extends JsonHttpIntegration<ConfigValue> {
  readonly kind = 'rocketchat';

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.config;
    const { text } = this.expand(ctx, alerts);
    const attachment = omitEmpty({
      title: truncateRunes(text(str(c.title)), MAX_TITLE_RUNES),
      title_link: text(str(c.title_link)),
      text: text(str(c.text)),
      image_url: text(str(c.image_url)),
      thumb_url: text(str(c.thumb_url)),
      color: text(str(c.color)),
    });
    const fields = (c.fields as { short?: boolean; title?: string; value?: string }[] | undefined) ?? [];
    if (fields.length > 0) {
      // A field without `short` takes short_fields (and is always sent with it).
      attachment.fields = fields.map((f) => omitEmpty({ short: f.short ?? c.short_fields === true, title: text(f.title), value: text(f.value) }));
    }
    const actions = (c.actions as { text?: string; url?: string; msg?: string }[] | undefined) ?? [];
    if (actions.length > 0) {
      // Only buttons are supported upstream; the other action fields are not sent.
      attachment.actions = actions.map((a) => ({
        ...omitEmpty({ type: 'button', text: text(a.text), url: text(a.url) }),
        is_webview: false,
        ...omitEmpty({ msg: text(a.msg) }),
        msg_in_chat_window: false,
      }));
    }
    return { ...omitEmpty({ channel: text(str(c.channel)), emoji: text(str(c.emoji)), avatar: text(str(c.icon_url)) }), attachments: [attachment] };
  }

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest {
    const c = this.config;
    return {
      url: joinPath(str(c.api_url) ?? 'https://open.rocket.chat/', 'api/v1/chat.postMessage'),
      body: this.message(ctx, alerts),
      headers: {
        'X-Auth-Token': secretValue('rocketchat', 'token_file', str(c.token), str(c.token_file)),
        'X-User-Id': secretValue('rocketchat', 'token_id_file', str(c.token_id), str(c.token_id_file)),
      },
    };
  }

  protected override checkAnswer(answer: string): void {
    let parsed: { success?: boolean; error?: string };
    try {
      parsed = JSON.parse(answer) as { success?: boolean; error?: string };
    } catch {
      throw new NotifyError(`rocketchat: could not unmarshal JSON response ${JSON.stringify(answer.slice(0, 512))}`, true, 'other');
    }
    if (parsed.success !== true) throw new NotifyError(`rocketchat: error response from Rocketchat: ${parsed.error ?? ''}`, false, 'clientError');
  }
}
