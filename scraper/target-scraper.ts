// The HTTP side of one target's scrapes (Prometheus' targetScraper): one GET with the negotiated
// Accept header, a timeout, a body size limit, gzip, and a body buffer reused across scrapes.
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { request, type Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher, dispatcherKey, SecretFileError, type HttpAuth, type HttpClientConfig } from '../core/http-client-config.ts';
import { SCRAPE_ACCEPT_HEADER } from './exposition/parser.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeError } from './scrape-error.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';

const gunzipAsync = promisify(gunzip);
const USER_AGENT = 'Ringwatch/0.1';
/** Applied when a job sets no body_size_limit, so that an endless body cannot exhaust memory. */
export const DEFAULT_BODY_SIZE_LIMIT = 256 * 1024 * 1024;

export interface ScrapeResponse {
  /** Valid until the next scrape of the same target. */
  body: Uint8Array;
  contentType: string | undefined;
}

/** One keep-alive connection pool per TLS/proxy/redirect setting, shared by all targets using it. */
export class DispatcherPool {
  private readonly agents = new Map<string, Dispatcher>();

  get(http: HttpClientConfig): Dispatcher {
    const key = dispatcherKey(http);
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = createHttpDispatcher(http, { connections: 4 });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }
}

export class TargetScraper {
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly auth: HttpAuth;
  private readonly limit: number;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private buffer: Buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(target: ScrapeTarget, job: JobScrapeOptions, dispatcher: Dispatcher) {
    this.url = target.url;
    this.timeoutMs = target.timeoutMs;
    this.limit = job.bodySizeLimit > 0 ? job.bodySizeLimit : DEFAULT_BODY_SIZE_LIMIT;
    this.dispatcher = dispatcher;
    this.headers = {
      accept: SCRAPE_ACCEPT_HEADER,
      'accept-encoding': 'gzip',
      'user-agent': USER_AGENT,
      'x-prometheus-scrape-timeout-seconds': String(target.timeoutMs / 1000),
    };
    this.auth = job.http.auth;
  }

  async scrape(): Promise<ScrapeResponse> {
    let authorization: string | undefined;
    try {
      // Read per scrape: rotated *_file credentials apply at the next scrape.
      authorization = authorizationHeader(this.auth);
    } catch (err) {
      if (err instanceof SecretFileError) throw new ScrapeError('credentials', err.message);
      throw err;
    }
    const headers = authorization === undefined ? this.headers : { ...this.headers, authorization };
    // Our own timer, cleared when the scrape ends: a timeout signal that fired after the scrape
    // would abort a request undici already finished with.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new ScrapeError('timeout', `context deadline exceeded (scrape timeout ${this.timeoutMs} ms)`)), this.timeoutMs);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.url, { method: 'GET', headers, dispatcher: this.dispatcher, signal: abort.signal });
    } catch (err) {
      clearTimeout(timer);
      throw requestError(err, this.timeoutMs);
    }
    try {
      if (res.statusCode !== 200) {
        throw new ScrapeError('http_status', `server returned HTTP status ${res.statusCode}`);
      }
      let length = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (length + chunk.length > this.limit) {
          throw new ScrapeError('body_size_limit', `body size limit exceeded (limit ${this.limit} bytes)`);
        }
        if (length + chunk.length > this.buffer.length) this.grow(length + chunk.length);
        chunk.copy(this.buffer, length);
        length += chunk.length;
      }
      const contentType = headerValue(res.headers['content-type']);
      if (headerValue(res.headers['content-encoding'])?.toLowerCase() === 'gzip') {
        let inflated: Buffer;
        try {
          inflated = await gunzipAsync(this.buffer.subarray(0, length), { maxOutputLength: this.limit });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ERR_BUFFER_TOO_LARGE') throw new ScrapeError('body_size_limit', `body size limit exceeded after decompression (limit ${this.limit} bytes)`);
          throw new ScrapeError('decompression', `gzip decompression failed: ${(err as Error).message}`);
        }
        return { body: inflated, contentType };
      }
      return { body: this.buffer.subarray(0, length), contentType };
    } catch (err) {
      // Abandon the rest of the body; destroying the stream also releases the connection.
      res.body.on('error', () => undefined);
      res.body.destroy();
      if (err instanceof ScrapeError) throw err;
      throw requestError(err, this.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  private grow(needed: number): void {
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, Math.max(needed, this.limit)));
    this.buffer.copy(next, 0, 0, this.buffer.length);
    this.buffer = next;
  }
}

function requestError(err: unknown, timeoutMs: number): ScrapeError {
  if (err instanceof ScrapeError) return err;
  const e = err as Error & { code?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') {
    return new ScrapeError('timeout', `context deadline exceeded (scrape timeout ${timeoutMs} ms)`);
  }
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return new ScrapeError('connection', `${e.message}${cause?.message !== undefined ? `: ${cause.message}` : ''}`);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
