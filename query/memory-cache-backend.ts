// The default backend: this node's own byte-bounded LRU (cache.max_bytes), with its size and
// evictions in /metrics.
import type { CacheBackend, CacheEntry } from './cache-backend.ts';
import { ByteLruCache } from './lru-cache.ts';
import type { QueryMetrics } from './query-metrics.ts';

export class MemoryCacheBackend implements CacheBackend {
  readonly name = 'memory';
  readonly lru: ByteLruCache;
  private readonly metrics: QueryMetrics | undefined;

  constructor(maxBytes: number, metrics?: QueryMetrics, now: () => number = Date.now) {
    this.metrics = metrics;
    this.lru = new ByteLruCache(maxBytes, { onEvict: () => metrics?.cacheEvictions.inc() }, now);
  }

  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const key of keys) {
      const value = this.lru.get(key);
      if (value !== undefined) found.set(key, value);
    }
    this.updateSizeMetrics();
    return found;
  }

  async setMany(entries: readonly CacheEntry[], ttlMs: number): Promise<void> {
    for (const { key, value } of entries) this.lru.set(key, value, ttlMs);
    this.updateSizeMetrics();
  }

  async close(): Promise<void> {}

  private updateSizeMetrics(): void {
    this.metrics?.cacheBytes.set(this.lru.bytes);
    this.metrics?.cacheEntries.set(this.lru.size);
  }
}
