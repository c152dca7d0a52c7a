// Storage writers: what reaches each store (samples, bytes, requests by outcome), latency and
// batch sizes, backlog (consumer lag, buffered samples, paused partitions) and losses.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelIds, labelValuesVariable, ringwatchDashboard, row, statPanel, timeseriesPanel } from './common.ts';

const STORE = 'store=~"$store"';

export function storageWriter(): dashboard.Dashboard {
  const ids = new PanelIds();
  const rate = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}{${STORE}}[$__rate_interval]))`;
  const quantile = (q: number, metric: string): string => `histogram_quantile(${q}, sum by (le, store) (rate(${metric}_bucket{${STORE}}[$__rate_interval])))`;
  return ringwatchDashboard('ringwatch-storage-writer', 'Ringwatch / Storage writer', 'Remote write from Kafka into the configured stores.')
    .withVariable(labelValuesVariable('store', 'store', 'ringwatch_writer_samples_sent_total', 'Store'))
    .withPanel(statPanel(ids, { title: 'Samples sent', description: 'Samples per second acknowledged by the selected stores.', unit: 'cps', target: { expr: `sum(rate(ringwatch_writer_samples_sent_total{${STORE}}[$__rate_interval]))` } }))
    .withPanel(statPanel(ids, { title: 'Consumer lag', description: 'Messages not yet acknowledged by the stores, all partitions.', unit: 'none', target: { expr: `sum(ringwatch_writer_consumer_lag{${STORE}})` } }))
    .withPanel(statPanel(ids, { title: 'Stores unavailable', description: 'Stores currently unavailable to some writer.', unit: 'none', target: { expr: `count(max by (store) (ringwatch_writer_store_unavailable{${STORE}}) == 1) or vector(0)` } }))
    .withPanel(statPanel(ids, { title: 'Partitions paused', description: 'Partitions paused because their queue is full.', unit: 'none', target: { expr: `sum(ringwatch_writer_partitions_paused{${STORE}})` } }))
    .withRow(row(ids, 'Throughput'))
    .withPanel(timeseriesPanel(ids, { title: 'Samples sent', description: 'Samples per second acknowledged, by store.', unit: 'cps', targets: [{ expr: rate('ringwatch_writer_samples_sent_total', 'store'), legend: '{{store}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Bytes sent', description: 'Compressed request bytes per second acknowledged, by store.', unit: 'Bps', targets: [{ expr: rate('ringwatch_writer_sent_bytes_total', 'store'), legend: '{{store}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Requests by outcome', description: 'Remote-write requests per second: ok, retry, rejected.', unit: 'reqps', stack: true, targets: [{ expr: rate('ringwatch_writer_requests_total', 'store, outcome'), legend: '{{store}} {{outcome}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Request duration',
      description: 'Remote-write request latency, median and 99th percentile.',
      unit: 's',
      targets: [
        { expr: quantile(0.5, 'ringwatch_writer_request_duration_seconds'), legend: 'p50 {{store}}' },
        { expr: quantile(0.99, 'ringwatch_writer_request_duration_seconds'), legend: 'p99 {{store}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Batch size',
      description: 'Samples per remote-write request, median and 99th percentile.',
      unit: 'none',
      targets: [
        { expr: quantile(0.5, 'ringwatch_writer_batch_samples'), legend: 'p50 {{store}}' },
        { expr: quantile(0.99, 'ringwatch_writer_batch_samples'), legend: 'p99 {{store}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, { title: 'Offset commits by outcome', description: 'Kafka offset commits per second, ok or error.', unit: 'cps', targets: [{ expr: rate('ringwatch_writer_offset_commits_total', 'store, outcome'), legend: '{{store}} {{outcome}}' }] }))
    .withRow(row(ids, 'Backlog and losses'))
    .withPanel(timeseriesPanel(ids, { title: 'Consumer lag by partition', description: 'High watermark minus committed offset.', unit: 'none', targets: [{ expr: `sum by (store, partition) (ringwatch_writer_consumer_lag{${STORE}})`, legend: '{{store}} p{{partition}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Buffered samples', description: 'Samples consumed and not yet acknowledged by the store.', unit: 'none', targets: [{ expr: `sum by (store) (ringwatch_writer_buffered_samples{${STORE}})`, legend: '{{store}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Paused partitions and unavailable stores',
      description: 'Partitions paused (queue full), and 1 while a store is unavailable.',
      unit: 'none',
      targets: [
        { expr: `sum by (store) (ringwatch_writer_partitions_paused{${STORE}})`, legend: 'paused {{store}}' },
        { expr: `max by (store) (ringwatch_writer_store_unavailable{${STORE}})`, legend: 'unavailable {{store}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Retries and drops',
      description: 'Requests retried, and samples dropped by reason.',
      unit: 'cps',
      targets: [
        { expr: rate('ringwatch_writer_retries_total', 'store'), legend: 'retries {{store}}' },
        { expr: rate('ringwatch_writer_samples_dropped_total', 'store, reason'), legend: 'dropped {{store}} {{reason}}' },
      ],
    }))
    .withRow(row(ids, 'Consumers and replays'))
    .withPanel(timeseriesPanel(ids, {
      title: 'Consumers',
      description: 'Kafka consumers running (1) per writer and store, and partitions assigned; a consumer that crashed is restarted.',
      unit: 'none',
      targets: [
        { expr: `min by (store, instance) (ringwatch_writer_consumer_up{${STORE}})`, legend: 'up {{store}} {{instance}}' },
        { expr: `sum by (store) (ringwatch_writer_partitions_assigned{${STORE}})`, legend: 'partitions {{store}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Consumer crashes and restarts',
      description: 'Consumer crashes (by whether the client restarts itself) and restarts by the writer.',
      unit: 'none',
      targets: [
        { expr: `sum by (store, restart) (increase(ringwatch_writer_consumer_crashes_total{${STORE}}[$__rate_interval]))`, legend: 'crashes {{store}} restart={{restart}}' },
        { expr: `sum by (store) (increase(ringwatch_writer_consumer_restarts_total{${STORE}}[$__rate_interval]))`, legend: 'restarts {{store}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Replayed duplicates and repaired requests',
      description: 'Samples the store already held (a replay after a rebalance or restart: not a loss), and requests re-sent without the series the store refused.',
      unit: 'cps',
      targets: [
        { expr: rate('ringwatch_writer_samples_duplicate_total', 'store, reason'), legend: 'duplicates {{store}} {{reason}}' },
        { expr: rate('ringwatch_writer_repair_requests_total', 'store'), legend: 'repairs {{store}}' },
      ],
    }))
    .build();
}
