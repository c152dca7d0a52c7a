// The storage-writer between real Kafka and a real Prometheus: nothing lost while the store is
// down or the writer crashes, a rejected batch does not block its partition, and replicas share
// and hand over partitions.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { startPrometheus } from '../../deploy/local/services/prometheus.ts';
import { join } from 'node:path';
import { ProtoWriter } from '../../protocol/proto-writer.ts';
import { appendTimeSeries, decodeWriteRequest, encodeLabelSet } from '../../protocol/remote-write-codec.ts';
import { snappyDecompress } from '../../protocol/snappy.ts';
import { compressSampleMessage } from '../../protocol/sample-message.ts';
import { eventually } from '../harness/eventually.ts';
import { remoteServiceControl } from '../harness/infrastructure-control.ts';
import { scrapeNodeMetrics, sumOf } from '../harness/node-metrics.ts';
import { rawSamples } from '../harness/prometheus-api.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';

describe('storage-writer on real Kafka and Prometheus', () => {
  const infra = inject('infra');
  const prometheus = remoteServiceControl(infra.controlUrl, 'prometheus');
  let demo: DemoTarget;
  let demoAddress: string;
  let nodes: TestNodes;

  beforeAll(async () => {
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: 9 });
    demoAddress = new URL(demo.url).host;
  });
  afterAll(async () => {
    await demo?.close();
  });
  afterEach(async () => {
    await prometheus.start();
    await nodes?.stopAll();
  });

  const writerConfig = (extraQueue: Record<string, unknown> = {}) => ({
    remote_write: [
      {
        name: 'prometheus',
        url: infra.remoteWriteUrl,
        queue_config: { batch_send_deadline: '200ms', min_backoff: '50ms', max_backoff: '1s', ...extraQueue },
      },
    ],
  });

  async function startScraper(job: string, target: number): Promise<RingwatchNode> {
    return nodes.scraper(`scraper-${job}`, {
      global: { scrape_interval: '1s', scrape_timeout: '900ms' },
      scrape_configs: [{ job_name: job, metrics_path: `/targets/${target}/metrics`, static_configs: [{ targets: [demoAddress] }] }],
    });
  }

  /** Every value the target served (up to the last one stored) is in Prometheus, in order, none missing. */
  async function expectEveryServedValueStored(job: string, target: number, atLeast: number, storeUrl: string = infra.prometheusUrl): Promise<number[]> {
    const stored = await eventually(
      async () => {
        const r = await rawSamples(storeUrl, `demo_scrapes_served_total{job="${job}"}`, '15m');
        const values = r[0]?.samples.map((s) => s.value) ?? [];
        return values.length >= atLeast ? values : undefined;
      },
      { timeoutMs: 60_000, description: `${atLeast} stored values of ${job}` },
    );
    const served = demo.served(target).map((s) => s.value);
    expect(stored).toEqual(served.slice(0, stored.length));
    return stored;
  }

  it('keeps every value while Prometheus is down for 30 s, with the partition paused and memory bounded', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-outage');
    const job = `outage-${nodes.topic}`;
    const writer = await nodes.storageWriter('writer', writerConfig({ max_samples_per_send: 200, max_buffered_samples_per_partition: 400 }));
    await startScraper(job, 0);
    await expectEveryServedValueStored(job, 0, 3);

    await prometheus.stop();
    const downFrom = Date.now();
    let maxBuffered = 0;
    let maxRss = 0;
    let paused = 0;
    await eventually(
      async () => {
        const m = await scrapeNodeMetrics(writer.url);
        maxBuffered = Math.max(maxBuffered, sumOf(m, 'ringwatch_writer_buffered_samples'));
        maxRss = Math.max(maxRss, sumOf(m, 'process_resident_memory_bytes'));
        paused = Math.max(paused, sumOf(m, 'ringwatch_writer_partitions_paused'));
        return Date.now() - downFrom >= 30_000 ? true : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 1000, description: '30 s of store outage' },
    );
    const servedDuringOutage = demo.served(0).filter((s) => s.at >= downFrom).length;
    expect(servedDuringOutage).toBeGreaterThanOrEqual(25);
    // Backpressure: the partition was paused and the queue stayed near its bound
    // (the bound plus at most one fetch), instead of growing with the outage.
    expect(paused).toBeGreaterThanOrEqual(1);
    expect(maxBuffered).toBeLessThanOrEqual(400 + 200);
    expect(maxRss).toBeLessThan(400 * 1024 * 1024);

    await prometheus.start();
    const stored = await expectEveryServedValueStored(job, 0, demo.served(0).filter((s) => s.at < Date.now()).length - 2);
    expect(stored.length).toBeGreaterThan(servedDuringOutage);
    const m = await scrapeNodeMetrics(writer.url);
    expect(sumOf(m, 'ringwatch_writer_retries_total')).toBeGreaterThan(0);
    expect(sumOf(m, 'ringwatch_writer_samples_dropped_total')).toBe(0);
  });

  it('loses nothing when the writer is killed with SIGKILL mid-stream and restarted', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-kill');
    const job = `kill-${nodes.topic}`;
    const writer = await nodes.storageWriter('writer', writerConfig());
    await startScraper(job, 1);
    await expectEveryServedValueStored(job, 1, 3);
    await writer.kill();
    const killedAt = Date.now();
    await eventually(() => (demo.served(1).filter((s) => s.at > killedAt).length >= 3 ? true : undefined), {
      timeoutMs: 10_000,
      description: 'three scrapes while the writer is dead',
    });
    await writer.start();
    await expectEveryServedValueStored(job, 1, demo.served(1).length - 1);
  });

  it('drops a batch the store rejects with 400, counts the reason, and keeps the partition moving', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-reject');
    const job = `reject-${nodes.topic}`;
    const writer = await nodes.storageWriter('writer', writerConfig());
    const kafka = new Kafka({ clientId: 'test', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const message = (value: number, timestampMs: number): Buffer => {
      const w = new ProtoWriter();
      appendTimeSeries(w, encodeLabelSet(['__name__', 'job'], ['reject_test_value', job]), value, timestampMs);
      return compressSampleMessage(1, 1, w.bytes());
    };
    try {
      // A sample far older than anything Prometheus' head accepts: 400 "out of bounds".
      await producer.send({ topic: nodes.topic, messages: [{ key: 'k', value: message(1, Date.now() - 30 * 24 * 3600_000) }] });
      await eventually(async () => (sumOf(await scrapeNodeMetrics(writer.url), 'ringwatch_writer_samples_dropped_total', { reason: 'too_old' }) === 1 ? true : undefined), {
        timeoutMs: 30_000,
        description: 'the rejected batch counted as dropped (too_old)',
      });
      // The same partition (same key) moves on: later samples are stored.
      const now = Date.now();
      await producer.send({ topic: nodes.topic, messages: [1, 2, 3].map((i) => ({ key: 'k', value: message(100 + i, now + i) })) });
      const stored = await eventually(
        async () => {
          const r = await rawSamples(infra.prometheusUrl, `reject_test_value{job="${job}"}`, '10m');
          return r[0]?.samples.length === 3 ? r[0].samples.map((s) => s.value) : undefined;
        },
        { timeoutMs: 30_000, description: 'the later samples stored' },
      );
      expect(stored).toEqual([101, 102, 103]);
    } finally {
      await producer.disconnect();
    }
  });

  it('two writer replicas split the partitions; when one stops the other takes them over, nothing missing', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-replicas');
    const w1 = await nodes.storageWriter('writer-1', writerConfig());
    const w2 = await nodes.storageWriter('writer-2', writerConfig());
    const jobs = [4, 5, 6, 7].map((t) => ({ job: `replicas-${t}-${nodes.topic}`, target: t }));
    for (const { job, target } of jobs) await startScraper(job, target);
    for (const { job, target } of jobs) await expectEveryServedValueStored(job, target, 3);
    const assigned = async (w: RingwatchNode): Promise<number> =>
      // Assigned partitions, whether or not messages arrived on them yet (lag is only known then).
      sumOf(await scrapeNodeMetrics(w.url), 'ringwatch_writer_partitions_assigned');
    await eventually(async () => ((await assigned(w1)) > 0 && (await assigned(w2)) > 0 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'both replicas writing some partitions',
    });
    await w1.stop();
    const stoppedAt = Date.now();
    await eventually(() => (jobs.every(({ target }) => demo.served(target).filter((s) => s.at > stoppedAt).length >= 3) ? true : undefined), {
      timeoutMs: 20_000,
      description: 'three more scrapes of every target',
    });
    for (const { job, target } of jobs) await expectEveryServedValueStored(job, target, demo.served(target).length - 1);
  });

  it('a writer stopped gracefully mid-stream commits what the store acked before it leaves: the other replica re-sends none of it', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-graceful');
    // A counting store: every (series, timestamp) it was sent, and how often.
    const seen = new Map<string, number>();
    const sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const wr = decodeWriteRequest(snappyDecompress(Buffer.concat(chunks)));
        for (const ts of wr.timeseries) {
          const id = ts.labels.find((l) => l.name === 'msg')?.value ?? '';
          for (const smp of ts.samples) seen.set(`${id}@${smp.timestampMs}`, (seen.get(`${id}@${smp.timestampMs}`) ?? 0) + 1);
        }
        // A slow store: at the stop, requests are in flight and acked batches are not committed yet.
        setTimeout(() => res.writeHead(204).end(), 300);
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/api/v1/write`;
    const config = { remote_write: [{ name: 'sink', url: sinkUrl, queue_config: { batch_send_deadline: '50ms', max_samples_per_send: 20 } }] };
    const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const w1 = await nodes.storageWriter('writer-1', config);
      const w2 = await nodes.storageWriter('writer-2', config);
      const assigned = async (w: RingwatchNode): Promise<number> =>
        sumOf(await scrapeNodeMetrics(w.url), 'ringwatch_writer_partitions_assigned');
      let sent = 0;
      const now = Date.now();
      const produce = async (n: number): Promise<void> => {
        const messages = [];
        for (let i = 0; i < n; i++, sent++) {
          const w = new ProtoWriter(256);
          appendTimeSeries(w, encodeLabelSet(['__name__', 'msg'], ['graceful_test', String(sent)]), sent, now + sent);
          messages.push({ key: `k${sent % 16}`, value: compressSampleMessage(1, 1, w.bytes()) });
        }
        await producer.send({ topic: nodes.topic, messages });
      };
      await produce(200);
      await eventually(async () => ((await assigned(w1)) > 0 && (await assigned(w2)) > 0 ? true : undefined), { timeoutMs: 30_000, description: 'both replicas writing some partitions' });
      // Keep messages flowing while writer-1 stops (SIGTERM).
      const stopping = w1.stop();
      for (let round = 0; round < 20; round++) await produce(50);
      await stopping;
      for (let round = 0; round < 10; round++) await produce(50);
      await eventually(() => (seen.size === sent ? true : undefined), { timeoutMs: 60_000, description: `all ${sent} samples at the sink` });
      const doubled = [...seen.values()].filter((n) => n > 1).length;
      expect(doubled, `samples the store received twice (of ${sent})`).toBe(0);
    } finally {
      await producer.disconnect();
      sink.closeAllConnections();
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    }
  });

  it('writes to two stores with separate progress: one store down does not hold back the other', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-two-stores');
    const job = `two-stores-${nodes.topic}`;
    const second = await startPrometheus({ dataDir: join(nodes.dir, 'second-store'), logDir: join(nodes.dir, 'logs') });
    try {
      const writer = await nodes.storageWriter('writer', {
        remote_write: [
          { name: 'first', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms', max_backoff: '1s' } },
          { name: 'second', url: second.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms', max_backoff: '1s' } },
        ],
      });
      await startScraper(job, 8);
      await expectEveryServedValueStored(job, 8, 3, second.url);
      await second.stop();
      const stoppedAt = Date.now();
      // While the second store is down, the first keeps up with the target.
      await eventually(
        async () => {
          const fresh = demo.served(8).filter((s) => s.at > stoppedAt + 3000);
          if (fresh.length === 0) return undefined;
          const r = await rawSamples(infra.prometheusUrl, `demo_scrapes_served_total{job="${job}"}`, '15m');
          const values = r[0]?.samples.map((x) => x.value) ?? [];
          return values.includes(fresh[0]?.value as number) ? true : undefined;
        },
        { timeoutMs: 30_000, description: 'the first store receiving samples scraped while the second is down' },
      );
      const m = await scrapeNodeMetrics(writer.url);
      expect(sumOf(m, 'ringwatch_writer_retries_total', { store: 'second' })).toBeGreaterThan(0);
      expect(sumOf(m, 'ringwatch_writer_retries_total', { store: 'first' })).toBe(0);
      await second.start();
      // The second store catches up on everything, from its own committed offsets.
      await expectEveryServedValueStored(job, 8, demo.served(8).length - 2, second.url);
      await expectEveryServedValueStored(job, 8, demo.served(8).length - 2);
    } finally {
      await second.stop();
    }
  });
});
