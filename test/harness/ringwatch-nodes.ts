// Ringwatch nodes as separate processes for integration tests, configured against the harness'
// infrastructure; every test gets its own topic and consumer group so tests never see each
// other's samples.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';

export interface TestNodes {
  readonly topic: string;
  readonly dir: string;
  scraper(name: string, config: Record<string, unknown>): Promise<RingwatchNode>;
  storageWriter(name: string, config: Record<string, unknown>): Promise<RingwatchNode>;
  /** An alerting replica writing to this test's samples topic and `alerts-<id>`. */
  alerting(name: string, config: Record<string, unknown>): Promise<RingwatchNode>;
  readonly alertsTopic: string;
  /** Stops every node started here (SIGTERM, then SIGKILL). */
  stopAll(): Promise<void>;
}

export function testNodes(kafkaBrokers: string[], label: string): TestNodes {
  const id = `${label}-${randomBytes(3).toString('hex')}`;
  const dir = join(repoRoot(), '.data', 'test-nodes', id);
  const topic = `samples-${id}`;
  const started: RingwatchNode[] = [];
  const kafka = { brokers: kafkaBrokers, topic, partitions: 4 };

  const alertsTopic = `alerts-${id}`;
  async function start(kind: 'scraper' | 'storage-writer' | 'alerting', name: string, config: Record<string, unknown>): Promise<RingwatchNode> {
    const port = await freePort();
    const node = await startRingwatchNode({
      kind,
      name,
      config: {
        ...config,
        node: { ...(config.node as object | undefined), id: name, listen_address: `127.0.0.1:${port}` },
        kafka: { ...kafka, ...(kind === 'alerting' ? { alerts_topic: alertsTopic } : {}), ...(config.kafka as object | undefined) },
      },
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
    });
    started.push(node);
    return node;
  }

  return {
    topic,
    alertsTopic,
    dir,
    scraper: (name, config) => start('scraper', name, config),
    alerting: (name, config) => start('alerting', name, config),
    storageWriter: (name, config) => start('storage-writer', name, { consumer: { group_id: `writer-${id}` }, ...config }),
    stopAll: async () => {
      await Promise.all(started.map((n) => n.stop()));
    },
  };
}
