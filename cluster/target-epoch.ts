// Versioned epochs of the target list. The coordinator writes one change as several transactions
// (etcd allows 128 operations per transaction), then `<prefix>targets-epoch`: the epoch number and
// an effective instant a little ahead (as announced member changes carry theirs). A scraper stages
// the target and job changes it hears and applies them as one set when the epoch key says so, at
// its effective instant: every node switches from one complete list to the next at the same
// instant, and never exposes an intermediate list. With no epoch key in etcd at all (a coordinator
// of an older version), changes apply as they arrive, as before. Pure (no I/O, no clock).
import type { JobRecord, TargetRecord } from './cluster-state.ts';
import { EncodedTargetMap, storedValue } from './encoded-target-map.ts';

export interface TargetEpochRecord {
  /** Increases by one per change written. */
  epoch: number;
  /** Every node switches to this change's list at this instant (ms since epoch). */
  effectiveAtMs: number;
  writtenAtMs: number;
  /** Target and job keys in etcd once the change is in: a reader can check it has them all. */
  targets: number;
  jobs: number;
}

export function decodeTargetEpoch(key: string, text: string): TargetEpochRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`etcd key ${key}: invalid JSON: ${(err as Error).message}`);
  }
  const r = v as Partial<Record<keyof TargetEpochRecord, unknown>> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.epoch !== 'number' ||
    typeof r.effectiveAtMs !== 'number' ||
    typeof r.writtenAtMs !== 'number' ||
    typeof r.targets !== 'number' ||
    typeof r.jobs !== 'number'
  ) {
    throw new Error(`etcd key ${key}: not a target epoch record`);
  }
  return r as TargetEpochRecord;
}

/** Changes heard and not applied yet; null: deleted. */
export interface StagedChanges {
  targets: Map<string, TargetRecord | null>;
  jobs: Map<string, JobRecord | null>;
}

export function emptyChanges(): StagedChanges {
  return { targets: new Map(), jobs: new Map() };
}

export interface PendingEpoch {
  record: TargetEpochRecord;
  /** When it applies: its effectiveAtMs, or later if an earlier epoch still waits (order is kept). */
  atMs: number;
  changes: StagedChanges;
}

/** What the target list will be at the next epoch boundary, for TargetAssigner.plan. */
export interface UpcomingTargets {
  atMs: number;
  targetIds: string[];
}

export interface AppliedEpoch {
  record: TargetEpochRecord;
  atMs: number;
  /** How long after its effective instant it was applied (late: heard after it). */
  lateMs: number;
  /** The list held does not have the number of targets the epoch says (someone else writes there). */
  mismatch: boolean;
}

export class TargetListStager {
  /** The lists in force: what the node exposes. */
  readonly targets: Map<string, TargetRecord>;
  readonly jobs: Map<string, JobRecord>;
  /** An epoch key has been seen: changes wait for their epoch. */
  epochMode = false;
  appliedEpoch: number | undefined;
  #staged: StagedChanges = emptyChanges();
  #pending: PendingEpoch[] = [];
  #loaded = false;

  constructor(targets: Map<string, TargetRecord>, jobs: Map<string, JobRecord>) {
    this.targets = targets;
    this.jobs = jobs;
  }

  /** Changes heard since the last epoch key. */
  get stagedCount(): number {
    return this.#staged.targets.size + this.#staged.jobs.size;
  }

  get pending(): readonly PendingEpoch[] {
    return this.#pending;
  }

  /**
   * A full load: the lists as of the epoch `epoch` (undefined: no epoch key), plus changes written
   * after that epoch (`newer`, staged for the next one). On a reload while running, a loaded epoch
   * not in force yet becomes pending (applied at its instant) instead of replacing the lists now.
   */
  load(targets: ReadonlyMap<string, TargetRecord>, jobs: ReadonlyMap<string, JobRecord>, epoch: TargetEpochRecord | undefined, newer: StagedChanges, nowMs: number): void {
    this.#pending = [];
    this.#staged = emptyChanges();
    this.epochMode = epoch !== undefined;
    const reload = this.#loaded;
    this.#loaded = true;
    if (epoch !== undefined && reload && epoch.epoch !== this.appliedEpoch && epoch.effectiveAtMs > nowMs) {
      this.#pending.push({ record: epoch, atMs: epoch.effectiveAtMs, changes: diff(this.targets, targets, this.jobs, jobs) });
    } else {
      if (this.targets instanceof EncodedTargetMap) this.targets.replaceWith(targets);
      else replace(this.targets, targets);
      replace(this.jobs, jobs);
      this.appliedEpoch = epoch?.epoch;
    }
    if (epoch === undefined) applyChanges(this, newer);
    else this.#staged = newer;
  }

  /** A put (record) or delete (null) of a target or job. True when it changed the lists in force. */
  change(kind: 'target', id: string, record: TargetRecord | null): boolean;
  change(kind: 'job', id: string, record: JobRecord | null): boolean;
  change(kind: 'target' | 'job', id: string, record: TargetRecord | JobRecord | null): boolean {
    if (this.epochMode) {
      if (kind === 'target') this.#staged.targets.set(id, record as TargetRecord | null);
      else this.#staged.jobs.set(id, record as JobRecord | null);
      return false;
    }
    const one = emptyChanges();
    if (kind === 'target') one.targets.set(id, record as TargetRecord | null);
    else one.jobs.set(id, record as JobRecord | null);
    applyChanges(this, one);
    return true;
  }

  /** The epoch key was written: what was staged becomes one pending set, applied at its instant. */
  epoch(record: TargetEpochRecord): void {
    this.epochMode = true;
    const last = this.#pending[this.#pending.length - 1];
    const atMs = Math.max(record.effectiveAtMs, last?.atMs ?? Number.NEGATIVE_INFINITY);
    this.#pending.push({ record, atMs, changes: this.#staged });
    this.#staged = emptyChanges();
  }

  /** The epoch key was deleted (a coordinator of an older version took over): apply everything now. */
  epochDeleted(): void {
    for (const p of this.#pending) applyChanges(this, p.changes);
    applyChanges(this, this.#staged);
    this.#pending = [];
    this.#staged = emptyChanges();
    this.epochMode = false;
  }

  /** Applies every pending epoch whose instant has come, in order. */
  applyDue(nowMs: number): AppliedEpoch[] {
    const applied: AppliedEpoch[] = [];
    while (this.#pending.length > 0 && (this.#pending[0] as PendingEpoch).atMs <= nowMs) {
      const p = this.#pending.shift() as PendingEpoch;
      applyChanges(this, p.changes);
      this.appliedEpoch = p.record.epoch;
      applied.push({ record: p.record, atMs: p.atMs, lateMs: Math.max(0, nowMs - p.atMs), mismatch: this.targets.size !== p.record.targets });
    }
    return applied;
  }

  /** When the next pending epoch applies, if any. */
  nextAtMs(): number | undefined {
    return this.#pending[0]?.atMs;
  }

  /** The target list from the next pending epoch on (after nowMs), if one is pending. */
  upcoming(nowMs: number): UpcomingTargets | undefined {
    const p = this.#pending.find((e) => e.atMs > nowMs);
    if (p === undefined) return undefined;
    const ids = new Set(this.targets.keys());
    for (const e of this.#pending) {
      for (const [id, r] of e.changes.targets) r === null ? ids.delete(id) : ids.add(id);
      if (e === p) break;
    }
    return { atMs: p.atMs, targetIds: [...ids] };
  }
}

function replace<K, V>(into: Map<K, V>, from: ReadonlyMap<K, V>): void {
  into.clear();
  for (const [k, v] of from) into.set(k, v);
}

function applyChanges(s: { targets: Map<string, TargetRecord>; jobs: Map<string, JobRecord> }, c: StagedChanges): void {
  for (const [id, r] of c.jobs) r === null ? s.jobs.delete(id) : s.jobs.set(id, r);
  for (const [id, r] of c.targets) r === null ? s.targets.delete(id) : s.targets.set(id, r);
}

function diff(
  targets: ReadonlyMap<string, TargetRecord>,
  nextTargets: ReadonlyMap<string, TargetRecord>,
  jobs: ReadonlyMap<string, JobRecord>,
  nextJobs: ReadonlyMap<string, JobRecord>,
): StagedChanges {
  const c = emptyChanges();
  // Compared as stored (an encoded record as its text), so only the records that changed are decoded.
  for (const id of nextTargets.keys()) {
    if (storedValue(targets, id) === storedValue(nextTargets, id)) continue;
    const r = nextTargets.get(id);
    if (r !== undefined) c.targets.set(id, r);
  }
  for (const id of targets.keys()) if (!nextTargets.has(id)) c.targets.set(id, null);
  for (const [id, r] of nextJobs) if (jobs.get(id) !== r) c.jobs.set(id, r);
  for (const id of jobs.keys()) if (!nextJobs.has(id)) c.jobs.set(id, null);
  return c;
}
