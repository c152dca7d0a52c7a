// The storage-writer node: consumes the samples topic and remote-writes it to every configured store.
import { createKafka, ensureTopic } from '../core/kafka-client.ts';
import { createLogger, redactSecrets } from '../core/logger.ts';
import { startNodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { StoreWriter } from './store-writer.ts';
import { readWriterConfig } from './writer-config.ts';
import { WriterMetrics } from './writer-metrics.ts';
import { takeDeprecationWarnings } from '../core/config-schema.ts';

export async function runStorageWriter(rawConfig: unknown): Promise<void> {
  const config = readWriterConfig(rawConfig);
  const logger = createLogger(`storage-writer/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting storage-writer');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  const metrics = new WriterMetrics();
  const kafka = createKafka(config.kafka, logger);
  const writers = config.stores.map((store) => new StoreWriter(kafka, config.kafka, config.groupId, store, logger, metrics));
  const server = await startNodeServer({
    listenAddress: config.listenAddress,
    registry: metrics.registry,
    logger,
    notReadyReason: () => {
      const waiting = writers.filter((w) => !w.ready).map((w) => w.store.name);
      return waiting.length === 0 ? null : `waiting for partition assignment (${waiting.join(', ')})`;
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
