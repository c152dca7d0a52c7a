// The Telegram integration (notify/telegram): the Bot API's sendMessage.
import type { Alert } from '../alert.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { TelegramConfig } from '../receiver-config.ts';
import type { HttpClient } from './http-client.ts';
import { expander, postJson, secretValue, truncateRunes } from './http-json.ts';
import { NotifyError, type Integration, type NotifyContext } from './integration.ts';

const MAX_MESSAGE_RUNES = 4096;

export class TelegramIntegration implements Integration {
  readonly kind = 'telegram';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: TelegramConfig;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: TelegramConfig, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved;
    this.#http = http;
    this.#tmpl = tmpl;
  }

  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.#c;
    const { text } = expander('telegram', this.#tmpl, ctx, alerts);
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

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const token = secretValue('telegram', 'bot_token_file', this.#c.bot_token, this.#c.bot_token_file);
    const base = (this.#c.api_url ?? 'https://api.telegram.org').replace(/\/+$/, '');
    const answer = await postJson('telegram', `${base}/bot${token}/sendMessage`, this.message(ctx, alerts), this.#http, ctx.signal);
    try {
      const parsed = JSON.parse(answer) as { ok?: boolean; description?: string };
      if (parsed.ok === false) throw new NotifyError(`telegram: ${parsed.description ?? 'request failed'}`, false, 'clientError');
    } catch (err) {
      if (err instanceof NotifyError) throw err;
    }
  }
}
