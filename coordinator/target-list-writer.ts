// Puts the desired target list into etcd, on the leader only: reads what is there once, then keeps
// its own view and writes only the difference, in transactions of bounded size. Every transaction
// is fenced on the leader's election key: once leadership is lost (the key is gone with its lease),
// no write of ours lands, even one that was already under way.
//
// A change that needs several transactions is followed by the epoch key (cluster/target-epoch.ts):
// scrapers apply the change as one set when they hear it, at its effective instant, epochLeadMs
// ahead, so no node ever works from a half-written list and all switch at the same instant.
import type { Etcd3 } from 'etcd3';
import { encodeRecord, KEYS } from '../cluster/cluster-state.ts';
import { hexIdSplits, loadPrefix } from '../cluster/etcd-state-client.ts';
import { decodeTargetEpoch, type TargetEpochRecord } from '../cluster/target-epoch.ts';
import type { Logger } from '../core/logger.ts';
import { chunk, diffKeys, type KeepExisting, type KeyOperation } from './target-list.ts';

export class NotLeaderError extends Error {
  constructor() {
    super('no longer the leader: the election key is gone');
    this.name = 'NotLeaderError';
  }
}

export interface TargetListWriterOptions {
  etcd: Etcd3;
  prefix: string;
  logger: Logger;
  /** Operations per transaction; etcd's --max-txn-ops defaults to 128. */
  maxOpsPerTxn?: number;
  /** Read etcd again after this long, in case someone else changed our keys. */
  fullReadIntervalMs?: number;
  /**
   * How far ahead of its epoch key a change takes effect: longer than the epoch key takes to reach
   * every scraper (a watch event: milliseconds), short enough for a change to act quickly.
   */
  epochLeadMs?: number;
  /** Target transactions in flight at once (etcd commits concurrent ones together). */
  maxInFlight?: number;
  clock?: () => number;
}

/** Default lead of a target list change: see TargetListWriterOptions.epochLeadMs. */
export const DEFAULT_EPOCH_LEAD_MS = 1000;

export interface WriteResult {
  puts: number;
  deletes: number;
  transactions: number;
  /** The epoch written after the change (none when nothing changed). */
  epoch?: TargetEpochRecord;
}

export class TargetListWriter {
  private readonly etcd: Etcd3;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly maxOps: number;
  private readonly fullReadIntervalMs: number;
  private readonly epochLeadMs: number;
  private readonly maxInFlight: number;
  private readonly clock: () => number;
  /** What we believe is in etcd under targets/ and jobs/; undefined: read it first. */
  private view: Map<string, string> | undefined;
  private viewReadAt = 0;
  /** The last epoch in etcd, as of the last read or write. */
  private lastEpoch = 0;
  /**
   * Write an epoch even if nothing differs: after an error or a leadership change, changes may be
   * in etcd (ours, or a previous leader's) that no epoch has released yet.
   */
  private epochOwed = true;

  constructor(opts: TargetListWriterOptions) {
    this.etcd = opts.etcd;
    this.prefix = opts.prefix;
    this.logger = opts.logger.child({ component: 'target-list-writer' });
    this.maxOps = opts.maxOpsPerTxn ?? 100;
    this.fullReadIntervalMs = opts.fullReadIntervalMs ?? 5 * 60_000;
    this.epochLeadMs = opts.epochLeadMs ?? DEFAULT_EPOCH_LEAD_MS;
    this.maxInFlight = opts.maxInFlight ?? 8;
    this.clock = opts.clock ?? Date.now;
  }

  /** Forget the view: the next write reads etcd first (on becoming leader, after an error). */
  reset(): void {
    this.view = undefined;
    this.epochOwed = true;
  }

  /**
   * Makes etcd hold exactly `desired` under targets/ and jobs/. `fenceKey` is the leader's election
   * key: if it no longer exists, nothing is written and NotLeaderError is thrown.
   */
  async write(desired: ReadonlyMap<string, string>, fenceKey: string, now = Date.now(), keep?: KeepExisting): Promise<WriteResult> {
    if (this.view === undefined || now - this.viewReadAt >= this.fullReadIntervalMs) {
      this.view = await this.read();
      this.viewReadAt = now;
    }
    const view = this.view;
    const ops = diffKeys(view, desired, this.prefix, keep);
    const result: WriteResult = { puts: 0, deletes: 0, transactions: 0 };
    // Job puts before the targets that need them, job deletes after: each phase done before the
    // next. Within the target phase order does not matter (scrapers wait for the epoch key).
    const jobsPrefix = this.prefix + KEYS.jobs;
    const isJob = (op: KeyOperation): boolean => op.key.startsWith(jobsPrefix);
    const phases = [
      { ops: ops.filter((op) => isJob(op) && op.type === 'put'), inFlight: 1 },
      { ops: ops.filter((op) => !isJob(op)), inFlight: this.maxInFlight },
      { ops: ops.filter((op) => isJob(op) && op.type === 'delete'), inFlight: 1 },
    ];
    try {
      for (const phase of phases) {
        const batches = chunk(phase.ops, this.maxOps);
        let next = 0;
        let failed: { err: unknown } | undefined;
        const commitNext = async (): Promise<void> => {
          while (failed === undefined && next < batches.length) {
            const batch = batches[next++] as KeyOperation[];
            try {
              const res = await this.etcd
                .if(fenceKey, 'Create', '>', 0)
                .then(...batch.map((op) => (op.type === 'put' ? this.etcd.put(op.key).value(op.value) : this.etcd.delete().key(op.key))))
                .commit();
              if (!res.succeeded) throw new NotLeaderError();
              applyToView(view, batch);
              result.transactions++;
              for (const op of batch) op.type === 'put' ? result.puts++ : result.deletes++;
            } catch (err) {
              failed ??= { err };
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(phase.inFlight, batches.length) }, commitNext));
        if (failed !== undefined) throw failed.err;
      }
      if (ops.length > 0 || this.epochOwed) {
        // Last, in a transaction of its own: by the time a scraper hears it, it has heard the whole change.
        const written = this.clock();
        const epoch: TargetEpochRecord = {
          epoch: this.lastEpoch + 1,
          effectiveAtMs: written + this.epochLeadMs,
          writtenAtMs: written,
          targets: countUnder(view, this.prefix + KEYS.targets),
          jobs: countUnder(view, this.prefix + KEYS.jobs),
        };
        const res = await this.etcd
          .if(fenceKey, 'Create', '>', 0)
          .then(this.etcd.put(this.prefix + KEYS.targetsEpoch).value(encodeRecord(epoch)))
          .commit();
        if (!res.succeeded) throw new NotLeaderError();
        this.lastEpoch = epoch.epoch;
        this.epochOwed = false;
        result.transactions++;
        result.epoch = epoch;
      }
    } catch (err) {
      // A transaction may have landed without us hearing back: read etcd again next time.
      this.view = undefined;
      this.epochOwed = true;
      throw err;
    }
    if (result.epoch !== undefined) {
      const { epoch, ...counts } = result;
      this.logger.info({ ...counts, epoch: epoch?.epoch, targets: epoch?.targets, effectiveAt: epoch === undefined ? undefined : new Date(epoch.effectiveAtMs).toISOString() }, 'target list written');
    }
    return result;
  }

  private async read(): Promise<Map<string, string>> {
    const view = new Map<string, string>();
    for (const section of [KEYS.jobs, KEYS.targets]) {
      // Targets in concurrent ranges (their ids are hex hashes), as a scraper loads them.
      const { kvs } = await loadPrefix(this.etcd, this.prefix + section, undefined, undefined, section === KEYS.targets ? hexIdSplits(this.prefix + section, 8) : []);
      for (const kv of kvs) view.set(kv.key, kv.value);
    }
    const epochKey = this.prefix + KEYS.targetsEpoch;
    const epochText = await this.etcd.get(epochKey).string();
    if (epochText !== null) {
      try {
        this.lastEpoch = Math.max(this.lastEpoch, decodeTargetEpoch(epochKey, epochText).epoch);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'the target epoch key is unreadable: the next epoch overwrites it');
      }
    }
    this.logger.info({ keys: view.size, epoch: this.lastEpoch }, 'read the target list in etcd');
    return view;
  }
}

function countUnder(view: ReadonlyMap<string, string>, prefix: string): number {
  let n = 0;
  for (const key of view.keys()) if (key.startsWith(prefix)) n++;
  return n;
}

function applyToView(view: Map<string, string>, ops: readonly KeyOperation[]): void {
  for (const op of ops) {
    if (op.type === 'put') view.set(op.key, op.value);
    else view.delete(op.key);
  }
}
