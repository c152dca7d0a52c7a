// What Prometheus sends to Alertmanager, and when: AlertingRule.sendAlerts and needsSending
// (rules/alerting.go), SendAlerts (rules/manager.go), the notifier's external labels and
// alert_relabel_configs (notifier/alert.go) and the API v2 postable alert (notifier/util.go).
import type { Alert } from './alert.ts';
import { formatRFC3339Millis, queryEscape } from './go-format.ts';
import { sortLabels } from './labels.ts';
import type { Labels } from './labels.ts';

/** Prometheus' --rules.alert.resend-delay default. */
export const DEFAULT_RESEND_DELAY_MS = 60_000;

/**
 * Pending alerts are never sent; an alert resolved since it was last sent is sent; otherwise it is
 * re-sent once strictly more than resendDelay has passed since the last send.
 */
export function needsSending(alert: Alert, tsMs: number, resendDelayMs: number): boolean {
  if (alert.state === 'pending') return false;
  if (alert.resolvedAt !== undefined && (alert.lastSentAt === undefined || alert.resolvedAt > alert.lastSentAt)) return true;
  // Go's zero time plus the delay is always before ts.
  return alert.lastSentAt === undefined || alert.lastSentAt + resendDelayMs < tsMs;
}

/** ValidUntil of a sent alert: it allows for two failed evaluations or sends before Alertmanager expires it. */
export function validUntil(tsMs: number, resendDelayMs: number, intervalMs: number): number {
  return tsMs + 4 * Math.max(intervalMs, resendDelayMs);
}

/** Marks the alerts that need sending at ts as sent and returns copies of them (sendAlerts). */
export function takeAlertsToSend(alerts: Iterable<Alert>, tsMs: number, resendDelayMs: number, intervalMs: number): Alert[] {
  const out: Alert[] = [];
  for (const alert of alerts) {
    if (!needsSending(alert, tsMs, resendDelayMs)) continue;
    alert.lastSentAt = tsMs;
    alert.validUntil = validUntil(tsMs, resendDelayMs, intervalMs);
    out.push({ ...alert });
  }
  return out;
}

/** `<externalURL>/graph?g0.expr=<expr>&g0.tab=1`, as strutil.TableLinkForExpression. */
export function generatorURL(externalURL: string, expr: string): string {
  return `${externalURL}/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`;
}

/** alert_relabel_configs, applied by another module: the new labels, or null to drop the alert. */
export type AlertRelabeler = (labels: Labels) => Labels | null;

/**
 * The labels an alert is sent with: external labels added where the alert has no such label (an
 * alert label always wins), then alert relabeling. null when relabeling drops the alert.
 */
export function notificationLabels(labels: Labels, externalLabels: Labels = {}, relabel?: AlertRelabeler): Labels | null {
  const out: Record<string, string> = { ...labels };
  for (const [name, value] of Object.entries(externalLabels)) {
    if ((out[name] ?? '') === '') out[name] = value;
  }
  const sorted = sortLabels(out);
  if (relabel === undefined) return sorted;
  const relabeled = relabel(sorted);
  return relabeled === null ? null : sortLabels(relabeled);
}

/** An Alertmanager API v2 PostableAlert as Prometheus fills it in. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface PostableAlertOptions {
  /** The rule's expression. */
  readonly expr: string;
  /** --web.external-url; "" gives a relative generatorURL, as Prometheus. */
  readonly externalURL?: string;
  readonly externalLabels?: Labels;
  readonly relabel?: AlertRelabeler;
}

/**
 * The body of POST /api/v2/alerts for alerts taken for sending: startsAt is FiredAt, endsAt is
 * ResolvedAt for a resolved alert and ValidUntil otherwise. Alerts dropped by relabeling are left out.
 */
export function toPostableAlerts(alerts: readonly Alert[], options: PostableAlertOptions): PostableAlert[] {
  const url = generatorURL(options.externalURL ?? '', options.expr);
  const out: PostableAlert[] = [];
  for (const alert of alerts) {
    const labels = notificationLabels(alert.labels, options.externalLabels, options.relabel);
    if (labels === null) continue;
    out.push({
      labels: { ...labels },
      annotations: { ...alert.annotations },
      startsAt: formatRFC3339Millis(alert.firedAt),
      endsAt: formatRFC3339Millis(alert.resolvedAt ?? alert.validUntil),
      generatorURL: url,
    });
  }
  return out;
}
