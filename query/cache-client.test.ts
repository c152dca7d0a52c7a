import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import type { CacheBackend, CacheEntry } from './cache-backend.ts';
import { CacheClient, hashKey } from './cache-client.ts';
import { MemoryCacheBackend } from './memory-cache-backend.ts';
import { QueryMetrics } from './query-metrics.ts';

/** A backend that stores in a Map, and can be switched to failing or hanging, as Redis can. */
class FlakyBackend implements CacheBackend {
  readonly name = 'redis';
  readonly data = new Map<string, string>();
  mode: 'up' | 'down' | 'hanging' = 'up';
  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    await this.check();
    return new Map(keys.filter((k) => this.data.has(k)).map((k) => [k, this.data.get(k) as string]));
  }
  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    await this.check();
    for (const e of entries) this.data.set(e.key, e.value);
  }
  async close(): Promise<void> {}
  private async check(): Promise<void> {
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    if (this.mode === 'hanging') await new Promise(() => {});
  }
}

function logCapture(): { logger: ReturnType<typeof createLogger>; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const logger = createLogger('test', 'info');
  for (const level of ['info', 'warn'] as const) {
    logger[level] = ((obj: unknown, msg?: string) => {
      lines.push({ level, msg: msg ?? String(obj) });
    }) as typeof logger.info;
  }
  return { logger, lines };
}

async function errors(metrics: QueryMetrics): Promise<[string | number | undefined, number][]> {
  return (await metrics.cacheErrors.get()).values.map((v) => [v.labels.operation, v.value]);
}

describe('CacheClient', () => {
  it('hands the backend hashed keys only (keys hold queries)', async () => {
    const backend = new FlakyBackend();
    const client = new CacheClient({ backend, timeoutMs: 100, maxItemBytes: 100, ttlMs: 1000 });
    await client.setMany([{ key: 'prometheus\nsum(rate(secret_metric[5m]))', value: 'v' }]);
    expect([...backend.data.keys()]).toEqual([hashKey('prometheus\nsum(rate(secret_metric[5m]))')]);
    expect([...backend.data.keys()][0]).toMatch(/^ringwatch:qrc:v1:[0-9a-f]{64}$/);
    expect(await client.getMany(['prometheus\nsum(rate(secret_metric[5m]))', 'other'])).toEqual(new Map([['prometheus\nsum(rate(secret_metric[5m]))', 'v']]));
  });

  it('does not store values over max_item_size, and counts them', async () => {
    const metrics = new QueryMetrics();
    const backend = new FlakyBackend();
    const client = new CacheClient({ backend, timeoutMs: 100, maxItemBytes: 4, ttlMs: 1000, metrics });
    await client.setMany([
      { key: 'a', value: 'four' },
      { key: 'b', value: 'fiv€' }, // 6 bytes in UTF-8
    ]);
    expect(backend.data.size).toBe(1);
    expect((await metrics.cacheSkipped.get()).values.map((v) => [v.labels.reason, v.value])).toEqual([['too_large', 1]]);
  });

  it('reads a failing or slow backend as misses, counts each error, and logs an outage once each way', async () => {
    const metrics = new QueryMetrics();
    const backend = new FlakyBackend();
    const { logger, lines } = logCapture();
    const client = new CacheClient({ backend, timeoutMs: 50, maxItemBytes: 100, ttlMs: 1000, metrics, logger });
    await client.setMany([{ key: 'k', value: 'v' }]);
    backend.mode = 'down';
    for (let i = 0; i < 3; i++) expect(await client.getMany(['k'])).toEqual(new Map());
    await client.setMany([{ key: 'k2', value: 'v' }]);
    expect(client.down).toBe(true);
    backend.mode = 'hanging';
    expect(await client.getMany(['k'])).toEqual(new Map());
    expect(await errors(metrics)).toEqual([
      ['get', 4],
      ['set', 1],
    ]);
    expect(lines).toEqual([{ level: 'warn', msg: 'results cache unavailable: answering from the stores' }]);
    backend.mode = 'up';
    expect(await client.getMany(['k'])).toEqual(new Map([['k', 'v']]));
    expect(client.down).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['results cache unavailable: answering from the stores', 'results cache available again']);
  });

  it('keeps memory entries for their TTL', async () => {
    let now = 0;
    const client = new CacheClient({ backend: new MemoryCacheBackend(1000, undefined, () => now), timeoutMs: 100, maxItemBytes: 1000, ttlMs: 10 });
    await client.setMany([{ key: 'k', value: 'v' }]);
    now = 9;
    expect((await client.getMany(['k'])).size).toBe(1);
    now = 10;
    expect((await client.getMany(['k'])).size).toBe(0);
  });
});
