// This node's view of the fleet in etcd: members, jobs and targets, loaded at one revision and
// then kept current by a watch from the next revision on. Every change is applied in revision
// order; listeners hear one 'change' per burst of events.
import { EventEmitter } from 'node:events';
import type { Etcd3, Watcher } from 'etcd3';
import { decodeJob, decodeMember, decodeTarget, KEYS, type JobRecord, type MemberRecord, type TargetRecord } from './cluster-state.ts';
import type { EtcdConfig } from '../core/etcd-config.ts';
import type { Logger } from '../core/logger.ts';

export class ClusterView extends EventEmitter<{ change: []; error: [Error] }> {
  readonly members = new Map<string, MemberRecord>();
  readonly targets = new Map<string, TargetRecord>();
  readonly jobs = new Map<string, JobRecord>();
  /** The etcd revision the view reflects. */
  revision = 0;
  private readonly etcd: Etcd3;
  private readonly prefix: string;
  private readonly logger: Logger;
  private watcher: Watcher | undefined;
  private pending: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(etcd: Etcd3, config: EtcdConfig, logger: Logger) {
    super();
    this.etcd = etcd;
    this.prefix = config.prefix;
    this.logger = logger.child({ component: 'cluster-view' });
  }

  async start(): Promise<void> {
    await this.load();
    await this.watch();
  }

  private async load(): Promise<void> {
    const res = await this.etcd.getAll().prefix(this.prefix).exec();
    this.members.clear();
    this.targets.clear();
    this.jobs.clear();
    for (const kv of res.kvs) this.apply('put', kv.key.toString(), kv.value.toString());
    this.revision = Number(res.header.revision);
    this.logger.info({ revision: this.revision, members: this.members.size, targets: this.targets.size }, 'loaded cluster state');
    this.changed();
  }

  private async watch(): Promise<void> {
    const watcher = await this.etcd
      .watch()
      .prefix(this.prefix)
      .startRevision(String(this.revision + 1))
      .create();
    this.watcher = watcher;
    watcher.on('put', (kv) => {
      this.apply('put', kv.key.toString(), kv.value.toString());
      this.revision = Math.max(this.revision, Number(kv.mod_revision));
      this.changed();
    });
    watcher.on('delete', (kv) => {
      this.apply('delete', kv.key.toString(), '');
      this.revision = Math.max(this.revision, Number(kv.mod_revision));
      this.changed();
    });
    watcher.on('disconnected', (err) => this.logger.warn({ err: err.message }, 'etcd watch disconnected; keeping the last view and retrying'));
    watcher.on('connected', () => this.logger.info({ revision: this.revision }, 'etcd watch connected'));
    watcher.on('error', (err) => {
      // E.g. the revision was compacted away while we were disconnected: load everything again.
      this.logger.error({ err: err.message }, 'etcd watch failed: reloading');
      void this.resync();
    });
  }

  private async resync(): Promise<void> {
    if (this.closed) return;
    await this.watcher?.cancel().catch(() => undefined);
    for (let delay = 500; !this.closed; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.load();
        await this.watch();
        return;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'reload failed');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private apply(type: 'put' | 'delete', key: string, value: string): void {
    const rest = key.slice(this.prefix.length);
    try {
      if (rest.startsWith(KEYS.members)) {
        const id = rest.slice(KEYS.members.length);
        if (type === 'put') this.members.set(id, decodeMember(key, value));
        else this.members.delete(id);
      } else if (rest.startsWith(KEYS.targets)) {
        const id = rest.slice(KEYS.targets.length);
        if (type === 'put') this.targets.set(id, decodeTarget(key, value));
        else this.targets.delete(id);
      } else if (rest.startsWith(KEYS.jobs)) {
        const name = rest.slice(KEYS.jobs.length);
        if (type === 'put') this.jobs.set(name, decodeJob(key, value));
        else this.jobs.delete(name);
      }
    } catch (err) {
      // One bad record must not take the node down: skip it, loudly.
      this.logger.error({ key, err: (err as Error).message }, 'ignored an invalid record');
    }
  }

  private changed(): void {
    if (this.pending !== undefined) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      this.emit('change');
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.cancel();
  }
}
