// The scraper's produce path by client: kafkajs (the project's client until issue 12), kafkajs
// with a WebAssembly CRC32C in place of its pure-JS one, raw @platformatic/kafka, and the project's
// own produce path on it: the Kafka module's producer (core/kafka-client.ts createKafkaProducer)
// and the scraper's KafkaSampleProducer over it (queue, metrics, one request in flight). All produce
// the same scrape messages with the same guarantees as scraper/kafka-sample-producer.ts: acks=all,
// the Java-compatible murmur2 partitioner on the target key (so every target stays in one
// partition, in order), one request in flight, batches of a linger's worth of scrapes. Charged:
// this process' CPU time (every thread, GC included) per million samples. Variants run interleaved
// over several rounds against one fresh Kafka; the best round of each is reported, beside the median.
//
//   node bench/kafka-client-bench.ts [--messages 3000] [--batch 20] [--rounds 3]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { createKafkaProducer, type KafkaProducer } from '../core/kafka-client.ts';
import { createLogger } from '../core/logger.ts';
import { KafkaSampleProducer } from '../scraper/kafka-sample-producer.ts';
import { ScraperMetrics } from '../scraper/scraper-metrics.ts';
import { benchDirs, startBenchKafka, stopBenchKafka } from './bench-harness/bench-infrastructure.ts';
import type { BenchResult } from './bench-harness/bench-result.ts';
import { ScrapeMessageGenerator } from './bench-harness/scrape-message-generator.ts';
import { NODE_EXPORTER_BODY } from './scrape-pipeline-bench.ts';

const require = createRequire(import.meta.url);
const TOPIC = 'bench-kafka-clients';
const TARGETS = 200;

// kafkajs has no hook for its CRC32C (its codecs are compression codecs), so the variant swaps the
// module's export in require's cache before kafkajs loads it; a switch picks the implementation.
let useWasmCrc = false;
{
  const crcPath = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js');
  const jsCrc = require(crcPath) as (b: Buffer) => number;
  const { crc32c } = (await import('@platformatic/wasm-utils')) as { crc32c: (b: Uint8Array) => number };
  const swapped = (b: Buffer): number => (useWasmCrc ? crc32c(b) >>> 0 : jsCrc(b));
  const cached = require.cache[crcPath];
  if (cached === undefined) throw new Error('kafkajs CRC32C module not cached');
  cached.exports = swapped;
}
const kafkajs = (await import('kafkajs')) as typeof import('kafkajs');
const platformatic = await import('@platformatic/kafka');

interface Message {
  key: string;
  value: Buffer;
}

interface Client {
  name: string;
  send(batch: Message[]): Promise<void>;
  close(): Promise<void>;
}

async function kafkajsClient(brokers: string[], wasmCrc: boolean): Promise<Client> {
  const kafka = new kafkajs.Kafka({ clientId: 'bench-kafkajs', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, maxInFlightRequests: 1, retry: { retries: 0 } });
  await producer.connect();
  return {
    name: wasmCrc ? 'kafkajs 2.2.4 + wasm CRC32C' : 'kafkajs 2.2.4',
    send: async (batch) => {
      useWasmCrc = wasmCrc;
      await producer.send({ topic: TOPIC, acks: -1, messages: batch });
    },
    close: () => producer.disconnect(),
  };
}

async function platformaticClient(brokers: string[]): Promise<Client> {
  const producer = new platformatic.Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    acks: platformatic.ProduceAcks.ALL,
    // Java's (and kafkajs' DefaultPartitioner) mapping of keys to partitions.
    partitioner: platformatic.compatibilityPartitioner,
    serializers: { key: platformatic.stringSerializers.key },
    autocreateTopics: false,
    retries: 0,
  } as never) as unknown as { send(o: { messages: { topic: string; key: string; value: Buffer }[] }): Promise<unknown>; close(): Promise<void> };
  return {
    name: '@platformatic/kafka 2.12.1',
    send: async (batch) => {
      await producer.send({ messages: batch.map((m) => ({ topic: TOPIC, key: m.key, value: m.value })) });
    },
    close: () => producer.close(),
  };
}

const moduleConfig = (brokers: string[]) => ({ brokers, topic: TOPIC, clientId: 'bench-ringwatch', partitions: 6, replicationFactor: 1 });
const silent = createLogger('bench', 'silent');

/** The Kafka module's producer, as the scraper creates it (no retries inside the client). */
async function moduleClient(brokers: string[]): Promise<Client> {
  const producer = createKafkaProducer(moduleConfig(brokers), { retries: 0, idempotent: false }, silent);
  await producer.connect();
  return { name: 'Ringwatch createKafkaProducer', send: (batch) => producer.send(TOPIC, batch), close: () => producer.disconnect() };
}

/** The scraper's KafkaSampleProducer over the module's producer: send() resolves once the batch is acked. */
async function sampleProducerClient(brokers: string[], batchSize: number, samplesPerMessage: number): Promise<Client> {
  const inner = createKafkaProducer(moduleConfig(brokers), { retries: 0, idempotent: false }, silent);
  let acked = 0;
  let waiter: { count: number; resolve: () => void } | undefined;
  const counting: KafkaProducer = {
    connect: () => inner.connect(),
    disconnect: () => inner.disconnect(),
    send: async (topic, records) => {
      await inner.send(topic, records);
      acked += records.length;
      if (waiter !== undefined && acked >= waiter.count) waiter.resolve();
    },
  };
  const options = { lingerMs: 0, maxBufferedBytes: 256 << 20, maxBatchMessages: batchSize, maxBatchBytes: 16 << 20, maxMessageBytes: 1 << 20 };
  const producer = new KafkaSampleProducer(counting, moduleConfig(brokers), options, silent, new ScraperMetrics());
  await producer.connect();
  return {
    name: 'Ringwatch KafkaSampleProducer',
    send: async (batch) => {
      const done = new Promise<void>((resolve) => (waiter = { count: acked + batch.length, resolve }));
      // Queued in one go: the linger timer fires after, so the batch leaves as one request.
      for (const m of batch) producer.send(m.key, m.value, { target: m.key, samples: samplesPerMessage });
      await done;
    },
    close: () => producer.close(),
  };
}

export async function runKafkaClientBench(options: { messages?: number; batch?: number; rounds?: number; log?: (line: string) => void } = {}): Promise<BenchResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const messagesPerRound = options.messages ?? 3000;
  const batchSize = options.batch ?? 20;
  const rounds = options.rounds ?? 3;
  const generator = new ScrapeMessageGenerator({ bodyFile: NODE_EXPORTER_BODY, targets: TARGETS, startMs: Date.now() - 3_600_000, intervalMs: 1000 });
  // Made once, outside the timed part: 4 scrapes of every target, reused round-robin.
  const pool: Message[] = [];
  for (let k = 0; k < 4; k++) for (let t = 0; t < TARGETS; t++) pool.push(generator.message(t, k));
  const samplesPerMessage = generator.samplesPerMessage;

  const dirs = benchDirs();
  const kafka = await startBenchKafka(dirs);
  try {
    const admin = new kafkajs.Kafka({ clientId: 'bench-admin', brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }], waitForLeaders: true });
    await admin.disconnect();
    const clients = [
      await kafkajsClient(kafka.brokers, false),
      await kafkajsClient(kafka.brokers, true),
      await platformaticClient(kafka.brokers),
      await moduleClient(kafka.brokers),
      await sampleProducerClient(kafka.brokers, batchSize, samplesPerMessage),
    ];
    const perRound = new Map<string, number[]>(clients.map((c) => [c.name, []]));
    const produce = async (c: Client, count: number): Promise<void> => {
      for (let i = 0; i < count; i += batchSize) {
        const batch: Message[] = [];
        for (let j = i; j < Math.min(count, i + batchSize); j++) batch.push(pool[j % pool.length]!);
        await c.send(batch); // one request in flight, as the scraper's producer
      }
    };
    for (const c of clients) await produce(c, 400); // warm-up: connections, metadata, JIT
    for (let r = 0; r < rounds; r++) {
      for (const c of clients) {
        const before = process.cpuUsage();
        const began = performance.now();
        await produce(c, messagesPerRound);
        const used = process.cpuUsage(before);
        const cpuSeconds = (used.user + used.system) / 1e6;
        const perMillion = cpuSeconds / ((messagesPerRound * samplesPerMessage) / 1e6);
        perRound.get(c.name)!.push(perMillion);
        log(`  ${c.name} (round ${r + 1}): ${perMillion.toFixed(3)} CPU-s per 1M samples, ${Math.round((messagesPerRound * samplesPerMessage) / ((performance.now() - began) / 1000))} samples/s`);
      }
    }
    for (const c of clients) await c.close();
    const results: BenchResult[] = [];
    const baseline = Math.min(...perRound.get(clients[0]!.name)!);
    for (const c of clients) {
      const figures = [...perRound.get(c.name)!].sort((a, b) => a - b);
      const best = figures[0]!;
      results.push({
        name: `produce CPU per 1M samples: ${c.name}`,
        value: Math.round(best * 1000) / 1000,
        unit: 'CPU-s',
        note: `best of ${rounds} rounds (median ${figures[Math.floor(figures.length / 2)]!.toFixed(3)}), ${(best / baseline).toFixed(2)}x kafkajs; ${batchSize} messages of ${samplesPerMessage} samples per request, acks=all, one in flight`,
      });
    }
    return results;
  } finally {
    await stopBenchKafka(kafka, dirs);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { messages: { type: 'string' }, batch: { type: 'string' }, rounds: { type: 'string' } } });
  const results = await runKafkaClientBench({
    ...(values.messages !== undefined ? { messages: Number(values.messages) } : {}),
    ...(values.batch !== undefined ? { batch: Number(values.batch) } : {}),
    ...(values.rounds !== undefined ? { rounds: Number(values.rounds) } : {}),
  });
  for (const r of results) console.log(`${r.name.padEnd(56)} ${String(r.value).padStart(8)} ${r.unit}   ${r.note ?? ''}`);
}
