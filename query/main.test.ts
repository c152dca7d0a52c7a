import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { openCacheClient } from './main.ts';
import { readQueryConfig } from './query-config.ts';
import { QueryMetrics } from './query-metrics.ts';

const logger = createLogger('test', 'silent');
const cacheOf = (cache: unknown) => readQueryConfig({ stores: [{ url: 'http://p:9090' }], cache }).cache;

describe('openCacheClient', () => {
  it('keeps pieces in memory by default, bounded by max_bytes', () => {
    const client = openCacheClient(cacheOf({ max_bytes: '1MiB' }), new QueryMetrics(), logger);
    expect(client.backendName).toBe('memory');
  });

  it('fails the start naming cache.redis.password_file when the file cannot be read or is empty', () => {
    const config = cacheOf({ backend: 'redis', redis: { address: '127.0.0.1:1', password_file: '/nonexistent/redis-password' } });
    expect(() => openCacheClient(config, new QueryMetrics(), logger)).toThrow(/^cache\.redis\.password_file: cannot read \/nonexistent\/redis-password: ENOENT/);
    expect(() => openCacheClient(config, new QueryMetrics(), logger, () => ' \n')).toThrow(/^cache\.redis\.password_file: .* is empty/);
  });
});
