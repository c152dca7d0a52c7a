// The notifier node's own YAML: who it is, where the alert records come from (Kafka), where shared
// state lives (etcd, optional), and which Alertmanager configuration file it obeys. The
// Alertmanager file itself is read by alertmanager-file.ts, at start and on every reload.
import { hostname } from 'node:os';
import { checkHostPort, checkUrl, ConfigError, join, readDuration, readList, readObject, readOptionalString, readString } from '../core/config-schema.ts';
import { readEtcdConfig, type EtcdConfig } from '../core/etcd-config.ts';
import { readKafkaConfig, type KafkaConfig } from '../core/kafka-config.ts';
import { readAlertmanagerForwardConfig, redactAlertmanagerForwardConfig, type AlertmanagerForwardConfig } from './integrations/alertmanager-forward.ts';
import { readHttpTemplateConfig, redactHttpTemplateConfig, type HttpTemplateConfig } from './integrations/http-template.ts';

export const DEFAULT_ALERTS_TOPIC = 'ringwatch-alerts';
export const DEFAULT_NOTIFIER_GROUP_ID = 'ringwatch-notifier';
export const DEFAULT_NOTIFIER_LISTEN_ADDRESS = '127.0.0.1:9493';

export interface NotifierConfig {
  nodeId: string;
  listenAddress: string;
  /** How other replicas reach this one (host:port); the listen address by default. */
  advertiseAddress: string;
  /** Alertmanager's --web.external-url: the webhook's externalURL and template links. */
  externalUrl: string;
  kafka: KafkaConfig;
  alertsTopic: string;
  groupId: string;
  etcd?: EtcdConfig;
  /** Path of the Alertmanager configuration file. */
  alertmanagerConfigPath: string;
  /** Alertmanager's --data.retention: how long silences and notification log entries are kept after they end. */
  dataRetentionMs: number;
  /** Alertmanager's --alerts.gc-interval: how often resolved alerts are dropped from memory. */
  alertGcIntervalMs: number;
  /** Ringwatch's own integrations, attached by receiver name to receivers of the Alertmanager file. */
  receiverExtensions: ReadonlyMap<string, ReceiverExtension>;
}

/** Integrations Alertmanager's file cannot declare (amtool check-config would refuse them). */
export interface ReceiverExtension {
  readonly http_template_configs: readonly HttpTemplateConfig[];
  readonly alertmanager_configs: readonly AlertmanagerForwardConfig[];
}

function readReceiverExtensions(raw: unknown): Map<string, ReceiverExtension> {
  const out = new Map<string, ReceiverExtension>();
  const obj = readObject(raw, 'receiver_extensions', Object.keys((raw as object | null | undefined) ?? {}));
  for (const [name, value] of Object.entries(obj)) {
    const path = join('receiver_extensions', name);
    const ext = readObject(value, path, ['http_template_configs', 'alertmanager_configs']);
    out.set(name, {
      http_template_configs: readList(ext, 'http_template_configs', path, readHttpTemplateConfig),
      alertmanager_configs: readList(ext, 'alertmanager_configs', path, readAlertmanagerForwardConfig),
    });
  }
  return out;
}

/** The config as the start log shows it: extension URLs, headers and credentials redacted. */
export function loggableNotifierConfig(c: NotifierConfig): Record<string, unknown> {
  const extensions: Record<string, unknown> = {};
  for (const [name, e] of c.receiverExtensions) {
    extensions[name] = { http_template_configs: e.http_template_configs.map(redactHttpTemplateConfig), alertmanager_configs: e.alertmanager_configs.map(redactAlertmanagerForwardConfig) };
  }
  return { ...c, receiverExtensions: extensions };
}

const NODE_KEYS = ['id', 'listen_address', 'advertise_address', 'external_url'];
// kafka: core/kafka-config's keys plus the notifier's two; `topic` there is not used here.
const KAFKA_EXTRA_KEYS = ['alerts_topic', 'group_id'];

export function readNotifierConfig(raw: unknown): NotifierConfig {
  const root = readObject(raw, '', ['node', 'kafka', 'etcd', 'alertmanager_config', 'data_retention', 'alerts_gc_interval', 'receiver_extensions']);
  const node = readObject(root.node, 'node', NODE_KEYS);
  const nodeId = readString(node, 'id', 'node', `notifier-${hostname()}`);
  if (nodeId === '') throw new ConfigError('node.id', 'must not be empty');
  const listenAddress = checkHostPort(readString(node, 'listen_address', 'node', DEFAULT_NOTIFIER_LISTEN_ADDRESS), 'node.listen_address');
  const advertiseAddress = checkHostPort(readString(node, 'advertise_address', 'node', listenAddress), 'node.advertise_address');
  const externalUrl = readOptionalString(node, 'external_url', 'node') ?? `http://${advertiseAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;
  checkUrl(externalUrl, 'node.external_url');

  if (root.kafka === undefined || root.kafka === null) throw new ConfigError('kafka', 'is required (the alerts topic is read from Kafka)');
  const kafkaRaw = readObject(root.kafka, 'kafka', ['brokers', 'client_id', 'partitions', 'replication_factor', 'sasl', 'tls_config', 'tls', ...KAFKA_EXTRA_KEYS]);
  const alertsTopic = readString(kafkaRaw, 'alerts_topic', 'kafka', DEFAULT_ALERTS_TOPIC);
  if (alertsTopic === '') throw new ConfigError('kafka.alerts_topic', 'must not be empty');
  const groupId = readString(kafkaRaw, 'group_id', 'kafka', DEFAULT_NOTIFIER_GROUP_ID);
  if (groupId === '') throw new ConfigError('kafka.group_id', 'must not be empty');
  const shared: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kafkaRaw)) if (!KAFKA_EXTRA_KEYS.includes(k)) shared[k] = v;
  const kafka = { ...readKafkaConfig(shared, 'kafka', nodeId), topic: alertsTopic };

  const alertmanagerConfigPath = readString(root, 'alertmanager_config', '');
  if (alertmanagerConfigPath === '') throw new ConfigError('alertmanager_config', 'must name an Alertmanager configuration file');

  const config: NotifierConfig = {
    nodeId,
    listenAddress,
    advertiseAddress,
    externalUrl: externalUrl.replace(/\/+$/, ''),
    kafka,
    alertsTopic,
    groupId,
    alertmanagerConfigPath,
    dataRetentionMs: readDuration(root, 'data_retention', '', 120 * 3_600_000),
    alertGcIntervalMs: readDuration(root, 'alerts_gc_interval', '', 30 * 60_000),
    receiverExtensions: readReceiverExtensions(root.receiver_extensions),
  };
  if (config.dataRetentionMs <= 0) throw new ConfigError('data_retention', 'must be positive');
  if (config.alertGcIntervalMs <= 0) throw new ConfigError('alerts_gc_interval', 'must be positive');
  if (root.etcd !== undefined && root.etcd !== null) config.etcd = readEtcdConfig(root.etcd, join('', 'etcd'));
  return config;
}
