// This node's view of the fleet in etcd: members, jobs and targets, loaded at one revision and
// then kept current by a watch from the next revision on. Every change is applied in revision
// order; listeners hear one 'change' per burst of events.
import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { decodeJob, decodeMember, decodeTarget, KEYS, type JobRecord, type MemberRecord, type TargetRecord } from './cluster-state.ts';
import type { EtcdConfig } from '../core/etcd-config.ts';
import type { Logger } from '../core/logger.ts';
import { PrefixFollower } from './etcd-state-client.ts';

export class ClusterView extends EventEmitter<{ change: []; error: [Error] }> {
  readonly members = new Map<string, MemberRecord>();
  readonly targets = new Map<string, TargetRecord>();
  readonly jobs = new Map<string, JobRecord>();
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly follower: PrefixFollower;

  constructor(etcd: Etcd3, config: EtcdConfig, logger: Logger) {
    super();
    this.prefix = config.prefix;
    this.logger = logger.child({ component: 'cluster-view' });
    this.follower = new PrefixFollower(etcd, this.prefix, this.logger, {
      load: (kvs, revision) => {
        this.members.clear();
        this.targets.clear();
        this.jobs.clear();
        for (const kv of kvs) this.apply('put', kv.key, kv.value);
        this.logger.info({ revision, members: this.members.size, targets: this.targets.size }, 'loaded cluster state');
      },
      put: (key, value) => this.apply('put', key, value),
      delete: (key) => this.apply('delete', key, ''),
      changed: () => this.emit('change'),
    });
  }

  /** The etcd revision the view reflects. */
  get revision(): number {
    return this.follower.revision;
  }

  start(): Promise<void> {
    return this.follower.start();
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

  close(): Promise<void> {
    return this.follower.close();
  }
}
