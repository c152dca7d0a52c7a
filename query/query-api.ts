// The Prometheus HTTP API read paths Grafana uses, served over the configured stores: queries go
// to the store whose time range covers them (range queries through the results cache), the
// metadata-like lists (series, labels, label values) are merged over every store, and the rest is
// passed to the chosen store as it is. With nothing cached, status, content type and body bytes
// are the store's own. Limits (max range, concurrency with a queue, query timeout) and the token
// are checked here, before a store is asked.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { Logger } from '../core/logger.ts';
import { formatDuration } from '../core/duration.ts';
import { ConcurrencyLimiter, QueueFullError } from './concurrency-limiter.ts';
import { compareLabelSets, seriesKey } from './matrix.ts';
import { parsePromDuration, parsePromTime } from './prom-params.ts';
import type { LimitsConfig } from './query-config.ts';
import type { QueryMetrics } from './query-metrics.ts';
import { ResultsCache } from './results-cache.ts';
import { StoreUnavailableError, type StoreAnswer, type StoreClient } from './store-client.ts';
import { chooseStore } from './store-selection.ts';
import { queryDataRange } from './query-data-range.ts';
import { compareCodePoints } from '../core/code-point-order.ts';

export interface QueryApiOptions {
  stores: readonly StoreClient[];
  cache: ResultsCache;
  cacheInstant: boolean;
  limits: LimitsConfig;
  metrics: QueryMetrics;
  logger: Logger;
  /** The bearer token every /api/v1 request must carry, read when asked (token_file may rotate). */
  token?: () => string;
  now?: () => number;
}

type Handler = 'query' | 'query_range' | 'series' | 'labels' | 'label_values' | 'metadata' | 'query_exemplars' | 'format_query' | 'buildinfo';

interface ApiRequest {
  method: 'GET' | 'POST';
  /** The raw path (label names stay encoded as the client sent them). */
  path: string;
  params: URLSearchParams;
  signal: AbortSignal;
}

const JSON_TYPE = 'application/json';

class ApiError extends Error {
  readonly status: number;
  readonly errorType: string;
  constructor(status: number, errorType: string, message: string) {
    super(message);
    this.status = status;
    this.errorType = errorType;
  }
}

export function mountQueryApi(app: Hono, opts: QueryApiOptions): void {
  const api = new QueryApi(opts);
  const routes: [string, Handler][] = [
    ['/api/v1/query', 'query'],
    ['/api/v1/query_range', 'query_range'],
    ['/api/v1/series', 'series'],
    ['/api/v1/labels', 'labels'],
    ['/api/v1/label/:name/values', 'label_values'],
    ['/api/v1/metadata', 'metadata'],
    ['/api/v1/query_exemplars', 'query_exemplars'],
    ['/api/v1/format_query', 'format_query'],
    ['/api/v1/status/buildinfo', 'buildinfo'],
  ];
  for (const [path, handler] of routes) {
    app.on(['GET', 'POST'], path, (c) => api.handle(c, handler));
  }
}

class QueryApi {
  private readonly opts: QueryApiOptions;
  private readonly limiter: ConcurrencyLimiter;
  private readonly now: () => number;

  constructor(opts: QueryApiOptions) {
    this.opts = opts;
    this.limiter = new ConcurrencyLimiter(opts.limits.maxConcurrent, opts.limits.maxQueued);
    this.now = opts.now ?? Date.now;
  }

  async handle(c: Context, handler: Handler): Promise<Response> {
    let res: Response;
    try {
      this.checkToken(c.req.header('authorization'));
      const req = await readRequest(c, this.opts.limits.queryTimeoutMs);
      res = toResponse(await this.dispatch(handler, req));
    } catch (err) {
      res = this.errorResponse(err, handler);
    }
    this.opts.metrics.requests.inc({ handler, code: String(res.status) });
    return res;
  }

  private dispatch(handler: Handler, req: ApiRequest): Promise<StoreAnswer> {
    switch (handler) {
      case 'query':
        return this.instantQuery(req);
      case 'query_range':
        return this.rangeQuery(req);
      case 'series':
        return this.merged(req, mergeSeries);
      case 'labels':
      case 'label_values':
        return this.merged(req, mergeStrings);
      case 'query_exemplars':
        return this.limited(req, () => this.send(this.storeFor(req.params.get('start'), req.params.get('end')), req));
      default:
        return this.limited(req, () => this.send(this.opts.stores[0] as StoreClient, req));
    }
  }

  /** The store for a request's range; with a query, widened to the data the query reads. */
  private storeFor(start: string | null, end: string | null, query?: string | null): StoreClient {
    if (this.opts.stores.length === 1) return this.opts.stores[0] as StoreClient;
    const now = this.now();
    let range = { startMs: parsePromTime(start) ?? now, endMs: parsePromTime(end) ?? now };
    if (query !== undefined && query !== null) range = queryDataRange(query, range.startMs, range.endMs);
    return this.opts.stores[chooseStore(this.opts.stores.map((s) => s.config), range.startMs, range.endMs, now)] as StoreClient;
  }

  private async instantQuery(req: ApiRequest): Promise<StoreAnswer> {
    const time = req.params.get('time');
    const store = this.storeFor(time, time, req.params.get('query'));
    this.addStoreParams(req.params);
    const query = req.params.get('query');
    const timeMs = parsePromTime(time);
    if (!this.opts.cacheInstant || query === null || timeMs === undefined) return this.limited(req, () => this.send(store, req));
    const extra = without(req.params, ['query', 'time']);
    return this.limited(req, () => this.opts.cache.instant({ store: store.cacheId, query, timeMs, extra }, (p) => this.send(store, { ...req, method: 'POST', params: p })));
  }

  private async rangeQuery(req: ApiRequest): Promise<StoreAnswer> {
    const query = req.params.get('query');
    const startMs = parsePromTime(req.params.get('start'));
    const endMs = parsePromTime(req.params.get('end'));
    const stepMs = parsePromDuration(req.params.get('step'));
    const { maxRangeMs } = this.opts.limits;
    if (startMs !== undefined && endMs !== undefined && maxRangeMs > 0 && endMs - startMs > maxRangeMs) {
      this.opts.metrics.rejected.inc({ reason: 'max_range' });
      throw new ApiError(
        422,
        'bad_data',
        `the query time range exceeds the limit (query length: ${formatDuration(endMs - startMs)}, limit: ${formatDuration(maxRangeMs)}; limits.max_range)`,
      );
    }
    const store = this.storeFor(req.params.get('start'), req.params.get('end'), query);
    this.addStoreParams(req.params);
    // What the cache cannot read exactly as Prometheus would is left to the store, errors included.
    if (query === null || startMs === undefined || endMs === undefined || stepMs === undefined || stepMs <= 0 || endMs < startMs) {
      return this.limited(req, () => this.send(store, req));
    }
    const extra = without(req.params, ['query', 'start', 'end', 'step']);
    return this.limited(req, async () => {
      const outcome = await this.opts.cache.range({ store: store.cacheId, query, range: { startMs, endMs }, stepMs, extra }, (p) =>
        this.send(store, { ...req, method: 'POST', params: p }),
      );
      this.opts.logger.debug({ store: store.name, query, hits: outcome.hits, misses: outcome.misses, storeRequests: outcome.storeRequests }, 'range query');
      return outcome.answer;
    });
  }

  /** The query timeout and max_samples as the store's own parameters, so it stops on its side too. */
  private addStoreParams(params: URLSearchParams): void {
    if (!params.has('timeout')) params.set('timeout', `${this.opts.limits.queryTimeoutMs / 1000}s`);
    if (this.opts.limits.maxSamples !== undefined && !params.has('max_samples')) params.set('max_samples', String(this.opts.limits.maxSamples));
  }

  /** Asks every store; with one store the answer is its own, with several the lists are merged. */
  private async merged(req: ApiRequest, merge: (lists: unknown[][]) => unknown[]): Promise<StoreAnswer> {
    const { stores } = this.opts;
    if (stores.length === 1) return this.limited(req, () => this.send(stores[0] as StoreClient, req));
    return this.limited(req, async () => {
      const answers = await Promise.allSettled(stores.map((s) => this.send(s, req)));
      const lists: unknown[][] = [];
      const warnings = new Set<string>();
      let firstFailure: StoreAnswer | undefined;
      answers.forEach((a, i) => {
        const name = (stores[i] as StoreClient).name;
        if (a.status === 'rejected') {
          warnings.add(`store ${name}: ${(a.reason as Error).message}`);
          return;
        }
        const body = parseEnvelope(a.value);
        if (a.value.status !== 200 || body === undefined || !Array.isArray(body.data)) {
          firstFailure ??= a.value;
          warnings.add(`store ${name}: HTTP ${a.value.status}${body?.error !== undefined ? `: ${body.error}` : ''}`);
          return;
        }
        lists.push(body.data);
        for (const w of body.warnings ?? []) warnings.add(w);
      });
      if (lists.length === 0) {
        if (firstFailure !== undefined) return firstFailure;
        const first = answers[0] as PromiseRejectedResult;
        throw first.reason;
      }
      const envelope: Record<string, unknown> = { status: 'success', data: merge(lists) };
      if (warnings.size > 0) envelope.warnings = [...warnings];
      return { status: 200, contentType: JSON_TYPE, body: Buffer.from(JSON.stringify(envelope)) };
    });
  }

  private async limited(req: ApiRequest, fn: () => Promise<StoreAnswer>): Promise<StoreAnswer> {
    const { metrics } = this.opts;
    try {
      return await this.limiter.run(async () => {
        metrics.inFlight.set(this.limiter.inFlight);
        metrics.queued.set(this.limiter.queued);
        return fn();
      }, req.signal);
    } finally {
      metrics.inFlight.set(this.limiter.inFlight);
      metrics.queued.set(this.limiter.queued);
    }
  }

  private async send(store: StoreClient, req: ApiRequest): Promise<StoreAnswer> {
    const began = performance.now();
    const path = req.path;
    try {
      const answer = await store.send({ method: req.method, path, params: req.params, signal: req.signal });
      this.opts.metrics.storeRequests.observe({ store: store.name, path: metricPath(path), code: String(answer.status) }, (performance.now() - began) / 1000);
      if (answer.status >= 500) this.opts.logger.warn({ store: store.name, path, status: answer.status }, 'store answered an error');
      return answer;
    } catch (err) {
      this.opts.metrics.storeRequests.observe({ store: store.name, path: metricPath(path), code: '0' }, (performance.now() - began) / 1000);
      this.opts.logger.warn({ store: store.name, path, err: (err as Error).message }, 'store request failed');
      throw err;
    }
  }

  private checkToken(header: string | undefined): void {
    if (this.opts.token === undefined) return;
    const expected = this.opts.token();
    const given = header !== undefined && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : '';
    // Hashes have equal lengths, so the comparison takes the same time whatever was sent.
    const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
    if (given === '' || !timingSafeEqual(digest(given), digest(expected))) {
      this.opts.metrics.rejected.inc({ reason: 'unauthorized' });
      throw new ApiError(401, 'unauthorized', given === '' ? 'a bearer token is required (Authorization: Bearer <token>)' : 'invalid bearer token');
    }
  }

  private errorResponse(err: unknown, handler: Handler): Response {
    let status = 500;
    let errorType = 'internal';
    let message = (err as Error).message;
    if (err instanceof ApiError) {
      ({ status, errorType } = err);
    } else if (err instanceof QueueFullError) {
      this.opts.metrics.rejected.inc({ reason: 'queue_full' });
      status = 503;
      errorType = 'unavailable';
    } else if (err instanceof StoreUnavailableError) {
      if (err.timedOut) this.opts.metrics.rejected.inc({ reason: 'timeout' });
      status = 503;
      errorType = err.timedOut ? 'timeout' : 'unavailable';
    } else if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      // Timed out while waiting in the queue.
      this.opts.metrics.rejected.inc({ reason: 'timeout' });
      status = 503;
      errorType = 'timeout';
      message = `query timed out after ${formatDuration(this.opts.limits.queryTimeoutMs)} (limits.query_timeout)`;
    } else {
      this.opts.logger.error({ err, handler }, 'query api failed');
    }
    if (status !== 500) this.opts.logger.info({ handler, status, errorType, error: message }, 'query refused');
    const headers: Record<string, string> = { 'content-type': JSON_TYPE };
    if (status === 401) headers['www-authenticate'] = 'Bearer';
    return new Response(JSON.stringify({ status: 'error', errorType, error: message }), { status, headers });
  }
}

async function readRequest(c: Context, timeoutMs: number): Promise<ApiRequest> {
  const url = new URL(c.req.url);
  const params = new URLSearchParams(url.search);
  const method = c.req.method === 'POST' ? 'POST' : 'GET';
  // Prometheus reads parameters from the URL and a form body alike (r.FormValue).
  if (method === 'POST' && (c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await c.req.text())) params.append(k, v);
  }
  return { method, path: url.pathname, params, signal: AbortSignal.timeout(timeoutMs) };
}

function toResponse(answer: StoreAnswer): Response {
  const headers: Record<string, string> = {};
  if (answer.contentType !== undefined) headers['content-type'] = answer.contentType;
  // 204 and 304 carry no body.
  const body = answer.status === 204 || answer.status === 304 ? null : new Uint8Array(answer.body);
  return new Response(body, { status: answer.status, headers });
}

function without(params: URLSearchParams, names: readonly string[]): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of params) if (!names.includes(k)) out.append(k, v);
  return out;
}

function parseEnvelope(answer: StoreAnswer): { data?: unknown; error?: string; warnings?: string[] } | undefined {
  try {
    return JSON.parse(answer.body.toString('utf8')) as { data?: unknown; error?: string; warnings?: string[] };
  } catch {
    return undefined;
  }
}

function metricPath(path: string): string {
  return path.startsWith('/api/v1/label/') ? '/api/v1/label/:name/values' : path;
}

/** Series lists of several stores: each label set once, in Prometheus' label-set order. */
export function mergeSeries(lists: unknown[][]): unknown[] {
  const seen = new Map<string, Record<string, string>>();
  for (const list of lists) {
    for (const s of list as Record<string, string>[]) {
      const key = seriesKey(s);
      if (!seen.has(key)) seen.set(key, s);
    }
  }
  return [...seen.values()].sort(compareLabelSets);
}

/** Label names or values of several stores: each once, sorted as Prometheus sorts them. */
export function mergeStrings(lists: unknown[][]): unknown[] {
  const seen = new Set<string>();
  for (const list of lists) for (const s of list as string[]) seen.add(s);
  return [...seen].sort(compareCodePoints);
}
