// What happens to a scraped series' labels the first time it is seen (the slow path; the result
// is cached): target labels attached with honor_labels semantics, metric_relabel_configs applied,
// label limits checked, and the set encoded once as remote-write label bytes.
import { encodeLabelSet } from '../protocol/remote-write-codec.ts';
import type { ParsedSeries } from './exposition/parser.ts';
import type { LabelSet } from '../model/labels.ts';
import { relabel } from '../model/relabel.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeError } from './scrape-error.ts';
import { isValidMetricName } from '../model/labels.ts';


/** The final labels of a scraped series, or null when metric relabeling dropped it. */
export function seriesLabels(
  parsed: ParsedSeries,
  targetLabels: ReadonlyArray<readonly [string, string]>,
  job: JobScrapeOptions,
): LabelSet | null {
  const labels: LabelSet = new Map();
  labels.set('__name__', parsed.name);
  for (let i = 0; i < parsed.labelNames.length; i++) {
    const value = parsed.labelValues[i] as string;
    if (value !== '') labels.set(parsed.labelNames[i] as string, value);
  }
  for (const [name, value] of targetLabels) {
    const scraped = labels.get(name);
    if (scraped === undefined) {
      labels.set(name, value);
    } else if (!job.honorLabels) {
      // Prometheus keeps the scraped value as exported_<name> (prefixing again while taken).
      let exported = `exported_${name}`;
      while (labels.has(exported)) exported = `exported_${exported}`;
      labels.set(exported, scraped);
      labels.set(name, value);
    }
  }
  const out = job.metricRelabelConfigs.length > 0 ? relabel(labels, job.metricRelabelConfigs) : labels;
  if (out === null) return null;
  const name = out.get('__name__');
  if (name === undefined || !isValidMetricName(name)) {
    throw new ScrapeError('invalid_series', `invalid metric name ${JSON.stringify(name ?? '')} after relabeling`);
  }
  checkLabelLimits(out, job);
  return out;
}

function checkLabelLimits(labels: LabelSet, job: JobScrapeOptions): void {
  if (job.labelLimit > 0 && labels.size > job.labelLimit) {
    throw new ScrapeError('label_limit', `label_limit exceeded (metric: ${labels.get('__name__')}, number of labels: ${labels.size}, limit: ${job.labelLimit})`);
  }
  if (job.labelNameLengthLimit === 0 && job.labelValueLengthLimit === 0) return;
  for (const [name, value] of labels) {
    if (job.labelNameLengthLimit > 0 && name.length > job.labelNameLengthLimit) {
      throw new ScrapeError('label_name_length_limit', `label_name_length_limit exceeded (metric: ${labels.get('__name__')}, label name: ${name}, length: ${name.length}, limit: ${job.labelNameLengthLimit})`);
    }
    if (job.labelValueLengthLimit > 0 && value.length > job.labelValueLengthLimit) {
      throw new ScrapeError('label_value_length_limit', `label_value_length_limit exceeded (metric: ${labels.get('__name__')}, label name: ${name}, value: ${JSON.stringify(value.slice(0, 64))}, length: ${value.length}, limit: ${job.labelValueLengthLimit})`);
    }
  }
}

export function encodeLabels(labels: LabelSet): Uint8Array {
  const names: string[] = [];
  const values: string[] = [];
  for (const [name, value] of labels) {
    names.push(name);
    values.push(value);
  }
  return encodeLabelSet(names, values);
}
