// `npm start`: the whole system on this machine with demo targets. Starts etcd, Kafka (KRaft) and
// Prometheus (remote-write receiver) unless RINGWATCH_STACK_* points at ones you already run, Redis
// or memcached when the query node's config keeps its results cache there, then the Ringwatch nodes
// and a demo service (RINGWATCH_STACK_QUERY_REPLICAS=2 adds a second query node sharing it); prints
// where everything listens; Ctrl-C stops it all.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startRingwatchNode, type RingwatchNode } from './ringwatch-node.ts';
import { startEtcd } from './services/etcd.ts';
import { repoRoot } from './services/install-locations.ts';
import { startKafka } from './services/kafka.ts';
import { startLocalSinks, type LocalSinks } from './services/local-sinks.ts';
import { killAllManagedProcesses } from './services/managed-process.ts';
import { startPrometheus } from './services/prometheus.ts';
import { startMemcached } from './services/memcached.ts';
import { startRedis } from './services/redis.ts';
import type { RunningService } from './services/service-options.ts';
import { readFileSync } from 'node:fs';

/** Loopback ports away from the standard ones (2379, 9092, 9090...). */
export const STACK_PORTS = {
  etcdClient: 23790,
  etcdPeer: 23791,
  kafka: 29092,
  kafkaController: 29093,
  prometheus: 29090,
  coordinator: 29100,
  scraper1: 29101,
  scraper2: 29102,
  storageWriter: 29110,
  demoTarget: 29120,
  alerting1: 29130,
  notifier1: 29140,
  query1: 29150,
  query2: 29151,
  redis: 29379,
  memcached: 29211,
  mailSink: 29025,
  webhookSink: 29026,
} as const;

const env = process.env;
const root = repoRoot();
const dataDir = join(root, '.data', 'stack');
const logDir = join(dataDir, 'logs');
const configDir = join(dataDir, 'config');
const stackConfigDir = join(root, 'deploy', 'local', 'config');

const services: { name: string; service: RunningService }[] = [];
let sinks: LocalSinks | undefined;
const began = performance.now();

function elapsed(): string {
  return `${((performance.now() - began) / 1000).toFixed(1)}s`;
}

function say(line: string): void {
  process.stdout.write(`[stack ${elapsed()}] ${line}\n`);
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const external = {
    etcd: env.RINGWATCH_STACK_ETCD_ENDPOINTS,
    kafka: env.RINGWATCH_STACK_KAFKA_BROKERS,
    remoteWrite: env.RINGWATCH_STACK_REMOTE_WRITE_URL,
  };

  const starting: Promise<void>[] = [];
  let etcdEndpoints = external.etcd ?? '';
  if (external.etcd === undefined) {
    starting.push(
      startEtcd({ dataDir: join(dataDir, 'etcd'), logDir, port: STACK_PORTS.etcdClient, peerPort: STACK_PORTS.etcdPeer }).then((etcd) => {
        services.push({ name: 'etcd', service: etcd });
        etcdEndpoints = etcd.endpoints.join(',');
        say(`etcd ready at ${etcdEndpoints} (${etcd.startupMs} ms)`);
      }),
    );
  }
  let kafkaBrokers = external.kafka ?? '';
  if (external.kafka === undefined) {
    starting.push(
      startKafka({ dataDir: join(dataDir, 'kafka'), logDir, port: STACK_PORTS.kafka, controllerPort: STACK_PORTS.kafkaController, numPartitions: 6 }).then((kafka) => {
        services.push({ name: 'kafka', service: kafka });
        kafkaBrokers = kafka.brokers.join(',');
        say(`kafka ready at ${kafkaBrokers} (${kafka.startupMs} ms)`);
      }),
    );
  }
  let remoteWriteUrl = external.remoteWrite ?? '';
  let queryUrl = env.RINGWATCH_STACK_QUERY_URL ?? '';
  if (external.remoteWrite === undefined) {
    starting.push(
      startPrometheus({ dataDir: join(dataDir, 'prometheus'), logDir, port: STACK_PORTS.prometheus }).then((prom) => {
        services.push({ name: 'prometheus', service: prom });
        remoteWriteUrl = prom.remoteWriteUrl;
        queryUrl = prom.url;
        say(`prometheus ready at ${prom.url} (${prom.startupMs} ms)`);
      }),
    );
  }
  // The query nodes' shared results cache, only when their config asks for one (query/README.md).
  const cacheBackend = (parseYaml(readFileSync(join(stackConfigDir, 'query-1.yaml'), 'utf8')) as { cache?: { backend?: unknown } }).cache?.backend;
  let cacheAddress = (cacheBackend === 'redis' ? env.RINGWATCH_STACK_REDIS_ADDRESS : cacheBackend === 'memcached' ? env.RINGWATCH_STACK_MEMCACHED_ADDRESS : undefined) ?? '';
  if (cacheBackend === 'redis' && env.RINGWATCH_STACK_REDIS_ADDRESS === undefined) {
    starting.push(
      startRedis({ dataDir: join(dataDir, 'redis'), logDir, port: STACK_PORTS.redis }).then((redis) => {
        services.push({ name: 'redis', service: redis });
        cacheAddress = redis.address;
        say(`redis ready at ${redis.address} (${redis.startupMs} ms)`);
      }),
    );
  }
  if (cacheBackend === 'memcached' && env.RINGWATCH_STACK_MEMCACHED_ADDRESS === undefined) {
    starting.push(
      startMemcached({ dataDir: join(dataDir, 'memcached'), logDir, port: STACK_PORTS.memcached }).then((memcached) => {
        services.push({ name: 'memcached', service: memcached });
        cacheAddress = memcached.address;
        say(`memcached ready at ${memcached.address} (${memcached.startupMs} ms)`);
      }),
    );
  }
  await Promise.all(starting);
  const cacheEnv: Record<string, string> =
    cacheBackend === 'redis' ? { RINGWATCH_CACHE__REDIS__ADDRESS: cacheAddress } : cacheBackend === 'memcached' ? { RINGWATCH_CACHE__MEMCACHED__ADDRESSES: cacheAddress } : {};
  sinks = await startLocalSinks({ dir: dataDir, smtpPort: STACK_PORTS.mailSink, httpPort: STACK_PORTS.webhookSink, say });
  say(`mail sink (SMTP 127.0.0.1:${STACK_PORTS.mailSink}) and webhook sink (http://127.0.0.1:${STACK_PORTS.webhookSink}) write to ${dataDir}`);

  // Every node reads its committed YAML file; the addresses of this run are environment overrides.
  const nodeEnv = { RINGWATCH_KAFKA__BROKERS: kafkaBrokers };
  const etcdEnv = { RINGWATCH_ETCD__ENDPOINTS: etcdEndpoints };
  const demo = await startNode('demo-target', 'demo-target', STACK_PORTS.demoTarget, {});
  const coordinator = await startNode('coordinator', 'coordinator', STACK_PORTS.coordinator, etcdEnv);
  const nodes = [
    coordinator,
    ...(await Promise.all([
      startNode('storage-writer', 'storage-writer', STACK_PORTS.storageWriter, { ...nodeEnv, RINGWATCH_REMOTE_WRITE__0__URL: remoteWriteUrl }),
      startNode('scraper', 'scraper-1', STACK_PORTS.scraper1, { ...nodeEnv, ...etcdEnv }),
      startNode('scraper', 'scraper-2', STACK_PORTS.scraper2, { ...nodeEnv, ...etcdEnv }),
      startNode('alerting', 'alerting-1', STACK_PORTS.alerting1, {
        ...nodeEnv,
        ...etcdEnv,
        RINGWATCH_QUERY__URL: queryUrl,
        RINGWATCH_RULE_FILES__0: join(stackConfigDir, 'rules', '*.yml'),
      }),
      ...queryReplicas().map(([name, port]) =>
        startNode('query', name, port, { RINGWATCH_STORES__0__URL: queryUrl, ...cacheEnv }),
      ),
      startNode('notifier', 'notifier-1', STACK_PORTS.notifier1, {
        ...nodeEnv,
        ...etcdEnv,
        RINGWATCH_ALERTMANAGER_CONFIG: join(stackConfigDir, 'alertmanager.yml'),
      }),
    ])),
  ];

  say('Ringwatch is up.');
  const lines = [
    `  etcd            ${etcdEndpoints}`,
    `  kafka           ${kafkaBrokers}`,
    `  store (write)   ${remoteWriteUrl}`,
    `  store (query)   ${queryUrl}`,
    `  query node      http://127.0.0.1:${STACK_PORTS.query1}   e.g. curl 'http://127.0.0.1:${STACK_PORTS.query1}/api/v1/query?query=up'   (Grafana's data source)`,
    ...(cacheAddress !== '' ? [`  results cache   ${String(cacheBackend)} ${cacheAddress}, shared by ${queryReplicas().map(([name]) => name).join(', ')}`] : []),
    `  targets         ${coordinator.url}/api/v1/targets   (or: npm run ringwatch -- targets ls)`,
    `  rules, alerts   http://127.0.0.1:${STACK_PORTS.alerting1}/api/v1/rules, /api/v1/alerts`,
    `  make one fire   curl -X POST ${demo.url}/control/temperature/95   (see deploy/local/config/rules/demo.rules.yml)`,
    `  notifier        http://127.0.0.1:${STACK_PORTS.notifier1}   (Alertmanager API v2: amtool --alertmanager.url=http://127.0.0.1:${STACK_PORTS.notifier1} alert query)`,
    `  notifications   ${join(dataDir, 'mail')} (mail), ${join(dataDir, 'notifications')} (chat, pager, tickets)`,
    ...[demo, ...nodes].map((n) => `  ${n.name.padEnd(15)} ${n.url}   (/metrics, /healthz, /readyz)`),
    `  logs            ${logDir}`,
    `  Ctrl-C stops everything.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** query-1, and query-2 (sharing query-1's results cache) with RINGWATCH_STACK_QUERY_REPLICAS=2. */
function queryReplicas(): [string, number][] {
  const replicas: [string, number][] = [['query-1', STACK_PORTS.query1]];
  if (env.RINGWATCH_STACK_QUERY_REPLICAS === '2') replicas.push(['query-2', STACK_PORTS.query2]);
  return replicas;
}

async function startNode(kind: RingwatchNode['kind'], name: string, port: number, nodeEnv: Record<string, string>): Promise<RingwatchNode> {
  const file = join(stackConfigDir, `${name}.yaml`);
  const config = readFileSync(file, 'utf8');
  parseYaml(config); // fail here, naming the file, rather than in the child
  const node = await startRingwatchNode({
    kind,
    name,
    config,
    httpAddress: `127.0.0.1:${port}`,
    configDir,
    logDir,
    env: nodeEnv,
  });
  services.push({ name, service: node });
  say(`${name} ready at ${node.url} (${node.startupMs} ms)`);
  return node;
}

let stopping = false;
async function stopAll(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping`);
  // Scrapers first (they hand over and flush to Kafka), then the writer (it flushes to the store),
  // then the infrastructure.
  const order = ['scraper', 'alerting', 'notifier', 'query', 'coordinator', 'demo-target', 'storage-writer', 'kafka', 'prometheus', 'redis', 'memcached', 'etcd'];
  const rank = (name: string): number => order.findIndex((prefix) => name.startsWith(prefix));
  for (const { name, service } of [...services].sort((a, b) => rank(a.name) - rank(b.name))) {
    await service.stop().catch((err: unknown) => say(`${name}: ${(err as Error).message}`));
    say(`${name} stopped`);
  }
  await sinks?.close().catch(() => undefined);
  killAllManagedProcesses();
  process.exit(0);
}

process.on('SIGINT', () => void stopAll('SIGINT'));
process.on('SIGTERM', () => void stopAll('SIGTERM'));

main().catch(async (err: unknown) => {
  process.stderr.write(`[stack] failed: ${(err as Error).message}\n`);
  await stopAll('error');
  process.exit(1);
});
