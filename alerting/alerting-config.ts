// The alerting node's YAML file: Prometheus' own sections where Prometheus has them (`global`
// with evaluation_interval, external_labels and rule_query_offset; `rule_files`; `alerting` with
// alert_relabel_configs and alertmanagers), plus the store to query, where to write results and
// alerts (kafka), and the etcd that shares rule groups between replicas.
import { hostname } from 'node:os';
import {
  ConfigError,
  checkHostPort,
  checkUrl,
  join,
  readDuration,
  readEnum,
  readList,
  readObject,
  readOptionalString,
  readString,
  readStringList,
  readStringMap,
} from '../core/config-schema.ts';
import { readEtcdConfig, type EtcdConfig } from '../core/etcd-config.ts';
import { readWebConfigField } from '../core/web-config.ts';
import { HTTP_CLIENT_CONFIG_KEYS, readHttpClientConfig, type HttpClientConfig } from '../core/http-client-config.ts';
import { readKafkaConfig, type KafkaConfig } from '../core/kafka-config.ts';
import { isValidLabelName } from '../model/labels.ts';
import { validateRelabelConfig, type RelabelConfig } from '../model/relabel.ts';

export const DEFAULT_ALERTS_TOPIC = 'ringwatch-alerts';

export interface QueryStoreConfig {
  /** Base URL of a Prometheus HTTP API (`<url>/api/v1/query`). */
  url: string;
  /** Sent with every query, e.g. a tenant header (X-Scope-OrgID). */
  headers: Record<string, string>;
  timeoutMs: number;
  http: HttpClientConfig;
}

export interface AlertmanagerConfig {
  /** Full URLs of each Alertmanager's `/api/v2/alerts`. */
  urls: string[];
  timeoutMs: number;
  http: HttpClientConfig;
}

export interface AlertingNodeConfig {
  nodeId: string;
  listenAddress: string;
  /** node.web_config_file: TLS and basic auth on this node's server (Prometheus' web config format). */
  webConfigFile?: string;
  advertiseAddress: string;
  evaluationIntervalMs: number;
  queryOffsetMs: number;
  externalLabels: Record<string, string>;
  /** Prometheus' --web.external-url: the base of generatorURL and $externalURL. */
  externalUrl: string;
  ruleFiles: string[];
  query: QueryStoreConfig;
  alertRelabelConfigs: RelabelConfig[];
  alertmanagers: AlertmanagerConfig[];
  /** Prometheus' --rules.alert.resend-delay. */
  resendDelayMs: number;
  /** Results (recording rules, ALERTS) to the samples topic; transitions to alerts_topic. */
  kafka?: KafkaConfig & { alertsTopic: string };
  /** Set: rule groups are shared with the other replicas on a ring. Unset: this node evaluates all. */
  etcd?: EtcdConfig;
}

export function readAlertingConfig(raw: unknown): AlertingNodeConfig {
  const root = readObject(raw, '', ['node', 'global', 'rule_files', 'query', 'alerting', 'kafka', 'etcd']);
  const node = readObject(root.node, 'node', ['id', 'listen_address', 'advertise_address', 'external_url', 'resend_delay', 'web_config_file']);
  const listenAddress = checkHostPort(readString(node, 'listen_address', 'node', '127.0.0.1:9490'), 'node.listen_address');
  const advertiseAddress = checkHostPort(readString(node, 'advertise_address', 'node', listenAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:')), 'node.advertise_address');
  const global = readObject(root.global, 'global', ['evaluation_interval', 'external_labels', 'rule_query_offset', 'scrape_interval', 'scrape_timeout']);
  const externalLabels = readStringMap(global, 'external_labels', 'global');
  for (const name of Object.keys(externalLabels)) {
    if (!isValidLabelName(name)) throw new ConfigError(join(join('global', 'external_labels'), name), 'invalid label name');
  }
  const evaluationIntervalMs = readDuration(global, 'evaluation_interval', 'global', 60_000);
  if (evaluationIntervalMs <= 0) throw new ConfigError('global.evaluation_interval', 'must be greater than 0');
  const ruleFiles = readStringList(root, 'rule_files', '');
  const externalUrl = checkUrl(readString(node, 'external_url', 'node', `http://${advertiseAddress}`), 'node.external_url').replace(/\/+$/, '');

  const alerting = readObject(root.alerting, 'alerting', ['alert_relabel_configs', 'alertmanagers']);
  let kafka: AlertingNodeConfig['kafka'];
  if (root.kafka !== undefined && root.kafka !== null) {
    const k = readObject(root.kafka, 'kafka', ['brokers', 'topic', 'client_id', 'partitions', 'replication_factor', 'sasl', 'tls_config', 'tls', 'alerts_topic']);
    const alertsTopic = readString(k, 'alerts_topic', 'kafka', DEFAULT_ALERTS_TOPIC);
    const { alerts_topic: _unused, ...samples } = k;
    kafka = { ...readKafkaConfig(samples, 'kafka', 'ringwatch-alerting'), alertsTopic };
  }
  const config: AlertingNodeConfig = {
    nodeId: readString(node, 'id', 'node', `${hostname()}:${listenAddress.slice(listenAddress.lastIndexOf(':') + 1)}`),
    listenAddress,
    ...readWebConfigField(node, 'node'),
    advertiseAddress,
    evaluationIntervalMs,
    queryOffsetMs: readDuration(global, 'rule_query_offset', 'global', 0),
    externalLabels,
    externalUrl,
    ruleFiles,
    query: readQueryStore(root.query, 'query'),
    alertRelabelConfigs: readList(alerting, 'alert_relabel_configs', 'alerting', validateRelabelConfig),
    alertmanagers: readList(alerting, 'alertmanagers', 'alerting', readAlertmanager),
    resendDelayMs: readDuration(node, 'resend_delay', 'node', 60_000),
  };
  if (kafka !== undefined) config.kafka = kafka;
  if (root.etcd !== undefined && root.etcd !== null) {
    const etcd = readEtcdConfig(root.etcd, 'etcd');
    // Alerting replicas keep their ring apart from the scrapers' under the same etcd.
    config.etcd = { ...etcd, prefix: `${etcd.prefix}alerting/` };
  }
  return config;
}

function readQueryStore(raw: unknown, path: string): QueryStoreConfig {
  if (raw === undefined || raw === null) throw new ConfigError(path, 'required: the Prometheus HTTP API to evaluate rules against (query.url)');
  const obj = readObject(raw, path, ['url', 'headers', 'timeout', ...HTTP_CLIENT_CONFIG_KEYS]);
  return {
    url: checkUrl(readString(obj, 'url', path), join(path, 'url')).replace(/\/+$/, ''),
    headers: readStringMap(obj, 'headers', path),
    timeoutMs: readDuration(obj, 'timeout', path, 120_000),
    http: readHttpClientConfig(obj, path),
  };
}

function readAlertmanager(raw: unknown, path: string): AlertmanagerConfig {
  const obj = readObject(raw, path, ['static_configs', 'scheme', 'path_prefix', 'api_version', 'timeout', ...HTTP_CLIENT_CONFIG_KEYS]);
  const scheme = readEnum(obj, 'scheme', path, ['http', 'https'] as const, 'http');
  readEnum(obj, 'api_version', path, ['v2'] as const, 'v2');
  let prefix = readOptionalString(obj, 'path_prefix', path) ?? '';
  prefix = prefix.replace(/\/+$/, '');
  if (prefix !== '' && !prefix.startsWith('/')) prefix = `/${prefix}`;
  const targets = readList(obj, 'static_configs', path, (item, p) => {
    const sc = readObject(item, p, ['targets', 'labels']);
    const list = readStringList(sc, 'targets', p);
    list.forEach((t, i) => checkHostPort(t, join(join(p, 'targets'), i)));
    return list;
  }).flat();
  if (targets.length === 0) throw new ConfigError(join(path, 'static_configs'), 'at least one Alertmanager target (host:port) is required');
  return {
    urls: targets.map((t) => `${scheme}://${t}${prefix}/api/v2/alerts`),
    timeoutMs: readDuration(obj, 'timeout', path, 10_000),
    http: readHttpClientConfig(obj, path),
  };
}
