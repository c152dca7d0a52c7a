// Keeps etcd in step with the latest target list while this coordinator leads: one write at a
// time, the newest list wins, failures retried with backoff, and a periodic pass to heal drift.
import type { Logger } from '../core/logger.ts';
import type { CoordinatorMetrics } from './coordinator-metrics.ts';
import type { Leadership } from './leader-election.ts';
import type { KeepExisting } from './target-list.ts';
import { NotLeaderError, type TargetListWriter } from './target-list-writer.ts';

export interface TargetListSyncOptions {
  writer: TargetListWriter;
  metrics: CoordinatorMetrics;
  logger: Logger;
  /** Called when a write found the election key gone: leadership must be given up. */
  onFenceLost: () => void;
  /** A pass even without changes, to repair what someone else changed (default 30 s). */
  periodicMs?: number;
}

export class TargetListSync {
  private readonly opts: TargetListSyncOptions;
  private readonly logger: Logger;
  private desired: ReadonlyMap<string, string> | undefined;
  private keep: KeepExisting | undefined;
  private leadership: Leadership | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = 250;
  private readonly periodic: NodeJS.Timeout;
  private stopped = false;

  constructor(opts: TargetListSyncOptions) {
    this.opts = opts;
    this.logger = opts.logger.child({ component: 'target-list-sync' });
    this.periodic = setInterval(() => this.kick(), opts.periodicMs ?? 30_000);
    this.periodic.unref();
  }

  /** The list etcd should hold (keys and encoded values), from the latest discovery. */
  setDesired(keys: ReadonlyMap<string, string>, keep?: KeepExisting): void {
    this.desired = keys;
    this.keep = keep;
    this.kick();
  }

  lead(leadership: Leadership): void {
    this.leadership = leadership;
    this.opts.writer.reset();
    this.kick();
  }

  follow(): void {
    this.leadership = undefined;
    this.clearRetry();
  }

  /** Stops writing and waits for a write under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.leadership = undefined;
    clearInterval(this.periodic);
    this.clearRetry();
    await this.running;
  }

  /** Resolves once the write under way (if any) is done; for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private kick(): void {
    if (this.stopped || this.leadership === undefined || this.desired === undefined) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.clearRetry();
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pass(): Promise<void> {
    const leadership = this.leadership;
    const desired = this.desired;
    if (leadership === undefined || desired === undefined) return;
    const { metrics } = this.opts;
    try {
      const r = await this.opts.writer.write(desired, leadership.key, Date.now(), this.keep);
      metrics.writes.inc({ op: 'put' }, r.puts);
      metrics.writes.inc({ op: 'delete' }, r.deletes);
      metrics.lastSync.set(Date.now() / 1000);
      this.retryMs = 250;
    } catch (err) {
      if (err instanceof NotLeaderError) {
        // A write under an earlier leadership: the current one (if any) is not affected.
        if (this.leadership !== leadership) return;
        this.logger.warn('the election key is gone: giving up leadership');
        this.leadership = undefined;
        this.opts.onFenceLost();
        return;
      }
      metrics.syncErrors.inc();
      const delay = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
      this.logger.error({ err: (err as Error).message, retryInMs: delay }, 'writing the target list failed');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, delay);
    }
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
