// Smoke test of the harness: every service globalSetup started answers as the pipeline needs it.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { createKafkaTopic } from '../../deploy/local/services/kafka.ts';
import { queryPrometheus } from '../../deploy/local/services/prometheus.ts';
import { remoteServiceControl } from '../harness/infrastructure-control.ts';
import { pushRemoteWrite } from '../harness/remote-write-fixture.ts';

const infra = inject('infra');
const unique = randomBytes(4).toString('hex');

describe('integration infrastructure', () => {
  it('provides every address', () => {
    expect(infra.etcdEndpoints.length).toBeGreaterThan(0);
    expect(infra.kafkaBrokers.length).toBeGreaterThan(0);
    expect(infra.remoteWriteUrl).toBe(`${infra.prometheusUrl}/api/v1/write`);
    expect(infra.alertmanagerUrl).toBeDefined();
    expect(Object.keys(infra.startupMs).sort()).toEqual(['alertmanager', 'etcd', 'kafka', 'prometheus']);
  });

  it('etcd: put then get', async () => {
    const client = new Etcd3({ hosts: infra.etcdEndpoints });
    try {
      const key = `/ringwatch-smoke/${unique}`;
      await client.put(key).value('hello');
      expect(await client.get(key).string()).toBe('hello');
      await client.delete().key(key);
      expect(await client.get(key).string()).toBeNull();
    } finally {
      client.close();
    }
  });

  it('kafka: create a topic, produce and consume one message', async () => {
    const topic = `ringwatch-smoke-${unique}`;
    expect(await createKafkaTopic(infra.kafkaBrokers, topic, 2)).toBe(true);
    expect(await createKafkaTopic(infra.kafkaBrokers, topic, 2)).toBe(false); // idempotent

    const kafka = new Kafka({ clientId: 'ringwatch-smoke', brokers: infra.kafkaBrokers, logLevel: logLevel.WARN });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: `ringwatch-smoke-${unique}` });
    try {
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: `payload-${unique}` }] });

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => resolve({ key: String(message.key), value: String(message.value) }),
        });
      });
      expect(await received).toEqual({ key: 'k', value: `payload-${unique}` });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('prometheus: accepts a remote write and answers a query for it', async () => {
    const name = `ringwatch_smoke_${unique}`;
    await pushRemoteWrite(infra.remoteWriteUrl, [
      { labels: { __name__: name, job: 'smoke' }, samples: [{ value: 42.5, timestampMs: Date.now() }] },
    ]);
    const result = await queryPrometheus(infra.prometheusUrl, name);
    expect(result).toHaveLength(1);
    expect(result[0]?.metric).toEqual({ __name__: name, job: 'smoke' });
    expect(result[0]?.value).toBe(42.5);
  });

  it('prometheus: comes back on the same address with its data after a stop', async () => {
    const name = `ringwatch_restart_${unique}`;
    await pushRemoteWrite(infra.remoteWriteUrl, [{ labels: { __name__: name }, samples: [{ value: 7, timestampMs: Date.now() }] }]);
    const prometheus = remoteServiceControl(infra.controlUrl, 'prometheus');
    await prometheus.stop();
    await expect(fetch(`${infra.prometheusUrl}/-/ready`)).rejects.toThrow();
    await expect(
      pushRemoteWrite(infra.remoteWriteUrl, [{ labels: { __name__: name }, samples: [{ value: 8, timestampMs: Date.now() }] }]),
    ).rejects.toThrow();
    await prometheus.start();
    expect((await fetch(`${infra.prometheusUrl}/-/ready`)).status).toBe(200);
    // The sample written before the stop survived (WAL replay on the same data directory).
    expect((await queryPrometheus(infra.prometheusUrl, name)).map((s) => s.value)).toEqual([7]);
  });

  it('alertmanager: ready and accepts an alert', async () => {
    const url = infra.alertmanagerUrl;
    if (url === undefined) throw new Error('no alertmanager');
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    const alertname = `RingwatchSmoke_${unique}`;
    const posted = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname, severity: 'none' }, annotations: { summary: 'harness smoke test' } }]),
    });
    expect(posted.status).toBe(200);
    const listed = (await (await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`)).json()) as {
      labels: Record<string, string>;
    }[];
    expect(listed.map((a) => a.labels['alertname'])).toEqual([alertname]);
  });
});
