// The active alerts of each rule group, kept in etcd (not under a lease: they must outlive the
// replica), so that a restarted replica, or the replica a group moves to, resumes `for` progress
// and does not re-send within the resend delay. One key per group:
//   <prefix>state/<sha256(group key) prefix>  →  { group, file, savedAt, state }
// The owner writes after an evaluation that changed anything; the next owner reads before its
// first evaluation. Ownership moves at an announced tick one interval after the old owner's last
// evaluation, so the read sees the last write.
import { createHash } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../core/logger.ts';
import type { AlertingMetrics } from './alerting-metrics.ts';

export interface StoredGroupState<S> {
  group: string;
  file: string;
  savedAt: number;
  state: S;
}

export function stateKey(prefix: string, groupKey: string): string {
  return `${prefix}state/${createHash('sha256').update(groupKey).digest('hex').slice(0, 32)}`;
}

export class AlertStateStore<S> {
  readonly #etcd: Etcd3;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #metrics: AlertingMetrics;
  /** What this replica last wrote per group, to skip writes that change nothing. */
  readonly #written = new Map<string, string>();

  constructor(etcd: Etcd3, prefix: string, logger: Logger, metrics: AlertingMetrics) {
    this.#etcd = etcd;
    this.#prefix = prefix;
    this.#logger = logger.child({ component: 'alert-state' });
    this.#metrics = metrics;
  }

  async load(groupKey: string): Promise<StoredGroupState<S> | undefined> {
    const text = await this.#etcd.get(stateKey(this.#prefix, groupKey)).string();
    this.#written.delete(groupKey);
    if (text === null) return undefined;
    try {
      const stored = JSON.parse(text) as StoredGroupState<S>;
      this.#written.set(groupKey, JSON.stringify(stored.state));
      return stored;
    } catch (err) {
      this.#logger.error({ group: groupKey, err: (err as Error).message }, 'ignored unreadable alert state');
      return undefined;
    }
  }

  /** Writes the group's state when it differs from what this replica last wrote. */
  async save(groupKey: string, file: string, group: string, state: S): Promise<void> {
    const text = JSON.stringify(state);
    if (this.#written.get(groupKey) === text) return;
    const record: StoredGroupState<S> = { group, file, savedAt: Date.now(), state };
    try {
      await this.#etcd.put(stateKey(this.#prefix, groupKey)).value(JSON.stringify(record)).exec();
      this.#written.set(groupKey, text);
      this.#metrics.stateWrites.inc({ result: 'ok' });
    } catch (err) {
      // The next evaluation tries again; meanwhile the state lives in memory.
      this.#metrics.stateWrites.inc({ result: 'error' });
      this.#logger.warn({ group: groupKey, err: (err as Error).message }, 'writing alert state to etcd failed');
    }
  }

  /** Forgets what was written, so the next save writes (after the group moved away and back). */
  forget(groupKey: string): void {
    this.#written.delete(groupKey);
  }

  async remove(groupKey: string): Promise<void> {
    this.#written.delete(groupKey);
    await this.#etcd.delete().key(stateKey(this.#prefix, groupKey)).exec();
  }
}
