// One alert instance of an alerting rule (Prometheus' rules.Alert), and its JSON-safe form for
// saving the rule's state (etcd) so another replica resumes it exactly.
import { formatSampleValue, parseSampleValue } from './go-format.ts';
import { orderLabels, sortLabels } from './labels.ts';
import type { Labels } from './labels.ts';

/** 'inactive' is a resolved alert kept for resolvedRetention, or a pending one that just disappeared. */
export type AlertState = 'pending' | 'firing' | 'inactive';

/**
 * Times are milliseconds since the epoch; undefined stands for Go's zero time ("never").
 * The rule mutates its own alerts; everything it hands out is a copy.
 */
export interface Alert {
  state: AlertState;
  /** Series labels without __name__, plus the templated rule labels, plus alertname. */
  labels: Labels;
  annotations: Labels;
  /** The value at the last evaluation that returned this series. */
  value: number;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  lastSentAt?: number;
  validUntil?: number;
  keepFiringSince?: number;
}

/** How long a resolved alert is kept, and re-sent to Alertmanager as resolved (rules.resolvedRetention). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export function cloneAlert(a: Alert): Alert {
  return { ...a };
}

/** The JSON form: same fields, value as Prometheus writes sample values ("NaN", "+Inf"), absent times omitted. */
export interface SerializedAlert {
  state: AlertState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: string;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  lastSentAt?: number;
  validUntil?: number;
  keepFiringSince?: number;
}

const OPTIONAL_TIMES = ['firedAt', 'resolvedAt', 'lastSentAt', 'validUntil', 'keepFiringSince'] as const;

export function serializeAlert(a: Alert): SerializedAlert {
  const out: SerializedAlert = { state: a.state, labels: { ...a.labels }, annotations: { ...a.annotations }, value: formatSampleValue(a.value), activeAt: a.activeAt };
  for (const key of OPTIONAL_TIMES) {
    const t = a[key];
    if (t !== undefined) out[key] = t;
  }
  return out;
}

export class AlertStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertStateError';
  }
}

function stringMap(v: unknown, where: string): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AlertStateError(`${where}: expected an object of strings`);
  for (const [k, s] of Object.entries(v)) if (typeof s !== 'string') throw new AlertStateError(`${where}.${k}: expected a string`);
  return v as Record<string, string>;
}

function time(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AlertStateError(`${where}: expected a time in milliseconds, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads a SerializedAlert back, checking every field (the state comes from outside the process). */
export function deserializeAlert(raw: unknown, where = 'alert'): Alert {
  if (typeof raw !== 'object' || raw === null) throw new AlertStateError(`${where}: expected an object`);
  const r = raw as Record<string, unknown>;
  if (r.state !== 'pending' && r.state !== 'firing' && r.state !== 'inactive') {
    throw new AlertStateError(`${where}.state: expected pending, firing or inactive, got ${JSON.stringify(r.state)}`);
  }
  const value = typeof r.value === 'string' ? parseSampleValue(r.value) : undefined;
  if (value === undefined) throw new AlertStateError(`${where}.value: expected a sample value string, got ${JSON.stringify(r.value)}`);
  const alert: Alert = {
    state: r.state,
    labels: sortLabels(stringMap(r.labels, `${where}.labels`)),
    annotations: orderLabels(stringMap(r.annotations ?? {}, `${where}.annotations`)),
    value,
    activeAt: time(r.activeAt, `${where}.activeAt`),
  };
  for (const key of OPTIONAL_TIMES) {
    if (r[key] !== undefined && r[key] !== null) alert[key] = time(r[key], `${where}.${key}`);
  }
  return alert;
}
