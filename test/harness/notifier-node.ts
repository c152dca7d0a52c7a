// The notifier as a separate process for integration tests: its node config and Alertmanager
// configuration file written to the test's directory, its own alerts topic and consumer group.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { stringify } from 'yaml';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { fingerprint } from '../../notifier/labels.ts';
import { encodeAlertRecord, type AlertRecord } from '../../protocol/alert-record.ts';
import { eventually } from './eventually.ts';

export interface NotifierNode {
  readonly node: RingwatchNode;
  readonly url: string;
  readonly topic: string;
  readonly alertmanagerConfigFile: string;
  /** Rewrites the Alertmanager configuration file (then POST /-/reload or SIGHUP). */
  writeAlertmanagerConfig(config: string | Record<string, unknown>): void;
}

export interface NotifierNodeOptions {
  name: string;
  kafkaBrokers: string[];
  /** The Alertmanager configuration: YAML text or an object. */
  alertmanagerConfig: string | Record<string, unknown>;
  etcd?: { endpoints: string[]; prefix: string };
  topic?: string;
  groupId?: string;
}

export async function startNotifierNode(opts: NotifierNodeOptions): Promise<NotifierNode> {
  const id = `${opts.name}-${randomBytes(3).toString('hex')}`;
  const dir = join(repoRoot(), '.data', 'test-nodes', id);
  mkdirSync(join(dir, 'config'), { recursive: true });
  const amFile = join(dir, 'config', 'alertmanager.yml');
  const write = (c: string | Record<string, unknown>): void => writeFileSync(amFile, typeof c === 'string' ? c : stringify(c));
  write(opts.alertmanagerConfig);
  const topic = opts.topic ?? `alerts-${id}`;
  const port = await freePort();
  const node = await startRingwatchNode({
    // The notifier is started like any other node (`ringwatch notifier --config ...`).
    kind: 'notifier',
    name: opts.name,
    config: {
      node: { id: opts.name, listen_address: `127.0.0.1:${port}` },
      kafka: { brokers: opts.kafkaBrokers, alerts_topic: topic, group_id: opts.groupId ?? `notifier-${id}`, partitions: 2 },
      // Short leases: a killed replica's place frees up within 2 s.
      ...(opts.etcd !== undefined ? { etcd: { lease_ttl: '2s', handoff_delay: '500ms', ...opts.etcd } } : {}),
      alertmanager_config: amFile,
    },
    httpAddress: `127.0.0.1:${port}`,
    configDir: join(dir, 'config'),
    logDir: join(dir, 'logs'),
  });
  return { node, url: node.url, topic, alertmanagerConfigFile: amFile, writeAlertmanagerConfig: write };
}

/** Waits until every node lists `peers` ring members in /api/v2/status (cluster.peers). */
export async function waitForPeers(nodes: readonly NotifierNode[], peers: number, timeoutMs = 15_000): Promise<void> {
  for (const n of nodes) {
    await eventually(
      async () => {
        const status = (await (await fetch(`${n.url}/api/v2/status`)).json()) as { cluster: { peers: unknown[] } };
        return status.cluster.peers.length === peers ? true : undefined;
      },
      { timeoutMs, description: `${n.url} seeing ${peers} replica(s) on the ring` },
    );
  }
}

/** Writes alert transitions to a notifier's alerts topic, as the alerting replicas do. */
export interface AlertProducer {
  /** A firing record is valid for 4 min; a resolved one ends now. */
  send(status: 'firing' | 'resolved', labels: Record<string, string>, startsAtMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startAlertProducer(kafkaBrokers: string[], topic: string): Promise<AlertProducer> {
  const producer: Producer = new Kafka({ clientId: `alerts-${topic}`, brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    async send(status, labels, startsAtMs = Date.now()) {
      const now = Date.now();
      const record: AlertRecord = {
        version: 1,
        fingerprint: fingerprint(labels),
        status,
        labels,
        annotations: { summary: `${labels.alertname ?? ''} is happening` },
        activeAt: new Date(startsAtMs).toISOString(),
        startsAt: new Date(startsAtMs).toISOString(),
        endsAt: new Date(status === 'firing' ? now + 240_000 : now).toISOString(),
        generatorURL: 'http://alerting:9490/graph',
        value: 1,
        rule: { group: 'g', file: 'rules.yml', name: labels.alertname ?? '' },
        evaluatedAt: new Date(now).toISOString(),
        replica: 'alerting-test',
      };
      await producer.send({ topic, messages: [{ key: record.fingerprint, value: encodeAlertRecord(record) }] });
    },
    close: () => producer.disconnect(),
  };
}
