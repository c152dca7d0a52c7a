// At-least-once consumption of the alerts topic. Design: a partition's offset is committed only
// past records whose notifications are settled (delivered, or failed for good); until then the
// record stays uncommitted, so a crash or a rebalance replays it and the notification log
// (shared, in etcd) keeps what was already delivered from being sent twice. We chose this over a
// durable notification queue because the Kafka log already is that durable queue: holding the
// commit point costs nothing but replay after a crash, and needs no second store to keep in step.
// Records that cannot notify (pending, inactive, unreadable) settle at once.
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../core/logger.ts';
import { AlertRecordFormatError, decodeAlertRecord } from '../protocol/alert-record.ts';
import { alertFromRecord } from './alert-records.ts';
import type { AlertStore } from './alert-store.ts';
import type { NotifierMetrics } from './notifier-metrics.ts';
import { Obligation } from './obligation.ts';
import { PartitionOffsets } from './offset-tracker.ts';

export class AlertConsumer {
  readonly #consumer: Consumer;
  readonly #topic: string;
  readonly #store: AlertStore;
  readonly #logger: Logger;
  readonly #metrics: NotifierMetrics;
  /** Per partition, for the current assignment generation. */
  #partitions = new Map<number, PartitionOffsets>();
  #assigned = false;

  constructor(kafka: Kafka, groupId: string, topic: string, store: AlertStore, logger: Logger, metrics: NotifierMetrics) {
    this.#consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    this.#topic = topic;
    this.#store = store;
    this.#logger = logger.child({ component: 'alert-consumer', topic });
    this.#metrics = metrics;
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, (e) => {
      // A new generation: obligations of records from before it may no longer commit anything.
      this.#partitions = new Map();
      this.#assigned = true;
      this.#logger.info({ assignment: e.payload.memberAssignment }, 'joined the consumer group');
    });
  }

  get ready(): boolean {
    return this.#assigned;
  }

  get pendingRecords(): number {
    let n = 0;
    for (const p of this.#partitions.values()) n += p.pending;
    return n;
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    // From the beginning for a new group: old firing records have expired endsAt and notify nothing.
    await this.#consumer.subscribe({ topics: [this.#topic], fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offsets = this.#offsetsOf(partition);
        offsets.add(message.offset);
        const settle = (): void => {
          if (this.#partitions.get(partition) !== offsets) return;
          const next = offsets.settle(message.offset);
          if (next !== undefined) this.#commit(partition, next);
        };
        if (message.value === null) return settle();
        let alert;
        try {
          alert = alertFromRecord(decodeAlertRecord(message.value));
        } catch (err) {
          if (!(err instanceof AlertRecordFormatError)) throw err;
          this.#metrics.alertsInvalid.labels('kafka').inc();
          this.#logger.warn({ partition, offset: message.offset, err: err.message }, 'skipping an unreadable alert record');
          return settle();
        }
        if (alert === undefined) return settle();
        this.#metrics.alertsReceived.labels(alert.endsAtMs <= Date.now() ? 'resolved' : 'firing', 'kafka').inc();
        const obligation = new Obligation(settle);
        this.#store.put(alert, obligation);
        obligation.seal();
      },
    });
  }

  #offsetsOf(partition: number): PartitionOffsets {
    let p = this.#partitions.get(partition);
    if (p === undefined) {
      p = new PartitionOffsets();
      this.#partitions.set(partition, p);
    }
    return p;
  }

  #commit(partition: number, offset: string): void {
    this.#consumer.commitOffsets([{ topic: this.#topic, partition, offset }]).then(
      () => this.#metrics.offsetsCommitted.labels(String(partition)).inc(),
      (err: unknown) => this.#logger.warn({ partition, offset, err: (err as Error).message }, 'offset commit failed (the records will be replayed)'),
    );
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
