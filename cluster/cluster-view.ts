// This node's view of the fleet in etcd: members, jobs and targets, loaded at one revision and
// then kept current by a watch from the next revision on. Every change is applied in revision
// order; listeners hear one 'change' per burst of events.
//
// Target and job changes wait for their epoch (target-epoch.ts): the maps below only ever hold a
// complete target list, switched at the epoch's effective instant, the same on every node. The
// load is done at the revision of the last epoch key, so changes written after it (a change being
// written right now) come through the watch and are staged like any other.
import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { decodeJob, decodeMember, decodeTarget, KEYS, type JobRecord, type MemberRecord, type TargetRecord } from './cluster-state.ts';
import type { EtcdConfig } from '../core/etcd-config.ts';
import type { Logger } from '../core/logger.ts';
import { hexIdSplits, PrefixFollower } from './etcd-state-client.ts';
import { EncodedTargetMap } from './encoded-target-map.ts';
import { decodeTargetEpoch, emptyChanges, TargetListStager, type AppliedEpoch, type TargetEpochRecord, type UpcomingTargets } from './target-epoch.ts';

/** Ranges of the target list loaded concurrently (etcd-state-client.ts loadPrefix). */
const TARGET_RANGES = 8;

export class ClusterView extends EventEmitter<{ change: []; error: [Error] }> {
  readonly members = new Map<string, MemberRecord>();
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly follower: PrefixFollower;
  private readonly stager: TargetListStager;
  private readonly clock: () => number;
  /** Something listeners can see changed since the last 'change'. */
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(etcd: Etcd3, config: EtcdConfig, logger: Logger, clock: () => number = Date.now) {
    super();
    this.prefix = config.prefix;
    this.clock = clock;
    this.logger = logger.child({ component: 'cluster-view' });
    const epochKey = this.prefix + KEYS.targetsEpoch;
    const targetKeys = this.prefix + KEYS.targets;
    // Records of the list in force are decoded when read (encoded-target-map.ts): placement needs
    // the ids only, a scraper reads the records it owns.
    const invalid = (key: string, err: Error): void => this.logger.error({ key, err: err.message }, 'ignored an invalid record');
    this.stager = new TargetListStager(new EncodedTargetMap(targetKeys, invalid), new Map());
    this.follower = new PrefixFollower(
      etcd,
      this.prefix,
      this.logger,
      {
        load: (kvs, revision) => {
          this.members.clear();
          const epochKv = kvs.find((kv) => kv.key === epochKey);
          let epoch: TargetEpochRecord | undefined;
          if (epochKv !== undefined) epoch = this.decode(epochKv.key, () => decodeTargetEpoch(epochKv.key, epochKv.value));
          const targets = new EncodedTargetMap(targetKeys, invalid);
          const jobs = new Map<string, JobRecord>();
          const newer = emptyChanges();
          for (const kv of kvs) {
            // Loaded at the current revision (the epoch's was compacted): what came after the epoch
            // key waits for the next one. Deletes after it cannot be told apart (docs/sharding.md).
            const late = epoch !== undefined && epochKv !== undefined && kv.modRevision > epochKv.modRevision;
            const rest = kv.key.slice(this.prefix.length);
            if (rest.startsWith(KEYS.members)) this.putMember(kv.key, kv.value);
            else if (rest.startsWith(KEYS.targets)) {
              const id = rest.slice(KEYS.targets.length);
              if (!late) targets.setEncoded(id, kv.value);
              else {
                const r = this.decode(kv.key, () => decodeTarget(kv.key, kv.value));
                if (r !== undefined) newer.targets.set(id, r);
              }
            } else if (rest.startsWith(KEYS.jobs)) {
              const r = this.decode(kv.key, () => decodeJob(kv.key, kv.value));
              if (r !== undefined) (late ? newer.jobs : jobs).set(rest.slice(KEYS.jobs.length), r);
            }
          }
          this.stager.load(targets, jobs, epoch, newer, this.clock());
          this.dirty = true;
          this.logger.info(
            { revision, members: this.members.size, targets: this.stager.targets.size, epoch: epoch?.epoch, staged: this.stager.stagedCount, pending: this.stager.pending.length },
            'loaded cluster state',
          );
        },
        put: (key, value) => this.apply(key, value),
        delete: (key) => this.apply(key, undefined),
        changed: () => this.flush(),
      },
      {
        // The target list in concurrent ranges (ids are hex hashes).
        splits: hexIdSplits(targetKeys, TARGET_RANGES),
        // Load at the revision of the last epoch: the lists there are complete.
        loadRevision: async () => {
          const res = await etcd.get(epochKey).exec();
          const kv = res.kvs[0];
          return kv === undefined ? undefined : Number(kv.mod_revision);
        },
      },
    );
  }

  /** The target list in force (never an intermediate one). */
  get targets(): Map<string, TargetRecord> {
    this.applyDue();
    return this.stager.targets;
  }

  get jobs(): Map<string, JobRecord> {
    this.applyDue();
    return this.stager.jobs;
  }

  /** The list from the next announced epoch on, with its instant (for TargetAssigner.plan). */
  upcomingTargets(nowMs: number = this.clock()): UpcomingTargets | undefined {
    this.applyDue();
    return this.stager.upcoming(nowMs);
  }

  /** The epoch of the list in force; undefined: none (an older coordinator, or none written yet). */
  get epoch(): number | undefined {
    this.applyDue();
    return this.stager.appliedEpoch;
  }

  /** Changes heard that wait for an epoch key. */
  get stagedChanges(): number {
    return this.stager.stagedCount;
  }

  /** The etcd revision the view reflects. */
  get revision(): number {
    return this.follower.revision;
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.follower.close();
  }

  private apply(key: string, value: string | undefined): void {
    const rest = key.slice(this.prefix.length);
    if (rest.startsWith(KEYS.members)) {
      if (value === undefined) this.members.delete(rest.slice(KEYS.members.length));
      else this.putMember(key, value);
      this.dirty = true;
    } else if (rest.startsWith(KEYS.targets)) {
      const id = rest.slice(KEYS.targets.length);
      const r = value === undefined ? null : this.decode(key, () => decodeTarget(key, value));
      if (r !== undefined && this.stager.change('target', id, r)) this.dirty = true;
    } else if (rest.startsWith(KEYS.jobs)) {
      const name = rest.slice(KEYS.jobs.length);
      const r = value === undefined ? null : this.decode(key, () => decodeJob(key, value));
      if (r !== undefined && this.stager.change('job', name, r)) this.dirty = true;
    } else if (rest === KEYS.targetsEpoch) {
      if (value === undefined) {
        this.logger.warn('the target epoch key was deleted: applying target changes as they arrive');
        this.stager.epochDeleted();
      } else {
        const epoch = this.decode(key, () => decodeTargetEpoch(key, value));
        if (epoch === undefined) return;
        this.stager.epoch(epoch);
      }
      // A new epoch changes what listeners plan for (TargetAssigner.plan's upcoming list).
      this.dirty = true;
    }
  }

  private putMember(key: string, value: string): void {
    const m = this.decode(key, () => decodeMember(key, value));
    if (m !== undefined) this.members.set(key.slice(this.prefix.length + KEYS.members.length), m);
  }

  private decode<T>(key: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      // One bad record must not take the node down: skip it, loudly.
      this.logger.error({ key, err: (err as Error).message }, 'ignored an invalid record');
      return undefined;
    }
  }

  private applyDue(): void {
    const applied = this.stager.applyDue(this.clock());
    for (const a of applied) this.logApplied(a);
    if (applied.length > 0) {
      this.dirty = true;
      // Listeners hear of it from the timer (never from inside a getter they are calling).
      this.schedule(0);
    }
  }

  private logApplied(a: AppliedEpoch): void {
    const fields = { epoch: a.record.epoch, targets: this.stager.targets.size, jobs: this.stager.jobs.size, effectiveAt: new Date(a.atMs).toISOString(), lateMs: a.lateMs };
    if (a.mismatch) this.logger.warn({ ...fields, expectedTargets: a.record.targets }, 'target list epoch applied, but the number of targets differs from what the epoch says');
    else if (a.lateMs > 1000) this.logger.warn(fields, 'target list epoch applied late: heard after its effective instant');
    else this.logger.info(fields, 'target list epoch applied');
  }

  /** End of a burst of events (or a timer): apply what is due, tell listeners, arm the next epoch. */
  private flush(): void {
    if (this.closed) return;
    this.applyDue();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) {
      this.dirty = false;
      this.emit('change');
    }
    const next = this.stager.nextAtMs();
    if (next !== undefined) this.schedule(next - this.clock());
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, Math.max(0, delayMs));
  }
}

