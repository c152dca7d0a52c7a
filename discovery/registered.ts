// Targets registered through the API or CLI: RegisteredTarget records under <prefix>registered/,
// loaded once and then followed with a watch, so every coordinator sees the same ones and they
// survive restarts. One watcher serves every job; forJob() is that job's Discoverer.
import type { Etcd3 } from 'etcd3';
import { decodeRegistered, KEYS, type RegisteredTarget } from '../cluster/cluster-state.ts';
import { PrefixFollower } from '../cluster/etcd-state-client.ts';
import type { Logger } from '../core/logger.ts';
import type { TargetGroup } from './target-group.ts';
import type { Discoverer, DiscoveryEvents } from './discoverer.ts';

/** One group per registered target (each has its own labels), by job, ordered by address. */
export function registeredGroups(records: Iterable<RegisteredTarget>): Map<string, TargetGroup[]> {
  const byJob = new Map<string, RegisteredTarget[]>();
  for (const r of records) {
    const list = byJob.get(r.job);
    if (list === undefined) byJob.set(r.job, [r]);
    else list.push(r);
  }
  const out = new Map<string, TargetGroup[]>();
  for (const [job, list] of byJob) {
    list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    out.set(
      job,
      list.map((r) => ({ targets: [r.address], labels: { ...r.labels }, source: `api:${r.address}` })),
    );
  }
  return out;
}

type Listener = (groups: TargetGroup[]) => void;

export class RegisteredTargetsWatcher {
  private readonly logger: Logger;
  private readonly events: DiscoveryEvents;
  private readonly records = new Map<string, RegisteredTarget>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private groups = new Map<string, TargetGroup[]>();
  /** What each job's listeners last heard, to report changes only. */
  private readonly reported = new Map<string, string>();
  private loaded = false;
  private readonly follower: PrefixFollower;

  constructor(etcd: Etcd3, prefix: string, logger: Logger, events: DiscoveryEvents) {
    this.logger = logger.child({ component: 'registered-targets' });
    this.events = events;
    this.follower = new PrefixFollower(etcd, prefix + KEYS.registered, this.logger, {
      load: (kvs, revision) => {
        this.records.clear();
        for (const kv of kvs) this.apply('put', kv.key, kv.value);
        this.loaded = true;
        this.logger.info({ registered: this.records.size, revision }, 'loaded registered targets');
      },
      put: (key, value) => this.apply('put', key, value),
      delete: (key) => this.apply('delete', key, ''),
      changed: () => this.changed(),
    });
  }

  /** Loads and watches, retrying with backoff until etcd answers; does not wait for that. */
  start(): void {
    this.follower.follow();
  }

  stop(): Promise<void> {
    return this.follower.close();
  }

  /** Every registered target, for listings. */
  all(): RegisteredTarget[] {
    return [...this.records.values()];
  }

  forJob(job: string): Discoverer {
    let listener: Listener | undefined;
    return {
      mechanism: 'api',
      start: (update) => {
        listener = update;
        let set = this.listeners.get(job);
        if (set === undefined) this.listeners.set(job, (set = new Set()));
        set.add(update);
        if (this.loaded) update(this.groups.get(job) ?? []);
      },
      stop: async () => {
        if (listener !== undefined) this.listeners.get(job)?.delete(listener);
      },
    };
  }

  private apply(type: 'put' | 'delete', key: string, value: string): void {
    if (type === 'delete') {
      this.records.delete(key);
      return;
    }
    try {
      this.records.set(key, decodeRegistered(key, value));
    } catch (err) {
      this.logger.error({ key, err: (err as Error).message }, 'ignored an invalid registered target');
      this.events.error('api', key, err as Error);
    }
  }

  private changed(): void {
    this.groups = registeredGroups(this.records.values());
    for (const [job, set] of this.listeners) {
      const groups = this.groups.get(job) ?? [];
      const text = JSON.stringify(groups);
      if (this.reported.get(job) === text) continue;
      this.reported.set(job, text);
      for (const l of set) l(groups);
    }
  }
}
