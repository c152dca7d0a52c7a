// A results cache shared by several query replicas in Redis (ioredis): MGET for a request's
// pieces, one pipeline of SET ... PX for what it fetched. Nothing waits for a Redis that is down:
// commands fail at once while disconnected (no offline queue) and ioredis reconnects behind them,
// so the CacheClient counts a miss and the store answers.
import { Redis } from 'ioredis';
import { tlsConnectOptions } from '../core/tls-config.ts';
import type { CacheBackend, CacheEntry } from './cache-backend.ts';
import type { RedisCacheConfig } from './query-config.ts';

export class RedisCacheBackend implements CacheBackend {
  readonly name = 'redis';
  private readonly redis: Redis;

  /** password: read from password_file by the caller (so a missing file names that field). */
  constructor(config: RedisCacheConfig, password: string | undefined) {
    const colon = config.address.lastIndexOf(':');
    this.redis = new Redis({
      host: config.address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
      port: Number(config.address.slice(colon + 1)),
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(password !== undefined ? { password } : {}),
      db: config.db,
      ...(config.tls !== undefined ? { tls: tlsConnectOptions(config.tls) } : {}),
      connectTimeout: config.timeoutMs,
      commandTimeout: config.timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnect quickly at first, then every 2 s while Redis stays away.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      connectionName: 'ringwatch-query',
    });
    // Failures are reported through the commands that fail (the CacheClient logs once per outage);
    // without a listener ioredis would print every reconnect error to stderr.
    this.redis.on('error', () => {});
  }

  async connect(timeoutMs: number): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.redis.once('ready', done);
    });
  }

  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const values = await this.redis.mget(...keys);
    values.forEach((value, i) => {
      if (value !== null) found.set(keys[i] as string, value);
    });
    return found;
  }

  async setMany(entries: readonly CacheEntry[], ttlMs: number): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { key, value } of entries) pipeline.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed !== undefined) throw failed[0] as Error;
  }

  async close(): Promise<void> {
    this.redis.removeAllListeners('ready');
    this.redis.disconnect();
  }
}
