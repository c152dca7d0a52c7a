// The HTTP side of one target's scrapes (Prometheus' targetScraper): one GET with the negotiated
// Accept header, a timeout, a body size limit, gzip, and a body buffer reused across scrapes.
//
// A plain-http target without a proxy is scraped over its own keep-alive connection
// (http1-scrape-connection.ts): the request pre-encoded, every read into one buffer, the body
// copied straight into a pooled buffer. undici cost about a quarter of the scraper's main thread
// there. https, proxies, and a target that answered a redirect use undici's dispatch API, which
// also copies chunks into the pooled buffer (no Readable stream and async iterator, as request()
// makes).
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher, dispatcherKey, SecretFileError, type HttpAuth, type HttpClientConfig } from '../core/http-client-config.ts';
import type { JobScrapeOptions, NameEscapingScheme } from '../model/scrape-config.ts';
import { giveBackBodyBuffer, grownBodyBuffer, takeBodyBuffer } from './body-buffers.ts';
import { http1Target, Http1ScrapeConnection, type Http1Response } from './http1-scrape-connection.ts';
import { ScrapeError } from './scrape-error.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';

const gunzipAsync = promisify(gunzip);
const USER_AGENT = 'Ringwatch/0.1';
/** Applied when a job sets no body_size_limit, so that an endless body cannot exhaust memory. */
export const DEFAULT_BODY_SIZE_LIMIT = 256 * 1024 * 1024;

/**
 * The Accept header Prometheus 3 sends for its default scrape_protocols (OpenMetricsText1.0.0,
 * OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4; scrape.go acceptHeader): the
 * job's metric_name_escaping_scheme goes on the 1.0.0 formats only, which define `escaping=`, so a
 * target knows whether it may send UTF-8 names or must escape them itself, and how.
 */
export function scrapeAcceptHeader(escaping: NameEscapingScheme): string {
  return (
    `application/openmetrics-text;version=1.0.0;escaping=${escaping};q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,` +
    `text/plain;version=1.0.0;escaping=${escaping};q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2`
  );
}

export interface ScrapeResponse {
  /** Valid until the next scrape of the same target, or until TargetScraper.release(). */
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

interface BodyResult {
  length: number;
  buffer: Buffer;
  contentType: string | undefined;
  gzip: boolean;
}

/** One request's handler: status, headers and body chunks into the buffer, then settles once. */
class ScrapeHandler implements Dispatcher.DispatchHandler {
  buffer: Buffer;
  length = 0;
  private contentType: string | undefined;
  private gzip = false;
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private readonly limit: number;
  private readonly resolve: (r: BodyResult) => void;
  private readonly reject: (err: unknown) => void;

  constructor(buffer: Buffer, limit: number, resolve: (r: BodyResult) => void, reject: (err: unknown) => void) {
    this.buffer = buffer;
    this.limit = limit;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** Ends the request with err (a timeout); also before undici started it. */
  abort(err: ScrapeError): void {
    if (this.settled) return;
    this.fail(err);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new ScrapeError('timeout', 'scrape abandoned'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (this.settled) return;
    if (statusCode !== 200) {
      this.fail(new ScrapeError('http_status', `server returned HTTP status ${statusCode}`));
      return;
    }
    this.contentType = headerValue(headers['content-type']);
    this.gzip = headerValue(headers['content-encoding'])?.toLowerCase() === 'gzip';
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const length = this.length;
    const end = length + chunk.length;
    if (end > this.limit) {
      this.fail(new ScrapeError('body_size_limit', `body size limit exceeded (limit ${this.limit} bytes)`));
      return;
    }
    if (end > this.buffer.length) this.buffer = grownBodyBuffer(this.buffer, length, end, this.limit);
    chunk.copy(this.buffer, length);
    this.length = end;
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({ length: this.length, buffer: this.buffer, contentType: this.contentType, gzip: this.gzip });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
  }

  private fail(err: ScrapeError): void {
    this.settled = true;
    // Abandons the rest of the body; undici closes the connection. Before onRequestStart there is
    // no controller yet: onRequestStart aborts then.
    this.controller?.abort(err);
    this.reject(err);
  }

}

export class TargetScraper {
  private readonly url: string;
  /** origin and path of url, which dispatch() takes apart; parsed again only if url changes. */
  private parsedUrl = '';
  private origin = '';
  private path = '';
  private readonly headers: Record<string, string>;
  private readonly auth: HttpAuth;
  private readonly limit: number;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  /** Whether url may go over a connection of our own: http:, no proxy. */
  private readonly direct: boolean;
  /** The target's own connection (plain http, no proxy, no redirect seen); else undici. */
  private connection: Http1ScrapeConnection | undefined;
  /** The target answered a redirect: from then on undici (which follows them, or not) scrapes it. */
  private redirected = false;
  /** What the scrape timeout ends: the connection's exchange or undici's request. */
  private active: { abort(err: ScrapeError): void } | undefined;
  /** The buffer holding the last scrape's body, until release() or the next scrape. */
  private held: Buffer | undefined;
  /** The scrape timer's callback, made once rather than per scrape. */
  private readonly onTimeout = (): void => {
    this.active?.abort(new ScrapeError('timeout', `context deadline exceeded (scrape timeout ${this.timeoutMs} ms)`));
  };

  /** options.ownConnection false: undici even for plain http (benchmarks compare the two). */
  constructor(target: ScrapeTarget, job: JobScrapeOptions, dispatcher: Dispatcher, options: { ownConnection?: boolean } = {}) {
    this.url = target.url;
    this.timeoutMs = target.timeoutMs;
    this.limit = job.bodySizeLimit > 0 ? job.bodySizeLimit : DEFAULT_BODY_SIZE_LIMIT;
    this.dispatcher = dispatcher;
    this.headers = {
      accept: scrapeAcceptHeader(job.metricNameEscapingScheme),
      'accept-encoding': 'gzip',
      'user-agent': USER_AGENT,
      'x-prometheus-scrape-timeout-seconds': String(target.timeoutMs / 1000),
    };
    this.auth = job.http.auth;
    this.direct = job.http.proxyUrl === undefined && options.ownConnection !== false;
  }

  /** Gives the body buffer of the last scrape back to the node's pool (its body is no longer read). */
  release(): void {
    if (this.held !== undefined) giveBackBodyBuffer(this.held);
    this.held = undefined;
  }

  /**
   * Closes the target's own connection (a scrape in flight fails). For a loop that stops for good;
   * a later scrape would connect again. undici's pooled connections belong to the DispatcherPool.
   */
  close(): void {
    this.connection?.close();
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
    if (this.parsedUrl !== this.url) this.parseUrl();
    const buffer = this.held ?? takeBodyBuffer();
    this.held = undefined;
    // Our own timer, cleared when the scrape ends: an abort after the end would hit nothing.
    const timer = setTimeout(this.onTimeout, this.timeoutMs);
    let result: BodyResult;
    try {
      result = this.connection !== undefined ? await this.viaConnection(this.connection, buffer, authorization) : await this.viaDispatcher(buffer, authorization);
    } finally {
      this.active = undefined;
      clearTimeout(timer);
    }
    if (result.gzip) {
      let inflated: Buffer;
      try {
        inflated = await gunzipAsync(result.buffer.subarray(0, result.length), { maxOutputLength: this.limit });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') throw new ScrapeError('body_size_limit', `body size limit exceeded after decompression (limit ${this.limit} bytes)`);
        throw new ScrapeError('decompression', `gzip decompression failed: ${(err as Error).message}`);
      } finally {
        giveBackBodyBuffer(result.buffer);
      }
      return { body: inflated, contentType: result.contentType };
    }
    this.held = result.buffer;
    return { body: result.buffer.subarray(0, result.length), contentType: result.contentType };
  }

  private parseUrl(): void {
    const url = new URL(this.url);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    this.parsedUrl = this.url;
    this.connection?.close();
    this.connection = url.protocol === 'http:' && this.direct && !this.redirected ? new Http1ScrapeConnection(http1Target(url), this.headers) : undefined;
  }

  private async viaConnection(connection: Http1ScrapeConnection, buffer: Buffer, authorization: string | undefined): Promise<BodyResult> {
    this.active = connection;
    let res: Http1Response;
    try {
      res = await connection.get(buffer, this.limit, authorization);
    } catch (err) {
      // A settled exchange writes nothing more into its buffer, so the buffer can serve again.
      giveBackBodyBuffer(connection.body);
      throw requestError(err, this.timeoutMs);
    }
    if (res.status === 200) {
      return { length: res.length, buffer: res.body, contentType: res.contentType, gzip: res.contentEncoding?.toLowerCase() === 'gzip' };
    }
    if (res.status >= 300 && res.status < 400) {
      // Redirects are undici's to follow (follow_redirects) or report, with the rest of this
      // scrape's time; and the target's from then on, since it is likely to answer so again.
      this.redirected = true;
      this.connection = undefined;
      connection.close();
      return this.viaDispatcher(res.body, authorization);
    }
    giveBackBodyBuffer(res.body);
    throw new ScrapeError('http_status', `server returned HTTP status ${res.status}`);
  }

  private async viaDispatcher(buffer: Buffer, authorization: string | undefined): Promise<BodyResult> {
    const headers = authorization === undefined ? this.headers : { ...this.headers, authorization };
    let settle: [(r: BodyResult) => void, (err: unknown) => void] | undefined;
    const done = new Promise<BodyResult>((resolve, reject) => {
      settle = [resolve, reject];
    });
    const [resolve, reject] = settle!;
    const handler = new ScrapeHandler(buffer, this.limit, resolve, reject);
    this.active = handler;
    try {
      this.dispatcher.dispatch({ origin: this.origin, path: this.path, method: 'GET', headers }, handler);
      return await done;
    } catch (err) {
      // A settled handler writes nothing more into its buffer, so the buffer can serve again.
      giveBackBodyBuffer(handler.buffer);
      throw requestError(err, this.timeoutMs);
    }
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
