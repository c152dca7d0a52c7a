// The `kafka:` section, shared by every node that talks to Kafka.
import {
  ConfigError,
  checkHostPort,
  join,
  readEnum,
  readNumber,
  readObject,
  readString,
  readStringList,
  warnDeprecated,
} from './config-schema.ts';
import { readTls, type TlsOptions } from './tls-config.ts';


export interface KafkaConfig {
  brokers: string[];
  topic: string;
  clientId: string;
  /** Partition count used when the topic does not exist yet. */
  partitions: number;
  replicationFactor: number;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  tls?: TlsOptions;
}

export const DEFAULT_SAMPLES_TOPIC = 'ringwatch-samples';

export function readKafkaConfig(raw: unknown, path: string, defaultClientId: string): KafkaConfig {
  const obj = readObject(raw, path, ['brokers', 'topic', 'client_id', 'partitions', 'replication_factor', 'sasl', 'tls_config', 'tls']);
  const brokers = readStringList(obj, 'brokers', path);
  if (brokers.length === 0) throw new ConfigError(join(path, 'brokers'), 'at least one broker (host:port) is required');
  brokers.forEach((b, i) => checkHostPort(b, join(join(path, 'brokers'), i)));
  const config: KafkaConfig = {
    brokers,
    topic: readString(obj, 'topic', path, DEFAULT_SAMPLES_TOPIC),
    clientId: readString(obj, 'client_id', path, defaultClientId),
    partitions: readNumber(obj, 'partitions', path, { fallback: 12, min: 1, max: 10_000 }),
    replicationFactor: readNumber(obj, 'replication_factor', path, { fallback: 1, min: 1, max: 16 }),
  };
  if (obj.sasl !== undefined && obj.sasl !== null) {
    const saslPath = join(path, 'sasl');
    const sasl = readObject(obj.sasl, saslPath, ['mechanism', 'username', 'password']);
    config.sasl = {
      mechanism: readEnum(sasl, 'mechanism', saslPath, ['plain', 'scram-sha-256', 'scram-sha-512'] as const, 'plain'),
      username: readString(sasl, 'username', saslPath),
      password: readString(sasl, 'password', saslPath),
    };
  }
  // `tls_config`, as every other section spells it; `tls` is the old spelling, still read.
  const hasOld = obj.tls !== undefined && obj.tls !== null;
  const hasNew = obj.tls_config !== undefined && obj.tls_config !== null;
  if (hasOld && hasNew) throw new ConfigError(join(path, 'tls'), 'set tls_config only (tls is its deprecated spelling)');
  if (hasNew) config.tls = readTls(obj.tls_config, join(path, 'tls_config'));
  if (hasOld) {
    warnDeprecated(join(path, 'tls'), join(path, 'tls_config'));
    config.tls = readTls(obj.tls, join(path, 'tls'));
  }
  return config;
}
