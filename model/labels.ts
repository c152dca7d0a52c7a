// Label names and label sets, as Prometheus' model/labels: one definition of what a valid name is,
// used by configuration validation, relabeling, discovery, registration and the scrape path.

/** Labels of a target or series. Order does not matter on input; empty values count as absent. */
export type LabelSet = Map<string, string>;

/**
 * Which label names are valid: 'legacy' is [a-zA-Z_][a-zA-Z0-9_]* (Prometheus 2, and Prometheus 3
 * with metric_name_validation_scheme: legacy); 'utf8' is any non-empty valid UTF-8 (Prometheus 3's
 * default).
 */
export type NameValidationScheme = 'legacy' | 'utf8';

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidLabelName(name: string, scheme: NameValidationScheme = 'legacy'): boolean {
  if (scheme === 'legacy') return LEGACY_LABEL_NAME.test(name);
  return name.length > 0 && name.isWellFormed();
}

export function isValidMetricName(name: string, scheme: NameValidationScheme = 'legacy'): boolean {
  if (scheme === 'legacy') return LEGACY_METRIC_NAME.test(name);
  return name.length > 0 && name.isWellFormed();
}
