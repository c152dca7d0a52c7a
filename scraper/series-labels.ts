// What happens to a scraped series' labels the first time it is seen (the slow path; the result
// is cached): target labels attached with honor_labels semantics, metric_relabel_configs applied,
// names checked against the job's metric_name_validation_scheme (a series with a name the scheme
// refuses is dropped on its own and counted, as Prometheus 3; the scrape goes on) and escaped by
// its metric_name_escaping_scheme, label limits checked, and the set encoded once as remote-write
// label bytes.
import { encodeLabelSet } from '../protocol/remote-write-codec.ts';
import type { ParsedSeries } from './exposition/parser.ts';
import type { LabelSet } from '../model/labels.ts';
import { relabel } from '../model/relabel.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeError } from './scrape-error.ts';
import { isValidLabelName, isValidMetricName } from '../model/labels.ts';
import { escapeName } from '../model/name-escaping.ts';


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
  const relabeled = job.metricRelabelConfigs.length > 0 ? relabel(labels, job.metricRelabelConfigs) : labels;
  if (relabeled === null) return null;
  const name = relabeled.get('__name__');
  if (name === undefined) {
    throw new ScrapeError('invalid_series', 'invalid metric name "" after relabeling');
  }
  const scheme = job.metricNameValidationScheme ?? 'legacy';
  if (!isValidMetricName(name, scheme)) {
    job.onDroppedSeries?.('invalid_metric_name');
    return null;
  }
  for (const labelName of relabeled.keys()) {
    if (labelName !== '__name__' && !isValidLabelName(labelName, scheme)) {
      job.onDroppedSeries?.('invalid_label_name');
      return null;
    }
  }
  const out = escapeNames(relabeled, job.metricNameEscapingScheme ?? 'allow-utf-8');
  checkLabelLimits(out, job);
  return out;
}

/** The label set with names the store cannot take escaped (a new sorted set only when one changed). */
function escapeNames(labels: LabelSet, scheme: JobScrapeOptions['metricNameEscapingScheme']): LabelSet {
  if (scheme === 'allow-utf-8') return labels;
  let changed = false;
  const entries: [string, string][] = [];
  for (const [name, value] of labels) {
    // Only names a legacy consumer cannot take: `dots` would otherwise double every "_".
    const escaped = name === '__name__' || isValidLabelName(name) ? name : escapeName(name, scheme);
    const v = name === '__name__' && !isValidMetricName(value) ? escapeName(value, scheme) : value;
    if (escaped !== name || v !== value) changed = true;
    entries.push([escaped, v]);
  }
  if (!changed) return labels;
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Map(entries);
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
