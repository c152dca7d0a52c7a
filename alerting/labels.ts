// Label sets as the rule engine handles them: plain objects whose keys are inserted in Prometheus'
// order (byte order of the UTF-8 names), so JSON output and iteration match Go's sorted labels.

import { compareCodePoints } from '../core/code-point-order.ts';
import { isValidLabelName as isModelLabelName, isValidMetricName as isModelMetricName } from '../model/labels.ts';

export type Labels = Readonly<Record<string, string>>;

/** How label and metric names are checked: Prometheus 2.x (and promtool 2.42) is 'legacy', 3.x defaults to 'utf8'. */
export type NameValidation = 'legacy' | 'utf8';

export const METRIC_NAME_LABEL = '__name__';
export const ALERT_NAME_LABEL = 'alertname';

/** Label and metric name rules live in model/labels.ts; the engine always names the scheme. */
export function isValidLabelName(name: string, scheme: NameValidation): boolean {
  return isModelLabelName(name, scheme);
}

export function isValidMetricName(name: string, scheme: NameValidation): boolean {
  return isModelMetricName(name, scheme);
}

/** Label values only have to be valid UTF-8 (no lone surrogates, in JavaScript terms). */
export function isValidLabelValue(value: string): boolean {
  return value.isWellFormed();
}

/** Go's string order (code point order): core/code-point-order.ts. */
export const compareStrings = compareCodePoints;

/** A copy with keys in Prometheus order and empty values dropped (an empty label is an absent label). */
export function sortLabels(labels: Readonly<Record<string, string>>): Labels {
  const names = Object.keys(labels).sort(compareStrings);
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = labels[name] as string;
    if (value !== '') out[name] = value;
  }
  return out;
}

/** A copy with keys in Prometheus order, empty values kept (rule labels and annotations as configured). */
export function orderLabels(labels: Readonly<Record<string, string>>): Labels {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort(compareStrings)) out[name] = labels[name] as string;
  return out;
}

/**
 * Prometheus' labels.Builder: start from base, apply each override in turn (an empty value deletes
 * the label), and return the sorted result.
 */
export function buildLabels(base: Labels, ...overrides: Readonly<Record<string, string>>[]): Labels {
  const out: Record<string, string> = { ...base };
  for (const set of overrides) {
    for (const [name, value] of Object.entries(set)) {
      if (value === '') delete out[name];
      else out[name] = value;
    }
  }
  return sortLabels(out);
}

export function withoutLabel(labels: Labels, name: string): Labels {
  if (!(name in labels)) return labels;
  const out: Record<string, string> = { ...labels };
  delete out[name];
  return out;
}

/** An unambiguous identity string for a label set, for use as a Map key. */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort(compareStrings);
  const flat: string[] = [];
  for (const name of names) {
    const value = labels[name] as string;
    if (value === '') continue;
    flat.push(name, value);
  }
  return JSON.stringify(flat);
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  return labelsKey(a) === labelsKey(b);
}

/** Prometheus' labels.Compare: name by name, then value, then length. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort(compareStrings);
  const bn = Object.keys(b).sort(compareStrings);
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const byName = compareStrings(an[i] as string, bn[i] as string);
    if (byName !== 0) return byName;
    const byValue = compareStrings(a[an[i] as string] as string, b[bn[i] as string] as string);
    if (byValue !== 0) return byValue;
  }
  return an.length - bn.length;
}

/** `{a="1", b="2"}`, as Prometheus prints a label set in logs and errors. */
export function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort(compareStrings)
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}
