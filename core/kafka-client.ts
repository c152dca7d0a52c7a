// The one Kafka module: every node's Kafka clients come from here, logging through pino.
// Producers (scraper samples, rule output) are KafkaProducers on @platformatic/kafka, whose produce
// path costs about a quarter of kafkajs' per sample (docs/benchmarks.md, "Scraper hot path");
// consumers (storage-writer, notifier) and the admin (ensureTopic) are still on kafkajs, whose
// request queue's timer loop deploy/patches/ removes at install. Both place
// keys on partitions alike (kafka-partitioner.ts), so old and new producers agree in an upgrade.
import { createRequire } from 'node:module';
import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from './kafka-config.ts';
import { createPlatformaticProducer } from './kafka-platformatic-producer.ts';
import type { KafkaProducer, KafkaProducerOptions } from './kafka-producer.ts';
import type { Logger } from './logger.ts';
import { tlsConnectOptions } from './tls-config.ts';

export { KafkaProduceError, type KafkaProduceErrorKind, type KafkaProducer, type KafkaProducerOptions, type KafkaRecord } from './kafka-producer.ts';

/** A producer for this config: acks from all in-sync replicas, Java-compatible key partitioning, one request in flight. */
export function createKafkaProducer(config: KafkaConfig, options: KafkaProducerOptions, logger: Logger): KafkaProducer {
  return createPlatformaticProducer(config, options, logger);
}

/** The kafkajs client (consumers and admin). */

export function createKafka(config: KafkaConfig, logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  const options: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
    logCreator: () => (entry: LogEntry) => {
      const { message, ...fields } = entry.log;
      const level = isRetriedResponseError(entry) ? 'debug' : entry.level <= logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
      log[level]({ kafka_namespace: entry.namespace, ...fields }, message);
    },
  };
  if (config.sasl !== undefined) {
    options.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions;
  }
  if (config.tls !== undefined) options.ssl = tlsConnectOptions(config.tls);
  return new Kafka(options);
}

// kafkajs' protocol error table (no typed export): which broker answers it retries by itself.
const kafkaErrorCodes = (createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: { message: string; retriable: boolean }[] }).errorCodes;
const RETRIABLE_MESSAGES = new Set(kafkaErrorCodes.filter((e) => e.retriable).map((e) => e.message));

/**
 * kafkajs' Connection logs every failed response at error level, also the retriable answers it
 * then retries itself (a fresh cluster answers GROUP_COORDINATOR_NOT_AVAILABLE while it creates
 * __consumer_offsets): those are debug here. An error that outlasts the retries reaches the caller,
 * which logs it.
 */
function isRetriedResponseError(entry: LogEntry): boolean {
  const error = (entry.log as { error?: unknown }).error;
  return entry.namespace === 'Connection' && entry.log.message.startsWith('Response ') && typeof error === 'string' && RETRIABLE_MESSAGES.has(error);
}

/** Creates the topic with the configured partition count unless it exists (several nodes may race: that is fine). */
export async function ensureTopic(kafka: Kafka, config: KafkaConfig, logger: Logger): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(config.topic)) {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: config.topic, numPartitions: config.partitions, replicationFactor: config.replicationFactor }],
      });
      if (created) logger.info({ topic: config.topic, partitions: config.partitions }, 'created samples topic');
    }
    const meta = await admin.fetchTopicMetadata({ topics: [config.topic] });
    return meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}
