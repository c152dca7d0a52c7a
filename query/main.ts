// The query node: the Prometheus HTTP API read paths over the configured stores, with a results
// cache and limits, for Grafana and other Prometheus API clients.
import { readFileSync } from 'node:fs';
import { ConfigError, takeDeprecationWarnings } from '../core/config-schema.ts';
import { createLogger, redactSecrets, type Logger } from '../core/logger.ts';
import { Hono } from 'hono';
import { ConfigReloader } from '../core/config-reload.ts';
import { startNodeServer, type NodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { mountQueryApi } from './query-api.ts';
import { readQueryConfig, type AuthConfig, type CacheConfig, type QueryConfig } from './query-config.ts';
import { QueryMetrics } from './query-metrics.ts';
import type { CacheBackend } from './cache-backend.ts';
import { CacheClient } from './cache-client.ts';
import { MemcachedCacheBackend } from './memcached-cache-backend.ts';
import { MemoryCacheBackend } from './memory-cache-backend.ts';
import { RedisCacheBackend } from './redis-cache-backend.ts';
import { ResultsCache } from './results-cache.ts';
import { StoreClient } from './store-client.ts';

export interface QueryNode {
  readonly url: string;
  readonly metrics: QueryMetrics;
  /** The results cache of the running configuration (a reload replaces it). */
  readonly cache: ResultsCache;
  /** Applies a new configuration (see ConfigReloader): new stores, cache, limits and auth. */
  apply(next: QueryConfig): Promise<void>;
  close(): Promise<void>;
}

/** What one configuration runs: its stores, its cache and the API over them. */
interface QueryGeneration {
  stores: StoreClient[];
  cache: ResultsCache;
  api: Hono;
}

async function openGeneration(config: QueryConfig, metrics: QueryMetrics, logger: Logger): Promise<QueryGeneration> {
  const client = openCacheClient(config.cache, metrics, logger);
  // A shared cache that is not up yet must not hold the start back: wait briefly, then go on.
  await client.backend.connect?.(config.cache.redis?.timeoutMs ?? 0);
  const stores = config.stores.map((s) => new StoreClient(s));
  const cache = new ResultsCache(config.cache, metrics, Date.now, client);
  const token = tokenReader(config.auth);
  const api = new Hono();
  mountQueryApi(api, {
    stores,
    cache,
    cacheInstant: config.cache.cacheInstant,
    limits: config.limits,
    metrics,
    logger,
    ...(token !== undefined ? { token } : {}),
  });
  logger.info({ stores: stores.map((s) => s.name), cacheBackend: client.backendName }, 'query configuration in force');
  return { stores, cache, api };
}

async function closeGeneration(g: QueryGeneration): Promise<void> {
  await Promise.all(g.stores.map((s) => s.close()));
  await g.cache.close();
}

/** Starts the node from a read configuration (in-process: tests and `runQuery`). */
export async function startQueryNode(
  config: QueryConfig,
  logger: Logger = createLogger(`query/${config.nodeId}`),
  opts: { mount?: (app: Hono, metrics: QueryMetrics) => void } = {},
): Promise<QueryNode> {
  const metrics = new QueryMetrics();
  let current = await openGeneration(config, metrics, logger);
  let server: NodeServer;
  try {
    server = await startNodeServer({
      listenAddress: config.listenAddress,
      ...(config.webConfigFile !== undefined ? { webConfigFile: config.webConfigFile } : {}),
      registry: metrics.registry,
      logger,
      notReadyReason: () => null,
      routes: (app) => {
        opts.mount?.(app, metrics);
        // The API of the configuration in force; a reload swaps it between requests.
        app.all('/api/v1/*', (c) => current.api.fetch(c.req.raw, c.env));
      },
    });
  } catch (err) {
    await closeGeneration(current);
    throw err;
  }
  logger.info({ url: server.url }, 'query node running');
  return {
    url: server.url,
    metrics,
    get cache() {
      return current.cache;
    },
    apply: async (next) => {
      const previous = current;
      current = await openGeneration(next, metrics, logger);
      // Requests already running finish on the old stores; close them after the longest query.
      setTimeout(() => void closeGeneration(previous), next.limits.queryTimeoutMs + 1000).unref();
    },
    close: async () => {
      await server.close();
      await closeGeneration(current);
    },
  };
}

/** The results cache's backend as configured; a password_file is read here, once. */
export function openCacheClient(
  config: CacheConfig,
  metrics: QueryMetrics,
  logger: Logger,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): CacheClient {
  let backend: CacheBackend;
  let timeoutMs = 60_000;
  let maxItemBytes = config.maxBytes;
  if (config.backend === 'redis' && config.redis !== undefined) {
    const redis = config.redis;
    let password = redis.password;
    if (redis.passwordFile !== undefined) {
      try {
        password = read(redis.passwordFile).trim();
      } catch (err) {
        throw new ConfigError('cache.redis.password_file', `cannot read ${redis.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (password === '') throw new ConfigError('cache.redis.password_file', `${redis.passwordFile} is empty`);
    }
    backend = new RedisCacheBackend(redis, password);
    ({ timeoutMs, maxItemBytes } = redis);
  } else if (config.backend === 'memcached' && config.memcached !== undefined) {
    backend = new MemcachedCacheBackend(config.memcached);
    ({ timeoutMs, maxItemBytes } = config.memcached);
  } else {
    backend = new MemoryCacheBackend(config.maxBytes, metrics);
  }
  return new CacheClient({ backend, timeoutMs, maxItemBytes, ttlMs: config.ttlMs, metrics, logger });
}

/**
 * The token every API request must carry. token_file is read at start (so a missing file fails
 * the start, naming the field) and again on each request, so a rotated token applies at once;
 * if the file goes missing later the last token read stays in force.
 */
export function tokenReader(auth: AuthConfig, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): (() => string) | undefined {
  if (auth.token !== undefined) {
    const token = auth.token;
    return () => token;
  }
  const file = auth.tokenFile;
  if (file === undefined) return undefined;
  const load = (): string => {
    const text = read(file).trim();
    if (text === '') throw new Error(`${file} is empty`);
    return text;
  };
  let last: string;
  try {
    last = load();
  } catch (err) {
    throw new ConfigError('auth.token_file', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return () => {
    try {
      last = load();
    } catch {
      // keep the last token read
    }
    return last;
  };
}

export async function runQuery(raw: unknown, context: { configPath?: string } = {}): Promise<void> {
  const config = readQueryConfig(raw);
  const logger = createLogger(`query/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting query');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  let reloader: ConfigReloader<QueryConfig> | undefined;
  const node = await startQueryNode(config, logger, {
    mount: (app, metrics) => {
      reloader = new ConfigReloader<QueryConfig>(
        {
          ...(context.configPath !== undefined ? { configPath: context.configPath } : {}),
          read: readQueryConfig,
          current: config,
          restartOnly: ['node'],
          apply: (next) => node.apply(next),
          logger,
          registry: metrics.registry,
        },
        raw,
      );
      reloader.listen(app);
    },
  });
  onShutdownSignal(logger, () => node.close());
}
