// A Ringwatch extension receiver (no Alertmanager counterpart): one HTTP request per notification
// whose body and header values are Go templates over Alertmanager's notification data. It covers
// SMS gateways, LINE and chat systems that have no dedicated receiver. Declared in the notifier's
// own file (`receiver_extensions.<receiver>.http_template_configs`), never in alertmanager.yml,
// so amtool check-config keeps passing. Failures are classified as the webhook's (notify.Retrier).
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { checkUrl, ConfigError, join, readBoolean, readByteSize, readDuration, readEnum, readObject, readOptionalString, readString } from '../../core/config-schema.ts';
import type { Alert } from '../alert.ts';
import { parseStruct, redactStruct, SECRET_TOKEN, type ConfigValue } from '../config-fields.ts';
import { HTTP_CLIENT_CONFIG, type HttpClientConfig } from '../http-config.ts';
import { templateSyntaxError, type AlertmanagerTemplate } from '../notification-templates.ts';
import type { HttpClient } from './http-client.ts';
import { asNotifyError, checkHttpStatus, NotifyError, type NotifyContext } from './integration.ts';
import { HttpIntegration } from './json-http-integration.ts';

export const HTTP_TEMPLATE_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export const DEFAULT_HTTP_TEMPLATE_BODY = '{{ template "__subject" . }}';
/** A rendered body above this fails the notification for good (it would not shrink on a retry). */
export const DEFAULT_HTTP_TEMPLATE_MAX_BODY = 1024 * 1024;
/** How much of a receiver's answer is read (it is only quoted in the error of a failure). */
export const MAX_ANSWER_BYTES = 64 * 1024;

export interface HttpTemplateConfig {
  send_resolved: boolean;
  http_config?: HttpClientConfig;
  /** secret: a gateway URL often carries its token */
  url?: string;
  url_file?: string;
  method: (typeof HTTP_TEMPLATE_METHODS)[number];
  /** Header name -> template of its value. */
  headers: Record<string, string>;
  /** Template of the body, executed in text mode (no HTML escaping; `toJson` quotes for JSON). */
  body: string;
  /** milliseconds, 0 = the flush deadline only */
  timeout: number;
  max_body_bytes: number;
}

const KEYS = ['url', 'url_file', 'method', 'headers', 'body', 'http_config', 'send_resolved', 'timeout', 'max_body_bytes'];

function checkTemplate(text: string, field: string): void {
  const problem = templateSyntaxError(text);
  if (problem !== undefined) throw new ConfigError(field, `invalid template: ${problem}`);
}

/** Reads and validates one `http_template_configs` entry (`path` names it in errors). */
export function readHttpTemplateConfig(raw: unknown, path: string): HttpTemplateConfig {
  const obj = readObject(raw, path, KEYS);
  const url = readOptionalString(obj, 'url', path);
  const urlFile = readOptionalString(obj, 'url_file', path);
  if ((url === undefined || url === '') === (urlFile === undefined || urlFile === '')) throw new ConfigError(path, 'exactly one of url or url_file must be configured');
  if (url !== undefined && url !== '') checkUrl(url, join(path, 'url'));
  const methodRaw = readString(obj, 'method', path, 'POST').toUpperCase();
  const method = readEnum({ method: methodRaw }, 'method', path, HTTP_TEMPLATE_METHODS, 'POST');
  const headersRaw = readObject(obj.headers, join(path, 'headers'), Object.keys((obj.headers as object | null | undefined) ?? {}));
  const headers: Record<string, string> = {};
  for (const name of Object.keys(headersRaw)) {
    const field = join(join(path, 'headers'), name);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ConfigError(field, 'not a valid HTTP header name');
    const value = readString(headersRaw, name, join(path, 'headers'));
    checkTemplate(value, field);
    headers[name] = value;
  }
  const body = readString(obj, 'body', path, DEFAULT_HTTP_TEMPLATE_BODY);
  checkTemplate(body, join(path, 'body'));
  const maxBody = readByteSize(obj, 'max_body_bytes', path, DEFAULT_HTTP_TEMPLATE_MAX_BODY);
  if (maxBody <= 0) throw new ConfigError(join(path, 'max_body_bytes'), 'must be positive');
  const config: HttpTemplateConfig = {
    send_resolved: readBoolean(obj, 'send_resolved', path, true),
    method,
    headers,
    body,
    timeout: readDuration(obj, 'timeout', path, 0),
    max_body_bytes: maxBody,
  };
  if (url !== undefined && url !== '') config.url = url;
  if (urlFile !== undefined && urlFile !== '') config.url_file = urlFile;
  if (obj.http_config !== undefined && obj.http_config !== null) config.http_config = parseStruct(obj.http_config, join(path, 'http_config'), HTTP_CLIENT_CONFIG, {}) as unknown as HttpClientConfig;
  return config;
}

/** The entry as logs may show it: the URL, header values and http_config secrets redacted. */
export function redactHttpTemplateConfig(c: HttpTemplateConfig): Record<string, unknown> {
  return {
    ...c,
    ...(c.url !== undefined ? { url: SECRET_TOKEN } : {}),
    headers: Object.fromEntries(Object.keys(c.headers).map((h) => [h, SECRET_TOKEN])),
    ...(c.http_config !== undefined ? { http_config: redactStruct(structuredClone(c.http_config) as unknown as ConfigValue, HTTP_CLIENT_CONFIG) } : {}),
  };
}

/** At most `limit` bytes of an answer; the rest is discarded unread. */
export async function readBounded(body: AsyncIterable<Buffer> & { destroy?: () => unknown }, limit: number = MAX_ANSWER_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Later maps win, header names compared case-insensitively (one Content-Type, not two). */
export function mergeHeaders(...maps: Record<string, string>[]): Record<string, string> {
  const out = new Map<string, [string, string]>();
  for (const m of maps) for (const [name, value] of Object.entries(m)) out.set(name.toLowerCase(), [name, value]);
  return Object.fromEntries(out.values());
}

export class HttpTemplateIntegration extends HttpIntegration<HttpTemplateConfig> {
  readonly kind = 'http_template';

  constructor(config: HttpTemplateConfig, index: number, http: HttpClient, tmpl: AlertmanagerTemplate) {
    super(config, index, http, tmpl);
  }

  #url(): string {
    if (this.config.url !== undefined) return this.config.url;
    try {
      return readFileSync(this.config.url_file as string, 'utf8').trim();
    } catch (err) {
      throw new NotifyError(`http_template: cannot read url_file: ${(err as Error).message}`, false, 'other');
    }
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const { text } = this.expand(ctx, alerts);
    const body = text(this.config.body);
    const size = Buffer.byteLength(body);
    if (size > this.config.max_body_bytes) {
      throw new NotifyError(`http_template: rendered body of ${size} bytes exceeds max_body_bytes ${this.config.max_body_bytes}`, false, 'other');
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.config.headers)) headers[name] = text(value);
    const signal = this.config.timeout > 0 ? AbortSignal.any([ctx.signal, AbortSignal.timeout(this.config.timeout)]) : ctx.signal;
    try {
      const res = await request(this.#url(), {
        method: this.config.method,
        dispatcher: this.http.dispatcher,
        headers: mergeHeaders({ 'Content-Type': 'text/plain; charset=utf-8' }, this.http.headers(), { 'User-Agent': 'Alertmanager/0.28.1' }, headers),
        body,
        signal,
      });
      checkHttpStatus('http_template', res.statusCode, await readBounded(res.body));
    } catch (err) {
      throw asNotifyError(err, ctx.signal);
    }
  }
}
