// The notifier as a separate process for integration tests: its node config and Alertmanager
// configuration file written to the test's directory, its own alerts topic and consumer group.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';

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
