// What rule evaluation writes to Kafka: recording-rule samples and the ALERTS / ALERTS_FOR_STATE
// series onto the samples topic, in the scrapers' message format (one snappy WriteRequest per
// group evaluation, keyed by the group, so the storage-writer delivers them to every store with
// the same guarantees as scraped samples); and one JSON record per alert transition onto the
// alerts topic, keyed by the alert's fingerprint (the notifier's input and the alert history).
// acks from all in-sync replicas and one request in flight keep each key's records in order; the
// idempotent producer makes the client's own retries (5, 100 ms doubling to 2 s) write a batch once.
import type { KafkaProducer } from '../core/kafka-client.ts';
import type { Logger } from '../core/logger.ts';
import { appendTimeSeries, encodeLabelSet, writeStaleMarker } from '../protocol/remote-write-codec.ts';
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { compressSampleMessage } from '../protocol/sample-message.ts';
import type { AlertingMetrics } from './alerting-metrics.ts';

export interface OutputSample {
  /** Every label including __name__; order does not matter. */
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
  /** A staleness marker instead of the value. */
  stale?: boolean;
}

export interface KeyedRecord {
  key: string;
  value: unknown;
}

export class RuleOutputProducer {
  readonly #producer: KafkaProducer;
  readonly #samplesTopic: string;
  readonly #alertsTopic: string;
  readonly #logger: Logger;
  readonly #metrics: AlertingMetrics;
  readonly #writer = new ProtoWriter(16 * 1024);

  /** `producer` from core/kafka-client.ts' createKafkaProducer with `{ retries: 5, idempotent: true }`. */
  constructor(producer: KafkaProducer, topics: { samples: string; alerts: string }, logger: Logger, metrics: AlertingMetrics) {
    this.#producer = producer;
    this.#samplesTopic = topics.samples;
    this.#alertsTopic = topics.alerts;
    this.#logger = logger.child({ component: 'rule-output' });
    this.#metrics = metrics;
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  /** One message with all the samples of one group evaluation. */
  async publishSamples(groupKey: string, samples: readonly OutputSample[]): Promise<void> {
    if (samples.length === 0) return;
    const w = this.#writer;
    w.reset();
    for (const s of samples) {
      const names = Object.keys(s.labels);
      const encoded = encodeLabelSet(names, names.map((n) => s.labels[n] as string));
      if (s.stale === true) writeStaleMarker(w, encoded, s.timestampMs);
      else appendTimeSeries(w, encoded, s.value, s.timestampMs);
    }
    const value = compressSampleMessage(samples.length, samples.length, w.bytes());
    try {
      await this.#producer.send(this.#samplesTopic, [{ key: groupKey, value }]);
      this.#metrics.samplesPublished.inc(samples.length);
    } catch (err) {
      this.#metrics.publishErrors.inc({ topic: this.#samplesTopic });
      this.#logger.error({ group: groupKey, samples: samples.length, err: (err as Error).message }, 'publishing rule samples failed');
      throw err;
    }
  }

  async publishAlertRecords(records: readonly KeyedRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.#producer.send(
        this.#alertsTopic,
        records.map((r) => ({ key: r.key, value: JSON.stringify(r.value) })),
      );
      this.#metrics.alertRecordsPublished.inc(records.length);
    } catch (err) {
      this.#metrics.publishErrors.inc({ topic: this.#alertsTopic });
      this.#logger.error({ records: records.length, err: (err as Error).message }, 'publishing alert records failed');
      throw err;
    }
  }

  disconnect(): Promise<void> {
    return this.#producer.disconnect();
  }
}
