// Posts remote-write bodies to one store and classifies the answer the way Prometheus' remote
// storage client does: 2xx stored; 5xx, 429 and network errors recoverable (retry, honouring
// Retry-After); any other status a definitive rejection of the batch.
import { request, type Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher, type HttpAuth } from '../core/http-client-config.ts';
import { REMOTE_WRITE_HEADERS } from '../protocol/remote-write-codec.ts';
import type { StoreConfig } from './writer-config.ts';

export type DropReason = 'out_of_order' | 'duplicate' | 'too_old' | 'bad_labels' | 'too_large' | 'rejected';

export class RecoverableWriteError extends Error {
  /** From Retry-After, when the store sent one. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, retryAfterMs: number | undefined) {
    super(message);
    this.name = 'RecoverableWriteError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  /** 401, 403, 404: the store or its credentials are wrong, not the data (an operator must act). */
  get storeMisconfigured(): boolean {
    return this.status !== undefined && STORE_UNAVAILABLE_STATUSES.includes(this.status);
  }
}

/**
 * Answers that say nothing about the data: wrong credentials, no permission, wrong URL. Dropping
 * the backlog on them would lose data that Kafka still holds; they are retried with backoff.
 */
export const STORE_UNAVAILABLE_STATUSES: readonly number[] = [401, 403, 404];

export class RejectedWriteError extends Error {
  readonly status: number;
  readonly reason: DropReason;
  constructor(status: number, storeMessage: string) {
    super(`store rejected the batch with HTTP ${status}: ${storeMessage}`);
    this.name = 'RejectedWriteError';
    this.status = status;
    this.reason = classifyRejection(status, storeMessage);
  }
}

/** The store's reason, mapped to the few kinds users act on differently. */
export function classifyRejection(status: number, message: string): DropReason {
  const m = message.toLowerCase();
  // VictoriaMetrics answers an oversized body with 400 "too big unpacked request".
  if (status === 413 || m.includes('too big')) return 'too_large';
  // Before "duplicate": Mimir's err-mimir-duplicate-label-names and Prometheus' "duplicated label".
  if (m.includes('duplicate label') || m.includes('duplicated label') || m.includes('duplicate-label')) return 'bad_labels';
  // Before "out-of-order": Mimir says "beyond the out-of-order time window" for a too-old sample.
  if (m.includes('timestamp-too-old')) return 'too_old';
  if (m.includes('out of order') || m.includes('out-of-order')) return 'out_of_order';
  if (m.includes('duplicate')) return 'duplicate';
  if (m.includes('too old') || m.includes('out of bounds') || m.includes('too far in the past')) return 'too_old';
  if (m.includes('label')) return 'bad_labels';
  return 'rejected';
}

// The three HTTP-date forms (RFC 9110 5.6.7): IMF-fixdate, RFC 850, asctime. Checked before
// Date.parse, which reads nearly anything ("1.5", "-5", "garbage 1") as some date in 2001.
const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** Retry-After as seconds or an HTTP date; undefined when absent or not one of those. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  let at = Number.NaN;
  if (IMF_FIXDATE.test(v) || RFC850_DATE.test(v)) at = Date.parse(v);
  else if (ASCTIME_DATE.test(v)) at = Date.parse(`${v} GMT`); // asctime is GMT, not local time
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export class RemoteWriteClient {
  readonly name: string;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly auth: HttpAuth;
  private readonly timeoutMs: number;
  private readonly retryOn429: boolean;
  private readonly dispatcher: Dispatcher;

  constructor(store: StoreConfig) {
    this.name = store.name;
    this.url = store.url;
    this.timeoutMs = store.remoteTimeoutMs;
    this.retryOn429 = store.retryOnHttp429;
    this.headers = { ...store.headers, ...REMOTE_WRITE_HEADERS, 'user-agent': 'Ringwatch/0.1' };
    this.auth = store.http.auth;
    this.dispatcher = createHttpDispatcher(store.http);
  }

  /** Resolves when the store stored the body; throws RecoverableWriteError or RejectedWriteError. */
  async store(body: Uint8Array): Promise<void> {
    let res: Dispatcher.ResponseData;
    try {
      // Per request, so rotated *_file credentials apply; an unreadable file is retried like an outage.
      const authorization = authorizationHeader(this.auth);
      res = await request(this.url, {
        method: 'POST',
        headers: { ...this.headers, 'content-length': String(body.length), ...(authorization !== undefined ? { authorization } : {}) },
        body,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: Error };
      throw new RecoverableWriteError(`${e.name === 'TimeoutError' ? 'request timed out' : e.message}${e.cause ? `: ${e.cause.message}` : ''}`, undefined, undefined);
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      await res.body.dump();
      return;
    }
    // Only the start of the store's answer: enough for the reason, bounded in memory.
    const text = (await res.body.text().catch(() => '')).slice(0, 512).trim();
    const retryAfter = parseRetryAfter(headerValue(res.headers['retry-after']));
    if (status >= 500 || (status === 429 && this.retryOn429) || STORE_UNAVAILABLE_STATUSES.includes(status)) {
      throw new RecoverableWriteError(`store answered HTTP ${status}: ${text}`, status, retryAfter);
    }
    throw new RejectedWriteError(status, text);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
