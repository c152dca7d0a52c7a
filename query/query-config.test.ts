import { describe, expect, it } from 'vitest';
import { readQueryConfig } from './query-config.ts';

const base = { stores: [{ url: 'http://prometheus:9090/' }] };

describe('readQueryConfig', () => {
  it('applies the defaults', () => {
    const c = readQueryConfig(base);
    expect(c.listenAddress).toBe('127.0.0.1:9495');
    expect(c.stores).toEqual([{ name: 'prometheus:9090', url: 'http://prometheus:9090', headers: {}, timeoutMs: 120_000, http: expect.any(Object) }]);
    expect(c.cache).toEqual({ backend: 'memory', maxBytes: 256 * 1024 ** 2, ttlMs: 7 * 86_400_000, splitIntervalMs: 86_400_000, maxFreshnessMs: 600_000, cacheInstant: false });
    expect(c.limits).toEqual({ queryTimeoutMs: 120_000, maxRangeMs: 0, maxConcurrent: 20, maxQueued: 100 });
    expect(c.auth).toEqual({});
  });

  it('reads every field', () => {
    const c = readQueryConfig({
      node: { id: 'q1', listen_address: '0.0.0.0:9000' },
      stores: [
        { name: 'recent', url: 'https://p:9090', headers: { 'X-Scope-OrgID': 'team-a' }, timeout: '30s', max_age: '15d', bearer_token: 't' },
        { name: 'long', url: 'http://thanos:10902', min_age: '2h', basic_auth: { username: 'u', password: 'p' } },
      ],
      cache: { max_bytes: '64MiB', split_interval: '1h', max_freshness: '5m', cache_instant: true },
      limits: { query_timeout: '1m', max_samples: 5000000, max_range: '32d', max_concurrent: 8, max_queued: 16 },
      auth: { token_file: '/run/secrets/query-token' },
    });
    expect(c.nodeId).toBe('q1');
    expect(c.stores[0]).toMatchObject({ name: 'recent', headers: { 'X-Scope-OrgID': 'team-a' }, timeoutMs: 30_000, maxAgeMs: 15 * 86_400_000 });
    expect(c.stores[0]?.http.auth.authorization).toEqual({ type: 'Bearer', credentials: 't' });
    expect(c.stores[1]).toMatchObject({ name: 'long', minAgeMs: 7_200_000 });
    expect(c.cache).toEqual({ backend: 'memory', maxBytes: 64 * 1024 ** 2, ttlMs: 7 * 86_400_000, splitIntervalMs: 3_600_000, maxFreshnessMs: 300_000, cacheInstant: true });
    expect(c.limits).toEqual({ queryTimeoutMs: 60_000, maxSamples: 5_000_000, maxRangeMs: 32 * 86_400_000, maxConcurrent: 8, maxQueued: 16 });
    expect(c.auth).toEqual({ tokenFile: '/run/secrets/query-token' });
  });

  it('reads shared memcached servers, as a list or a comma-separated string (environment)', () => {
    const c = readQueryConfig({ ...base, cache: { backend: 'memcached', memcached: { addresses: ['m1:11211', 'm2:11211'], timeout: '1s', max_item_size: '2MiB' } } });
    expect(c.cache.memcached).toEqual({ addresses: ['m1:11211', 'm2:11211'], timeoutMs: 1000, maxItemBytes: 2 * 1024 ** 2 });
    expect(readQueryConfig({ ...base, cache: { backend: 'memcached', memcached: { addresses: 'm1:1, m2:2' } } }).cache.memcached).toEqual({
      addresses: ['m1:1', 'm2:2'],
      timeoutMs: 500,
      maxItemBytes: 1024 ** 2,
    });
  });

  it('reads a shared Redis cache', () => {
    const c = readQueryConfig({
      ...base,
      cache: {
        backend: 'redis',
        ttl: '1d',
        redis: { address: 'redis:6379', username: 'q', password_file: '/run/secrets/redis', db: 2, tls_config: { ca_file: '/ca.pem' }, timeout: '200ms', max_item_size: '4MiB' },
      },
    });
    expect(c.cache).toMatchObject({ backend: 'redis', ttlMs: 86_400_000 });
    expect(c.cache.redis).toEqual({
      address: 'redis:6379',
      username: 'q',
      passwordFile: '/run/secrets/redis',
      db: 2,
      tls: { caFile: '/ca.pem', insecureSkipVerify: false },
      timeoutMs: 200,
      maxItemBytes: 4 * 1024 ** 2,
    });
    expect(readQueryConfig({ ...base, cache: { backend: 'redis', redis: { address: '127.0.0.1:6379' } } }).cache.redis).toEqual({
      address: '127.0.0.1:6379',
      db: 0,
      timeoutMs: 500,
      maxItemBytes: 16 * 1024 ** 2,
    });
  });

  it.each([
    [{}, /^stores: at least one store is required/],
    [{ stores: [{ url: 'ftp://x' }] }, /^stores\[0\]\.url: expected an http or https URL/],
    [{ stores: [{ name: 'a', url: 'http://x' }, { name: 'a', url: 'http://y' }] }, /^stores\[1\]\.name: duplicate store name "a"/],
    [{ stores: [{ url: 'http://x', timeout: 'soon' }] }, /^stores\[0\]\.timeout: not a valid duration/],
    [{ stores: [{ url: 'http://x', headers: { Authorization: 'x' } }] }, /^stores\[0\]\.headers\.Authorization: is set by the query node/],
    [{ stores: [{ url: 'http://x', max_age: '1h', min_age: '2h' }] }, /^stores\[0\]\.min_age: must be less than max_age/],
    [{ stores: [{ url: 'http://x', bearer_token: 'a', bearer_token_file: 'b' }] }, /^stores\[0\]\.bearer_token: at most one/],
    [{ stores: [{ url: 'http://x', retention: '1d' }] }, /^stores\[0\]\.retention: unknown field/],
    [{ ...base, node: { listen_address: 'nope' } }, /^node\.listen_address: expected host:port/],
    [{ ...base, cache: { max_bytes: 'lots' } }, /^cache\.max_bytes: expected a size/],
    [{ ...base, cache: { split_interval: '0' } }, /^cache\.split_interval: must be greater than 0/],
    [{ ...base, cache: { max_freshness: '-1m' } }, /^cache\.max_freshness: not a valid duration/],
    [{ ...base, cache: { cache_instant: 'yes' } }, /^cache\.cache_instant: expected true or false/],
    [{ ...base, cache: { backend: 'etcd' } }, /^cache\.backend: must be one of memory, redis, memcached/],
    [{ ...base, cache: { backend: 'redis' } }, /^cache\.redis: is required when cache\.backend is redis/],
    [{ ...base, cache: { redis: { address: 'r:6379' } } }, /^cache\.redis: is configured but cache\.backend is memory/],
    [{ ...base, cache: { backend: 'redis', redis: { address: 'redis' } } }, /^cache\.redis\.address: expected host:port/],
    [{ ...base, cache: { backend: 'redis', redis: {} } }, /^cache\.redis\.address: is required/],
    [{ ...base, cache: { backend: 'redis', redis: { address: 'r:1', password: 'a', password_file: '/b' } } }, /^cache\.redis: at most one of password and password_file/],
    [{ ...base, cache: { backend: 'redis', redis: { address: 'r:1', db: -1 } } }, /^cache\.redis\.db: must be at least 0/],
    [{ ...base, cache: { backend: 'redis', redis: { address: 'r:1', timeout: '0s' } } }, /^cache\.redis\.timeout: must be greater than 0/],
    [{ ...base, cache: { backend: 'redis', redis: { address: 'r:1', tls_config: { cert_file: '/c' } } } }, /^cache\.redis\.tls_config: cert_file and key_file/],
    [{ ...base, cache: { backend: 'redis', redis: { address: 'r:1', addr: 'x' } } }, /^cache\.redis\.addr: unknown field/],
    [{ ...base, cache: { backend: 'memcached' } }, /^cache\.memcached: is required when cache\.backend is memcached/],
    [{ ...base, cache: { backend: 'redis', redis: { address: 'r:1' }, memcached: { addresses: ['m:1'] } } }, /^cache\.memcached: is configured but cache\.backend is redis/],
    [{ ...base, cache: { backend: 'memcached', memcached: { addresses: [] } } }, /^cache\.memcached\.addresses: at least one/],
    [{ ...base, cache: { backend: 'memcached', memcached: { addresses: ['m:1', 'm2'] } } }, /^cache\.memcached\.addresses\[1\]: expected host:port/],
    [{ ...base, cache: { ttl: '0s' } }, /^cache\.ttl: must be greater than 0/],
    [{ ...base, limits: { max_concurrent: 0 } }, /^limits\.max_concurrent: must be at least 1/],
    [{ ...base, limits: { max_samples: 1.5 } }, /^limits\.max_samples: expected an integer/],
    [{ ...base, limits: { query_timeout: '0' } }, /^limits\.query_timeout: must be greater than 0/],
    [{ ...base, limits: { max_range: 'long' } }, /^limits\.max_range: not a valid duration/],
    [{ ...base, auth: { token: 'a', token_file: '/b' } }, /^auth: at most one of token and token_file/],
    [{ ...base, auth: { token: '' } }, /^auth\.token: must not be empty/],
    [{ ...base, extra: 1 }, /^extra: unknown field/],
  ])('rejects %j naming the field', (raw, message) => {
    expect(() => readQueryConfig(raw)).toThrow(message);
  });
});
