// Puts the desired target list into etcd, on the leader only: reads what is there once, then keeps
// its own view and writes only the difference, in transactions of bounded size. Every transaction
// is fenced on the leader's election key: once leadership is lost (the key is gone with its lease),
// no write of ours lands, even one that was already under way.
import type { Etcd3 } from 'etcd3';
import { KEYS } from '../cluster/cluster-state.ts';
import { loadPrefix } from '../cluster/etcd-state-client.ts';
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
}

export interface WriteResult {
  puts: number;
  deletes: number;
  transactions: number;
}

export class TargetListWriter {
  private readonly etcd: Etcd3;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly maxOps: number;
  private readonly fullReadIntervalMs: number;
  /** What we believe is in etcd under targets/ and jobs/; undefined: read it first. */
  private view: Map<string, string> | undefined;
  private viewReadAt = 0;

  constructor(opts: TargetListWriterOptions) {
    this.etcd = opts.etcd;
    this.prefix = opts.prefix;
    this.logger = opts.logger.child({ component: 'target-list-writer' });
    this.maxOps = opts.maxOpsPerTxn ?? 100;
    this.fullReadIntervalMs = opts.fullReadIntervalMs ?? 5 * 60_000;
  }

  /** Forget the view: the next write reads etcd first (on becoming leader, after an error). */
  reset(): void {
    this.view = undefined;
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
    try {
      for (const batch of chunk(ops, this.maxOps)) {
        const res = await this.etcd
          .if(fenceKey, 'Create', '>', 0)
          .then(...batch.map((op) => (op.type === 'put' ? this.etcd.put(op.key).value(op.value) : this.etcd.delete().key(op.key))))
          .commit();
        if (!res.succeeded) throw new NotLeaderError();
        applyToView(view, batch);
        result.transactions++;
        for (const op of batch) op.type === 'put' ? result.puts++ : result.deletes++;
      }
    } catch (err) {
      // A transaction may have landed without us hearing back: read etcd again next time.
      this.view = undefined;
      throw err;
    }
    if (ops.length > 0) this.logger.info(result, 'target list written');
    return result;
  }

  private async read(): Promise<Map<string, string>> {
    const view = new Map<string, string>();
    for (const section of [KEYS.jobs, KEYS.targets]) {
      const { kvs } = await loadPrefix(this.etcd, this.prefix + section);
      for (const kv of kvs) view.set(kv.key, kv.value);
    }
    this.logger.info({ keys: view.size }, 'read the target list in etcd');
    return view;
  }
}

function applyToView(view: Map<string, string>, ops: readonly KeyOperation[]): void {
  for (const op of ops) {
    if (op.type === 'put') view.set(op.key, op.value);
    else view.delete(op.key);
  }
}
