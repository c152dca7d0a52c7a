// prometheus.yml for the managed Prometheus: scrapes nothing unless told to (Ringwatch delivers by
// remote write), optionally rule files, Alertmanager targets and an out-of-order window.
import { parse, stringify } from 'yaml';

export interface PrometheusConfigOptions {
  /** Default "15s". */
  scrapeInterval?: string;
  /** Default "15s". */
  evaluationInterval?: string;
  /** Extra scrape_configs: objects, or YAML text holding a list of them. */
  scrapeConfigs?: readonly Record<string, unknown>[] | string;
  ruleFiles?: readonly string[];
  /** Alertmanager addresses as host:port. */
  alertmanagers?: readonly string[];
  /** storage.tsdb.out_of_order_time_window, e.g. "10m" (Prometheus rejects out-of-order samples without it). */
  outOfOrderTimeWindow?: string;
  externalLabels?: Readonly<Record<string, string>>;
}

export function renderPrometheusConfig(options: PrometheusConfigOptions = {}): string {
  const global: Record<string, unknown> = {
    scrape_interval: options.scrapeInterval ?? '15s',
    evaluation_interval: options.evaluationInterval ?? '15s',
  };
  if (options.externalLabels !== undefined) global['external_labels'] = { ...options.externalLabels };
  const config: Record<string, unknown> = { global, scrape_configs: scrapeConfigList(options.scrapeConfigs) };
  if (options.ruleFiles !== undefined && options.ruleFiles.length > 0) config['rule_files'] = [...options.ruleFiles];
  if (options.alertmanagers !== undefined && options.alertmanagers.length > 0) {
    config['alerting'] = { alertmanagers: [{ static_configs: [{ targets: [...options.alertmanagers] }] }] };
  }
  if (options.outOfOrderTimeWindow !== undefined) {
    config['storage'] = { tsdb: { out_of_order_time_window: options.outOfOrderTimeWindow } };
  }
  return stringify(config);
}

function scrapeConfigList(scrapeConfigs: PrometheusConfigOptions['scrapeConfigs']): unknown[] {
  if (scrapeConfigs === undefined) return [];
  if (typeof scrapeConfigs !== 'string') return [...scrapeConfigs];
  const parsed: unknown = parse(scrapeConfigs);
  if (parsed === null || parsed === undefined) return [];
  if (!Array.isArray(parsed)) throw new Error('scrapeConfigs YAML must be a list of scrape configs');
  for (const entry of parsed) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { job_name?: unknown }).job_name !== 'string') {
      throw new Error('every scrape config needs a job_name');
    }
  }
  return parsed;
}
