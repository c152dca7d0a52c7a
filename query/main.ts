// The query node: the Prometheus HTTP API read paths over the configured stores, with a results
// cache and limits, for Grafana and other Prometheus API clients.
import { readFileSync } from 'node:fs';
import { ConfigError, takeDeprecationWarnings } from '../core/config-schema.ts';
import { createLogger, redactSecrets, type Logger } from '../core/logger.ts';
import { startNodeServer, type NodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { mountQueryApi } from './query-api.ts';
import { readQueryConfig, type AuthConfig, type QueryConfig } from './query-config.ts';
import { QueryMetrics } from './query-metrics.ts';
import { ResultsCache } from './results-cache.ts';
import { StoreClient } from './store-client.ts';

export interface QueryNode {
  readonly url: string;
  readonly metrics: QueryMetrics;
  readonly cache: ResultsCache;
  close(): Promise<void>;
}

/** Starts the node from a read configuration (in-process: tests and `runQuery`). */
export async function startQueryNode(config: QueryConfig, logger: Logger = createLogger(`query/${config.nodeId}`)): Promise<QueryNode> {
  const metrics = new QueryMetrics();
  const stores = config.stores.map((s) => new StoreClient(s));
  const cache = new ResultsCache(config.cache, metrics);
  const token = tokenReader(config.auth);
  let server: NodeServer;
  try {
    server = await startNodeServer({
      listenAddress: config.listenAddress,
      registry: metrics.registry,
      logger,
      notReadyReason: () => null,
      routes: (app) =>
        mountQueryApi(app, {
          stores,
          cache,
          cacheInstant: config.cache.cacheInstant,
          limits: config.limits,
          metrics,
          logger,
          ...(token !== undefined ? { token } : {}),
        }),
    });
  } catch (err) {
    await Promise.all(stores.map((s) => s.close()));
    throw err;
  }
  logger.info({ url: server.url, stores: stores.map((s) => s.name) }, 'query node running');
  return {
    url: server.url,
    metrics,
    cache,
    close: async () => {
      await server.close();
      await Promise.all(stores.map((s) => s.close()));
    },
  };
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

export async function runQuery(raw: unknown): Promise<void> {
  const config = readQueryConfig(raw);
  const logger = createLogger(`query/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting query');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  const node = await startQueryNode(config, logger);
  onShutdownSignal(logger, () => node.close());
}
