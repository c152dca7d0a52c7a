// The storage-writer node: consumes the samples topic and remote-writes it to every configured store.
import { createKafka, ensureTopic } from '../core/kafka-client.ts';
import { createLogger, redactSecrets } from '../core/logger.ts';
import { startNodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { StoreWriter } from './store-writer.ts';
import { readWriterConfig, type WriterConfig } from './writer-config.ts';
import { ConfigReloader, stableJson } from '../core/config-reload.ts';
import { WriterMetrics } from './writer-metrics.ts';
import { takeDeprecationWarnings } from '../core/config-schema.ts';

export async function runStorageWriter(rawConfig: unknown, context: { configPath?: string } = {}): Promise<void> {
  const config = readWriterConfig(rawConfig);
  const logger = createLogger(`storage-writer/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting storage-writer');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  const metrics = new WriterMetrics();
  const kafka = createKafka(config.kafka, logger);
  let writers = config.stores.map((store) => new StoreWriter(kafka, config.kafka, config.groupId, store, logger, metrics));
  // Reload: a store added starts its writer, one removed stops its writer as a graceful stop does
  // (drain, commit, leave), one changed does both, resuming from the offsets just committed.
  const reloader = new ConfigReloader<WriterConfig>(
    {
      ...(context.configPath !== undefined ? { configPath: context.configPath } : {}),
      read: readWriterConfig,
      current: config,
      restartOnly: ['node', 'kafka', 'consumer'],
      apply: async (next, previous) => {
        const before = new Map(previous.stores.map((s) => [s.name, stableJson(s)]));
        const after = new Map(next.stores.map((s) => [s.name, stableJson(s)]));
        const keep = writers.filter((w) => after.get(w.store.name) === before.get(w.store.name));
        const leaving = writers.filter((w) => !keep.includes(w));
        const deadline = Date.now() + 10_000;
        await Promise.all(leaving.map((w) => w.stop(deadline)));
        const starting = next.stores.filter((s) => !keep.some((w) => w.store.name === s.name)).map((store) => new StoreWriter(kafka, next.kafka, next.groupId, store, logger, metrics));
        writers = [...keep, ...starting];
        for (const w of starting) await w.start();
        logger.info({ kept: keep.map((w) => w.store.name), stopped: leaving.map((w) => w.store.name), started: starting.map((w) => w.store.name) }, 'remote_write reloaded');
      },
      logger,
      registry: metrics.registry,
    },
    rawConfig,
  );
  const server = await startNodeServer({
    listenAddress: config.listenAddress,
    registry: metrics.registry,
    logger,
    // Ready only while every store's consumer is alive and in its group (not after a crash).
    notReadyReason: () => {
      const waiting = writers.filter((w) => !w.ready).map((w) => `${w.store.name}: ${w.notReadyReason ?? 'not ready'}`);
      return waiting.length === 0 ? null : waiting.join('; ');
    },
    // Prometheus' own paths, for probes written for it.
    ...(config.webConfigFile !== undefined ? { webConfigFile: config.webConfigFile } : {}),
    routes: (app) => {
      reloader.listen(app);
      app.get('/-/healthy', (c) => c.text('Healthy\n'));
      app.get('/-/ready', (c) => (writers.every((w) => w.ready) ? c.text('Ready\n') : c.text('Service Unavailable\n', 503)));
    },
  });
  await ensureTopic(kafka, config.kafka, logger);
  for (const w of writers) await w.start();
  logger.info({ stores: config.stores.map((s) => s.name) }, 'storage-writer running');

  onShutdownSignal(logger, async () => {
    const deadline = Date.now() + 10_000;
    await Promise.all(writers.map((w) => w.stop(deadline)));
    await server.close();
  });
}
