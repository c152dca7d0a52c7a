// The live members of one ring (one kind of node), as etcd has them: loaded at one revision and
// followed by a watch (etcd-state-client.ts). Scrapers see theirs through the ClusterView, which
// also holds the target list; alerting and notifier replicas need only the members.
import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../core/logger.ts';
import { decodeMember, KEYS, type MemberRecord } from './cluster-state.ts';
import { PrefixFollower } from './etcd-state-client.ts';

export class MemberView extends EventEmitter<{ change: [] }> {
  readonly members = new Map<string, MemberRecord>();
  readonly #follower: PrefixFollower;

  constructor(etcd: Etcd3, prefix: string, logger: Logger, membersKey: string = KEYS.members) {
    super();
    const keyPrefix = prefix + membersKey;
    const log = logger.child({ component: 'member-view' });
    const apply = (key: string, value: string | undefined): void => {
      const id = key.slice(keyPrefix.length);
      if (value === undefined) {
        this.members.delete(id);
        return;
      }
      try {
        this.members.set(id, decodeMember(key, value));
      } catch (err) {
        log.error({ key, err: (err as Error).message }, 'ignored an invalid member record');
      }
    };
    this.#follower = new PrefixFollower(etcd, keyPrefix, log, {
      load: (kvs) => {
        this.members.clear();
        for (const kv of kvs) apply(kv.key, kv.value);
      },
      put: (key, value) => apply(key, value),
      delete: (key) => apply(key, undefined),
      changed: () => this.emit('change'),
    });
  }

  get revision(): number {
    return this.#follower.revision;
  }

  start(): Promise<void> {
    return this.#follower.start();
  }

  close(): Promise<void> {
    return this.#follower.close();
  }
}
