// The notification log (nflog): per group and integration, what was last notified, so that a
// group is not notified again before repeat_interval unless its alerts changed; shared through
// etcd so that a restart or another replica does not notify again.
import { notificationLogKey, shouldReplaceEntry, type NflogReceiver, type NotificationLogEntry } from './dedup.ts';
import type { SharedMap } from './shared-map.ts';

export class NotificationLog {
  readonly #map: SharedMap<NotificationLogEntry>;

  constructor(map: SharedMap<NotificationLogEntry>) {
    this.#map = map;
  }

  /** The live entry (an expired one reads as none, as nflog.Query). */
  get(groupKey: string, receiver: NflogReceiver, nowMs: number): NotificationLogEntry | undefined {
    const e = this.#map.get(notificationLogKey(groupKey, receiver));
    return e !== undefined && e.expiresAtMs > nowMs ? e : undefined;
  }

  async log(entry: NotificationLogEntry): Promise<void> {
    const key = notificationLogKey(entry.groupKey, entry.receiver);
    if (!shouldReplaceEntry(this.#map.get(key), entry)) return;
    await this.#map.put(key, entry);
  }

  /** Drops expired entries (nflog GC); returns how many. */
  async gc(nowMs: number): Promise<number> {
    let n = 0;
    for (const e of this.#map.values()) {
      if (e.expiresAtMs <= nowMs) {
        await this.#map.delete(notificationLogKey(e.groupKey, e.receiver));
        n++;
      }
    }
    return n;
  }
}

/** Checks an entry read back from etcd. */
export function decodeNotificationLogEntry(json: unknown): NotificationLogEntry {
  const e = json as NotificationLogEntry;
  if (typeof e !== 'object' || e === null || typeof e.groupKey !== 'string' || typeof e.timestampMs !== 'number' || typeof e.expiresAtMs !== 'number') {
    throw new Error('not a notification log entry');
  }
  if (!Array.isArray(e.firingAlerts) || !Array.isArray(e.resolvedAlerts) || typeof e.receiver?.groupName !== 'string') throw new Error('not a notification log entry');
  return e;
}
