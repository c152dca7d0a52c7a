// Notification deduplication (notify/notify.go DedupStage, nflog): the notification log entry, the
// alert hashes it records, and whether a group needs a notification now.
import { xxhash64 } from '../core/xxhash64.ts';
import { sortedNames, type LabelSet } from './labels.ts';

/** nflogpb.Receiver: the receiver name, integration kind ("webhook", "email", ...) and its index. */
export interface NflogReceiver {
  readonly groupName: string;
  readonly integration: string;
  readonly index: number;
}

/** nflogpb.MeshEntry: what was last sent for a group to one integration. */
export interface NotificationLogEntry {
  readonly groupKey: string;
  readonly receiver: NflogReceiver;
  /** alertHash of the alerts firing and resolved at that notification */
  readonly firingAlerts: readonly string[];
  readonly resolvedAlerts: readonly string[];
  readonly timestampMs: number;
  readonly expiresAtMs: number;
}

/** Alertmanager's --data.retention default. */
export const DEFAULT_NFLOG_RETENTION_MS = 120 * 3_600_000;

/** XXH64 with seed 0 (cespare/xxhash Sum64): core/xxhash64.ts. */
export { xxhash64 };

const utf8 = new TextEncoder();

/**
 * hashAlert: XXH64 over sorted `name 0xff value 0xff`, as 16 hex digits. This is what the
 * notification log records per alert (not the FNV fingerprint the API shows).
 */
export function alertHash(labels: LabelSet): string {
  const parts: number[] = [];
  for (const name of sortedNames(labels)) {
    parts.push(...utf8.encode(name), 0xff, ...utf8.encode(labels[name] as string), 0xff);
  }
  return xxhash64(Uint8Array.from(parts)).toString(16).padStart(16, '0');
}

/** DedupStage.Exec's split: hashes of the alerts firing and resolved at `nowMs` (endsAt 0 = unset). */
export function alertHashSets(alerts: Iterable<{ readonly labels: LabelSet; readonly endsAtMs?: number }>, nowMs: number): { firing: Set<string>; resolved: Set<string> } {
  const firing = new Set<string>();
  const resolved = new Set<string>();
  for (const a of alerts) {
    const isResolved = a.endsAtMs !== undefined && a.endsAtMs !== 0 && a.endsAtMs <= nowMs;
    (isResolved ? resolved : firing).add(alertHash(a.labels));
  }
  return { firing, resolved };
}

const isSubset = (set: readonly string[], subset: ReadonlySet<string>): boolean => {
  const have = new Set(set);
  for (const k of subset) if (!have.has(k)) return false;
  return true;
};

/** DedupStage.needsUpdate. */
export function needsUpdate(
  entry: NotificationLogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  repeatIntervalMs: number,
  nowMs: number,
  sendResolved: boolean,
): boolean {
  // Never notified: notify now unless everything is already resolved.
  if (entry === undefined) return firing.size > 0;
  if (!isSubset(entry.firingAlerts, firing)) return true;
  // All resolved: notify (whatever send_resolved says) so the log is cleared, unless the receiver
  // never heard of any of them.
  if (firing.size === 0) return entry.firingAlerts.length > 0;
  if (sendResolved && !isSubset(entry.resolvedAlerts, resolved)) return true;
  // Nothing changed: only after the repeat interval.
  return entry.timestampMs < nowMs - repeatIntervalMs;
}

/** nflog's state key for an entry: `groupKey:receiver/integration/index`. */
export function notificationLogKey(groupKey: string, receiver: NflogReceiver): string {
  return `${groupKey}:${receiver.groupName}/${receiver.integration}/${receiver.index}`;
}

/**
 * The entry SetNotifiesStage logs after a successful notification: kept for the retention, or for
 * twice the repeat interval when that is shorter.
 */
export function notificationLogEntry(input: {
  groupKey: string;
  receiver: NflogReceiver;
  firing: Iterable<string>;
  resolved: Iterable<string>;
  nowMs: number;
  repeatIntervalMs: number;
  retentionMs?: number;
}): NotificationLogEntry {
  const retention = input.retentionMs ?? DEFAULT_NFLOG_RETENTION_MS;
  const expiry = 2 * input.repeatIntervalMs;
  const expiresAtMs = expiry > 0 && retention > expiry ? input.nowMs + expiry : input.nowMs + retention;
  return {
    groupKey: input.groupKey,
    receiver: input.receiver,
    firingAlerts: [...input.firing],
    resolvedAlerts: [...input.resolved],
    timestampMs: input.nowMs,
    expiresAtMs,
  };
}

/** nflog merge rule: an entry only replaces a stored one that is not newer. */
export function shouldReplaceEntry(stored: NotificationLogEntry | undefined, next: NotificationLogEntry): boolean {
  return stored === undefined || stored.timestampMs <= next.timestampMs;
}
