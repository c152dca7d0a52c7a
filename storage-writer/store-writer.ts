// Everything between Kafka and one store (Prometheus' queue manager, sharded by partition): a
// consumer group of its own, so each store keeps its own progress and a slow store never stalls
// another; one PartitionQueue per assigned partition; paused partitions while a queue is full.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../core/kafka-config.ts';
import type { Logger } from '../core/logger.ts';
import { PartitionQueue } from './partition-queue.ts';
import { RemoteWriteClient } from './remote-write-client.ts';
import type { StoreConfig } from './writer-config.ts';
import type { WriterMetrics } from './writer-metrics.ts';

export class StoreWriter {
  readonly store: StoreConfig;
  private readonly kafkaConfig: KafkaConfig;
  private readonly consumer: Consumer;
  private readonly client: RemoteWriteClient;
  private readonly logger: Logger;
  private readonly metrics: WriterMetrics;
  private readonly queues = new Map<number, PartitionQueue>();
  private readonly paused = new Set<number>();
  private stopping = false;
  private readonly committed = new Map<number, bigint>();
  private readonly highWatermarks = new Map<number, bigint>();
  private joined = false;

  constructor(kafka: Kafka, kafkaConfig: KafkaConfig, groupId: string, store: StoreConfig, logger: Logger, metrics: WriterMetrics) {
    this.store = store;
    this.kafkaConfig = kafkaConfig;
    this.logger = logger.child({ store: store.name });
    this.metrics = metrics;
    this.client = new RemoteWriteClient(store);
    // One group per store: independent progress. The first store keeps the plain group id.
    this.consumer = kafka.consumer({
      groupId: `${groupId}.${store.name}`,
      // A crashed replica's partitions wait this long before another takes them.
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 250,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  }

  get ready(): boolean {
    return this.joined;
  }

  async start(): Promise<void> {
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      const assigned = (e.payload.memberAssignment[this.kafkaConfig.topic] ?? []).slice().sort((a, b) => a - b);
      // Queues of partitions that stay here are kept: kafkajs fetches again from the committed
      // offsets after a join, and each queue skips the offsets it already holds, so a rebalance
      // caused by another replica joining or leaving re-sends nothing of ours.
      this.resetQueues(new Set(assigned));
      this.metrics.partitionsAssigned.set({ store: this.store.name }, assigned.length);
      this.joined = true;
      this.logger.info({ partitions: assigned, generation: e.payload.groupId }, 'partitions assigned');
    });
    this.consumer.on(CRASH, (e) => {
      this.logger.error({ err: e.payload.error.message, restart: e.payload.restart }, 'consumer crashed');
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.kafkaConfig.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 64,
      eachBatch: async (payload) => this.onBatch(payload),
    });
  }

  private onBatch({ batch }: EachBatchPayload): void {
    const partition = batch.partition;
    this.highWatermarks.set(partition, BigInt(batch.highWatermark));
    if (batch.messages.length === 0) return;
    let queue = this.queues.get(partition);
    if (queue === undefined) {
      queue = this.createQueue(partition);
      this.queues.set(partition, queue);
    }
    const messages = [];
    for (const m of batch.messages) {
      if (m.value !== null) messages.push({ value: m.value, offset: m.offset });
    }
    queue.push(messages);
    this.updateLag(partition);
  }

  private createQueue(partition: number): PartitionQueue {
    const store = this.store.name;
    const m = this.metrics;
    const log = this.logger.child({ partition });
    return new PartitionQueue({
      partition,
      queue: this.store.queue,
      logger: log,
      send: (body) => this.client.store(body),
      commit: async (nextOffset) => {
        try {
          await this.consumer.commitOffsets([{ topic: this.kafkaConfig.topic, partition, offset: nextOffset }]);
          m.commits.inc({ store, outcome: 'ok' });
          this.committed.set(partition, BigInt(nextOffset));
          this.updateLag(partition);
        } catch (err) {
          m.commits.inc({ store, outcome: 'error' });
          throw err;
        }
      },
      backpressure: (pause) => {
        const tp = [{ topic: this.kafkaConfig.topic, partitions: [partition] }];
        if (pause) {
          this.consumer.pause(tp);
          this.paused.add(partition);
          log.warn('queue full: partition paused until the store catches up');
        } else if (!this.stopping) {
          // While stopping, the whole topic stays paused: nothing new is fetched into a draining queue.
          this.consumer.resume(tp);
          this.paused.delete(partition);
          log.info('partition resumed');
        }
        m.partitionsPaused.set({ store }, this.paused.size);
      },
      events: {
        sent: (samples, bytes, seconds) => {
          m.samplesSent.inc({ store }, samples);
          m.bytesSent.inc({ store }, bytes);
          m.requests.inc({ store, outcome: 'ok' });
          m.batchSamples.observe({ store }, samples);
          m.requestDuration.observe({ store }, seconds);
          m.storeUnavailable.set({ store }, 0);
        },
        retry: (err, delayMs) => {
          m.retries.inc({ store });
          m.requests.inc({ store, outcome: 'retry' });
          if (err.storeMisconfigured) {
            m.storeUnavailable.set({ store }, 1);
            log.error({ err: err.message, status: err.status, retryInMs: delayMs }, 'the store refuses our requests (credentials or URL wrong?): keeping the data in Kafka and retrying');
          } else {
            log.warn({ err: err.message, status: err.status, retryInMs: delayMs }, 'remote write failed, retrying');
          }
        },
        dropped: (samples, reason, detail) => {
          m.samplesDropped.inc({ store, reason }, samples);
          m.requests.inc({ store, outcome: 'rejected' });
          log.error({ samples, reason, err: detail }, 'batch dropped');
        },
        buffered: (delta) => m.bufferedSamples.inc({ store }, delta),
      },
    });
  }

  private updateLag(partition: number): void {
    const hw = this.highWatermarks.get(partition);
    const committed = this.committed.get(partition);
    if (hw !== undefined && committed !== undefined) {
      this.metrics.consumerLag.set({ store: this.store.name, partition: String(partition) }, Number(hw - committed));
    }
  }

  private resetQueues(keep: ReadonlySet<number> = new Set()): void {
    for (const [partition, q] of this.queues) {
      if (keep.has(partition)) continue;
      q.close();
      this.queues.delete(partition);
    }
    const resume = [...this.paused].filter((p) => !keep.has(p));
    if (resume.length > 0 && !this.stopping) {
      this.consumer.resume([{ topic: this.kafkaConfig.topic, partitions: resume }]);
      for (const p of resume) this.paused.delete(p);
      this.metrics.partitionsPaused.set({ store: this.store.name }, this.paused.size);
    }
  }

  /**
   * Graceful stop, in the order that loses nothing and re-sends nothing: stop fetching (pause),
   * send what is in flight and queued, commit it while still a group member, and only then leave
   * the group (leaving first would make those commits fail and another replica re-send them).
   */
  async stop(deadlineMs: number = Date.now() + 10_000): Promise<void> {
    this.stopping = true;
    this.consumer.pause([{ topic: this.kafkaConfig.topic }]);
    await Promise.all([...this.queues.values()].map((q) => q.drain(deadlineMs)));
    await Promise.all([...this.queues.values()].map((q) => q.finished()));
    await this.consumer.stop();
    await this.consumer.disconnect();
    await this.client.close();
  }
}
