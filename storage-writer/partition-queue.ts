// One partition's way to one store (a shard of Prometheus' queue manager): messages wait here in
// offset order, leave as requests of up to max_samples_per_send (or when the oldest is
// batch_send_deadline old), one request at a time so the store sees every series in order, and
// their offset is committed only once the store acknowledged or definitively rejected them.
import type { Logger } from '../core/logger.ts';
import { RemoteWriteBatch } from '../protocol/remote-write-batch.ts';
import { readSampleMessage } from '../protocol/sample-message.ts';
import { DEFAULT_MAX_REPAIR_REQUESTS, repairRejectedMessage } from './message-repair.ts';
import { RecoverableWriteError, RejectedWriteError, type DropReason } from './remote-write-client.ts';
import type { QueueConfig } from './writer-config.ts';

export interface QueuedMessage {
  value: Buffer;
  /** Kafka offset, as kafkajs gives it (a decimal string). */
  offset: string;
  /** The Kafka message timestamp (ms), for sample_age_limit: a scrape is produced after it is taken. */
  timestampMs?: number;
}

export interface PartitionQueueEvents {
  /** The request succeeded. */
  sent(samples: number, bytes: number, seconds: number): void;
  retry(err: RecoverableWriteError, delayMs: number): void;
  dropped(samples: number, reason: DropReason | 'malformed_message', detail: string): void;
  /** The store definitively rejected one request (a batch, a message or part of one). */
  rejected(err: RejectedWriteError): void;
  /**
   * Kafka delivered again messages this writer had already taken in (and sent, or still holds):
   * not sent again, counted as duplicates, never as drops.
   */
  duplicate(samples: number, messages: number): void;
  /** A rejected message was repaired: its bad series dropped, the rest sent with `requests` requests. */
  repaired(offset: string, method: string, requests: number, sentSamples: number, droppedSamples: number): void;
  /** Buffered sample count changed by delta. */
  buffered(delta: number): void;
}

export interface PartitionQueueOptions {
  partition: number;
  queue: QueueConfig;
  /** Posts one body; throws RecoverableWriteError or RejectedWriteError. */
  send: (body: Buffer, samples: number) => Promise<void>;
  /** Commits: everything before nextOffset is done. */
  commit: (nextOffset: string) => Promise<void>;
  /**
   * Everything before nextOffset is settled (stored, or dropped and counted), also when the queue
   * closed while the request was in flight: a later queue of this partition must not send it again.
   */
  settled?: (nextOffset: string) => void;
  /** Offsets up to this one were settled by an earlier queue of this partition: replays are skipped. */
  settledThrough?: bigint;
  /** Bound on the store requests one rejected message may cost (message-repair.ts). */
  maxRepairRequests?: number;
  /** The queue is over its bound (true) or back under half of it (false). */
  backpressure: (paused: boolean) => void;
  events: PartitionQueueEvents;
  logger: Logger;
  now?: () => number;
}

interface Entry {
  value: Buffer;
  offset: string;
  /** -1 for a malformed message. */
  samples: number;
  arrivedMs: number;
  /** Kafka timestamp, or undefined when unknown. */
  timestampMs: number | undefined;
}

export class PartitionQueue {
  readonly partition: number;
  private readonly opts: PartitionQueueOptions;
  private readonly now: () => number;
  private entries: Entry[] = [];
  private head = 0;
  private samples = 0;
  private paused = false;
  private closed = false;
  /** The highest offset taken in, to skip what a re-delivery after a rebalance repeats. */
  private lastOffset: bigint | undefined;
  /** Drain deadline passed: finish the request in flight, start no other. */
  private finishing = false;
  private wake: (() => void) | undefined;
  private closeWake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly done: Promise<void>;
  private draining = false;

  constructor(opts: PartitionQueueOptions) {
    this.partition = opts.partition;
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.lastOffset = opts.settledThrough;
    this.done = this.run();
  }

  push(messages: readonly QueuedMessage[]): void {
    if (this.closed) return;
    const t = this.now();
    let added = 0;
    let duplicateSamples = 0;
    let duplicateMessages = 0;
    for (const m of messages) {
      const offset = BigInt(m.offset);
      let samples: number;
      try {
        samples = readSampleMessage(m.value).sampleCount;
      } catch (err) {
        samples = -1;
        if (this.lastOffset === undefined || offset > this.lastOffset) {
          // A message no writer can read must not block the partition: drop it, counted and logged.
          this.opts.events.dropped(0, 'malformed_message', `offset ${m.offset}: ${(err as Error).message}`);
        }
      }
      // After a rejoin or a consumer restart, Kafka delivers again from the committed offset, which
      // may lag what this writer settled (a commit lost in a broker outage): what this queue, or an
      // earlier queue of the partition, already took in is skipped, and counted as a duplicate.
      if (this.lastOffset !== undefined && offset <= this.lastOffset) {
        duplicateMessages++;
        duplicateSamples += Math.max(0, samples);
        continue;
      }
      this.lastOffset = offset;
      const timestampMs = m.timestampMs !== undefined && Number.isFinite(m.timestampMs) ? m.timestampMs : undefined;
      this.entries.push({ value: m.value, offset: m.offset, samples, arrivedMs: t, timestampMs });
      if (samples > 0) added += samples;
    }
    if (duplicateMessages > 0) this.opts.events.duplicate(duplicateSamples, duplicateMessages);
    this.samples += added;
    this.opts.events.buffered(added);
    if (!this.paused && this.samples > this.opts.queue.maxBufferedSamplesPerPartition) {
      this.paused = true;
      this.opts.backpressure(true);
    }
    this.kick();
  }

  get bufferedSamples(): number {
    return this.samples;
  }

  /** Sends what is buffered (ignoring the deadline), then stops; used on a graceful shutdown. */
  /**
   * Sends what is queued until deadlineMs. Past it no new request starts, but the one in flight
   * may finish (up to graceMs more) and its offset is committed: the store has those samples, so
   * leaving them uncommitted would make the next owner send them again.
   */
  async drain(deadlineMs: number, graceMs = 5_000): Promise<void> {
    this.draining = true;
    this.kick();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadlineMs - this.now())).unref());
    await Promise.race([this.waitEmpty(), timeout]);
    this.finishing = true;
    this.kick();
    this.closeWake?.(); // a retry waiting out its backoff gives up now
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([this.done, grace]);
    this.close();
  }

  /** Stops at once: nothing more is sent or committed (the partition moved to another writer). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.events.buffered(-this.samples);
    this.samples = 0;
    this.kick();
    this.closeWake?.();
  }

  finished(): Promise<void> {
    return this.done;
  }

  private emptyWaiters: (() => void)[] = [];

  private waitEmpty(): Promise<void> {
    if (this.head >= this.entries.length) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Waits ms; new messages wake an idle wait early, only close() wakes a backoff. */
  private sleep(ms: number, backoff = false): Promise<void> {
    return new Promise<void>((resolve) => {
      if (backoff) this.closeWake = resolve;
      else this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        resolve();
      }, ms);
    }).finally(() => {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.wake = undefined;
      this.closeWake = undefined;
    });
  }

  /** ms until the next request should leave, or 0 if now, or -1 if nothing is waiting. */
  private dueInMs(): number {
    if (this.head >= this.entries.length) return -1;
    if (this.draining || this.samples >= this.opts.queue.maxSamplesPerSend) return 0;
    const oldest = (this.entries[this.head] as Entry).arrivedMs;
    return Math.max(0, oldest + this.opts.queue.batchSendDeadlineMs - this.now());
  }

  private async run(): Promise<void> {
    const batch = new RemoteWriteBatch();
    while (!this.closed && !this.finishing) {
      const due = this.dueInMs();
      if (due !== 0) {
        if (due < 0) for (const w of this.emptyWaiters.splice(0)) w();
        await (due < 0 ? new Promise<void>((resolve) => (this.wake = resolve)) : this.sleep(due));
        continue;
      }
      // Take messages up to the request bounds (at least one, however large).
      batch.reset();
      let end = this.head;
      let malformed = 0;
      const taken: Entry[] = [];
      let takenSamples = 0;
      while (end < this.entries.length) {
        const e = this.entries[end] as Entry;
        if (e.samples < 0) {
          malformed++;
          end++;
          continue;
        }
        if (batch.messages > 0 && (batch.samples + e.samples > this.opts.queue.maxSamplesPerSend || batch.compressedBytes + e.value.length > this.opts.queue.maxRequestBytes)) break;
        batch.add(e.value);
        taken.push(e);
        takenSamples += e.samples;
        end++;
      }
      const last = this.entries[end - 1] as Entry;
      const next = (BigInt(last.offset) + 1n).toString();
      if (taken.length > 0) {
        const ok = await this.sendEntries(taken, batch);
        // Stored (or dropped) while the queue closed: no commit here, but a later queue of this
        // partition must not send it again.
        if (ok) this.opts.settled?.(next);
        // Closed while retrying (!ok) or while the request was in flight: close() already settled
        // the accounting and nothing more is committed; the next owner resends from the committed offset.
        if (!ok || this.closed) break;
      } else this.opts.settled?.(next);
      this.head = end;
      this.samples -= takenSamples;
      this.opts.events.buffered(-takenSamples);
      if (malformed > 0 || taken.length > 0) {
        try {
          await this.opts.commit(next);
        } catch (err) {
          this.opts.logger.warn({ partition: this.partition, err: (err as Error).message }, 'offset commit failed (partition reassigned?)');
        }
      }
      if (this.head > 1024 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
      if (this.paused && this.samples <= this.opts.queue.maxBufferedSamplesPerPartition / 2) {
        this.paused = false;
        this.opts.backpressure(false);
      }
    }
    for (const w of this.emptyWaiters.splice(0)) w();
  }

  private tooOld(e: Entry): boolean {
    const limit = this.opts.queue.sampleAgeLimitMs;
    return limit > 0 && e.timestampMs !== undefined && this.now() - e.timestampMs > limit;
  }

  /** Drops (counted as too_old) the messages past sample_age_limit, as Prometheus does before a send. */
  private withoutTooOld(list: readonly Entry[]): Entry[] {
    if (this.opts.queue.sampleAgeLimitMs <= 0) return list.slice();
    const keep: Entry[] = [];
    let old = 0;
    for (const e of list) {
      if (this.tooOld(e)) old += e.samples;
      else keep.push(e);
    }
    if (old > 0) this.opts.events.dropped(old, 'too_old', `older than sample_age_limit (${this.opts.queue.sampleAgeLimitMs} ms)`);
    return keep;
  }

  /**
   * True once the messages are stored or definitively rejected; false if the queue closed
   * meanwhile. A rejected batch of several messages is split in halves and each half sent again,
   * so that one bad message costs only itself (receivers such as Prometheus reject a whole
   * request for one sample); a rejected single message is repaired (message-repair.ts): only the
   * series the store refuses are dropped.
   */
  private async sendEntries(list: readonly Entry[], built?: RemoteWriteBatch): Promise<boolean> {
    let current = this.withoutTooOld(list);
    // The batch already built from exactly these messages is reused (the common case).
    let reuse = built !== undefined && current.length === list.length;
    for (;;) {
      if (current.length === 0) return true;
      let batch: RemoteWriteBatch;
      if (reuse && built !== undefined) batch = built;
      else {
        batch = new RemoteWriteBatch();
        for (const e of current) batch.add(e.value);
      }
      reuse = false;
      const r = await this.attempt(batch.finish(), batch.samples, () => current.some((e) => this.tooOld(e)));
      if (r === 'sent') return true;
      if (r === 'closed') return false;
      if (r === 'aged') {
        current = this.withoutTooOld(current);
        continue;
      }
      if (current.length > 1) {
        const mid = current.length >> 1;
        for (const part of [current.slice(0, mid), current.slice(mid)]) {
          if (!(await this.sendEntries(part))) return false;
        }
        return true;
      }
      return this.repair(current[0] as Entry, r);
    }
  }

  private async repair(e: Entry, rejection: RejectedWriteError): Promise<boolean> {
    const outcome = await repairRejectedMessage(
      e.value,
      rejection,
      async (body, samples) => {
        const r = await this.attempt(body, samples);
        return r === 'aged' ? 'closed' : r;
      },
      this.opts.maxRepairRequests ?? DEFAULT_MAX_REPAIR_REQUESTS,
    );
    let dropped = 0;
    for (const [reason, n] of outcome.dropped) {
      dropped += n;
      this.opts.events.dropped(n, reason, `offset ${e.offset}: ${rejection.message}`);
    }
    this.opts.events.repaired(e.offset, outcome.method, outcome.requests, outcome.sentSamples, dropped);
    return !outcome.closed;
  }

  /**
   * Posts one body, retrying recoverable failures with backoff: 'sent', the store's definitive
   * rejection, 'closed' (closed, or past the drain deadline: the next owner sends it), or 'aged'
   * when `aged` says, after a failed try, that part of the body went past sample_age_limit.
   */
  private async attempt(body: Buffer, samples: number, aged?: () => boolean): Promise<'sent' | 'closed' | 'aged' | RejectedWriteError> {
    let backoff = this.opts.queue.minBackoffMs;
    while (!this.closed) {
      const started = process.hrtime.bigint();
      try {
        await this.opts.send(body, samples);
        this.opts.events.sent(samples, body.length, Number(process.hrtime.bigint() - started) / 1e9);
        return 'sent';
      } catch (err) {
        if (err instanceof RejectedWriteError) {
          this.opts.events.rejected(err);
          return err;
        }
        // Past the drain deadline a failed request is not retried: the next owner sends it.
        if (this.finishing) return 'closed';
        const recoverable = err instanceof RecoverableWriteError ? err : new RecoverableWriteError((err as Error).message, undefined, undefined);
        // Full jitter keeps many partitions from retrying in lockstep against a recovering store.
        // A Retry-After of 0 (or a past date) falls back to the backoff, as in Prometheus: no hot loop.
        const retryAfter = recoverable.retryAfterMs ?? 0;
        const delay = retryAfter > 0 ? retryAfter : Math.round(backoff / 2 + Math.random() * (backoff / 2));
        this.opts.events.retry(recoverable, delay);
        await this.sleep(delay, true);
        if (this.finishing) return 'closed';
        backoff = Math.min(this.opts.queue.maxBackoffMs, backoff * 2);
        if (aged?.() === true) return 'aged';
      }
    }
    return 'closed';
  }
}
