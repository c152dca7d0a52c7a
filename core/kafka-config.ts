// The `kafka:` section, shared by every node that talks to Kafka.
import {
  ConfigError,
  checkHostPort,
  join,
  readBoolean,
  readEnum,
  readNumber,
  readObject,
  readOptionalString,
  readString,
  readStringList,
} from './config-schema.ts';

export interface KafkaTlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify: boolean;
}

export interface KafkaConfig {
  brokers: string[];
  topic: string;
  clientId: string;
  /** Partition count used when the topic does not exist yet. */
  partitions: number;
  replicationFactor: number;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  tls?: KafkaTlsConfig;
}

export const DEFAULT_SAMPLES_TOPIC = 'ringwatch-samples';

export function readKafkaConfig(raw: unknown, path: string, defaultClientId: string): KafkaConfig {
  const obj = readObject(raw, path, ['brokers', 'topic', 'client_id', 'partitions', 'replication_factor', 'sasl', 'tls']);
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
  if (obj.tls !== undefined && obj.tls !== null) {
    const tlsPath = join(path, 'tls');
    const tls = readObject(obj.tls, tlsPath, ['ca_file', 'cert_file', 'key_file', 'insecure_skip_verify']);
    const t: KafkaTlsConfig = { insecureSkipVerify: readBoolean(tls, 'insecure_skip_verify', tlsPath, false) };
    const ca = readOptionalString(tls, 'ca_file', tlsPath);
    const cert = readOptionalString(tls, 'cert_file', tlsPath);
    const key = readOptionalString(tls, 'key_file', tlsPath);
    if ((cert === undefined) !== (key === undefined)) throw new ConfigError(tlsPath, 'cert_file and key_file must be set together');
    if (ca !== undefined) t.caFile = ca;
    if (cert !== undefined) t.certFile = cert;
    if (key !== undefined) t.keyFile = key;
    config.tls = t;
  }
  return config;
}
