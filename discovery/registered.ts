// Targets registered through the API or CLI: RegisteredTarget records under <prefix>registered/,
// loaded once and then followed with a watch, so every coordinator sees the same ones and they
// survive restarts. One watcher serves every job; forJob() is that job's Discoverer.
import type { Etcd3, Watcher } from 'etcd3';
import { decodeRegistered, KEYS, type RegisteredTarget } from '../cluster/cluster-state.ts';
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
  private readonly etcd: Etcd3;
  private readonly keyPrefix: string;
  private readonly logger: Logger;
  private readonly events: DiscoveryEvents;
  private readonly records = new Map<string, RegisteredTarget>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private groups = new Map<string, TargetGroup[]>();
  /** What each job's listeners last heard, to report changes only. */
  private readonly reported = new Map<string, string>();
  private loaded = false;
  private revision = 0;
  private watcher: Watcher | undefined;
  private pending: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(etcd: Etcd3, prefix: string, logger: Logger, events: DiscoveryEvents) {
    this.etcd = etcd;
    this.keyPrefix = prefix + KEYS.registered;
    this.logger = logger.child({ component: 'registered-targets' });
    this.events = events;
  }

  /** Loads and watches, retrying with backoff until etcd answers; does not wait for that. */
  start(): void {
    void this.resync();
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.pending !== undefined) clearImmediate(this.pending);
    await this.watcher?.cancel().catch(() => undefined);
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

  private async resync(): Promise<void> {
    await this.watcher?.cancel().catch(() => undefined);
    this.watcher = undefined;
    for (let delay = 250; !this.closed; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.load();
        await this.watch();
        return;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'loading registered targets from etcd failed');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async load(): Promise<void> {
    const res = await this.etcd.getAll().prefix(this.keyPrefix).exec();
    this.records.clear();
    for (const kv of res.kvs) this.apply('put', kv.key.toString(), kv.value.toString());
    this.revision = Number(res.header.revision);
    this.loaded = true;
    this.logger.info({ registered: this.records.size, revision: this.revision }, 'loaded registered targets');
    this.changed();
  }

  private async watch(): Promise<void> {
    const watcher = await this.etcd.watch().prefix(this.keyPrefix).startRevision(String(this.revision + 1)).create();
    if (this.closed) {
      await watcher.cancel();
      return;
    }
    this.watcher = watcher;
    watcher.on('put', (kv) => {
      this.apply('put', kv.key.toString(), kv.value.toString());
      this.changed();
    });
    watcher.on('delete', (kv) => {
      this.apply('delete', kv.key.toString(), '');
      this.changed();
    });
    watcher.on('disconnected', (err) => this.logger.warn({ err: err.message }, 'etcd watch disconnected; keeping the registered targets and retrying'));
    watcher.on('error', (err) => {
      // E.g. our revision was compacted while disconnected: load everything again.
      this.logger.error({ err: err.message }, 'etcd watch failed: reloading registered targets');
      if (!this.closed) void this.resync();
    });
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
    if (this.pending !== undefined) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      this.groups = registeredGroups(this.records.values());
      for (const [job, set] of this.listeners) {
        const groups = this.groups.get(job) ?? [];
        const text = JSON.stringify(groups);
        if (this.reported.get(job) === text) continue;
        this.reported.set(job, text);
        for (const l of set) l(groups);
      }
    });
  }
}
