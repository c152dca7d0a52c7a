// A results cache shared by several query replicas in memcached (memjs, binary protocol): keys
// spread over the configured servers by memjs' own hashing, one get per piece on the servers'
// pipelined connections, sets with an expiry. memjs retries nothing here (the CacheClient's
// timeout and miss are the answer to a server that is down) and logs nothing (the CacheClient
// logs an outage once).
import { Client } from 'memjs';
import type { CacheBackend, CacheEntry } from './cache-backend.ts';
import type { MemcachedCacheConfig } from './query-config.ts';

/** memcached reads an expiry beyond 30 days as an absolute Unix time, so longer TTLs are capped. */
const MAX_RELATIVE_EXPIRY_S = 30 * 24 * 3600;

export class MemcachedCacheBackend implements CacheBackend {
  readonly name = 'memcached';
  private readonly client: Client<string, Buffer | null>;

  constructor(config: MemcachedCacheConfig) {
    this.client = Client.create<string, Buffer | null>(config.addresses.join(','), {
      timeout: config.timeoutMs / 1000,
      conntimeout: config.timeoutMs / 1000,
      retries: 1,
      failover: false,
      keepAlive: true,
      logger: { log: () => {} },
    });
  }

  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    const values = await Promise.all(keys.map((k) => this.client.get(k)));
    const found = new Map<string, string>();
    values.forEach(({ value }, i) => {
      if (value !== null) found.set(keys[i] as string, value.toString('utf8'));
    });
    return found;
  }

  async setMany(entries: readonly CacheEntry[], ttlMs: number): Promise<void> {
    const expires = Math.max(1, Math.min(MAX_RELATIVE_EXPIRY_S, Math.round(ttlMs / 1000)));
    await Promise.all(entries.map(({ key, value }) => this.client.set(key, value, { expires })));
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
