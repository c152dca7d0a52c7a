// The webhook receiver's JSON message (notify/webhook, version "4") and the template data it
// embeds (template.Data): status, group/common labels and annotations, per-alert fields, and
// max_alerts truncation. Times are epoch milliseconds in, Go's time.Time JSON text out.
import { fingerprint, sortedNames, type LabelSet } from './labels.ts';

/** An alert as notifications need it; `endsAtMs` 0 or absent means no end set. */
export interface NotificationAlert {
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly startsAtMs: number;
  readonly endsAtMs?: number;
  readonly generatorURL?: string;
}

export interface TemplateAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** template.Data, in its JSON field order. */
export interface TemplateData {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: TemplateAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

export interface WebhookMessage extends TemplateData {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

/** Go's zero time.Time as JSON shows it. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** time.Time JSON (RFC3339Nano in UTC, trailing fractional zeros dropped); 0 is Go's zero time. */
export function goTimeString(ms: number): string {
  if (ms === 0) return GO_ZERO_TIME;
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  return iso.replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac === '' ? 'Z' : `.${frac}Z`));
}

/** regexp.QuoteMeta, which template.Data applies to the receiver name. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

const resolvedAt = (a: NotificationAlert, nowMs: number): boolean => a.endsAtMs !== undefined && a.endsAtMs !== 0 && a.endsAtMs <= nowMs;

function sortedRecord(m: LabelSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of sortedNames(m)) out[k] = m[k] as string;
  return out;
}

/** Labels (or annotations) with the same value in every alert. */
function common(sets: readonly LabelSet[]): Record<string, string> {
  const first = sets[0];
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const k of sortedNames(first)) if (sets.every((s) => s[k] === first[k])) out[k] = first[k] as string;
  return out;
}

/**
 * template.Data: the group's status is firing while any alert fires; an alert's endsAt is shown only
 * once it has passed (the zero time while firing), as types.Alerts does.
 */
export function templateData(receiver: string, groupLabels: LabelSet, alerts: readonly NotificationAlert[], externalURL: string, nowMs: number): TemplateData {
  const anyFiring = alerts.some((a) => !resolvedAt(a, nowMs));
  return {
    receiver: quoteMeta(receiver),
    status: anyFiring ? 'firing' : 'resolved',
    alerts: alerts.map((a) => {
      const isResolved = resolvedAt(a, nowMs);
      return {
        status: isResolved ? 'resolved' : 'firing',
        labels: sortedRecord(a.labels),
        annotations: sortedRecord(a.annotations),
        startsAt: goTimeString(a.startsAtMs),
        endsAt: isResolved ? goTimeString(a.endsAtMs as number) : GO_ZERO_TIME,
        generatorURL: a.generatorURL ?? '',
        fingerprint: fingerprint(a.labels),
      };
    }),
    groupLabels: sortedRecord(groupLabels),
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
  };
}

/** truncateAlerts: the first max_alerts alerts (0 = all) and how many were left out. */
export function truncateAlerts<T>(maxAlerts: number, alerts: readonly T[]): { alerts: T[]; truncated: number } {
  if (maxAlerts !== 0 && alerts.length > maxAlerts) return { alerts: alerts.slice(0, maxAlerts), truncated: alerts.length - maxAlerts };
  return { alerts: [...alerts], truncated: 0 };
}

/** The webhook message for a group notification; common labels are computed after truncation, as upstream. */
export function webhookMessage(input: {
  receiver: string;
  groupKey: string;
  groupLabels: LabelSet;
  alerts: readonly NotificationAlert[];
  externalURL: string;
  maxAlerts: number;
  nowMs: number;
}): WebhookMessage {
  const { alerts, truncated } = truncateAlerts(input.maxAlerts, input.alerts);
  return { ...templateData(input.receiver, input.groupLabels, alerts, input.externalURL, input.nowMs), version: '4', groupKey: input.groupKey, truncatedAlerts: truncated };
}

/** The request body as Go's json.Encoder writes it: HTML-safe escapes and a trailing newline. */
export function webhookBody(message: WebhookMessage): string {
  const escapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  return `${JSON.stringify(message).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c] as string)}\n`;
}
