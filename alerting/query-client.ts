// Instant queries against any Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics, Mimir,
// Ringwatch's query node): POST /api/v1/query, form-encoded, with `time`, as Prometheus' own
// clients send it. Tenant headers and auth come from the configuration; the answer's body is
// bounded, and every failure is an error that names the store and what went wrong, for the rule's
// lastError. The JSON is returned as is; query-result.ts reads it.
import { request, type Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher } from '../core/http-client-config.ts';
import type { QueryStoreConfig } from './alerting-config.ts';

/** An answer larger than this is refused: a rule whose result is that large is a mistake. */
export const MAX_QUERY_RESPONSE_BYTES = 64 * 1024 * 1024;

export class QueryError extends Error {
  /** Prometheus' errorType when the store sent one (bad_data, execution, timeout, ...). */
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.name = 'QueryError';
    this.errorType = errorType;
  }
}

export class QueryClient {
  readonly #config: QueryStoreConfig;
  readonly #dispatcher: Dispatcher;
  readonly #endpoint: string;

  constructor(config: QueryStoreConfig) {
    this.#config = config;
    this.#dispatcher = createHttpDispatcher(config.http, { connections: 16 });
    this.#endpoint = `${config.url}/api/v1/query`;
  }

  /** The parsed JSON body of `/api/v1/query` for `expr` at `timeMs`; throws QueryError. */
  async query(expr: string, timeMs: number, signal?: AbortSignal): Promise<unknown> {
    const form = new URLSearchParams({ query: expr, time: (timeMs / 1000).toFixed(3) });
    const headers: Record<string, string> = {
      ...this.#config.headers,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': 'Ringwatch/0.1',
    };
    let res: Dispatcher.ResponseData;
    try {
      const authorization = authorizationHeader(this.#config.http.auth);
      if (authorization !== undefined) headers.authorization = authorization;
      const timeout = AbortSignal.timeout(this.#config.timeoutMs);
      res = await request(this.#endpoint, {
        method: 'POST',
        headers,
        body: form.toString(),
        dispatcher: this.#dispatcher,
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      const e = err as Error & { cause?: Error };
      const reason = e.name === 'TimeoutError' ? `timed out after ${this.#config.timeoutMs} ms` : `${e.message}${e.cause ? `: ${e.cause.message}` : ''}`;
      throw new QueryError('unavailable', `query ${this.#config.url}: ${reason}`);
    }
    const text = await readBounded(res);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new QueryError('bad_response', `query ${this.#config.url}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 200)}`);
    }
    if (res.statusCode >= 400 && (doc as { status?: unknown } | null)?.status !== 'error') {
      throw new QueryError('bad_response', `query ${this.#config.url}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    }
    return doc;
  }

  close(): Promise<void> {
    return this.#dispatcher.close();
  }
}

async function readBounded(res: Dispatcher.ResponseData): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_QUERY_RESPONSE_BYTES) {
      res.body.destroy();
      throw new QueryError('bad_response', `query answer larger than ${MAX_QUERY_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
