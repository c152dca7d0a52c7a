// Every metric a Ringwatch node exposes (read from the nodes' own metric classes, so names,
// label names and buckets are exact) plus the scrape report series and ALERTS. The dashboards'
// test checks each expression names only these; the Grafana integration test pushes samples for
// each of them.
import { Histogram, type Registry } from 'prom-client';
import { AlertingMetrics } from '../../alerting/alerting-metrics.ts';
import { CoordinatorMetrics } from '../../coordinator/coordinator-metrics.ts';
import { NotifierMetrics } from '../../notifier/notifier-metrics.ts';
import { QueryMetrics } from '../../query/query-metrics.ts';
import { ScraperMetrics } from '../../scraper/scraper-metrics.ts';
import { WriterMetrics } from '../../storage-writer/writer-metrics.ts';

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface CatalogMetric {
  name: string;
  kind: MetricKind;
  labelNames: readonly string[];
  /** Histogram upper bounds without +Inf. */
  buckets: readonly number[];
  /** The node that exposes it, or 'scrape' for the series every scrape adds, 'rules' for ALERTS. */
  source: 'scraper' | 'storage-writer' | 'coordinator' | 'alerting' | 'notifier' | 'query' | 'scrape' | 'rules';
}

/** The metrics a node exposes on top of prom-client's process_* and nodejs_* defaults. */
const OWN = /^(ringwatch_|prometheus_|alertmanager_)/;

/** prom-client keeps the constructor options on the metric; its type declarations do not show them. */
interface MetricInternals {
  name: string;
  labelNames?: readonly string[];
  upperBounds?: readonly number[];
}

function fromRegistry(registry: Registry, source: CatalogMetric['source']): CatalogMetric[] {
  const out: CatalogMetric[] = [];
  for (const metric of registry.getMetricsAsArray()) {
    const m = metric as unknown as MetricInternals;
    if (!OWN.test(m.name)) continue;
    const kind = (metric as unknown as { type?: string }).type ?? (metric instanceof Histogram ? 'histogram' : 'gauge');
    out.push({ name: m.name, kind: kind as MetricKind, labelNames: [...(m.labelNames ?? [])], buckets: [...(m.upperBounds ?? [])], source });
  }
  return out;
}

export function metricCatalog(): CatalogMetric[] {
  const notifier = new NotifierMetrics({
    alerts: () => ({ active: 0, suppressed: 0, unprocessed: 0 }),
    silences: () => ({ active: 0, pending: 0, expired: 0 }),
    groups: () => 0,
  });
  return [
    ...fromRegistry(new ScraperMetrics().registry, 'scraper'),
    ...fromRegistry(new WriterMetrics().registry, 'storage-writer'),
    ...fromRegistry(new CoordinatorMetrics().registry, 'coordinator'),
    ...fromRegistry(new AlertingMetrics().registry, 'alerting'),
    ...fromRegistry(notifier.registry, 'notifier'),
    ...fromRegistry(new QueryMetrics().registry, 'query'),
    // The report series every scrape adds (scraper/scrape-report.ts), labelled with the target's job and instance.
    { name: 'up', kind: 'gauge', labelNames: [], buckets: [], source: 'scrape' },
    { name: 'scrape_duration_seconds', kind: 'gauge', labelNames: [], buckets: [], source: 'scrape' },
    { name: 'scrape_samples_scraped', kind: 'gauge', labelNames: [], buckets: [], source: 'scrape' },
    { name: 'scrape_samples_post_metric_relabeling', kind: 'gauge', labelNames: [], buckets: [], source: 'scrape' },
    { name: 'scrape_series_added', kind: 'gauge', labelNames: [], buckets: [], source: 'scrape' },
    // Alerting rules' output (alerting/alerting-rule.ts).
    { name: 'ALERTS', kind: 'gauge', labelNames: ['alertname', 'alertstate'], buckets: [], source: 'rules' },
  ];
}

/** The series names a metric has in the exposition format (a histogram's _bucket, _sum, _count). */
export function seriesNames(m: CatalogMetric): string[] {
  if (m.kind === 'histogram') return [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
  if (m.kind === 'summary') return [m.name, `${m.name}_sum`, `${m.name}_count`];
  return [m.name];
}
