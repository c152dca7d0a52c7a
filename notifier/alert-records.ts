// Alert records from the alerts topic (protocol/alert-record.ts) as alert updates: firing and
// resolved records are Alertmanager alerts (startsAt, endsAt as Prometheus sends them); pending and
// inactive ones never notify, so the notifier ignores them.
import type { AlertRecord } from '../protocol/alert-record.ts';
import type { Alert } from './alert.ts';
import { fingerprint } from './labels.ts';

export function alertFromRecord(record: AlertRecord): Alert | undefined {
  if (record.status !== 'firing' && record.status !== 'resolved') return undefined;
  const startsAtMs = Date.parse(record.startsAt);
  let endsAtMs = Date.parse(record.endsAt);
  const evaluatedAtMs = Date.parse(record.evaluatedAt);
  // A resolution is the end: it never lies in the future.
  if (record.status === 'resolved' && endsAtMs > evaluatedAtMs) endsAtMs = evaluatedAtMs;
  return {
    // Recomputed rather than trusted: grouping, dedup and the API must agree with the labels.
    fingerprint: fingerprint(record.labels),
    labels: record.labels,
    annotations: record.annotations,
    startsAtMs,
    endsAtMs,
    generatorURL: record.generatorURL,
    updatedAtMs: evaluatedAtMs,
    timeout: false,
  };
}
