// The record format of the `alerts` Kafka topic: one JSON record per alert state transition,
// written by the alerting replicas and read by the notifier (and by anything that wants the alert
// history). Keyed by the alert's fingerprint, so every transition of one alert stays in order in
// one partition. The format is written down in docs/alert-record-format.md.
//
// startsAt / endsAt mean what they mean in Alertmanager's API (and what Prometheus sends there):
// startsAt is when the alert fired; endsAt is when it resolved, or, while it fires, the instant
// after which it counts as resolved unless it is sent again (Prometheus' validUntil).

export const ALERT_RECORD_VERSION = 1;

export type AlertRecordStatus = 'pending' | 'firing' | 'resolved' | 'inactive';

export interface AlertRecord {
  version: typeof ALERT_RECORD_VERSION;
  /** 16 hex digits: FNV-1a 64 of the sorted labels (prometheus/common model.Fingerprint). */
  fingerprint: string;
  /** pending → firing → resolved; a pending alert that goes away becomes inactive. */
  status: AlertRecordStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339: when the condition first held (pending began). */
  activeAt: string;
  /** RFC 3339: Alertmanager's startsAt; equals activeAt while pending. */
  startsAt: string;
  /** RFC 3339: Alertmanager's endsAt (resolved at, or valid until while firing). */
  endsAt: string;
  generatorURL: string;
  /** The expression's value for this alert at the evaluation. */
  value: number;
  rule: { group: string; file: string; name: string };
  /** RFC 3339: the evaluation that made this transition. */
  evaluatedAt: string;
  /** The alerting replica that evaluated it. */
  replica: string;
}

export class AlertRecordFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertRecordFormatError';
  }
}

const STATUSES: readonly string[] = ['pending', 'firing', 'resolved', 'inactive'];

function stringMap(v: unknown, field: string): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AlertRecordFormatError(`${field}: expected an object of strings`);
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') throw new AlertRecordFormatError(`${field}.${k}: expected a string`);
  return v as Record<string, string>;
}

function time(v: unknown, field: string): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new AlertRecordFormatError(`${field}: expected an RFC 3339 time, got ${JSON.stringify(v)}`);
  return v;
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new AlertRecordFormatError(`${field}: expected a string`);
  return v;
}

export function encodeAlertRecord(record: AlertRecord): Buffer {
  // NaN and ±Inf are not JSON: written as Prometheus writes sample values, as strings.
  return Buffer.from(JSON.stringify(record, (k, v: unknown) => (k === 'value' && typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

/** Reads one record; throws AlertRecordFormatError naming the field that is wrong. */
export function decodeAlertRecord(input: Uint8Array | string): AlertRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
  } catch (err) {
    throw new AlertRecordFormatError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null) throw new AlertRecordFormatError('expected a JSON object');
  const r = doc as Record<string, unknown>;
  if (r.version !== ALERT_RECORD_VERSION) throw new AlertRecordFormatError(`version: unsupported ${JSON.stringify(r.version)} (this node reads ${ALERT_RECORD_VERSION})`);
  if (typeof r.status !== 'string' || !STATUSES.includes(r.status)) throw new AlertRecordFormatError(`status: expected one of ${STATUSES.join(', ')}`);
  const fingerprint = text(r.fingerprint, 'fingerprint');
  if (!/^[0-9a-f]{16}$/.test(fingerprint)) throw new AlertRecordFormatError('fingerprint: expected 16 hex digits');
  const rule = r.rule as Record<string, unknown> | undefined;
  if (typeof rule !== 'object' || rule === null) throw new AlertRecordFormatError('rule: expected an object');
  const value = typeof r.value === 'string' ? Number(r.value) : r.value;
  if (typeof value !== 'number') throw new AlertRecordFormatError('value: expected a number');
  return {
    version: ALERT_RECORD_VERSION,
    fingerprint,
    status: r.status as AlertRecordStatus,
    labels: stringMap(r.labels, 'labels'),
    annotations: stringMap(r.annotations ?? {}, 'annotations'),
    activeAt: time(r.activeAt, 'activeAt'),
    startsAt: time(r.startsAt, 'startsAt'),
    endsAt: time(r.endsAt, 'endsAt'),
    generatorURL: typeof r.generatorURL === 'string' ? r.generatorURL : '',
    value,
    rule: { group: text(rule.group, 'rule.group'), file: text(rule.file, 'rule.file'), name: text(rule.name, 'rule.name') },
    evaluatedAt: time(r.evaluatedAt, 'evaluatedAt'),
    replica: typeof r.replica === 'string' ? r.replica : '',
  };
}
