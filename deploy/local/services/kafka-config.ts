// server.properties and log4j.properties for a single combined broker+controller KRaft node, and
// Kafka-style cluster ids.
import { randomBytes } from 'node:crypto';

export interface KafkaNodeConfig {
  nodeId: number;
  host: string;
  brokerPort: number;
  controllerPort: number;
  /** log.dirs (the metadata log lives there too). */
  logDir: string;
  numPartitions: number;
  /** Overrides and additions, written last. */
  extra?: Readonly<Record<string, string | number | boolean>>;
}

export function kafkaServerProperties(config: KafkaNodeConfig): Map<string, string> {
  const { nodeId, host, brokerPort, controllerPort } = config;
  const properties = new Map<string, string>([
    ['process.roles', 'broker,controller'],
    ['node.id', String(nodeId)],
    ['controller.quorum.voters', `${nodeId}@${host}:${controllerPort}`],
    ['listeners', `PLAINTEXT://${host}:${brokerPort},CONTROLLER://${host}:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${host}:${brokerPort}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['log.dirs', config.logDir],
    ['num.partitions', String(config.numPartitions)],
    ['default.replication.factor', '1'],
    ['min.insync.replicas', '1'],
    ['offsets.topic.replication.factor', '1'],
    // The default 50 partitions cost seconds of startup work the first time a group commits.
    ['offsets.topic.num.partitions', '4'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['transaction.state.log.num.partitions', '4'],
    ['group.initial.rebalance.delay.ms', '0'],
    ['auto.create.topics.enable', 'false'],
    // Two cores shared with everything else: fewer threads than the defaults (3 network, 8 io).
    ['num.network.threads', '2'],
    ['num.io.threads', '4'],
    ['background.threads', '4'],
    ['num.recovery.threads.per.data.dir', '1'],
    ['log.cleaner.threads', '1'],
    ['log.cleaner.dedupe.buffer.size', String(16 * 1024 * 1024)],
  ]);
  for (const [key, value] of Object.entries(config.extra ?? {})) properties.set(key, String(value));
  return properties;
}

export function renderProperties(properties: ReadonlyMap<string, string>): string {
  let text = '';
  for (const [key, value] of properties) text += `${escapeKey(key)}=${escapeValue(value)}\n`;
  return text;
}

/**
 * The same properties as environment variables for the apache/kafka image, which maps
 * KAFKA_A_B__C___D back to a.b_c-d.
 */
export function kafkaDockerEnvironment(properties: ReadonlyMap<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of properties) {
    env[`KAFKA_${key.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase()}`] = value;
  }
  return env;
}

/** Everything to stdout (the managed process's log file); Kafka's chattiest loggers at WARN. */
export function renderKafkaLog4jProperties(level: 'INFO' | 'WARN' | 'DEBUG' = 'INFO'): string {
  return [
    `log4j.rootLogger=${level}, stdout`,
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.kafka.network.RequestChannel$=WARN',
    'log4j.logger.org.apache.kafka.common.utils.AppInfoParser=WARN',
    'log4j.logger.org.apache.kafka.clients=WARN',
    'log4j.logger.kafka.log.LogCleaner=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.authorizer.logger=WARN',
    '',
  ].join('\n');
}

/**
 * A cluster id as Kafka's Uuid.randomUuid() makes them: 16 random bytes, base64url without
 * padding (22 characters), never starting with '-' (the CLI would read it as an option).
 */
export function newKafkaClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const bytes = random(16);
    if (bytes.length !== 16) throw new Error('newKafkaClusterId: need 16 random bytes');
    const id = bytes.toString('base64url');
    // All-zero bytes are Kafka's ZERO_UUID, reserved.
    if (!id.startsWith('-') && bytes.some((b) => b !== 0)) return id;
  }
}

/** Reads `cluster.id` from a meta.properties text (undefined if absent). */
export function clusterIdFromMetaProperties(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^\s*cluster\.id\s*[=:]\s*(\S+)\s*$/.exec(line);
    if (match !== null) return match[1];
  }
  return undefined;
}

function escapeKey(key: string): string {
  return escapeValue(key).replace(/[=: ]/g, (c) => `\\${c}`);
}

function escapeValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/^\s/, (c) => `\\${c}`);
}
