// Fleet overview: the scraper ring (members, targets and samples per node, ring movement), scrape
// failures, the Kafka producer and the storage writers' throughput, retries and drops.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelIds, ringwatchDashboard, row, statPanel, timeseriesPanel } from './common.ts';

export function fleetOverview(): dashboard.Dashboard {
  const ids = new PanelIds();
  const rate = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;
  return ringwatchDashboard('ringwatch-fleet', 'Ringwatch / Fleet overview', 'Scraper ring, Kafka transport and storage writers of a Ringwatch fleet.')
    .withRow(row(ids, 'Ring'))
    .withPanel(statPanel(ids, { title: 'Scraper members', description: 'Live scraper members in the ring, as the nodes see it.', unit: 'none', target: { expr: 'max(ringwatch_scraper_members_seen)' } }))
    .withPanel(statPanel(ids, { title: 'Targets known', description: 'Targets in the target list written by the coordinator.', unit: 'none', target: { expr: 'max(ringwatch_scraper_targets_known)' } }))
    .withPanel(statPanel(ids, { title: 'Targets owned', description: 'Targets scraped by some node; equals Targets known once the ring has settled.', unit: 'none', target: { expr: 'sum(ringwatch_scraper_targets_owned)' } }))
    .withPanel(statPanel(ids, { title: 'Samples produced', description: 'Samples per second produced to Kafka by the whole fleet.', unit: 'cps', target: { expr: 'sum(rate(ringwatch_scraper_samples_produced_total[$__rate_interval]))' } }))
    .withPanel(timeseriesPanel(ids, { title: 'Members seen per node', description: 'Each node\'s view of the ring; nodes disagreeing means a membership change is propagating.', unit: 'none', targets: [{ expr: 'max by (instance) (ringwatch_scraper_members_seen)', legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Targets owned per node', description: 'Targets each node scrapes now.', unit: 'none', stack: true, targets: [{ expr: 'sum by (instance) (ringwatch_scraper_targets_owned)', legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Samples produced per node', description: 'Samples (with staleness markers and report series) produced to Kafka, per node.', unit: 'cps', stack: true, targets: [{ expr: rate('ringwatch_scraper_samples_produced_total', 'instance'), legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Ring movement (handoffs)',
      description: 'Targets handed to (in) or taken from (out) another node; bursts follow membership changes.',
      unit: 'none',
      targets: [{ expr: 'sum by (instance, direction) (increase(ringwatch_scraper_handoffs_total[$__rate_interval]))', legend: '{{instance}} {{direction}}' }],
    }))
    .withRow(row(ids, 'Scrapes'))
    .withPanel(timeseriesPanel(ids, { title: 'Scrape failures by reason', description: 'Failed scrapes per second by reason (timeout, connection, http_status, sample_limit...).', unit: 'cps', stack: true, targets: [{ expr: rate('ringwatch_scraper_scrape_failures_total', 'reason'), legend: '{{reason}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Scrapes per job',
      description: 'Scrapes per second by target job (exported_job: the node\'s own job label wins when its metrics are scraped).',
      unit: 'cps',
      stack: true,
      targets: [{ expr: rate('ringwatch_scraper_scrapes_total', 'exported_job'), legend: '{{exported_job}}' }],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Rejected samples',
      description: 'Samples a target exposed twice with the same timestamp, or out of bounds.',
      unit: 'cps',
      targets: [
        { expr: 'sum(rate(prometheus_target_scrapes_sample_duplicate_timestamp_total[$__rate_interval]))', legend: 'duplicate timestamp' },
        { expr: 'sum(rate(prometheus_target_scrapes_sample_out_of_bounds_total[$__rate_interval]))', legend: 'out of bounds' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Scrape duration p99 (scraper)',
      description: '99th percentile of scrape durations measured by the scrapers.',
      unit: 's',
      targets: [{ expr: 'histogram_quantile(0.99, sum by (le, instance) (rate(ringwatch_scraper_scrape_duration_seconds_bucket[$__rate_interval])))', legend: '{{instance}}' }],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Samples and series dropped by the scrapers',
      description: 'Samples dropped before Kafka (kafka_buffer_full, kafka_refused, producer_closed), and series dropped by limits or name validation, by job and reason.',
      unit: 'cps',
      targets: [
        { expr: rate('ringwatch_scraper_samples_dropped_total', 'reason'), legend: 'samples {{reason}}' },
        { expr: rate('ringwatch_scraper_series_dropped_total', 'exported_job, reason'), legend: 'series {{exported_job}} {{reason}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Exposition rule violations',
      description: 'Scrapes whose body breaks an OpenMetrics rule Prometheus does not enforce either (scraped anyway), by job and rule: tell the exporter\'s owner.',
      unit: 'cps',
      targets: [{ expr: rate('ringwatch_scraper_exposition_violations_total', 'exported_job, rule'), legend: '{{exported_job}} {{rule}}' }],
    }))
    .withRow(row(ids, 'Kafka'))
    .withPanel(timeseriesPanel(ids, { title: 'Kafka produce errors', description: 'Failed produce requests per second (they are retried).', unit: 'cps', targets: [{ expr: rate('ringwatch_scraper_kafka_produce_errors_total', 'instance'), legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Kafka buffered bytes', description: 'Bytes waiting to be produced; growth means Kafka is slow or unreachable.', unit: 'bytes', targets: [{ expr: 'sum by (instance) (ringwatch_scraper_kafka_buffered_bytes)', legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Since the last successful produce', description: 'Seconds since each scraper last had a produce request acknowledged; it grows through a Kafka outage.', unit: 's', targets: [{ expr: 'max by (instance) (ringwatch_scraper_kafka_seconds_since_last_produce)', legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Kafka messages produced and dropped',
      description: 'Messages acknowledged by Kafka, and dropped because the produce buffer was full.',
      unit: 'cps',
      targets: [
        { expr: rate('ringwatch_scraper_kafka_messages_produced_total', 'instance'), legend: 'produced {{instance}}' },
        { expr: rate('ringwatch_scraper_kafka_dropped_messages_total', 'instance'), legend: 'dropped {{instance}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Kafka produce latency',
      description: 'Produce request latency, median and 99th percentile.',
      unit: 's',
      targets: [
        { expr: 'histogram_quantile(0.5, sum by (le) (rate(ringwatch_scraper_kafka_produce_duration_seconds_bucket[$__rate_interval])))', legend: 'p50' },
        { expr: 'histogram_quantile(0.99, sum by (le) (rate(ringwatch_scraper_kafka_produce_duration_seconds_bucket[$__rate_interval])))', legend: 'p99' },
      ],
    }))
    .withRow(row(ids, 'Storage writers'))
    .withPanel(timeseriesPanel(ids, { title: 'Writer throughput', description: 'Samples per second acknowledged by each store.', unit: 'cps', stack: true, targets: [{ expr: rate('ringwatch_writer_samples_sent_total', 'store'), legend: '{{store}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Writer retries and drops',
      description: 'Requests retried after a recoverable failure, and samples dropped (by reason).',
      unit: 'cps',
      targets: [
        { expr: rate('ringwatch_writer_retries_total', 'store'), legend: 'retries {{store}}' },
        { expr: rate('ringwatch_writer_samples_dropped_total', 'store, reason'), legend: 'dropped {{store}} {{reason}}' },
      ],
    }))
    .build();
}
