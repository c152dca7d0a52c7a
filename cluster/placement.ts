// Placement: which live member owns each key. Kept behind this small interface, apart from
// membership (as Grafana's ckit keeps shard/ apart from its peers), so the ring can change without
// touching who is a member, and every node kind (scrapers, alerting and notifier replicas) shares it.

export interface Placement {
  /** Replaces the member set. */
  setMembers(memberIds: readonly string[]): void;
  /** Owners for a full key set, computed at once (bounded loads needs the whole set). */
  assign(keys: readonly string[]): Map<string, string>;
  members(): readonly string[];
}
