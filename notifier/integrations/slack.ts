// The Slack integration (notify/slack): one legacy attachment per notification, posted to an
// incoming-webhook or chat.postMessage URL.
import type { Alert } from '../alert.ts';
import type { SlackConfig } from '../receiver-config.ts';
import { secretValue, truncateRunes } from './http-json.ts';
import { NotifyError, type NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

export class SlackIntegration extends JsonHttpIntegration<SlackConfig> {
  readonly kind = 'slack';

  /** The request body Alertmanager sends. */
  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.config;
    const { text } = this.expand(ctx, alerts);
    const attachment: Record<string, unknown> = {
      title: truncateRunes(text(c.title), 1024),
      title_link: text(c.title_link),
      pretext: text(c.pretext),
      text: text(c.text),
      fallback: text(c.fallback),
      callback_id: text(c.callback_id),
      image_url: text(c.image_url),
      thumb_url: text(c.thumb_url),
      footer: text(c.footer),
      color: text(c.color),
      mrkdwn_in: c.mrkdwn_in !== undefined && c.mrkdwn_in.length > 0 ? c.mrkdwn_in : ['fallback', 'pretext', 'text'],
    };
    if (c.fields !== undefined && c.fields.length > 0) {
      attachment.fields = c.fields.map((f) => ({ title: text(f.title), value: text(f.value), short: f.short ?? c.short_fields }));
    }
    // Go's omitempty on the attachment's string fields.
    for (const k of Object.keys(attachment)) if (attachment[k] === '') delete attachment[k];
    const body: Record<string, unknown> = {
      channel: text(c.channel),
      username: text(c.username),
      icon_emoji: text(c.icon_emoji),
      icon_url: text(c.icon_url),
      link_names: c.link_names,
      attachments: [attachment],
    };
    for (const k of ['channel', 'username', 'icon_emoji', 'icon_url']) if (body[k] === '') delete body[k];
    if (body.link_names === false) delete body.link_names;
    return body;
  }

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest {
    return { url: secretValue('slack', 'api_url_file', this.config.api_url, this.config.api_url_file), body: this.message(ctx, alerts) };
  }

  protected override checkAnswer(answer: string): void {
    // An incoming webhook answers "ok"; the Web API answers JSON with ok true/false.
    if (answer.startsWith('{')) {
      let ok = true;
      let error = '';
      try {
        const parsed = JSON.parse(answer) as { ok?: boolean; error?: string };
        ok = parsed.ok === true;
        error = parsed.error ?? '';
      } catch {
        throw new NotifyError(`slack: could not unmarshal JSON response ${JSON.stringify(answer)}`, true, 'other');
      }
      if (!ok) throw new NotifyError(`slack: error response from Slack: ${error}`, false, 'clientError');
    } else if (answer !== 'ok' && answer !== '') {
      throw new NotifyError(`slack: received an error response from Slack: ${answer}`, false, 'clientError');
    }
  }
}
