// The records this node publishes to the Kafka `alerts` topic (the format is protocol/alert-record.ts,
// shared with the notifier; docs/alert-record-format.md): one per alert state transition, and one
// for every alert (re-)sent to Alertmanager, so a consumer sees a firing alert refreshed every
// resend delay exactly as Alertmanager does and lets it expire at endsAt otherwise.
import { ALERT_RECORD_VERSION, type AlertRecord, type AlertRecordStatus } from '../protocol/alert-record.ts';
import type { Alert } from './alert.ts';
import type { AlertRelabeler } from './alert-sending.ts';
import { generatorURL, notificationLabels } from './alert-sending.ts';
import type { AlertTransition } from './alerting-rule.ts';
import { fingerprintHex } from '../model/fingerprint.ts';
import { formatRFC3339Millis } from './go-format.ts';

export interface AlertRecordContext {
  readonly file: string;
  readonly group: string;
  readonly rule: string;
  readonly expr: string;
  readonly tsMs: number;
  /** endsAt of a firing alert that has no validUntil yet (Prometheus' validUntil for this evaluation). */
  readonly validUntilMs: number;
  readonly externalURL?: string;
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly relabel?: AlertRelabeler;
  /** The replica that evaluated the rule. */
  readonly owner?: string;
}

function toRecord(status: AlertRecordStatus, a: Alert, ctx: AlertRecordContext): AlertRecord | null {
  const labels = notificationLabels(a.labels, ctx.externalLabels, ctx.relabel);
  if (labels === null) return null;
  const endsAt = a.resolvedAt ?? (status === 'firing' ? (a.validUntil ?? ctx.validUntilMs) : ctx.tsMs);
  return {
    version: ALERT_RECORD_VERSION,
    fingerprint: fingerprintHex(labels),
    status,
    labels: { ...labels },
    annotations: { ...a.annotations },
    activeAt: formatRFC3339Millis(a.activeAt),
    startsAt: formatRFC3339Millis(a.firedAt ?? a.activeAt),
    endsAt: formatRFC3339Millis(endsAt),
    generatorURL: generatorURL(ctx.externalURL ?? '', ctx.expr),
    value: a.value,
    rule: { group: ctx.group, file: ctx.file, name: ctx.rule },
    evaluatedAt: formatRFC3339Millis(ctx.tsMs),
    replica: ctx.owner ?? '',
  };
}

/** The record of one transition; null when alert relabeling drops the alert (it is never notified). */
export function toAlertRecord(transition: AlertTransition, ctx: AlertRecordContext): AlertRecord | null {
  return toRecord(transition.to, transition.alert, ctx);
}

/** Records for this evaluation's transitions, then for the alerts sent that did not transition. */
export function toAlertRecords(transitions: readonly AlertTransition[], sent: readonly Alert[], ctx: AlertRecordContext): AlertRecord[] {
  const out: AlertRecord[] = [];
  const seen = new Set<string>();
  for (const t of transitions) {
    const r = toAlertRecord(t, ctx);
    if (r === null) continue;
    seen.add(`${r.fingerprint}/${r.status}`);
    out.push(r);
  }
  for (const a of sent) {
    const r = toRecord(a.resolvedAt !== undefined ? 'resolved' : 'firing', a, ctx);
    if (r === null || seen.has(`${r.fingerprint}/${r.status}`)) continue;
    out.push(r);
  }
  return out;
}
