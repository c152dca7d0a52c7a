// One Apache Kafka 3.9 KRaft node (broker and controller in one JVM) on 127.0.0.1, run from the jars
// deploy/local/install.sh put under .cache/. Storage is formatted on the first start only.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port.ts';
import { findExecutable, kafkaLibsDir } from './install-locations.ts';
import {
  clusterIdFromMetaProperties,
  kafkaServerProperties,
  newKafkaClusterId,
  renderKafkaLog4jProperties,
  renderProperties,
} from './kafka-config.ts';
import { describeExit, ManagedProcess } from './managed-process.ts';
import { allProbes, tcpProbe, type ReadinessProbe } from './readiness.ts';
import { RestartableProcess } from './restartable-process.ts';
import type { ServiceOptions } from './service-options.ts';

export interface KafkaOptions extends ServiceOptions {
  /** KRaft controller port; a free one is chosen when absent. */
  controllerPort?: number;
  /** num.partitions for topics created without a count (default 4). */
  numPartitions?: number;
  /** JVM max heap, default 512 MB. */
  heapMb?: number;
  /** Used when formatting fresh storage; a random one otherwise. */
  clusterId?: string;
  /** Extra or overriding server.properties entries. */
  serverProperties?: Readonly<Record<string, string | number | boolean>>;
  /** Root logger level of the broker's log4j config, default INFO. */
  logLevel?: 'INFO' | 'WARN' | 'DEBUG';
}

const NODE_ID = 1;
const HOST = '127.0.0.1';

// Modest, quick-starting JVM: a fixed small heap, G1 with short pauses (Kafka's own defaults), no
// perf-data file. Two cores are shared with everything else.
function jvmOptions(heapMb: number): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
  ];
}

export class RunningKafka extends RestartableProcess {
  readonly port: number;
  readonly controllerPort: number;
  /** Bootstrap addresses for kafkajs. */
  readonly brokers: string[];
  readonly clusterId: string;
  /** Milliseconds the storage format took (0 when the data directory was already formatted). */
  readonly formatMs: number;

  constructor(
    options: KafkaOptions,
    command: { java: string; classpath: string; log4jFile: string; propertiesFile: string },
    ports: { port: number; controllerPort: number },
    format: { clusterId: string; formatMs: number },
  ) {
    const brokers = [`${HOST}:${ports.port}`];
    super({
      name: 'kafka',
      command: command.java,
      args: [
        ...jvmOptions(options.heapMb ?? 512),
        `-Dlog4j.configuration=file:${command.log4jFile}`,
        '-cp', command.classpath,
        'kafka.Kafka',
        command.propertiesFile,
      ],
      logFile: join(options.logDir, 'kafka.log'),
      // A TCP check first: kafkajs is slow to give up on a port nobody listens on.
      probe: allProbes(tcpProbe(HOST, ports.port), kafkaAdminProbe(brokers)),
      readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
      stopGraceMs: 20_000,
    });
    this.port = ports.port;
    this.controllerPort = ports.controllerPort;
    this.brokers = brokers;
    this.clusterId = format.clusterId;
    this.formatMs = format.formatMs;
  }

  /** Creates the topic if it does not exist (an existing one is left as it is). True when created. */
  createTopic(name: string, partitions: number): Promise<boolean> {
    return createKafkaTopic(this.brokers, name, partitions);
  }
}

export async function startKafka(options: KafkaOptions): Promise<RunningKafka> {
  const libs = kafkaLibsDir();
  const java = findExecutable(['java']);
  const classpath = join(libs, '*'); // the JVM expands the wildcard itself
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  const storageDir = join(options.dataDir, 'kraft');
  mkdirSync(storageDir, { recursive: true });

  const propertiesFile = join(options.dataDir, 'server.properties');
  const properties = kafkaServerProperties({
    nodeId: NODE_ID,
    host: HOST,
    brokerPort: port,
    controllerPort,
    logDir: storageDir,
    numPartitions: options.numPartitions ?? 4,
    ...(options.serverProperties === undefined ? {} : { extra: options.serverProperties }),
  });
  writeFileSync(propertiesFile, renderProperties(properties));
  const log4jFile = join(options.dataDir, 'log4j.properties');
  writeFileSync(log4jFile, renderKafkaLog4jProperties(options.logLevel ?? 'INFO'));

  const format = await formatStorageOnce({
    java,
    classpath,
    log4jFile,
    propertiesFile,
    metaProperties: join(storageDir, 'meta.properties'),
    clusterId: options.clusterId ?? newKafkaClusterId(),
    logFile: join(options.logDir, 'kafka.log'),
  });
  const kafka = new RunningKafka(options, { java, classpath, log4jFile, propertiesFile }, { port, controllerPort }, format);
  await kafka.start();
  return kafka;
}

async function formatStorageOnce(args: {
  java: string;
  classpath: string;
  log4jFile: string;
  propertiesFile: string;
  metaProperties: string;
  clusterId: string;
  logFile: string;
}): Promise<{ clusterId: string; formatMs: number }> {
  if (existsSync(args.metaProperties)) {
    const existing = clusterIdFromMetaProperties(readFileSync(args.metaProperties, 'utf8'));
    if (existing === undefined) throw new Error(`${args.metaProperties} has no cluster.id`);
    return { clusterId: existing, formatMs: 0 };
  }
  const began = performance.now();
  const tool = new ManagedProcess({
    name: 'kafka-storage-format',
    command: args.java,
    // A short-lived tool: client JIT only and a small heap start it faster.
    args: [
      '-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData',
      `-Dlog4j.configuration=file:${args.log4jFile}`,
      '-cp', args.classpath,
      'kafka.tools.StorageTool', 'format',
      '-t', args.clusterId,
      '-c', args.propertiesFile,
      '--ignore-formatted',
    ],
    logFile: args.logFile,
  });
  const exit = await tool.exited;
  if (exit.code !== 0 || !existsSync(args.metaProperties)) {
    throw new Error(
      `kafka storage format failed (${describeExit(exit)})\n--- last lines of ${args.logFile} ---\n${tool.logTail()}`,
    );
  }
  return { clusterId: args.clusterId, formatMs: Math.round(performance.now() - began) };
}

function adminClient(brokers: readonly string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** Ready when a metadata request (listTopics) succeeds. */
export function kafkaAdminProbe(brokers: readonly string[]): ReadinessProbe {
  return {
    description: `kafkajs listTopics on ${brokers.join(',')}`,
    async check() {
      const admin = new Kafka({
        clientId: 'ringwatch-readiness',
        brokers: [...brokers],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1000,
        requestTimeout: 3000,
        retry: { retries: 0 },
      }).admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return true;
      } finally {
        await admin.disconnect();
      }
    },
  };
}

/** Creates `name` with `partitions` partitions, replication 1, unless it exists. True when created. */
export async function createKafkaTopic(brokers: readonly string[], name: string, partitions: number): Promise<boolean> {
  const admin = adminClient(brokers, 'ringwatch-topic-admin').admin();
  await admin.connect();
  try {
    return await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}
