// The storage-writer's YAML file: where to consume (kafka, consumer) and the stores to write to,
// in the shape of Prometheus' remote_write section.
import { hostname } from 'node:os';
import {
  ConfigError,
  checkHostPort,
  checkUrl,
  join,
  readBoolean,
  readByteSize,
  readDuration,
  readList,
  readNumber,
  readObject,
  readString,
  readStringMap,
} from '../core/config-schema.ts';
import { readKafkaConfig, type KafkaConfig } from '../core/kafka-config.ts';
import { readWebConfigField } from '../core/web-config.ts';
import { HTTP_CLIENT_CONFIG_KEYS, readHttpClientConfig, type HttpClientConfig } from '../core/http-client-config.ts';

export interface QueueConfig {
  /** A request is sent once it holds this many samples... */
  maxSamplesPerSend: number;
  /** ...or once its oldest message waited this long. */
  batchSendDeadlineMs: number;
  /** Upper bound of one request body (compressed bytes). */
  maxRequestBytes: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Per partition: the partition is paused while more than this many samples wait. */
  maxBufferedSamplesPerPartition: number;
  /**
   * As Prometheus' queue_config.sample_age_limit: samples older than this are dropped (counted,
   * reason too_old) instead of sent, also while a request is being retried. 0 = off (the default).
   */
  sampleAgeLimitMs: number;
}

export interface StoreConfig {
  name: string;
  url: string;
  remoteTimeoutMs: number;
  headers: Record<string, string>;
  /** Auth, TLS, proxy and redirects, as Prometheus' remote_write http client settings. */
  http: HttpClientConfig;
  retryOnHttp429: boolean;
  queue: QueueConfig;
}

export interface WriterConfig {
  nodeId: string;
  listenAddress: string;
  /** node.web_config_file: TLS and basic auth on this node's server (Prometheus' web config format). */
  webConfigFile?: string;
  kafka: KafkaConfig;
  groupId: string;
  stores: StoreConfig[];
}

const RESERVED_HEADERS = ['content-encoding', 'content-type', 'x-prometheus-remote-write-version', 'user-agent', 'content-length'];

export function readWriterConfig(raw: unknown): WriterConfig {
  const root = readObject(raw, '', ['node', 'kafka', 'consumer', 'remote_write']);
  const node = readObject(root.node, 'node', ['id', 'listen_address', 'web_config_file']);
  const listenAddress = checkHostPort(readString(node, 'listen_address', 'node', '127.0.0.1:9480'), 'node.listen_address');
  const consumer = readObject(root.consumer, 'consumer', ['group_id']);
  const stores = readList(root, 'remote_write', '', readStoreConfig);
  if (stores.length === 0) throw new ConfigError('remote_write', 'at least one store is required');
  const names = new Set<string>();
  stores.forEach((s, i) => {
    if (names.has(s.name)) throw new ConfigError(`remote_write[${i}].name`, `duplicate store name "${s.name}"`);
    names.add(s.name);
  });
  return {
    nodeId: readString(node, 'id', 'node', `${hostname()}:${listenAddress.slice(listenAddress.lastIndexOf(':') + 1)}`),
    listenAddress,
    ...readWebConfigField(node, 'node'),
    kafka: readKafkaConfig(root.kafka, 'kafka', 'ringwatch-storage-writer'),
    groupId: readString(consumer, 'group_id', 'consumer', 'ringwatch-storage-writer'),
    stores,
  };
}

function readStoreConfig(raw: unknown, path: string): StoreConfig {
  const obj = readObject(raw, path, ['name', 'url', 'remote_timeout', 'headers', ...HTTP_CLIENT_CONFIG_KEYS, 'queue_config', 'retry_on_http_429']);
  const url = checkUrl(readString(obj, 'url', path), join(path, 'url'));
  const headers = readStringMap(obj, 'headers', path);
  for (const name of Object.keys(headers)) {
    if (RESERVED_HEADERS.includes(name.toLowerCase())) throw new ConfigError(join(join(path, 'headers'), name), 'is set by Ringwatch and cannot be overridden');
  }
  const store: StoreConfig = {
    // The default name is the URL's host, without the brackets of an IPv6 one (not allowed in a name).
    name: readString(obj, 'name', path, new URL(url).host.replace(/[^a-zA-Z0-9_.:-]/g, '')),
    url,
    remoteTimeoutMs: readDuration(obj, 'remote_timeout', path, 30_000),
    headers,
    http: readHttpClientConfig(obj, path),
    retryOnHttp429: readBoolean(obj, 'retry_on_http_429', path, true),
    queue: readQueueConfig(obj.queue_config, join(path, 'queue_config')),
  };
  if (!/^[a-zA-Z0-9_.:-]+$/.test(store.name)) throw new ConfigError(join(path, 'name'), `"${store.name}" may only hold letters, digits, _ . : -`);
  return store;
}

function readQueueConfig(raw: unknown, path: string): QueueConfig {
  const obj = readObject(raw, path, ['max_samples_per_send', 'batch_send_deadline', 'max_request_bytes', 'min_backoff', 'max_backoff', 'max_buffered_samples_per_partition', 'sample_age_limit']);
  const q: QueueConfig = {
    maxSamplesPerSend: readNumber(obj, 'max_samples_per_send', path, { fallback: 10_000, min: 1 }),
    batchSendDeadlineMs: readDuration(obj, 'batch_send_deadline', path, 5000),
    maxRequestBytes: readByteSize(obj, 'max_request_bytes', path, 16 * 1024 * 1024),
    minBackoffMs: readDuration(obj, 'min_backoff', path, 30),
    maxBackoffMs: readDuration(obj, 'max_backoff', path, 5000),
    maxBufferedSamplesPerPartition: readNumber(obj, 'max_buffered_samples_per_partition', path, { fallback: 200_000, min: 1 }),
    sampleAgeLimitMs: readDuration(obj, 'sample_age_limit', path, 0),
  };
  if (!Number.isFinite(q.sampleAgeLimitMs) || q.sampleAgeLimitMs < 0) throw new ConfigError(join(path, 'sample_age_limit'), 'must be a duration of 0 (off) or more');
  if (q.maxBackoffMs < q.minBackoffMs) throw new ConfigError(join(path, 'max_backoff'), 'must not be less than min_backoff');
  if (q.maxBufferedSamplesPerPartition < q.maxSamplesPerSend) {
    throw new ConfigError(join(path, 'max_buffered_samples_per_partition'), 'must be at least max_samples_per_send');
  }
  return q;
}
