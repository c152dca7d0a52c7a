// What the results cache stores its pieces in: the in-memory LRU by default, or a cache shared by
// several query replicas (Redis, memcached), as Thanos/Mimir's query-frontend offer. A backend only
// moves strings; hashing keys, bounding values, timeouts and outages are the CacheClient's.

export type CacheBackendName = 'memory' | 'redis' | 'memcached';

export interface CacheEntry {
  key: string;
  value: string;
}

export interface CacheBackend {
  readonly name: CacheBackendName;
  /** The values of the keys found (absent keys are simply missing); rejects when it cannot answer. */
  getMany(keys: readonly string[]): Promise<Map<string, string>>;
  /** Stores every entry for ttlMs; rejects when it could not. */
  setMany(entries: readonly CacheEntry[], ttlMs: number): Promise<void>;
  /** Waits up to timeoutMs for a first connection (never rejects: a cache that is down is a miss). */
  connect?(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}
