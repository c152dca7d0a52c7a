// The results cache of range (and optionally instant) queries, as Thanos/Mimir's query-frontend:
// a range query is step-aligned and split at split_interval boundaries; each piece old enough to
// be final is answered from the cache backend (the node's LRU, or Redis shared by replicas) or
// fetched for its whole interval and kept there; the piece that reaches past now - max_freshness
// is always asked fresh (it may still change), and the pieces are merged back into one matrix. A
// piece is keyed by (store, query, step, split interval, interval start, other parameters), so it
// serves every later request whose range crosses that interval, on any replica sharing the cache.
// One request costs the backend one get of all its pieces and one set of those it fetched.
import type { CacheEntry } from './cache-backend.ts';
import { CacheClient } from './cache-client.ts';
import type { CacheConfig } from './query-config.ts';
import { MemoryCacheBackend } from './memory-cache-backend.ts';
import { mergeMatrices, readMatrixBody, trimMatrix, writeMatrixBody, type MatrixAnswer } from './matrix.ts';
import { formatPromTime } from './prom-params.ts';
import type { QueryMetrics } from './query-metrics.ts';
import { alignToStep, intervalSteps, splitByInterval, type TimeRange } from './range-split.ts';
import type { StoreAnswer } from './store-client.ts';

/** Prometheus refuses ranges of more points than this; such requests go to the store unsplit for its error. */
const MAX_POINTS = 11_000;
/** Pieces fetched at once for one request, so that a month at 1d split is not 30 parallel queries. */
const PIECE_PARALLELISM = 4;
/** Parameters that do not change an answer and are left out of cache keys. */
const NOT_IN_KEY = new Set(['query', 'start', 'end', 'step', 'time', 'timeout', 'stats']);

export interface RangeQuery {
  /** The store's identity in keys (StoreClient.cacheId): replicas sharing a cache must agree on it. */
  store: string;
  query: string;
  range: TimeRange;
  stepMs: number;
  /** Every other parameter of the request (sent along, and part of the key). */
  extra: URLSearchParams;
}

/** Sends one range request for [startMs, endMs] to the query's store. */
export type FetchRange = (params: URLSearchParams) => Promise<StoreAnswer>;

export interface RangeOutcome {
  answer: StoreAnswer;
  hits: number;
  misses: number;
  storeRequests: number;
}

/**
 * `@ start()`/`@ end()` and `@ <time>` tie an answer to the request's own range, so its pieces
 * would not be the whole query's; such queries (and any with "@" at all, to be safe) skip the cache.
 */
export function isCacheableQuery(query: string): boolean {
  return !query.includes('@');
}

export class ResultsCache {
  readonly client: CacheClient;
  private readonly config: CacheConfig;
  private readonly metrics: QueryMetrics | undefined;
  private readonly now: () => number;

  /** Without a client, pieces are kept in this node's memory (cache.max_bytes). */
  constructor(config: CacheConfig, metrics?: QueryMetrics, now: () => number = Date.now, client?: CacheClient) {
    this.config = config;
    this.metrics = metrics;
    this.now = now;
    this.client =
      client ??
      new CacheClient({ backend: new MemoryCacheBackend(config.maxBytes, metrics, now), timeoutMs: 60_000, maxItemBytes: config.maxBytes, ttlMs: config.ttlMs, ...(metrics !== undefined ? { metrics } : {}) });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** A range query through the cache; any error answer of a store is returned as the store wrote it. */
  async range(q: RangeQuery, fetch: FetchRange): Promise<RangeOutcome> {
    const aligned = alignToStep(q.range, q.stepMs);
    const paramsFor = (startMs: number, endMs: number): URLSearchParams => {
      const p = new URLSearchParams(q.extra);
      p.set('query', q.query);
      p.set('start', formatPromTime(startMs));
      p.set('end', formatPromTime(endMs));
      p.set('step', formatPromTime(q.stepMs));
      return p;
    };
    if (!isCacheableQuery(q.query) || aligned.endMs < aligned.startMs || (aligned.endMs - aligned.startMs) / q.stepMs >= MAX_POINTS) {
      return { answer: await fetch(paramsFor(aligned.startMs, aligned.endMs)), hits: 0, misses: 0, storeRequests: 1 };
    }
    const freshFrom = this.now() - this.config.maxFreshnessMs;
    const pieces = splitByInterval(aligned, q.stepMs, this.config.splitIntervalMs);
    // Pieces are in time order, so the cacheable ones are a prefix and the fresh rest is one range.
    const cacheable = pieces.filter((p) => intervalSteps(p.startMs, q.stepMs, this.config.splitIntervalMs).endMs <= freshFrom);
    const freshStart = pieces[cacheable.length]?.startMs;
    const keyBase = `range\n${q.store}\n${q.stepMs}\n${this.config.splitIntervalMs}\n${canonical(q.extra)}\n${q.query}\n`;
    const keys = cacheable.map((piece) => keyBase + String(piece.intervalStartMs));
    const found = await this.client.getMany(keys);

    let hits = 0;
    let misses = 0;
    const toStore: CacheEntry[] = [];
    const results: (MatrixAnswer | StoreAnswer)[] = new Array(cacheable.length + (freshStart === undefined ? 0 : 1));
    const tasks: (() => Promise<void>)[] = [];
    cacheable.forEach((piece, i) => {
      const key = keys[i] as string;
      const cached = found.get(key);
      const parsedCached = cached === undefined ? undefined : readMatrixBody(cached);
      if (parsedCached !== undefined) {
        hits++;
        results[i] = trimMatrix(parsedCached, piece.startMs, piece.endMs);
        return;
      }
      misses++;
      tasks.push(async () => {
        // The whole interval is fetched, not just the requested part, so the entry serves any later range.
        const whole = intervalSteps(piece.startMs, q.stepMs, this.config.splitIntervalMs);
        const answer = await fetch(paramsFor(whole.startMs, whole.endMs));
        const text = answer.body.toString('utf8');
        const matrix = answer.status === 200 ? readMatrixBody(text) : undefined;
        if (matrix === undefined) {
          results[i] = answer;
          return;
        }
        // Answers with warnings (e.g. a partial answer of a federated store) are not kept.
        if ((matrix.warnings ?? []).length === 0) toStore.push({ key, value: text });
        results[i] = trimMatrix(matrix, piece.startMs, piece.endMs);
      });
    });
    if (freshStart !== undefined) {
      const i = cacheable.length;
      tasks.push(async () => {
        const answer = await fetch(paramsFor(freshStart, aligned.endMs));
        const matrix = answer.status === 200 ? readMatrixBody(answer.body.toString('utf8')) : undefined;
        results[i] = matrix ?? answer;
      });
    }
    const storeRequests = tasks.length;
    await runLimited(tasks, PIECE_PARALLELISM);
    // Written before answering, so that the next request (on any replica) finds them; a backend
    // that is down or slow costs at most its timeout here.
    await this.client.setMany(toStore);
    this.countLookups(hits, misses);

    const failed = results.find((r): r is StoreAnswer => 'status' in r);
    if (failed !== undefined) return { answer: failed, hits, misses, storeRequests };
    const merged = mergeMatrices(results as MatrixAnswer[]);
    return {
      answer: { status: 200, contentType: 'application/json', body: Buffer.from(writeMatrixBody(merged)) },
      hits,
      misses,
      storeRequests,
    };
  }

  /** An instant query at a time older than now - max_freshness (cache.cache_instant). */
  async instant(q: { store: string; query: string; timeMs: number; extra: URLSearchParams }, fetch: FetchRange): Promise<StoreAnswer> {
    const params = new URLSearchParams(q.extra);
    params.set('query', q.query);
    params.set('time', formatPromTime(q.timeMs));
    if (!isCacheableQuery(q.query) || q.timeMs > this.now() - this.config.maxFreshnessMs) return fetch(params);
    const key = `instant\n${q.store}\n${q.timeMs}\n${canonical(q.extra)}\n${q.query}`;
    const cached = (await this.client.getMany([key])).get(key);
    if (cached !== undefined) {
      this.countLookups(1, 0);
      return { status: 200, contentType: 'application/json', body: Buffer.from(cached) };
    }
    this.countLookups(0, 1);
    const answer = await fetch(params);
    if (answer.status === 200) {
      const text = answer.body.toString('utf8');
      if (!text.includes('"warnings"')) await this.client.setMany([{ key, value: text }]);
    }
    return answer;
  }

  private countLookups(hits: number, misses: number): void {
    this.metrics?.cacheRequests.inc({ backend: this.client.backendName, result: 'hit' }, hits);
    this.metrics?.cacheRequests.inc({ backend: this.client.backendName, result: 'miss' }, misses);
  }
}

/** The parameters that belong in a key, in a fixed order. */
function canonical(params: URLSearchParams): string {
  return [...params]
    .filter(([k]) => !NOT_IN_KEY.has(k))
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

async function runLimited(tasks: readonly (() => Promise<void>)[], parallelism: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, tasks.length) }, worker));
}
