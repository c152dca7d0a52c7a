// Label sets as the rule engine handles them: plain objects whose keys are inserted in Prometheus'
// order (byte order of the UTF-8 names), so JSON output and iteration match Go's sorted labels.

export type Labels = Readonly<Record<string, string>>;

/** How label and metric names are checked: Prometheus 2.x (and promtool 2.42) is 'legacy', 3.x defaults to 'utf8'. */
export type NameValidation = 'legacy' | 'utf8';

export const METRIC_NAME_LABEL = '__name__';
export const ALERT_NAME_LABEL = 'alertname';

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidLabelName(name: string, scheme: NameValidation): boolean {
  if (scheme === 'legacy') return LEGACY_LABEL_NAME.test(name);
  return name.length > 0 && name.isWellFormed();
}

export function isValidMetricName(name: string, scheme: NameValidation): boolean {
  if (scheme === 'legacy') return LEGACY_METRIC_NAME.test(name);
  return name.length > 0 && name.isWellFormed();
}

/** Label values only have to be valid UTF-8 (no lone surrogates, in JavaScript terms). */
export function isValidLabelValue(value: string): boolean {
  return value.isWellFormed();
}

/**
 * Go compares strings byte by byte over UTF-8, which is code point order. JavaScript's `<` compares
 * UTF-16 code units, which differs only when a surrogate (a code point above U+FFFF) meets a
 * character in U+E000..U+FFFF: surrogates are moved above the whole BMP to fix that.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && ca <= 0xdfff) ca += 0x10000;
    if (cb >= 0xd800 && cb <= 0xdfff) cb += 0x10000;
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

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
