// Everything between Kafka and one store (Prometheus' queue manager, sharded by partition): a
// consumer group of its own, so each store keeps its own progress and a slow store never stalls
// another; one PartitionQueue per assigned partition; paused partitions while a queue is full.
//
// Offsets: a commit counts only once Kafka confirmed it (kafkajs' commitOffsets returns without
// committing while its consumer restarts); what was settled and not confirmed is committed again
// once the group is back. Messages Kafka delivers again after such a lost commit are skipped and
// counted as duplicates. A consumer that crashes for good (kafkajs: restart false) is restarted,
// and the writer is not ready while its consumer is not in the group.
import type { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../core/kafka-config.ts';
import type { Logger } from '../core/logger.ts';
import { PartitionQueue } from './partition-queue.ts';
import { RemoteWriteClient } from './remote-write-client.ts';
import type { StoreConfig } from './writer-config.ts';
import type { WriterMetrics } from './writer-metrics.ts';

const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;
const RECONCILE_INTERVAL_MS = 1000;

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
  /** Per partition: everything before this offset is settled (stored or dropped), by this process. */
  private readonly settledNext = new Map<number, bigint>();
  /** Per partition: the offset of the latest commit Kafka confirmed (COMMIT_OFFSETS events). */
  private readonly confirmed = new Map<number, bigint>();
  /** Per partition: the first offset delivered since the latest assignment (where Kafka's commit stood). */
  private readonly fetchedFrom = new Map<number, bigint>();
  private assigned = new Set<number>();
  private consumerUp = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs = RESTART_MIN_MS;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling = false;

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
      // The broker answers a fetch once it has minBytes or maxWaitTimeInMs passed. With Kafka's
      // minimum of 1 byte, a steady trickle of scrapes costs one fetch (and one round of batch
      // handling) per few messages; waiting for 1 MiB or 250 ms means a few fetches per second.
      minBytes: 1024 * 1024,
      maxWaitTimeInMs: 250,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  }

  /** In the group with a live consumer: not while it rejoins, restarts or is dead. */
  get ready(): boolean {
    return this.joined && this.consumerUp;
  }

  /** Why not ready, or null. */
  get notReadyReason(): string | null {
    if (!this.consumerUp) return 'consumer not running (crashed or restarting)';
    if (!this.joined) return 'waiting for partition assignment';
    return null;
  }

  private readonly runConfig: ConsumerRunConfig = {
    autoCommit: false,
    eachBatchAutoResolve: true,
    partitionsConsumedConcurrently: 64,
    eachBatch: async (payload) => this.onBatch(payload),
  };

  async start(): Promise<void> {
    const { GROUP_JOIN, CRASH, COMMIT_OFFSETS, STOP } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      const assigned = (e.payload.memberAssignment[this.kafkaConfig.topic] ?? []).slice().sort((a, b) => a - b);
      // Queues of partitions that stay here are kept: kafkajs fetches again from the committed
      // offsets after a join, and each queue skips the offsets it already holds, so a rebalance
      // caused by another replica joining or leaving re-sends nothing of ours.
      this.assigned = new Set(assigned);
      this.fetchedFrom.clear();
      this.resetQueues(this.assigned);
      // A restarted kafkajs consumer is a new consumer group object that forgot which partitions
      // were paused: pause again what is still over its bound (or everything while stopping).
      const topic = this.kafkaConfig.topic;
      if (this.stopping) this.consumer.pause([{ topic }]);
      else if (this.paused.size > 0) this.consumer.pause([{ topic, partitions: [...this.paused] }]);
      this.metrics.partitionsAssigned.set({ store: this.store.name }, assigned.length);
      this.joined = true;
      this.consumerUp = true;
      this.restartDelayMs = RESTART_MIN_MS;
      this.metrics.consumerUp.set({ store: this.store.name }, 1);
      this.logger.info({ partitions: assigned, generation: e.payload.groupId }, 'partitions assigned');
    });
    this.consumer.on(COMMIT_OFFSETS, (e) => {
      // Emitted by kafkajs only after the coordinator accepted the commit: the one proof it happened.
      for (const t of e.payload.topics) {
        if (t.topic !== this.kafkaConfig.topic) continue;
        for (const p of t.partitions) this.confirmed.set(p.partition, BigInt(String(p.offset)));
      }
    });
    this.consumer.on(CRASH, (e) => {
      this.joined = false;
      this.consumerUp = false;
      this.metrics.consumerUp.set({ store: this.store.name }, 0);
      this.metrics.consumerCrashes.inc({ store: this.store.name, restart: String(e.payload.restart) });
      this.logger.error({ err: e.payload.error.message, restart: e.payload.restart }, e.payload.restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good; restarting it');
      // kafkajs gives up on errors it deems non-retriable: the writer would stay up, consuming nothing.
      if (!e.payload.restart) this.scheduleRestart();
    });
    this.consumer.on(STOP, () => {
      this.joined = false;
      this.consumerUp = false;
      this.metrics.consumerUp.set({ store: this.store.name }, 0);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.kafkaConfig.topic, fromBeginning: true });
    await this.consumer.run(this.runConfig);
    this.reconcileTimer = setInterval(() => void this.reconcileCommits(), RECONCILE_INTERVAL_MS);
    this.reconcileTimer.unref();
  }

  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer !== undefined) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_MAX_MS, this.restartDelayMs * 2);
    this.logger.warn({ retryInMs: delay }, 'restarting the consumer');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      void (async () => {
        try {
          // After a crash kafkajs has disconnected and forgotten its group: connect and run again
          // (the subscription is kept). A crash during the join comes back as another CRASH event.
          await this.consumer.connect();
          this.metrics.consumerRestarts.inc({ store: this.store.name });
          await this.consumer.run(this.runConfig);
        } catch (err) {
          this.logger.error({ err: (err as Error).message }, 'consumer restart failed');
          this.scheduleRestart();
        }
      })();
    }, delay);
    this.restartTimer.unref();
  }

  /**
   * Commits what was settled and is not confirmed committed: commits lost while the consumer was
   * restarting, and replays skipped after a rejoin. Only for partitions assigned here, and only
   * past where Kafka's commit stood at the assignment (another replica may have gone further).
   */
  private async reconcileCommits(): Promise<void> {
    if (this.reconciling || !this.ready || this.stopping) return;
    this.reconciling = true;
    try {
      for (const partition of this.assigned) {
        const want = this.settledNext.get(partition);
        const from = this.fetchedFrom.get(partition);
        if (want === undefined || from === undefined || want <= from) continue;
        if (want <= (this.committed.get(partition) ?? -1n)) continue;
        await this.commit(partition, want, 'reconcile');
      }
    } finally {
      this.reconciling = false;
    }
  }

  /** Commits and checks Kafka confirmed it; only a confirmed commit counts as ok and moves the lag. */
  private async commit(partition: number, next: bigint, why: 'queue' | 'reconcile'): Promise<void> {
    const store = this.store.name;
    // Cleared first, so only a confirmation of this commit (or of a later, higher one) counts.
    this.confirmed.delete(partition);
    try {
      await this.consumer.commitOffsets([{ topic: this.kafkaConfig.topic, partition, offset: next.toString() }]);
    } catch (err) {
      this.metrics.commits.inc({ store, outcome: 'error' });
      throw err;
    }
    if ((this.confirmed.get(partition) ?? -1n) >= next) {
      this.metrics.commits.inc({ store, outcome: 'ok' });
      if (next > (this.committed.get(partition) ?? -1n)) this.committed.set(partition, next);
      this.updateLag(partition);
      if (why === 'reconcile') this.logger.info({ partition, offset: next.toString() }, 'offset committed again after a lost commit');
    } else {
      this.metrics.commits.inc({ store, outcome: 'unconfirmed' });
      this.logger.warn({ partition, offset: next.toString() }, 'offset commit not confirmed by Kafka (consumer restarting?): it is retried once the group is back');
    }
  }

  private onBatch({ batch }: EachBatchPayload): void {
    const partition = batch.partition;
    this.highWatermarks.set(partition, BigInt(batch.highWatermark));
    if (batch.messages.length === 0) return;
    if (!this.fetchedFrom.has(partition)) this.fetchedFrom.set(partition, BigInt((batch.messages[0] as { offset: string }).offset));
    let queue = this.queues.get(partition);
    if (queue === undefined) {
      queue = this.createQueue(partition);
      this.queues.set(partition, queue);
    }
    const messages = [];
    for (const m of batch.messages) {
      if (m.value !== null) messages.push({ value: m.value, offset: m.offset, timestampMs: Number(m.timestamp) });
    }
    queue.push(messages);
    this.updateLag(partition);
  }

  private createQueue(partition: number): PartitionQueue {
    const store = this.store.name;
    const m = this.metrics;
    const log = this.logger.child({ partition });
    const settled = this.settledNext.get(partition);
    return new PartitionQueue({
      partition,
      queue: this.store.queue,
      logger: log,
      settledThrough: settled === undefined ? undefined : settled - 1n,
      send: (body) => this.client.store(body),
      settled: (nextOffset) => {
        const next = BigInt(nextOffset);
        if (next > (this.settledNext.get(partition) ?? -1n)) this.settledNext.set(partition, next);
      },
      commit: (nextOffset) => this.commit(partition, BigInt(nextOffset), 'queue'),
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
          log.error({ samples, reason, err: detail }, 'samples dropped');
        },
        rejected: (err) => {
          m.requests.inc({ store, outcome: 'rejected' });
          log.warn({ status: err.status, reason: err.reason, err: err.message }, 'store rejected a request');
        },
        duplicate: (samples, messages) => {
          m.samplesDuplicate.inc({ store, reason: 'replay' }, samples);
          log.info({ samples, messages }, 'Kafka delivered again messages already taken in (lost commit or rejoin): skipped as duplicates');
        },
        repaired: (offset, method, requests, sentSamples, droppedSamples) => {
          m.repairRequests.inc({ store }, requests);
          log.warn({ offset, method, requests, sentSamples, droppedSamples }, 'rejected message repaired: only the refused series dropped');
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
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    if (this.reconcileTimer !== undefined) clearInterval(this.reconcileTimer);
    this.consumer.pause([{ topic: this.kafkaConfig.topic }]);
    await Promise.all([...this.queues.values()].map((q) => q.drain(deadlineMs)));
    await Promise.all([...this.queues.values()].map((q) => q.finished()));
    await this.consumer.stop();
    await this.consumer.disconnect();
    await this.client.close();
  }
}
