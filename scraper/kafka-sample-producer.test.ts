// The producer's buffer while Kafka does not answer: bounded (queued and in flight together), the
// oldest queued messages dropped first and counted in samples by reason, the request in flight
// never dropped (it may reach Kafka yet), a failed request sent again first, in order; records
// Kafka refuses split message by message, the refused one dropped and counted, the rest delivered.
import { describe, expect, it } from 'vitest';
import { KafkaProduceError, type KafkaProducer } from '../core/kafka-client.ts';
import { createLogger } from '../core/logger.ts';
import type { KafkaConfig } from '../core/kafka-config.ts';
import { KafkaSampleProducer } from './kafka-sample-producer.ts';
import { freeMessageBufferBytes, takeMessageBuffer } from './message-buffers.ts';
import { ScraperMetrics } from './scraper-metrics.ts';

interface Request {
  keys: string[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The Kafka client's producer, answering each send() when the test says so. */
function fakeKafka(): { kafka: KafkaProducer; requests: Request[]; delivered: string[] } {
  const requests: Request[] = [];
  const delivered: string[] = [];
  const kafka: KafkaProducer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: (_topic, records) =>
      new Promise<void>((resolve, reject) => {
        const keys = records.map((m) => m.key);
        requests.push({ keys, resolve: () => (delivered.push(...keys), resolve()), reject });
      }),
  };
  return { kafka, requests, delivered };
}

const tooLarge = (): KafkaProduceError => new KafkaProduceError('producing to Kafka failed: MESSAGE_TOO_LARGE', 'records_refused', 'MESSAGE_TOO_LARGE', undefined);

const config = { topic: 'samples' } as KafkaConfig;
const MESSAGE = 100;
const options = { lingerMs: 0, maxBufferedBytes: 5 * MESSAGE, maxBatchMessages: 2, maxBatchBytes: 10 * MESSAGE, maxMessageBytes: 1 << 20 };

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

async function gauge(metrics: ScraperMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return m.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((n, v) => n + v.value, 0);
}

describe('KafkaSampleProducer buffer', () => {
  it('stays within its bound, drops the oldest queued (not the request in flight), counts samples by reason, resends in order', async () => {
    const { kafka, requests, delivered } = fakeKafka();
    const metrics = new ScraperMetrics();
    const producer = new KafkaSampleProducer(kafka, config, options, createLogger('test', 'silent'), metrics);
    const send = (key: string): void => producer.send(key, Buffer.alloc(MESSAGE), { target: key, samples: 7 });

    send('m0');
    send('m1');
    await until(() => requests.length === 1);
    expect(requests[0]?.keys).toEqual(['m0', 'm1']);
    // m0, m1 in flight; m2..m4 queued: 5 messages, the bound.
    for (const k of ['m2', 'm3', 'm4']) send(k);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_buffered_bytes')).toBe(5 * MESSAGE);
    // Two more: the two oldest queued go (m2, m3), not m0/m1 in flight.
    send('m5');
    send('m6');
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_buffered_bytes')).toBe(5 * MESSAGE);
    expect(await gauge(metrics, 'ringwatch_scraper_samples_dropped_total', { reason: 'kafka_buffer_full' })).toBe(2 * 7);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_dropped_messages_total')).toBe(2);

    // The request fails: m0, m1 go back to the front, and are the next to be dropped.
    requests[0]?.reject(new Error('broker down'));
    await until(() => requests.length === 2);
    expect(requests[1]?.keys).toEqual(['m0', 'm1']);
    requests[1]?.resolve();
    await until(() => requests.length === 3);
    requests[2]?.resolve();
    await until(() => requests.length === 4);
    requests[3]?.resolve();
    await until(() => delivered.length === 5);
    expect(delivered).toEqual(['m0', 'm1', 'm4', 'm5', 'm6']);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_buffered_bytes')).toBe(0);
    expect(await gauge(metrics, 'ringwatch_scraper_samples_produced_total')).toBe(5 * 7);
  });

  it('counts what is still unsent at close as dropped (producer_closed)', async () => {
    const { kafka, requests } = fakeKafka();
    const metrics = new ScraperMetrics();
    const producer = new KafkaSampleProducer(kafka, config, options, createLogger('test', 'silent'), metrics);
    producer.send('a', Buffer.alloc(MESSAGE), { target: 'a', samples: 3 });
    producer.send('b', Buffer.alloc(MESSAGE), { target: 'b', samples: 3 });
    producer.send('c', Buffer.alloc(MESSAGE), { target: 'c', samples: 3 });
    await until(() => requests.length === 1);
    const closed = producer.close(Date.now() + 50);
    requests[0]?.reject(new Error('broker down'));
    // Every later attempt fails too.
    const failing = setInterval(() => {
      for (const r of requests.splice(0)) r.reject(new Error('broker down'));
    }, 5);
    await closed;
    clearInterval(failing);
    expect(await gauge(metrics, 'ringwatch_scraper_samples_dropped_total', { reason: 'producer_closed' })).toBe(3 * 3);
  });

  it('splits a refused batch message by message, drops (and counts) only the refused one, keeps the order', async () => {
    const { kafka, requests, delivered } = fakeKafka();
    const metrics = new ScraperMetrics();
    const producer = new KafkaSampleProducer(kafka, config, { ...options, maxBatchMessages: 3 }, createLogger('test', 'silent'), metrics);
    for (const k of ['a', 'big', 'c']) producer.send(k, Buffer.alloc(MESSAGE), { target: k, samples: 5 });
    await until(() => requests.length === 1);
    expect(requests[0]?.keys).toEqual(['a', 'big', 'c']);
    requests[0]?.reject(tooLarge());
    // One at a time until one passes (a); then batches again, so big and c are refused together,
    // then big alone (dropped), then c.
    await until(() => requests.length === 2);
    expect(requests[1]?.keys).toEqual(['a']);
    requests[1]?.resolve();
    await until(() => requests.length === 3);
    expect(requests[2]?.keys).toEqual(['big', 'c']);
    requests[2]?.reject(tooLarge());
    await until(() => requests.length === 4);
    expect(requests[3]?.keys).toEqual(['big']);
    requests[3]?.reject(tooLarge());
    await until(() => requests.length === 5);
    expect(requests[4]?.keys).toEqual(['c']);
    requests[4]?.resolve();
    await until(() => delivered.length === 2);
    expect(delivered).toEqual(['a', 'c']);
    expect(await gauge(metrics, 'ringwatch_scraper_samples_dropped_total', { reason: 'kafka_refused' })).toBe(5);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_dropped_messages_total')).toBe(1);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_produce_errors_total')).toBe(3);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_buffered_bytes')).toBe(0);
    await producer.close();
  });

  it('retries a retriable or unclassified failure in order, never dropping it as refused', async () => {
    const { kafka, requests, delivered } = fakeKafka();
    const metrics = new ScraperMetrics();
    const producer = new KafkaSampleProducer(kafka, config, options, createLogger('test', 'silent'), metrics);
    producer.send('x', Buffer.alloc(MESSAGE), { target: 'x', samples: 1 });
    await until(() => requests.length === 1);
    requests[0]?.reject(new KafkaProduceError('producing to Kafka failed: Connection closed', 'retriable', 'NETWORK', undefined));
    await until(() => requests.length === 2);
    requests[1]?.reject(new KafkaProduceError('producing to Kafka failed: Unknown topic samples.', 'other', 'USER', undefined));
    await until(() => requests.length === 3);
    expect(requests[2]?.keys).toEqual(['x']);
    requests[2]?.resolve();
    await until(() => delivered.length === 1);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_produce_errors_total')).toBe(2);
    expect(await gauge(metrics, 'ringwatch_scraper_kafka_dropped_messages_total')).toBe(0);
    await producer.close();
  });

  it('gives a value back for reuse only once Kafka acknowledged it, not while it is in flight or queued for a retry', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new KafkaSampleProducer(kafka, config, options, createLogger('test', 'silent'), new ScraperMetrics());
    const value = takeMessageBuffer(MESSAGE);
    producer.send('m0', value, { target: 'm0', samples: 1 });
    await until(() => requests.length === 1);
    expect(takeMessageBuffer(MESSAGE).buffer).not.toBe(value.buffer); // in flight: not reused
    requests[0]?.reject(new KafkaProduceError('producing to Kafka failed: NETWORK', 'retriable', 'NETWORK', undefined));
    await until(() => requests.length === 2);
    expect(takeMessageBuffer(MESSAGE).buffer).not.toBe(value.buffer); // sent again: still not reused
    const free = freeMessageBufferBytes();
    requests[1]?.resolve();
    await until(() => freeMessageBufferBytes() > free);
    expect(takeMessageBuffer(MESSAGE).buffer).toBe(value.buffer); // acknowledged: reused
    await producer.close();
  });
});
