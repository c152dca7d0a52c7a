// The storage-writer under faults, against real Kafka and Prometheus 2.42: one bad sample costs
// only itself, a broker outage loses nothing and its replays count as duplicates (not drops), and
// a crashed consumer makes the writer unready and is restarted.
import { AssignerProtocol, Kafka, logLevel, Partitioners, type PartitionAssigner, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ProtoWriter } from '../../protocol/proto-writer.ts';
import { appendTimeSeries, encodeLabelSet } from '../../protocol/remote-write-codec.ts';
import { compressSampleMessage } from '../../protocol/sample-message.ts';
import { eventually } from '../harness/eventually.ts';
import { remoteServiceControl } from '../harness/infrastructure-control.ts';
import { scrapeNodeMetrics, sumOf } from '../harness/node-metrics.ts';
import { rawSamples } from '../harness/prometheus-api.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';

interface Series {
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** One sample message (one scrape): a WriteRequest of these series, one sample each. */
function scrapeMessage(series: readonly Series[]): Buffer {
  const w = new ProtoWriter();
  for (const s of series) appendTimeSeries(w, encodeLabelSet(Object.keys(s.labels), Object.values(s.labels)), s.value, s.timestampMs);
  return compressSampleMessage(series.length, series.length, w.bytes());
}

describe('storage-writer under faults', () => {
  const infra = inject('infra');
  const kafkaService = remoteServiceControl(infra.controlUrl, 'kafka');
  let nodes: TestNodes | undefined;
  let producer: Producer;

  beforeAll(async () => {
    const kafka = new Kafka({ clientId: 'faults-test', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 3, maxRetryTime: 1000 } });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
  });
  afterEach(async () => {
    await kafkaService.start();
    await nodes?.stopAll();
    nodes = undefined;
  });

  const writerConfig = (extraQueue: Record<string, unknown> = {}) => ({
    remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '100ms', min_backoff: '50ms', max_backoff: '1s', ...extraQueue } }],
  });


  async function stored(selector: string): Promise<{ metric: Record<string, string>; samples: { value: number; timestampMs: number }[] }[]> {
    const r = await rawSamples(infra.prometheusUrl, selector, '1h');
    return r.map((s) => ({ metric: s.metric, samples: s.samples.map((x) => ({ value: x.value, timestampMs: x.timestampMs })) }));
  }

  it('one bad sample costs only itself: Prometheus 2.42 rejects the scrape, the writer stores every other series', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-bad-sample');
    const job = `bad-sample-${nodes.topic}`;
    const writer = await nodes.storageWriter('writer', writerConfig());
    const now = Date.now();
    const series = (n: number, t: number, value: number): Series => ({ labels: { __name__: 'bad_sample_test', job, n: String(n) }, value, timestampMs: t });
    // Series 0 first gets a sample at `now`, so that the scrape below carries an older one (out of order).
    await producer.send({ topic: nodes.topic, messages: [{ key: 'target', value: scrapeMessage([series(0, now, 1)]) }] });
    await eventually(async () => ((await stored(`bad_sample_test{job="${job}"}`)).length === 1 ? true : undefined), { timeoutMs: 30_000, description: 'series 0 stored' });
    // One scrape of 20 series: series 0 out of order, series 13 30 days old (out of bounds).
    const scrape = Array.from({ length: 20 }, (_, n) => series(n, n === 0 ? now - 1000 : n === 13 ? now - 30 * 86_400_000 : now + 1, 10 + n));
    await producer.send({ topic: nodes.topic, messages: [{ key: 'target', value: scrapeMessage(scrape) }] });
    const m = await eventually(
      async () => {
        const mm = await scrapeNodeMetrics(writer.url);
        return sumOf(mm, 'ringwatch_writer_samples_dropped_total') >= 2 ? mm : undefined;
      },
      { timeoutMs: 30_000, description: 'the two bad samples counted as dropped' },
    );
    expect(sumOf(m, 'ringwatch_writer_samples_dropped_total', { reason: 'out_of_order' })).toBe(1);
    expect(sumOf(m, 'ringwatch_writer_samples_dropped_total', { reason: 'too_old' })).toBe(1);
    expect(sumOf(m, 'ringwatch_writer_samples_dropped_total')).toBe(2);
    // Bounded cost: bisection over 20 series with 2 bad ones, at most 2·2·ceil(log2 20) requests.
    const repairRequests = sumOf(m, 'ringwatch_writer_repair_requests_total');
    console.log(`[bad sample] repair requests for 2 bad series among 20: ${repairRequests}`);
    expect(repairRequests).toBeLessThanOrEqual(20);
    const got = await eventually(
      async () => {
        const r = await stored(`bad_sample_test{job="${job}"}`);
        return r.length === 19 ? r : undefined;
      },
      { timeoutMs: 30_000, description: 'the 18 good series of the scrape stored (19 series in all)' },
    );
    const byN = new Map(got.map((r) => [Number(r.metric.n), r.samples]));
    expect(byN.get(0)).toEqual([{ value: 1, timestampMs: now }]);
    expect(byN.has(13)).toBe(false);
    for (let n = 1; n < 20; n++) if (n !== 13) expect(byN.get(n)).toEqual([{ value: 10 + n, timestampMs: now + 1 }]);
  });

  it('sample_age_limit: samples older than the limit are dropped as too_old, not sent; fresh ones are', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-age-limit');
    const job = `age-limit-${nodes.topic}`;
    const writer = await nodes.storageWriter('writer', writerConfig({ sample_age_limit: '30s' }));
    const now = Date.now();
    // A scrape produced a minute ago (a backlog after an outage, say), then a fresh one. Prometheus
    // would accept both: the old one is dropped by the writer's limit alone.
    await producer.send({
      topic: nodes.topic,
      messages: [
        { key: 'target', timestamp: String(now - 60_000), value: scrapeMessage([{ labels: { __name__: 'age_limit_test', job, age: 'old' }, value: 1, timestampMs: now - 60_000 }]) },
        { key: 'target', timestamp: String(now), value: scrapeMessage([{ labels: { __name__: 'age_limit_test', job, age: 'fresh' }, value: 2, timestampMs: now }]) },
      ],
    });
    await eventually(async () => ((await stored(`age_limit_test{job="${job}",age="fresh"}`)).length === 1 ? true : undefined), { timeoutMs: 30_000, description: 'the fresh scrape stored' });
    const m = await scrapeNodeMetrics(writer.url);
    expect(sumOf(m, 'ringwatch_writer_samples_dropped_total', { reason: 'too_old' })).toBe(1);
    expect(sumOf(m, 'ringwatch_writer_samples_sent_total')).toBe(1);
    expect(await stored(`age_limit_test{job="${job}",age="old"}`)).toEqual([]);
  });

  it('broker outage: every value stored, nothing counted as dropped, replays counted as duplicates, commits true', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-broker-outage');
    const job = `broker-outage-${nodes.topic}`;
    const groupId = `writer-${nodes.topic.slice('samples-'.length)}.prometheus`;
    // A long send deadline: at any moment each queue holds up to 2 s of consumed, unsent messages,
    // which the writer sends (and tries to commit) while the broker is down.
    const writer = await nodes.storageWriter('writer', writerConfig({ batch_send_deadline: '2s', max_samples_per_send: 1000 }));
    const produced = new Map<string, number[]>(); // key -> values acked by Kafka
    const keys = Array.from({ length: 8 }, (_, i) => `target-${i}`);
    let seq = 0;
    const produceFor = async (ms: number): Promise<void> => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const now = Date.now();
        seq++;
        const messages = keys.map((key) => ({ key, value: scrapeMessage([{ labels: { __name__: 'outage_test', job, key }, value: seq, timestampMs: now }]) }));
        await producer.send({ topic: nodes!.topic, messages, acks: -1 });
        for (const k of keys) produced.set(k, [...(produced.get(k) ?? []), seq]);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await produceFor(5000);
    // The broker dies mid-stream, with consumed messages not yet sent.
    await kafkaService.kill();
    const downAt = Date.now();
    await eventually(() => (Date.now() - downAt >= 20_000 ? true : undefined), { timeoutMs: 30_000, intervalMs: 500, description: '20 s of broker outage' });
    await kafkaService.start();
    const admin = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      // Commit outcomes are true: what the store acked during the outage ends up committed, and the
      // lag the writer shows is what Kafka says (no new messages needed to get there).
      const settled = async (): Promise<true | undefined> => {
        const ends = await admin.fetchTopicOffsets(nodes!.topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [nodes!.topic] });
        const m = await scrapeNodeMetrics(writer.url);
        for (const e of ends) {
          const c = committed?.partitions.find((p) => p.partition === e.partition);
          if (c === undefined || c.offset !== e.high) return undefined;
          if (sumOf(m, 'ringwatch_writer_consumer_lag', { partition: String(e.partition) }) !== 0) return undefined;
        }
        return true;
      };
      await eventually(settled, { timeoutMs: 60_000, description: 'committed offsets at the partition ends after the outage, lag 0' });
      await producer.connect();
      await produceFor(3000);
      for (const key of keys) {
        const want = produced.get(key) ?? [];
        const got = await eventually(
          async () => {
            const values = (await stored(`outage_test{job="${job}",key="${key}"}`))[0]?.samples.map((s) => s.value) ?? [];
            return values.length >= want.length ? values : undefined;
          },
          { timeoutMs: 60_000, description: `${want.length} values of ${key} stored` },
        );
        expect(got).toEqual(want);
      }
      await eventually(settled, { timeoutMs: 60_000, description: 'committed offsets at the partition ends, lag 0' });
    } finally {
      await admin.disconnect();
    }
    const m = await scrapeNodeMetrics(writer.url);
    console.log('[broker outage]', JSON.stringify(m.filter((s) => /duplicate|dropped|commits/.test(s.name))));
    expect(sumOf(m, 'ringwatch_writer_samples_dropped_total')).toBe(0);
    // The messages re-delivered after the rejoin are what the store already holds: duplicates.
    expect(sumOf(m, 'ringwatch_writer_samples_duplicate_total')).toBeGreaterThan(0);
  });

  it('a consumer that crashes for good makes the writer unready, and is restarted: consumption resumes', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-crash');
    const job = `crash-${nodes.topic}`;
    const groupId = `writer-${nodes.topic.slice('samples-'.length)}.prometheus`;
    const writer = await nodes.storageWriter('writer', writerConfig());
    const ready = async (path: string): Promise<number> => (await fetch(`${writer.url}${path}`)).status;
    const send = async (value: number): Promise<void> => {
      await producer.send({ topic: nodes!.topic, messages: [{ key: 'target', value: scrapeMessage([{ labels: { __name__: 'crash_test', job }, value, timestampMs: Date.now() }]) }] });
    };
    const storedValues = async (): Promise<number[]> => (await stored(`crash_test{job="${job}"}`))[0]?.samples.map((x) => x.value) ?? [];
    await send(1);
    await eventually(async () => ((await storedValues()).includes(1) ? true : undefined), { timeoutMs: 30_000, description: 'value 1 stored' });
    expect(await ready('/readyz')).toBe(200);
    expect(await ready('/-/ready')).toBe(200);

    // A real non-retriable crash: while the writer is frozen (SIGSTOP) past its session timeout, the
    // group empties and another client joins it with a partition assignor the writer does not know.
    // Back, the writer must rejoin, and Kafka answers INCONSISTENT_GROUP_PROTOCOL, which kafkajs
    // does not retry: its consumer crashes with restart false.
    const foreignAssigner: PartitionAssigner = () => ({
      name: 'foreign',
      version: 1,
      protocol: ({ topics }) => ({ name: 'foreign', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) }),
      assign: async ({ members }) =>
        members.map((m) => ({ memberId: m.memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: {}, userData: Buffer.alloc(0) }) })),
    });
    const foreign = new Kafka({ clientId: 'foreign', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING }).consumer({ groupId, partitionAssigners: [foreignAssigner], sessionTimeout: 10_000, heartbeatInterval: 1000 });
    const pid = writer.process?.pid as number;
    process.kill(pid, 'SIGSTOP');
    let continued = false;
    try {
      const admin = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await eventually(
          async () => {
            const d = await admin.describeGroups([groupId]);
            return d.groups[0]?.members.length === 0 ? true : undefined;
          },
          { timeoutMs: 40_000, intervalMs: 500, description: 'the frozen writer expelled from its group' },
        );
      } finally {
        await admin.disconnect();
      }
      await foreign.connect();
      await foreign.subscribe({ topic: nodes.topic });
      await foreign.run({ autoCommit: false, eachMessage: async () => {} });
      process.kill(pid, 'SIGCONT');
      continued = true;
      await eventually(async () => ((await ready('/readyz')) === 503 ? true : undefined), { timeoutMs: 40_000, intervalMs: 200, description: 'the writer unready after its consumer crashed' });
      expect(await ready('/-/ready')).toBe(503);
      const m = await scrapeNodeMetrics(writer.url);
      expect(sumOf(m, 'ringwatch_writer_consumer_crashes_total', { restart: 'false' })).toBeGreaterThan(0);
      expect(sumOf(m, 'ringwatch_writer_consumer_up')).toBe(0);
    } finally {
      if (!continued) process.kill(pid, 'SIGCONT');
      await foreign.disconnect();
    }
    // The foreign member gone, the writer's restarts succeed: ready again, and consuming.
    await eventually(async () => ((await ready('/readyz')) === 200 ? true : undefined), { timeoutMs: 60_000, intervalMs: 200, description: 'the writer ready again' });
    await send(2);
    await eventually(async () => ((await storedValues()).includes(2) ? true : undefined), { timeoutMs: 30_000, description: 'value 2 stored after the restart' });
    expect(sumOf(await scrapeNodeMetrics(writer.url), 'ringwatch_writer_consumer_restarts_total')).toBeGreaterThan(0);
  });
});
