// The Telegram integration (notify/telegram): the Bot API's sendMessage.
import type { Alert } from '../alert.ts';
import type { TelegramConfig } from '../receiver-config.ts';
import { secretValue, truncateRunes } from './http-json.ts';
import { NotifyError, type NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

const MAX_MESSAGE_RUNES = 4096;

export class TelegramIntegration extends JsonHttpIntegration<TelegramConfig> {
  readonly kind = 'telegram';

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.config;
    const { text } = this.expand(ctx, alerts);
    let message = text(c.message);
    if (c.parse_mode === 'HTML' && [...message].length > MAX_MESSAGE_RUNES) {
      // Cutting HTML would leave broken markup: Alertmanager sends a short notice instead.
      message = 'Alertmanager notification could not be sent: message length exceeds Telegram limits.';
    } else {
      message = truncateRunes(message, MAX_MESSAGE_RUNES);
    }
    const body: Record<string, unknown> = { chat_id: c.chat_id, text: message, disable_notification: c.disable_notifications ?? false };
    if (c.parse_mode) body.parse_mode = c.parse_mode;
    if (c.message_thread_id) body.message_thread_id = c.message_thread_id;
    return body;
  }

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest {
    const token = secretValue('telegram', 'bot_token_file', this.config.bot_token, this.config.bot_token_file);
    const base = (this.config.api_url ?? 'https://api.telegram.org').replace(/\/+$/, '');
    return { url: `${base}/bot${token}/sendMessage`, body: this.message(ctx, alerts) };
  }

  protected override checkAnswer(answer: string): void {
    try {
      const parsed = JSON.parse(answer) as { ok?: boolean; description?: string };
      if (parsed.ok === false) throw new NotifyError(`telegram: ${parsed.description ?? 'request failed'}`, false, 'clientError');
    } catch (err) {
      if (err instanceof NotifyError) throw err;
    }
  }
}
