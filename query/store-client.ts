// One store's HTTP API as the query node calls it: its connection pool (TLS, proxy), tenant
// headers and Authorization, and a deadline per request. Answers come back as bytes with their
// status and content type, so that a passthrough returns exactly what the store wrote.
import { request, type Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher } from '../core/http-client-config.ts';
import type { QueryStoreConfig } from './query-config.ts';

export interface StoreAnswer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export interface StoreRequest {
  method: 'GET' | 'POST';
  /** The API path, e.g. /api/v1/query_range. */
  path: string;
  params: URLSearchParams;
  signal?: AbortSignal;
}

/** The store could not be asked, or did not answer in time (as opposed to answering an error). */
export class StoreUnavailableError extends Error {
  readonly store: string;
  readonly timedOut: boolean;
  constructor(store: string, message: string, timedOut: boolean) {
    super(message);
    this.name = 'StoreUnavailableError';
    this.store = store;
    this.timedOut = timedOut;
  }
}

export class StoreClient {
  readonly config: QueryStoreConfig;
  private readonly dispatcher: Dispatcher;

  constructor(config: QueryStoreConfig) {
    this.config = config;
    this.dispatcher = createHttpDispatcher(config.http);
  }

  get name(): string {
    return this.config.name;
  }

  /**
   * The store as results cache keys name it: its name, URL and tenant headers, so that replicas
   * sharing a cache but configured with other stores (or tenants) under the same name never read
   * each other's answers. Keys are hashed before they reach a backend.
   */
  get cacheId(): string {
    const headers = Object.entries(this.config.headers)
      .map(([k, v]) => [k.toLowerCase(), v])
      .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1));
    return JSON.stringify([this.config.name, this.config.url, headers]);
  }

  async send(req: StoreRequest): Promise<StoreAnswer> {
    const headers: Record<string, string> = { ...this.config.headers, accept: 'application/json' };
    let authorization: string | undefined;
    try {
      authorization = authorizationHeader(this.config.http.auth);
    } catch (err) {
      // A credentials file that cannot be read fails this request (503), not the node.
      throw new StoreUnavailableError(this.config.name, `store ${this.config.name}: ${(err as Error).message}`, false);
    }
    if (authorization !== undefined) headers.authorization = authorization;
    const query = req.params.toString();
    let url = `${this.config.url}${req.path}`;
    let body: string | undefined;
    if (req.method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = query;
    } else if (query !== '') {
      url += `?${query}`;
    }
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = req.signal === undefined ? timeout : AbortSignal.any([timeout, req.signal]);
    try {
      const res = await request(url, { method: req.method, headers, body, dispatcher: this.dispatcher, signal });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const contentType = res.headers['content-type'];
      return { status: res.statusCode, contentType: Array.isArray(contentType) ? contentType[0] : contentType, body: bytes };
    } catch (err) {
      const timedOut = timeout.aborted || (req.signal?.aborted ?? false);
      const reason = timeout.aborted
        ? `no answer within ${this.config.timeoutMs} ms (timeout)`
        : req.signal?.aborted === true
          ? 'query timed out (limits.query_timeout)'
          : (err as Error).message;
      throw new StoreUnavailableError(this.config.name, `store ${this.config.name}: ${reason}`, timedOut);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
