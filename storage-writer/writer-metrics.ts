// The storage-writer's own /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class WriterMetrics {
  readonly registry = new Registry();
  readonly samplesSent = new Counter({ name: 'ringwatch_writer_samples_sent_total', help: 'Samples the store acknowledged.', labelNames: ['store'], registers: [this.registry] });
  readonly requests = new Counter({ name: 'ringwatch_writer_requests_total', help: 'Remote-write requests by outcome.', labelNames: ['store', 'outcome'], registers: [this.registry] });
  readonly bytesSent = new Counter({ name: 'ringwatch_writer_sent_bytes_total', help: 'Compressed request bytes the store acknowledged.', labelNames: ['store'], registers: [this.registry] });
  readonly batchSamples = new Histogram({
    name: 'ringwatch_writer_batch_samples',
    help: 'Samples per remote-write request.',
    labelNames: ['store'],
    buckets: [10, 100, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000],
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'ringwatch_writer_request_duration_seconds',
    help: 'Latency of remote-write requests.',
    labelNames: ['store'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly retries = new Counter({ name: 'ringwatch_writer_retries_total', help: 'Requests retried after a recoverable failure.', labelNames: ['store'], registers: [this.registry] });
  readonly samplesDropped = new Counter({
    name: 'ringwatch_writer_samples_dropped_total',
    help: 'Samples dropped because the store definitively rejected them (or the message was malformed), by reason.',
    labelNames: ['store', 'reason'],
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({ name: 'ringwatch_writer_consumer_lag', help: 'Messages in the partition not yet acknowledged by the store (high watermark minus committed offset).', labelNames: ['store', 'partition'], registers: [this.registry] });
  readonly partitionsAssigned = new Gauge({ name: 'ringwatch_writer_partitions_assigned', help: 'Partitions of the samples topic this replica consumes, by store.', labelNames: ['store'], registers: [this.registry] });
  readonly partitionsPaused = new Gauge({ name: 'ringwatch_writer_partitions_paused', help: 'Partitions paused because their queue is full (store slow or down).', labelNames: ['store'], registers: [this.registry] });
  readonly bufferedSamples = new Gauge({ name: 'ringwatch_writer_buffered_samples', help: 'Samples consumed and not yet acknowledged by the store.', labelNames: ['store'], registers: [this.registry] });
  readonly storeUnavailable = new Gauge({
    name: 'ringwatch_writer_store_unavailable',
    help: '1 while the store answers 401, 403 or 404 (credentials or URL wrong): data waits in Kafka until it is fixed.',
    labelNames: ['store'],
    registers: [this.registry],
  });
  readonly commits = new Counter({
    name: 'ringwatch_writer_offset_commits_total',
    help: 'Offset commits by outcome: ok (Kafka confirmed it), unconfirmed (kafkajs returned without committing, e.g. while its consumer restarts: retried later), error.',
    labelNames: ['store', 'outcome'],
    registers: [this.registry],
  });
  readonly samplesDuplicate = new Counter({
    name: 'ringwatch_writer_samples_duplicate_total',
    help: 'Samples Kafka delivered again that this writer had already taken in (a commit lost in a broker outage, a rejoin): not sent again, and not counted as dropped.',
    labelNames: ['store', 'reason'],
    registers: [this.registry],
  });
  readonly repairRequests = new Counter({
    name: 'ringwatch_writer_repair_requests_total',
    help: 'Requests spent finding and dropping the series a store refused in a rejected message.',
    labelNames: ['store'],
    registers: [this.registry],
  });
  readonly consumerUp = new Gauge({ name: 'ringwatch_writer_consumer_up', help: '1 while the Kafka consumer is running and in its group, 0 while it rejoins, restarts or is dead.', labelNames: ['store'], registers: [this.registry] });
  readonly consumerCrashes = new Counter({ name: 'ringwatch_writer_consumer_crashes_total', help: 'Kafka consumer crashes, by whether kafkajs restarts it itself.', labelNames: ['store', 'restart'], registers: [this.registry] });
  readonly consumerRestarts = new Counter({ name: 'ringwatch_writer_consumer_restarts_total', help: 'Consumers restarted by the writer after kafkajs gave up on them.', labelNames: ['store'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
