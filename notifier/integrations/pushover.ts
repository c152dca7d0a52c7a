// The Pushover integration (notify/pushover): the message's parameters in the query string of a
// POST to the Messages API, priority 2 (emergency, with retry/expire) while firing by default.
import { request } from 'undici';
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { HttpClient } from './http-client.ts';
import { expander, secretValue, truncateRunes } from './http-json.ts';
import { asNotifyError, checkHttpStatus, NotifyError, type Integration, type NotifyContext } from './integration.ts';

export const PUSHOVER_API_URL = 'https://api.pushover.net/1/messages.json';
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const seconds = (ms: unknown): string => String(Math.trunc((typeof ms === 'number' ? ms : 0) / 1000));

export class PushoverIntegration implements Integration {
  readonly kind = 'pushover';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #c: ConfigValue;
  readonly #http: HttpClient;
  readonly #tmpl: AlertmanagerTemplate;
  readonly #apiUrl: string;

  constructor(config: ConfigValue, index: number, http: HttpClient, tmpl: AlertmanagerTemplate, apiUrl: string = PUSHOVER_API_URL) {
    this.#c = config;
    this.index = index;
    this.sendResolved = config.send_resolved === true;
    this.#http = http;
    this.#tmpl = tmpl;
    this.#apiUrl = apiUrl;
  }

  parameters(ctx: NotifyContext, alerts: readonly Alert[]): URLSearchParams {
    const c = this.#c;
    const { text, data } = expander('pushover', this.#tmpl, ctx, alerts);
    const p = new URLSearchParams();
    p.append('token', text(secretValue('pushover', 'token_file', str(c.token), str(c.token_file))));
    p.append('user', text(secretValue('pushover', 'user_key_file', str(c.user_key), str(c.user_key_file))));
    p.append('title', truncateRunes(text(str(c.title)), 250));
    let message: string;
    if (c.html === true) {
      p.append('html', '1');
      try {
        message = this.#tmpl.executeHTMLString(str(c.message) ?? '', data);
      } catch (err) {
        throw new NotifyError(`pushover: template: ${(err as Error).message}`, false, 'other');
      }
    } else {
      message = text(str(c.message));
    }
    message = truncateRunes(message, 1024).trim();
    p.append('message', message === '' ? '(no details)' : message);
    p.append('url', truncateRunes(text(str(c.url)), 512));
    p.append('url_title', text(str(c.url_title)));
    p.append('priority', text(str(c.priority)));
    p.append('retry', seconds(c.retry));
    p.append('expire', seconds(c.expire));
    p.append('device', text(str(c.device)));
    p.append('sound', text(str(c.sound)));
    if (typeof c.ttl === 'number' && c.ttl >= 1000) p.append('ttl', seconds(c.ttl));
    return p;
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const url = `${this.#apiUrl}?${this.parameters(ctx, alerts).toString()}`;
    try {
      const res = await request(url, { method: 'POST', dispatcher: this.#http.dispatcher, headers: { ...this.#http.headers(), 'Content-Type': 'text/plain' }, signal: ctx.signal });
      checkHttpStatus('pushover', res.statusCode, await res.body.text());
    } catch (err) {
      // The URL carries the token: never in an error message.
      const e = asNotifyError(err, ctx.signal);
      throw new NotifyError(e.message.replaceAll(url, '<redacted>'), e.retryable, e.reason);
    }
  }
}
