// An alert as the notifier holds it (Alertmanager's types.Alert): times are epoch milliseconds;
// endsAtMs is when it resolved or, while firing, the instant after which it counts as resolved.
import type { LabelSet } from './labels.ts';

export interface Alert {
  readonly fingerprint: string;
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly generatorURL: string;
  readonly updatedAtMs: number;
  /** endsAt was not given and was set to now + resolve_timeout (types.Alert.Timeout). */
  readonly timeout: boolean;
}

export function isResolved(alert: Pick<Alert, 'endsAtMs'>, nowMs: number): boolean {
  return alert.endsAtMs !== 0 && alert.endsAtMs <= nowMs;
}

/**
 * types.Alert.Merge: the newer update wins, but overlapping occurrences keep the earliest start
 * (an alert sent again while it fires is the same occurrence); a stale update is ignored.
 */
export function mergeAlert(old: Alert | undefined, next: Alert): Alert {
  if (old === undefined) return next;
  if (next.updatedAtMs < old.updatedAtMs) return old;
  const overlaps = next.startsAtMs <= old.endsAtMs && old.startsAtMs <= next.endsAtMs;
  if (!overlaps) return next;
  // A resolution that arrives after a timeout-extended end keeps its own end.
  return { ...next, startsAtMs: Math.min(old.startsAtMs, next.startsAtMs) };
}
