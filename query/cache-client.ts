// What the results cache talks to, whatever the backend: keys hashed (they hold queries, and a
// shared cache may be read by others), values over the item bound never stored, every backend call
// bounded by a timeout, and a backend that fails or is slow reads as a miss, never as a failed
// query. Errors are counted per operation; an outage is logged once when it begins and once when
// it ends, not per request.
import { createHash } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import type { CacheBackend, CacheBackendName, CacheEntry } from './cache-backend.ts';
import type { QueryMetrics } from './query-metrics.ts';

/** Bumped when the format of keys or values changes, so replicas of two versions do not mix. */
const KEY_PREFIX = 'ringwatch:qrc:v1:';

export interface CacheClientOptions {
  backend: CacheBackend;
  /** Longest wait for one backend call; beyond it the call counts as failed. */
  timeoutMs: number;
  /** Values larger than this (UTF-8 bytes) are not stored. */
  maxItemBytes: number;
  ttlMs: number;
  metrics?: QueryMetrics;
  logger?: Logger;
}

export class CacheTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`${operation} took longer than ${timeoutMs} ms`);
    this.name = 'CacheTimeoutError';
  }
}

export function hashKey(key: string): string {
  return KEY_PREFIX + createHash('sha256').update(key).digest('hex');
}

export class CacheClient {
  readonly backend: CacheBackend;
  private readonly opts: CacheClientOptions;
  private outage: { since: number; errors: number } | undefined;

  constructor(opts: CacheClientOptions) {
    this.backend = opts.backend;
    this.opts = opts;
  }

  get backendName(): CacheBackendName {
    return this.backend.name;
  }

  /** Whether the last backend call failed (an outage is under way). */
  get down(): boolean {
    return this.outage !== undefined;
  }

  /** The values found under the given (unhashed) keys; empty when the backend failed. */
  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const hashed = keys.map(hashKey);
    const values = await this.call('get', () => this.backend.getMany(hashed));
    if (values === undefined) return found;
    keys.forEach((key, i) => {
      const value = values.get(hashed[i] as string);
      if (value !== undefined) found.set(key, value);
    });
    return found;
  }

  /** Stores the entries that fit the item bound; a failure is counted and otherwise ignored. */
  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    const kept = entries.filter((e) => Buffer.byteLength(e.value, 'utf8') <= this.opts.maxItemBytes).map((e) => ({ key: hashKey(e.key), value: e.value }));
    const skipped = entries.length - kept.length;
    if (skipped > 0) this.opts.metrics?.cacheSkipped.inc({ backend: this.backend.name, reason: 'too_large' }, skipped);
    if (kept.length === 0) return;
    await this.call('set', () => this.backend.setMany(kept, this.opts.ttlMs));
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  private async call<T>(operation: 'get' | 'set', fn: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CacheTimeoutError(`${this.backend.name} ${operation}`, this.opts.timeoutMs)), this.opts.timeoutMs);
        }),
      ]);
      if (this.outage !== undefined) {
        this.opts.logger?.info(
          { backend: this.backend.name, downForMs: Date.now() - this.outage.since, failedCalls: this.outage.errors },
          'results cache available again',
        );
        this.outage = undefined;
      }
      return result;
    } catch (err) {
      this.opts.metrics?.cacheErrors.inc({ backend: this.backend.name, operation });
      if (this.outage === undefined) {
        this.outage = { since: Date.now(), errors: 0 };
        this.opts.logger?.warn({ backend: this.backend.name, operation, err: (err as Error).message }, 'results cache unavailable: answering from the stores');
      }
      this.outage.errors++;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
