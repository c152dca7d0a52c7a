// The WeChat Work integration (notify/wechat): an access token from <api_url>gettoken (corpid and
// corpsecret, cached for two hours), then <api_url>message/send?access_token=… with a text or
// markdown message. As upstream: any status but 200 is retried, a JSON errcode other than 0 fails
// for good except 42001 (token expired: dropped, and retried with a new one).
import { request } from 'undici';
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import { asNotifyError, NotifyError, type NotifyContext } from './integration.ts';
import { HttpIntegration } from './json-http-integration.ts';

const TOKEN_TTL_MS = 2 * 3_600_000;
const TOKEN_EXPIRED = 42001;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** url.Values.Encode: keys sorted, Go's QueryEscape (space as +, only A-Z a-z 0-9 - _ . ~ kept). */
export function goQueryEncode(params: Record<string, string>): string {
  const esc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
  return Object.keys(params)
    .sort()
    .map((k) => `${esc(k)}=${esc(params[k] as string)}`)
    .join('&');
}

/** u.Path += suffix, with the query replaced (the base URL keeps its own path as written). */
function withPath(base: string, suffix: string, query: string): string {
  const u = new URL(base);
  u.pathname += suffix;
  u.search = query;
  return u.toString();
}

export class WechatIntegration extends HttpIntegration<ConfigValue> {
  readonly kind = 'wechat';
  #accessToken = '';
  #accessTokenAtMs = 0;

  /** The message body upstream encodes (Go keeps both content structs: omitempty does not drop a struct). */
  message(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
    const c = this.config;
    const { text } = this.expand(ctx, alerts);
    const content = text(str(c.message));
    const markdown = c.message_type === 'markdown';
    const body: Record<string, unknown> = { text: { content: markdown ? '' : content } };
    const optional: [string, string][] = [
      ['touser', text(str(c.to_user))],
      ['toparty', text(str(c.to_party))],
      ['totag', text(str(c.to_tag))],
      ['agentid', text(str(c.agent_id))],
    ];
    for (const [k, v] of optional) if (v !== '') body[k] = v;
    body.safe = '0';
    body.msgtype = str(c.message_type) || 'text';
    body.markdown = { content: markdown ? content : '' };
    return body;
  }


  async #token(ctx: NotifyContext, alerts: readonly Alert[]): Promise<string> {
    if (this.#accessToken !== '' && Date.now() - this.#accessTokenAtMs <= TOKEN_TTL_MS) return this.#accessToken;
    const { text } = this.expand(ctx, alerts);
    const url = withPath(str(this.config.api_url), 'gettoken', `?${goQueryEncode({ corpsecret: text(str(this.config.api_secret)), corpid: text(str(this.config.corp_id)) })}`);
    let answer: string;
    try {
      const res = await request(url, { method: 'GET', dispatcher: this.http.dispatcher, headers: { ...this.http.headers(), 'User-Agent': 'Alertmanager/0.28.1' }, signal: ctx.signal });
      answer = await res.body.text();
    } catch (err) {
      // The URL carries the secret: never in the error.
      const e = asNotifyError(err, ctx.signal);
      throw new NotifyError(`wechat: getting the access token failed: ${e.reason}`, e.retryable, e.reason);
    }
    let token = '';
    try {
      token = str((JSON.parse(answer) as { access_token?: unknown }).access_token);
    } catch {
      throw new NotifyError('wechat: the token answer is not JSON', false, 'other');
    }
    if (token === '') throw new NotifyError(`wechat: invalid APISecret for CorpID: ${str(this.config.corp_id)}`, false, 'other');
    this.#accessToken = token;
    this.#accessTokenAtMs = Date.now();
    return token;
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    await this.#token(ctx, alerts);
    const r = { url: withPath(str(this.config.api_url), 'message/send', `?${goQueryEncode({ access_token: this.#accessToken })}`), body: this.message(ctx, alerts) };
    let status: number;
    let answer: string;
    try {
      const res = await request(r.url, {
        method: 'POST',
        dispatcher: this.http.dispatcher,
        headers: { ...this.http.headers(), 'Content-Type': 'application/json', 'User-Agent': 'Alertmanager/0.28.1' },
        body: `${JSON.stringify(r.body)}\n`,
        signal: ctx.signal,
      });
      status = res.statusCode;
      answer = await res.body.text();
    } catch (err) {
      const e = asNotifyError(err, ctx.signal);
      throw new NotifyError(`wechat: sending failed: ${e.reason}`, e.retryable, e.reason);
    }
    if (status !== 200) throw new NotifyError(`wechat: unexpected status code ${status}`, true, status >= 500 ? 'serverError' : 'clientError');
    let parsed: { errcode?: number; errmsg?: string };
    try {
      parsed = JSON.parse(answer) as { errcode?: number; errmsg?: string };
    } catch {
      throw new NotifyError('wechat: the answer is not JSON', true, 'other');
    }
    if (parsed.errcode === 0 || parsed.errcode === undefined) return;
    if (parsed.errcode === TOKEN_EXPIRED) {
      this.#accessToken = '';
      throw new NotifyError(`wechat: ${parsed.errmsg ?? 'access token expired'}`, true, 'other');
    }
    throw new NotifyError(`wechat: ${parsed.errmsg ?? `errcode ${parsed.errcode}`}`, false, 'clientError');
  }
}
