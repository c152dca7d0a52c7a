// The scraper node's YAML file (see docs/configuration.md): Prometheus' global and scrape_configs
// sections, plus where to send samples (kafka) and the node's own address.
import { availableParallelism, hostname } from 'node:os';
import { checkHostPort, join, readByteSize, readDuration, readNumber, readObject, readString } from '../core/config-schema.ts';
import { readKafkaConfig, type KafkaConfig } from '../core/kafka-config.ts';
import { readEtcdConfig, type EtcdConfig } from '../core/etcd-config.ts';
import { ConfigError } from '../core/config-schema.ts';
import { readGlobalConfig, readScrapeConfigs, type GlobalScrapeConfig, type ScrapeConfig } from '../model/scrape-config.ts';
import type { ProducerOptions } from './kafka-sample-producer.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './scrape-loop.ts';
import { readWebConfigField } from '../core/web-config.ts';
import { readPeerHttpClientField, type PeerHttpClient } from '../core/http-client-config.ts';

export interface ScraperConfig {
  nodeId: string;
  listenAddress: string;
  global: GlobalScrapeConfig;
  scrapeConfigs: ScrapeConfig[];
  kafka: KafkaConfig;
  producer: ProducerOptions;
  /** Set: a member of a sharded fleet, targets come from etcd. Unset: scrapes its own scrape_configs. */
  etcd?: EtcdConfig;
  /** node.web_config_file: TLS and basic auth on this node's server (Prometheus' web config format). */
  webConfigFile?: string;
  /** node.peer_http_client: credentials and TLS for calls to the other scrapers (the peer check). */
  peerHttpClient?: PeerHttpClient;
  /** How other nodes reach this one (its /api/v1/targets); defaults to listen_address. */
  advertiseAddress: string;
  /**
   * node.scrape_workers: worker threads that share the node's targets (scrape-workers.ts); 1 scrapes
   * on the main thread (no worker), 0 or "auto" one per available core.
   */
  scrapeWorkers: number;
}

/** Most scrape worker threads a node starts (far beyond the cores of any one host). */
const MAX_SCRAPE_WORKERS = 64;
/**
 * How long a scrape's message waits for others to share its produce request. A request's fixed
 * cost (client and broker) dominates at one message each: at 200 scrapes/s, 5 ms meant about one
 * message per request, 200 ms about 40: the scraper's CPU per sample fell by about a third and the
 * broker's by two thirds (docs/benchmarks.md). vmagent flushes every second. Well under
 * any scrape interval, so a target's messages from two nodes around a handoff stay in tick order.
 */
export const DEFAULT_LINGER_MS = 200;

function readScrapeWorkers(node: Record<string, unknown>): number {
  if (node.scrape_workers === 'auto') return Math.min(MAX_SCRAPE_WORKERS, availableParallelism());
  const n = readNumber(node, 'scrape_workers', 'node', { fallback: 1, min: 0, max: MAX_SCRAPE_WORKERS });
  return n === 0 ? Math.min(MAX_SCRAPE_WORKERS, availableParallelism()) : n;
}

export function readScraperConfig(raw: unknown): ScraperConfig {
  const root = readObject(raw, '', ['node', 'global', 'scrape_configs', 'kafka', 'producer', 'etcd']);
  const node = readObject(root.node, 'node', ['id', 'listen_address', 'advertise_address', 'web_config_file', 'scrape_workers', 'peer_http_client']);
  const listenAddress = checkHostPort(readString(node, 'listen_address', 'node', '127.0.0.1:9470'), 'node.listen_address');
  const global = readGlobalConfig(root.global, 'global');
  const producer = readObject(root.producer, 'producer', ['linger', 'max_buffered_bytes', 'max_batch_messages', 'max_batch_bytes', 'max_message_bytes']);
  const etcd = root.etcd === undefined || root.etcd === null ? undefined : readEtcdConfig(root.etcd, 'etcd');
  const scrapeConfigs = readScrapeConfigs(root.scrape_configs, 'scrape_configs', global);
  if (etcd !== undefined && scrapeConfigs.length > 0) {
    throw new ConfigError('scrape_configs', 'a scraper in a sharded fleet (etcd set) gets its targets from the coordinator: configure scrape_configs there');
  }
  return {
    ...readWebConfigField(node, 'node'),
    ...readPeerHttpClientField(node, 'node'),
    ...(etcd !== undefined ? { etcd } : {}),
    advertiseAddress: checkHostPort(readString(node, 'advertise_address', 'node', listenAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:')), 'node.advertise_address'),
    nodeId: readString(node, 'id', 'node', `${hostname()}:${listenAddress.slice(listenAddress.lastIndexOf(':') + 1)}`),
    listenAddress,
    scrapeWorkers: readScrapeWorkers(node),
    global,
    scrapeConfigs,
    kafka: readKafkaConfig(root.kafka, 'kafka', 'ringwatch-scraper'),
    producer: {
      lingerMs: readDuration(producer, 'linger', 'producer', DEFAULT_LINGER_MS),
      maxBufferedBytes: readByteSize(producer, 'max_buffered_bytes', 'producer', 256 * 1024 * 1024),
      maxBatchMessages: readNumber(producer, 'max_batch_messages', join('', 'producer'), { fallback: 1000, min: 1 }),
      maxBatchBytes: readByteSize(producer, 'max_batch_bytes', 'producer', DEFAULT_MAX_MESSAGE_BYTES),
      maxMessageBytes: readByteSize(producer, 'max_message_bytes', 'producer', DEFAULT_MAX_MESSAGE_BYTES),
    },
  };
}
