// The results cache of range (and optionally instant) queries, as Thanos/Mimir's query-frontend:
// a range query is step-aligned and split at split_interval boundaries; each piece old enough to
// be final is answered from the LRU or fetched for its whole interval and kept there; the piece
// that reaches past now - max_freshness is always asked fresh (it may still change), and the
// pieces are merged back into one matrix. A piece is keyed by (store, query, step, interval
// start, other parameters), so it serves every later request whose range crosses that interval.
import type { CacheConfig } from './query-config.ts';
import { ByteLruCache } from './lru-cache.ts';
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
  readonly lru: ByteLruCache;
  private readonly config: CacheConfig;
  private readonly metrics: QueryMetrics | undefined;
  private readonly now: () => number;

  constructor(config: CacheConfig, metrics?: QueryMetrics, now: () => number = Date.now) {
    this.config = config;
    this.metrics = metrics;
    this.now = now;
    this.lru = new ByteLruCache(config.maxBytes, {
      onEvict: () => {
        metrics?.cacheEvictions.inc();
      },
    });
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
    const keyBase = `${q.store}\n${q.stepMs}\n${canonical(q.extra)}\n${q.query}\n`;

    let hits = 0;
    let misses = 0;
    let storeRequests = 0;
    const results: (MatrixAnswer | StoreAnswer)[] = new Array(cacheable.length + (freshStart === undefined ? 0 : 1));
    const tasks: (() => Promise<void>)[] = cacheable.map((piece, i) => async () => {
      const key = keyBase + String(piece.intervalStartMs);
      const cached = this.lru.get(key);
      const parsedCached = cached === undefined ? undefined : readMatrixBody(cached);
      if (parsedCached !== undefined) {
        hits++;
        results[i] = trimMatrix(parsedCached, piece.startMs, piece.endMs);
        return;
      }
      misses++;
      storeRequests++;
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
      if ((matrix.warnings ?? []).length === 0) this.lru.set(key, text);
      results[i] = trimMatrix(matrix, piece.startMs, piece.endMs);
    });
    if (freshStart !== undefined) {
      const i = cacheable.length;
      tasks.push(async () => {
        storeRequests++;
        const answer = await fetch(paramsFor(freshStart, aligned.endMs));
        const matrix = answer.status === 200 ? readMatrixBody(answer.body.toString('utf8')) : undefined;
        results[i] = matrix ?? answer;
      });
    }
    await runLimited(tasks, PIECE_PARALLELISM);
    this.metrics?.cacheRequests.inc({ result: 'hit' }, hits);
    this.metrics?.cacheRequests.inc({ result: 'miss' }, misses);
    this.updateSizeMetrics();

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
    const cached = this.lru.get(key);
    if (cached !== undefined) {
      this.metrics?.cacheRequests.inc({ result: 'hit' });
      return { status: 200, contentType: 'application/json', body: Buffer.from(cached) };
    }
    this.metrics?.cacheRequests.inc({ result: 'miss' });
    const answer = await fetch(params);
    if (answer.status === 200) {
      const text = answer.body.toString('utf8');
      if (!text.includes('"warnings"')) this.lru.set(key, text);
      this.updateSizeMetrics();
    }
    return answer;
  }

  private updateSizeMetrics(): void {
    this.metrics?.cacheBytes.set(this.lru.bytes);
    this.metrics?.cacheEntries.set(this.lru.size);
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
