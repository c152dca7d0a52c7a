import { describe, expect, it } from 'vitest';
import { CacheClient } from './cache-client.ts';
import type { ByteLruCache } from './lru-cache.ts';
import { MemoryCacheBackend } from './memory-cache-backend.ts';
import type { CacheConfig } from './query-config.ts';
import { QueryMetrics } from './query-metrics.ts';
import { ResultsCache } from './results-cache.ts';
import type { StoreAnswer } from './store-client.ts';

const M = 60_000;
const NOW = 1000 * 60 * M; // a whole hour

/** A fake store: one series with value = t/1000 at every step of the asked range, and a request log. */
function fakeStore(): { fetch: (p: URLSearchParams) => Promise<StoreAnswer>; asked: [number, number][] } {
  const asked: [number, number][] = [];
  return {
    asked,
    fetch: async (p) => {
      const start = Number(p.get('start')) * 1000;
      const end = Number(p.get('end')) * 1000;
      const step = Number(p.get('step')) * 1000;
      asked.push([start, end]);
      const values: [number, string][] = [];
      for (let t = start; t <= end; t += step) values.push([t / 1000, String(t / 1000)]);
      const result = [{ metric: { __name__: 'x' }, values }];
      // A second series only before minute 30, to check series present in some pieces only.
      const early = values.filter(([t]) => t * 1000 < NOW - 30 * M);
      if (early.length > 0) result.push({ metric: { __name__: 'w' }, values: early });
      return { status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } })) };
    },
  };
}

const config: CacheConfig = { backend: 'memory', maxBytes: 1024 ** 2, ttlMs: 7 * 24 * 60 * M, splitIntervalMs: 10 * M, maxFreshnessMs: 10 * M, cacheInstant: false };
const lruOf = (cache: ResultsCache): ByteLruCache => (cache.client.backend as MemoryCacheBackend).lru;
const query = (startMs: number, endMs: number, q = 'x') => ({ store: 's', query: q, range: { startMs, endMs }, stepMs: M, extra: new URLSearchParams() });

describe('ResultsCache.range', () => {
  it('fetches whole cacheable intervals, the fresh rest in one request, and merges them', async () => {
    const cache = new ResultsCache(config, undefined, () => NOW);
    const store = fakeStore();
    const out = await cache.range(query(NOW - 45 * M + 20_000, NOW), store.fetch);
    // Aligned start: -45m. Intervals ending by now - 10m are fetched whole; the fresh rest is -10m..now.
    expect(store.asked.map(([a, b]) => [(a - NOW) / M, (b - NOW) / M])).toEqual([
      [-50, -41],
      [-40, -31],
      [-30, -21],
      [-20, -11],
      [-10, 0],
    ]);
    expect([out.hits, out.misses, out.storeRequests]).toEqual([0, 4, 5]);
    const body = JSON.parse(out.answer.body.toString()) as { data: { result: { metric: { __name__: string }; values: [number, string][] }[] } };
    const [w, x] = body.data.result;
    expect(x?.values.map(([t]) => (t * 1000 - NOW) / M)).toEqual(Array.from({ length: 46 }, (_, i) => i - 45));
    expect(w?.metric.__name__).toBe('w');
    expect(w?.values.map(([t]) => (t * 1000 - NOW) / M)).toEqual(Array.from({ length: 15 }, (_, i) => i - 45));
  });

  it('answers a repeated or shifted range from the cache but for the fresh part', async () => {
    const metrics = new QueryMetrics();
    const cache = new ResultsCache(config, metrics, () => NOW);
    const store = fakeStore();
    const first = await cache.range(query(NOW - 45 * M, NOW), store.fetch);
    store.asked.length = 0;
    const again = await cache.range(query(NOW - 45 * M, NOW), store.fetch);
    expect(again.answer.body.toString()).toBe(first.answer.body.toString());
    expect(store.asked).toEqual([[NOW - 10 * M, NOW]]);
    expect([again.hits, again.misses]).toEqual([4, 0]);
    const shifted = await cache.range(query(NOW - 35 * M, NOW - 22 * M), store.fetch);
    expect(shifted.hits).toBe(2);
    const values = (JSON.parse(shifted.answer.body.toString()) as { data: { result: { values: [number, string][] }[] } }).data.result[1]?.values;
    expect(values?.map(([t]) => (t * 1000 - NOW) / M)).toEqual(Array.from({ length: 14 }, (_, i) => i - 35));
    expect((await metrics.cacheRequests.get()).values.map((v) => [v.labels.backend, v.labels.result, v.value])).toEqual([
      ['memory', 'hit', 6],
      ['memory', 'miss', 4],
    ]);
    expect((await metrics.cacheBytes.get()).values[0]?.value).toBe(lruOf(cache).bytes);
  });

  it('keys by query, step, store and other parameters', async () => {
    const cache = new ResultsCache(config, undefined, () => NOW);
    const store = fakeStore();
    await cache.range(query(NOW - 45 * M, NOW - 30 * M), store.fetch);
    const n = store.asked.length;
    expect((await cache.range(query(NOW - 45 * M, NOW - 30 * M, 'y'), store.fetch)).hits).toBe(0);
    expect((await cache.range({ ...query(NOW - 45 * M, NOW - 30 * M), store: 't' }, store.fetch)).hits).toBe(0);
    expect((await cache.range({ ...query(NOW - 45 * M, NOW - 30 * M), stepMs: 2 * M }, store.fetch)).hits).toBe(0);
    expect((await cache.range({ ...query(NOW - 45 * M, NOW - 30 * M), extra: new URLSearchParams({ lookback_delta: '1m' }) }, store.fetch)).hits).toBe(0);
    expect((await cache.range({ ...query(NOW - 45 * M, NOW - 30 * M), extra: new URLSearchParams({ timeout: '1m' }) }, store.fetch)).hits).toBe(3);
    expect(store.asked.length).toBe(n + 12);
  });

  it('shares pieces between replicas on one backend, but not between split intervals', async () => {
    const client = new CacheClient({ backend: new MemoryCacheBackend(1024 ** 2), timeoutMs: 1000, maxItemBytes: 1024 ** 2, ttlMs: config.ttlMs });
    const one = new ResultsCache(config, undefined, () => NOW, client);
    const two = new ResultsCache(config, undefined, () => NOW, client);
    const store = fakeStore();
    const first = await one.range(query(NOW - 45 * M, NOW), store.fetch);
    const second = await two.range(query(NOW - 45 * M, NOW), store.fetch);
    expect([second.hits, second.misses, second.storeRequests]).toEqual([4, 0, 1]);
    expect(second.answer.body.toString()).toBe(first.answer.body.toString());
    // A 20m split fetches 20-minute pieces: a 10m replica's entries must not pass for them.
    const wider = new ResultsCache({ ...config, splitIntervalMs: 20 * M }, undefined, () => NOW, client);
    expect((await wider.range(query(NOW - 45 * M, NOW), store.fetch)).hits).toBe(0);
  });

  it('returns a store error as it came and caches nothing of it', async () => {
    const cache = new ResultsCache(config, undefined, () => NOW);
    const error: StoreAnswer = { status: 422, contentType: 'application/json', body: Buffer.from('{"status":"error","errorType":"execution","error":"boom"}') };
    const out = await cache.range(query(NOW - 45 * M, NOW), async () => error);
    expect(out.answer).toBe(error);
    expect(lruOf(cache).size).toBe(0);
  });

  it('skips the cache for @ modifiers and for more points than Prometheus allows', async () => {
    const cache = new ResultsCache(config, undefined, () => NOW);
    const store = fakeStore();
    await cache.range(query(NOW - 45 * M, NOW, 'x @ end()'), store.fetch);
    expect(store.asked).toEqual([[NOW - 45 * M, NOW]]);
    store.asked.length = 0;
    await cache.range({ ...query(NOW - 45 * M, NOW), stepMs: 100 }, async (p) => {
      store.asked.push([Number(p.get('start')) * 1000, Number(p.get('end')) * 1000]);
      return { status: 400, contentType: 'application/json', body: Buffer.from('{}') };
    });
    expect(store.asked).toHaveLength(1);
    expect(lruOf(cache).size).toBe(0);
  });

  it('evicts pieces beyond max_bytes and counts the evictions', async () => {
    const metrics = new QueryMetrics();
    const cache = new ResultsCache({ ...config, maxBytes: 1500 }, metrics, () => NOW);
    await cache.range(query(NOW - 45 * M, NOW), fakeStore().fetch);
    expect(lruOf(cache).bytes).toBeLessThanOrEqual(1500);
    expect((await metrics.cacheEvictions.get()).values[0]?.value).toBeGreaterThan(0);
  });
});

describe('ResultsCache.instant', () => {
  it('caches instant queries older than max_freshness only', async () => {
    const cache = new ResultsCache({ ...config, cacheInstant: true }, undefined, () => NOW);
    let calls = 0;
    const fetch = async (): Promise<StoreAnswer> => {
      calls++;
      return { status: 200, contentType: 'application/json', body: Buffer.from('{"status":"success","data":{"resultType":"vector","result":[]}}') };
    };
    const old = { store: 's', query: 'x', timeMs: NOW - 20 * M, extra: new URLSearchParams() };
    await cache.instant(old, fetch);
    await cache.instant(old, fetch);
    expect(calls).toBe(1);
    await cache.instant({ ...old, timeMs: NOW - M }, fetch);
    await cache.instant({ ...old, timeMs: NOW - M }, fetch);
    expect(calls).toBe(3);
  });
});
