// http_sd_configs, as Prometheus' HTTP discovery: GET the URL every refresh_interval; a 200 with
// Content-Type application/json and a JSON list of target groups replaces the list; anything else
// is an error that keeps the last good list. Every group gets __meta_url.
import { request, type Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher } from '../core/http-client-config.ts';
import type { Logger } from '../core/logger.ts';
import type { HttpSdConfig } from '../model/scrape-config.ts';
import type { TargetGroup } from './target-group.ts';
import type { Discoverer, DiscoveryEvents, DiscoveryUpdate } from './discoverer.ts';
import { readTargetGroups } from './target-group-format.ts';

export const URL_LABEL = '__meta_url';
const JSON_CONTENT_TYPE = /^application\/json(;.*)?$/i;
const MAX_TIMEOUT_MS = 30_000;
/** A discovery answer larger than this is refused: one bad endpoint must not exhaust memory. */
export const MAX_HTTP_SD_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpSdResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** The groups in one response; throws an error saying what was wrong with it. */
export function parseHttpSdResponse(res: HttpSdResponse, url: string): TargetGroup[] {
  if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status}`);
  if (res.contentType === null || !JSON_CONTENT_TYPE.test(res.contentType)) throw new Error(`unsupported content type ${JSON.stringify(res.contentType ?? '')} (expected application/json)`);
  let doc: unknown;
  try {
    doc = JSON.parse(res.body);
  } catch (err) {
    throw new Error(`invalid JSON: ${(err as Error).message}`);
  }
  // null is not an empty list here: Prometheus rejects it too.
  if (doc === null) throw new Error('expected a list of target groups, got null');
  return readTargetGroups(doc, { strict: false, sourcePrefix: `http_sd:${url}`, metaLabels: { [URL_LABEL]: url } });
}

export interface HttpSdOptions {
  config: HttpSdConfig;
  events: DiscoveryEvents;
  logger: Logger;
}

export class HttpSdDiscoverer implements Discoverer {
  readonly mechanism = 'http_sd' as const;
  private readonly config: HttpSdConfig;
  private readonly events: DiscoveryEvents;
  private readonly logger: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastReported: string | undefined;
  private stopped = false;

  constructor(opts: HttpSdOptions) {
    this.config = opts.config;
    this.events = opts.events;
    this.logger = opts.logger.child({ component: 'http_sd', url: opts.config.url });
    this.dispatcher = createHttpDispatcher(opts.config.http, { connections: 1 });
  }

  start(update: DiscoveryUpdate): void {
    const tick = (): void => {
      if (this.stopped || this.running !== undefined) return;
      this.running = this.refresh(update).finally(() => {
        this.running = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.config.refreshIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.abort.abort();
    await this.running;
    await this.dispatcher.close().catch(() => undefined);
  }

  private async refresh(update: DiscoveryUpdate): Promise<void> {
    let groups: TargetGroup[];
    try {
      groups = parseHttpSdResponse(await this.get(), this.config.url);
    } catch (err) {
      if (this.stopped) return;
      const error = new Error(`http_sd ${this.config.url}: ${(err as Error).message}`);
      this.logger.error({ err: error.message }, 'http_sd refresh failed; keeping the last good targets');
      this.events.error('http_sd', this.config.url, error);
      // Report once even so, so that the first update is not held up by a source that is down;
      // as unknown, so the targets etcd already holds for this source are kept, not deleted.
      if (this.lastReported === undefined) {
        this.lastReported = '';
        update([], [`http_sd:${this.config.url}`]);
      }
      return;
    }
    if (this.stopped) return;
    const text = JSON.stringify(groups);
    if (text === this.lastReported) return;
    this.lastReported = text;
    update(groups);
  }

  private async get(): Promise<HttpSdResponse> {
    const timeoutMs = Math.min(this.config.refreshIntervalMs, MAX_TIMEOUT_MS);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'Ringwatch/0.1',
      'x-prometheus-refresh-interval-seconds': String(Math.round(this.config.refreshIntervalMs / 1000)),
    };
    const authorization = authorizationHeader(this.config.http.auth);
    if (authorization !== undefined) headers.authorization = authorization;
    const res = await request(this.config.url, {
      method: 'GET',
      headers,
      dispatcher: this.dispatcher,
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]),
    });
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > MAX_HTTP_SD_BODY_BYTES) {
        res.body.destroy();
        throw new Error(`response body larger than ${MAX_HTTP_SD_BODY_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    const type = res.headers['content-type'];
    return { status: res.statusCode, contentType: (Array.isArray(type) ? type[0] : type) ?? null, body: Buffer.concat(chunks).toString('utf8') };
  }
}
