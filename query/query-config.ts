// The query node's YAML file: the stores it reads from (each a Prometheus-compatible HTTP API, with
// Prometheus' HTTP client settings), the results cache (as Thanos/Mimir's query-frontend) and the
// limits applied before a request reaches a store. Every error names its field.
import { readWebConfigField } from '../core/web-config.ts';
import { hostname } from 'node:os';
import {
  ConfigError,
  checkHostPort,
  checkUrl,
  join,
  readBoolean,
  readByteSize,
  readDuration,
  readEnum,
  readList,
  readNumber,
  readObject,
  readOptionalString,
  readString,
  readStringList,
  readStringMap,
} from '../core/config-schema.ts';
import { HTTP_CLIENT_CONFIG_KEYS, readHttpClientConfig, type HttpClientConfig } from '../core/http-client-config.ts';
import { readTls, type TlsOptions } from '../core/tls-config.ts';

export interface QueryStoreConfig {
  name: string;
  /** Base URL of the store's HTTP API (the part before /api/v1). */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  http: HttpClientConfig;
  /** The store holds data only this far back (e.g. its retention): chosen only for newer ranges. */
  maxAgeMs?: number;
  /** The store holds data only older than this (e.g. a long-term store fed late). */
  minAgeMs?: number;
}

export const CACHE_BACKENDS = ['memory', 'redis', 'memcached'] as const;

/** A Redis shared by several query replicas (names as Mimir's results_cache.redis / Thanos' redis client). */
export interface RedisCacheConfig {
  /** host:port */
  address: string;
  username?: string;
  password?: string;
  /** Read once at start (a missing file fails the start, naming this field). */
  passwordFile?: string;
  db: number;
  tls?: TlsOptions;
  /** Longest wait for one cache call (and for connecting); beyond it the piece is a miss. */
  timeoutMs: number;
  /** Answers larger than this are not stored. */
  maxItemBytes: number;
}

/** memcached servers shared by several query replicas (names as Mimir's results_cache.memcached). */
export interface MemcachedCacheConfig {
  /** host:port of each server; keys are spread over them. */
  addresses: string[];
  timeoutMs: number;
  /** Answers larger than this are not stored (memcached's own limit, -I, is 1 MiB by default). */
  maxItemBytes: number;
}

export interface CacheConfig {
  /** Where pieces are kept: this node's memory (default) or a cache shared by several replicas. */
  backend: (typeof CACHE_BACKENDS)[number];
  /** Bound of the memory backend. */
  maxBytes: number;
  /** How long a piece is kept (pieces are final, so this only bounds what a shared cache holds). */
  ttlMs: number;
  redis?: RedisCacheConfig;
  memcached?: MemcachedCacheConfig;
  splitIntervalMs: number;
  /** The part of a range newer than now - maxFreshness is never cached: it may still change. */
  maxFreshnessMs: number;
  cacheInstant: boolean;
}

export interface LimitsConfig {
  queryTimeoutMs: number;
  /** Passed to the store as the max_samples parameter, when set. */
  maxSamples?: number;
  /** Longest end - start of a range query; 0 is no limit. */
  maxRangeMs: number;
  maxConcurrent: number;
  /** Requests waiting for a slot beyond this are refused with 503. */
  maxQueued: number;
}

export interface AuthConfig {
  token?: string;
  tokenFile?: string;
}

export interface QueryConfig {
  nodeId: string;
  listenAddress: string;
  /** node.web_config_file: TLS and basic auth on this node's server (Prometheus' web config format). */
  webConfigFile?: string;
  stores: QueryStoreConfig[];
  cache: CacheConfig;
  limits: LimitsConfig;
  auth: AuthConfig;
}

export const DEFAULT_LISTEN_ADDRESS = '127.0.0.1:9495';

/** Headers a store request sets itself; configuring them would break the request. */
const RESERVED_HEADERS = ['content-type', 'content-length', 'host', 'authorization', 'transfer-encoding'];

export function readQueryConfig(raw: unknown): QueryConfig {
  const root = readObject(raw, '', ['node', 'stores', 'cache', 'limits', 'auth']);
  const node = readObject(root.node, 'node', ['id', 'listen_address', 'web_config_file']);
  const listenAddress = checkHostPort(readString(node, 'listen_address', 'node', DEFAULT_LISTEN_ADDRESS), 'node.listen_address');
  const stores = readList(root, 'stores', '', readStoreConfig);
  if (stores.length === 0) throw new ConfigError('stores', 'at least one store is required');
  const names = new Set<string>();
  stores.forEach((s, i) => {
    if (names.has(s.name)) throw new ConfigError(`stores[${i}].name`, `duplicate store name "${s.name}"`);
    names.add(s.name);
  });
  return {
    nodeId: readString(node, 'id', 'node', `${hostname()}:${listenAddress.slice(listenAddress.lastIndexOf(':') + 1)}`),
    listenAddress,
    ...readWebConfigField(node, 'node'),
    stores,
    cache: readCacheConfig(root.cache, 'cache'),
    limits: readLimitsConfig(root.limits, 'limits'),
    auth: readAuthConfig(root.auth, 'auth'),
  };
}

function readStoreConfig(raw: unknown, path: string): QueryStoreConfig {
  const obj = readObject(raw, path, ['name', 'url', 'headers', 'timeout', 'max_age', 'min_age', ...HTTP_CLIENT_CONFIG_KEYS]);
  const url = checkUrl(readString(obj, 'url', path), join(path, 'url')).replace(/\/+$/, '');
  const name = readString(obj, 'name', path, new URL(url).host);
  if (name === '') throw new ConfigError(join(path, 'name'), 'must not be empty');
  const headers = readStringMap(obj, 'headers', path);
  for (const header of Object.keys(headers)) {
    if (RESERVED_HEADERS.includes(header.toLowerCase())) {
      throw new ConfigError(join(join(path, 'headers'), header), `is set by the query node itself (use the authorization fields for credentials)`);
    }
  }
  const timeoutMs = readDuration(obj, 'timeout', path, 2 * 60_000);
  if (timeoutMs <= 0) throw new ConfigError(join(path, 'timeout'), 'must be greater than 0');
  const store: QueryStoreConfig = { name, url, headers, timeoutMs, http: readHttpClientConfig(obj, path) };
  if (obj.max_age !== undefined && obj.max_age !== null) {
    store.maxAgeMs = readDuration(obj, 'max_age', path);
    if (store.maxAgeMs <= 0) throw new ConfigError(join(path, 'max_age'), 'must be greater than 0');
  }
  if (obj.min_age !== undefined && obj.min_age !== null) store.minAgeMs = readDuration(obj, 'min_age', path);
  if (store.maxAgeMs !== undefined && store.minAgeMs !== undefined && store.minAgeMs >= store.maxAgeMs) {
    throw new ConfigError(join(path, 'min_age'), `must be less than max_age (${obj.max_age as string}), or the store covers no time at all`);
  }
  return store;
}

function readCacheConfig(raw: unknown, path: string): CacheConfig {
  const obj = readObject(raw, path, ['backend', 'max_bytes', 'ttl', 'split_interval', 'max_freshness', 'cache_instant', 'redis', 'memcached']);
  const splitIntervalMs = readDuration(obj, 'split_interval', path, 24 * 3_600_000);
  if (splitIntervalMs <= 0) throw new ConfigError(join(path, 'split_interval'), 'must be greater than 0');
  const backend = readEnum(obj, 'backend', path, CACHE_BACKENDS, 'memory');
  const ttlMs = readDuration(obj, 'ttl', path, 7 * 24 * 3_600_000);
  if (ttlMs <= 0) throw new ConfigError(join(path, 'ttl'), 'must be greater than 0');
  const hasRedis = obj.redis !== undefined && obj.redis !== null;
  const hasMemcached = obj.memcached !== undefined && obj.memcached !== null;
  if (backend === 'redis' && !hasRedis) throw new ConfigError(join(path, 'redis'), 'is required when cache.backend is redis (at least redis.address)');
  if (backend === 'memcached' && !hasMemcached) throw new ConfigError(join(path, 'memcached'), 'is required when cache.backend is memcached (at least memcached.addresses)');
  // A block the backend does not use is a forgotten `backend:`, not something to ignore.
  if (backend !== 'redis' && hasRedis) throw new ConfigError(join(path, 'redis'), `is configured but cache.backend is ${backend} (set backend: redis)`);
  if (backend !== 'memcached' && hasMemcached) throw new ConfigError(join(path, 'memcached'), `is configured but cache.backend is ${backend} (set backend: memcached)`);
  return {
    backend,
    maxBytes: readByteSize(obj, 'max_bytes', path, 256 * 1024 ** 2),
    ttlMs,
    ...(hasRedis ? { redis: readRedisConfig(obj.redis, join(path, 'redis')) } : {}),
    ...(hasMemcached ? { memcached: readMemcachedConfig(obj.memcached, join(path, 'memcached')) } : {}),
    splitIntervalMs,
    maxFreshnessMs: readDuration(obj, 'max_freshness', path, 10 * 60_000),
    cacheInstant: readBoolean(obj, 'cache_instant', path, false),
  };
}

function readRedisConfig(raw: unknown, path: string): RedisCacheConfig {
  const obj = readObject(raw, path, ['address', 'username', 'password', 'password_file', 'db', 'tls_config', 'timeout', 'max_item_size']);
  const address = checkHostPort(readString(obj, 'address', path), join(path, 'address'));
  const timeoutMs = readDuration(obj, 'timeout', path, 500);
  if (timeoutMs <= 0) throw new ConfigError(join(path, 'timeout'), 'must be greater than 0');
  const maxItemBytes = readByteSize(obj, 'max_item_size', path, 16 * 1024 ** 2);
  if (maxItemBytes <= 0) throw new ConfigError(join(path, 'max_item_size'), 'must be greater than 0');
  const config: RedisCacheConfig = { address, db: readNumber(obj, 'db', path, { fallback: 0, min: 0 }), timeoutMs, maxItemBytes };
  const username = readOptionalString(obj, 'username', path);
  const password = readOptionalString(obj, 'password', path);
  const passwordFile = readOptionalString(obj, 'password_file', path);
  if (password !== undefined && passwordFile !== undefined) throw new ConfigError(path, 'at most one of password and password_file must be configured');
  if (password === '') throw new ConfigError(join(path, 'password'), 'must not be empty');
  if (passwordFile === '') throw new ConfigError(join(path, 'password_file'), 'must not be empty');
  if (username !== undefined) config.username = username;
  if (password !== undefined) config.password = password;
  if (passwordFile !== undefined) config.passwordFile = passwordFile;
  if (obj.tls_config !== undefined && obj.tls_config !== null) config.tls = readTls(obj.tls_config, join(path, 'tls_config'));
  return config;
}

function readMemcachedConfig(raw: unknown, path: string): MemcachedCacheConfig {
  const obj = readObject(raw, path, ['addresses', 'timeout', 'max_item_size']);
  const addresses = readStringList(obj, 'addresses', path).map((a, i) => checkHostPort(a, `${join(path, 'addresses')}[${i}]`));
  if (addresses.length === 0) throw new ConfigError(join(path, 'addresses'), 'at least one host:port is required');
  const timeoutMs = readDuration(obj, 'timeout', path, 500);
  if (timeoutMs <= 0) throw new ConfigError(join(path, 'timeout'), 'must be greater than 0');
  const maxItemBytes = readByteSize(obj, 'max_item_size', path, 1024 ** 2);
  if (maxItemBytes <= 0) throw new ConfigError(join(path, 'max_item_size'), 'must be greater than 0');
  return { addresses, timeoutMs, maxItemBytes };
}

function readLimitsConfig(raw: unknown, path: string): LimitsConfig {
  const obj = readObject(raw, path, ['query_timeout', 'max_samples', 'max_range', 'max_concurrent', 'max_queued']);
  const queryTimeoutMs = readDuration(obj, 'query_timeout', path, 2 * 60_000);
  if (queryTimeoutMs <= 0) throw new ConfigError(join(path, 'query_timeout'), 'must be greater than 0');
  const limits: LimitsConfig = {
    queryTimeoutMs,
    maxRangeMs: readDuration(obj, 'max_range', path, 0),
    maxConcurrent: readNumber(obj, 'max_concurrent', path, { fallback: 20, min: 1 }),
    maxQueued: readNumber(obj, 'max_queued', path, { fallback: 100, min: 0 }),
  };
  if (obj.max_samples !== undefined && obj.max_samples !== null) limits.maxSamples = readNumber(obj, 'max_samples', path, { min: 1 });
  return limits;
}

function readAuthConfig(raw: unknown, path: string): AuthConfig {
  const obj = readObject(raw, path, ['token', 'token_file']);
  const token = readOptionalString(obj, 'token', path);
  const tokenFile = readOptionalString(obj, 'token_file', path);
  if (token !== undefined && tokenFile !== undefined) throw new ConfigError(path, 'at most one of token and token_file must be configured');
  if (token === '') throw new ConfigError(join(path, 'token'), 'must not be empty');
  return { ...(token !== undefined ? { token } : {}), ...(tokenFile !== undefined ? { tokenFile } : {}) };
}
