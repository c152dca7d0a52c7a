// The scraper's own /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ScraperMetrics {
  readonly registry = new Registry();
  readonly targetsOwned = new Gauge({ name: 'ringwatch_scraper_targets_owned', help: 'Targets this node scrapes now.', registers: [this.registry] });
  readonly targetsKnown = new Gauge({ name: 'ringwatch_scraper_targets_known', help: 'Targets in the target list.', registers: [this.registry] });
  readonly membersSeen = new Gauge({ name: 'ringwatch_scraper_members_seen', help: 'Live scraper members in the ring.', registers: [this.registry] });
  readonly ringRevision = new Gauge({ name: 'ringwatch_scraper_ring_revision', help: 'etcd revision of the member and target set in force.', registers: [this.registry] });
  readonly handoffs = new Counter({ name: 'ringwatch_scraper_handoffs_total', help: 'Targets handed to or taken from another node.', labelNames: ['direction'], registers: [this.registry] });
  readonly scrapes = new Counter({ name: 'ringwatch_scraper_scrapes_total', help: 'Scrapes performed.', labelNames: ['job'], registers: [this.registry] });
  readonly scrapeFailures = new Counter({ name: 'ringwatch_scraper_scrape_failures_total', help: 'Failed scrapes by reason.', labelNames: ['job', 'reason'], registers: [this.registry] });
  readonly seriesDropped = new Counter({
    name: 'ringwatch_scraper_series_dropped_total',
    help: 'Scraped series dropped on their own (the scrape kept), by reason: a metric or label name the job\'s metric_name_validation_scheme refuses. Counted when a series is first seen.',
    labelNames: ['job', 'reason'],
    registers: [this.registry],
  });
  // Prometheus' name: a target exposing the same series twice in one scrape.
  readonly duplicateSamples = new Counter({
    name: 'prometheus_target_scrapes_sample_duplicate_timestamp_total',
    help: 'Samples rejected because a series appeared twice in one scrape (same timestamp, the later one dropped).',
    registers: [this.registry],
  });
  readonly outOfBoundsSamples = new Counter({
    name: 'prometheus_target_scrapes_sample_out_of_bounds_total',
    help: 'Samples dropped because their timestamp is beyond what the store can hold (the rest of the scrape is kept).',
    registers: [this.registry],
  });
  readonly expositionViolations = new Counter({
    name: 'ringwatch_scraper_exposition_violations_total',
    help: 'Breaks of the exposition formats\' semantic rules (a NaN or negative counter, a histogram without +Inf or with decreasing buckets, metadata after its samples...), by job and rule. The samples are stored anyway, as Prometheus does; the first of the last scrape is in the target\'s lastExpositionViolation (/api/v1/targets).',
    labelNames: ['job', 'rule'],
    registers: [this.registry],
  });
  readonly scrapeDuration = new Histogram({
    name: 'ringwatch_scraper_scrape_duration_seconds',
    help: 'Time from request to the message handed to the producer.',
    labelNames: ['job'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly samplesProduced = new Counter({ name: 'ringwatch_scraper_samples_produced_total', help: 'Samples (including staleness markers and report series) produced to Kafka.', registers: [this.registry] });
  readonly messagesProduced = new Counter({ name: 'ringwatch_scraper_kafka_messages_produced_total', help: 'Messages acknowledged by Kafka.', registers: [this.registry] });
  readonly produceLatency = new Histogram({
    name: 'ringwatch_scraper_kafka_produce_duration_seconds',
    help: 'Latency of one produce request (a batch of messages) to Kafka.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly produceErrors = new Counter({ name: 'ringwatch_scraper_kafka_produce_errors_total', help: 'Produce attempts that failed (each is retried with backoff).', registers: [this.registry] });
  readonly lastProduceSuccess = new Gauge({
    name: 'ringwatch_scraper_kafka_last_produce_success_timestamp_seconds',
    help: 'When a produce request last succeeded (0: never).',
    registers: [this.registry],
  });
  // Derived at scrape time, so an outage shows as a growing number without a query.
  readonly sinceLastProduce = new Gauge({
    name: 'ringwatch_scraper_kafka_seconds_since_last_produce',
    help: 'Seconds since a produce request last succeeded (since the start while none has).',
    registers: [this.registry],
    collect: async () => {
      const last = (await this.lastProduceSuccess.get()).values[0]?.value ?? 0;
      this.sinceLastProduce.set(Date.now() / 1000 - (last > 0 ? last : this.#startedAt));
    },
  });
  readonly #startedAt = Date.now() / 1000;
  readonly producerBufferedBytes = new Gauge({ name: 'ringwatch_scraper_kafka_buffered_bytes', help: 'Bytes waiting to be produced.', registers: [this.registry] });
  readonly producerDropped = new Counter({ name: 'ringwatch_scraper_kafka_dropped_messages_total', help: 'Messages dropped before reaching Kafka (see ringwatch_scraper_samples_dropped_total for why).', registers: [this.registry] });
  // Samples, as the writer's ringwatch_writer_samples_dropped_total, so loss can be summed end to end.
  readonly samplesDropped = new Counter({
    name: 'ringwatch_scraper_samples_dropped_total',
    help: 'Samples dropped before reaching Kafka, by reason: kafka_buffer_full (Kafka unreachable past the producer buffer), kafka_refused (Kafka will never take the message), producer_closed (unsent at shutdown).',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  /** defaultMetrics false: a scrape worker's registry, merged into the node's (which has the process metrics). */
  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
