// The Kafka module's producer (core/kafka-client.ts' createKafkaProducer) against a real broker:
// keys land on the partitions kafkajs puts them on (old and new scrapers agree in a rolling
// upgrade), a record the broker refuses is classified as refused (not retriable), and a broker
// that is gone, or that accepts connections but never answers, fails a send (retriable) instead of
// holding it forever; closing with a request in flight fails that request and returns.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaProducer, KafkaProduceError, type KafkaProducer } from '../../core/kafka-client.ts';
import type { KafkaConfig } from '../../core/kafka-config.ts';
import { createLogger } from '../../core/logger.ts';
import { eventually } from '../harness/eventually.ts';

const infra = inject('infra');
const unique = randomBytes(4).toString('hex');
const logger = createLogger('kafka-producer-test', 'silent');
const kafkaConfig = (brokers: string[]): KafkaConfig => ({ brokers, topic: 'unused', clientId: `producer-test-${unique}`, partitions: 1, replicationFactor: 1 });

async function rejection(p: Promise<unknown>): Promise<KafkaProduceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KafkaProduceError);
  return err as KafkaProduceError;
}

describe('the Kafka producer module on a real broker', () => {
  const kafkajs = new Kafka({ brokers: infra.kafkaBrokers, clientId: `producer-test-admin-${unique}`, logLevel: logLevel.NOTHING });
  const keyedTopic = `producer-keys-${unique}`;
  const smallTopic = `producer-small-${unique}`;
  const PARTITIONS = 12;

  beforeAll(async () => {
    const admin = kafkajs.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: keyedTopic, numPartitions: PARTITIONS },
        // Records above 1 KiB are refused by this topic (MESSAGE_TOO_LARGE).
        { topic: smallTopic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1024' }] },
      ],
    });
    await admin.disconnect();
  });

  it('puts every key on the partition kafkajs puts it on', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `target-${i}` : i % 3 === 1 ? randomBytes(8).toString('hex') : `job/é-${i}`));
    const ours = createKafkaProducer(kafkaConfig(infra.kafkaBrokers), { retries: 0, idempotent: false }, logger);
    await ours.connect();
    await ours.send(keyedTopic, keys.map((key) => ({ key, value: Buffer.from('new') })));
    await ours.disconnect();
    const theirs = kafkajs.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await theirs.connect();
    await theirs.send({ topic: keyedTopic, acks: -1, messages: keys.map((key) => ({ key, value: 'old' })) });
    await theirs.disconnect();

    const seen = new Map<string, { new?: number; old?: number }>();
    const consumer = kafkajs.consumer({ groupId: `producer-test-${unique}` });
    await consumer.connect();
    await consumer.subscribe({ topic: keyedTopic, fromBeginning: true });
    let count = 0;
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const key = message.key?.toString() as string;
        const by = message.value?.toString() as 'new' | 'old';
        seen.set(key, { ...seen.get(key), [by]: partition });
        count++;
      },
    });
    await eventually(() => (count >= 2 * keys.length ? true : undefined), { timeoutMs: 60_000, description: 'every record read back' });
    await consumer.disconnect();
    for (const key of keys) {
      const where = seen.get(key);
      expect(where?.new, key).toBeDefined();
      expect(where?.new, key).toBe(where?.old);
    }
    // The keys spread: the test would pass trivially on one partition.
    expect(new Set([...seen.values()].map((w) => w.new)).size).toBeGreaterThan(PARTITIONS / 2);
  });

  it('classifies a record the broker refuses as refused, and still sends the next ones', async () => {
    for (const options of [{ retries: 0, idempotent: false }, { retries: 5, idempotent: true }]) {
      const producer = createKafkaProducer(kafkaConfig(infra.kafkaBrokers), options, logger);
      await producer.connect();
      const err = await rejection(producer.send(smallTopic, [{ key: 'big', value: randomBytes(4096) }]));
      expect(err.kind).toBe('records_refused');
      expect(err.kafkaError).toBe('MESSAGE_TOO_LARGE');
      await producer.send(smallTopic, [{ key: 'small', value: Buffer.from('fits') }]);
      await producer.disconnect();
    }
  });

  it('an unknown topic is not a refusal of the records', async () => {
    const producer = createKafkaProducer(kafkaConfig(infra.kafkaBrokers), { retries: 0, idempotent: false }, logger);
    await producer.connect();
    const err = await rejection(producer.send(`no-such-topic-${unique}`, [{ key: 'k', value: Buffer.from('v') }]));
    expect(err.kind).toBe('other');
    await producer.disconnect();
  });

  describe('a broker that is gone or does not answer', () => {
    let silent: Server;
    const accepted: Socket[] = [];
    let silentBroker: string;
    let closedBroker: string;

    beforeAll(async () => {
      // Accepts connections and reads requests, answers none (a hung broker).
      silent = createServer((socket) => {
        accepted.push(socket);
        socket.resume();
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentBroker = `127.0.0.1:${(silent.address() as { port: number }).port}`;
      // A port with nothing listening (a broker that is gone).
      const gone = createServer();
      await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
      closedBroker = `127.0.0.1:${(gone.address() as { port: number }).port}`;
      await new Promise<void>((resolve) => gone.close(() => resolve()));
    });
    afterAll(async () => {
      for (const s of accepted) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('fails a send to a closed port at once, retriable', async () => {
      const producer = createKafkaProducer(kafkaConfig([closedBroker]), { retries: 0, idempotent: false }, logger);
      const began = Date.now();
      const err = await rejection(producer.send('t', [{ key: 'k', value: Buffer.from('v') }]));
      expect(err.kind).toBe('retriable');
      expect(err.message).toMatch(/ECONNREFUSED/);
      expect(Date.now() - began).toBeLessThan(5_000);
      await producer.disconnect();
    });

    it('fails a send to a broker that never answers once the request times out, retriable', async () => {
      const producer: KafkaProducer = createKafkaProducer(kafkaConfig([silentBroker]), { retries: 0, idempotent: false }, logger);
      const err = await rejection(producer.send('t', [{ key: 'k', value: Buffer.from('v') }]));
      expect(err.kind).toBe('retriable');
      expect(err.kafkaError).toBe('TIMEOUT');
      await producer.disconnect();
    }, 60_000);

    it('disconnect with a request in flight fails that request and returns', async () => {
      const producer = createKafkaProducer(kafkaConfig([silentBroker]), { retries: 0, idempotent: false }, logger);
      const before = accepted.length;
      const sending = rejection(producer.send('t', [{ key: 'k', value: Buffer.from('v') }]));
      await eventually(() => (accepted.length > before ? true : undefined), { timeoutMs: 5_000, intervalMs: 20, description: 'the producer connected' });
      const began = Date.now();
      await producer.disconnect();
      const err = await sending;
      expect(err.kind).not.toBe('records_refused');
      // Well before the 15 s request timeout: the close cut the request.
      expect(Date.now() - began).toBeLessThan(5_000);
    });
  });
});
