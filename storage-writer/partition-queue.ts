// One partition's way to one store (a shard of Prometheus' queue manager): messages wait here in
// offset order, leave as requests of up to max_samples_per_send (or when the oldest is
// batch_send_deadline old), one request at a time so the store sees every series in order, and
// their offset is committed only once the store acknowledged or definitively rejected them.
import type { Logger } from '../core/logger.ts';
import { RemoteWriteBatch } from '../protocol/remote-write-batch.ts';
import { readSampleMessage } from '../protocol/sample-message.ts';
import { RecoverableWriteError, RejectedWriteError, type DropReason } from './remote-write-client.ts';
import type { QueueConfig } from './writer-config.ts';

export interface QueuedMessage {
  value: Buffer;
  /** Kafka offset, as kafkajs gives it (a decimal string). */
  offset: string;
}

export interface PartitionQueueEvents {
  /** The request succeeded. */
  sent(samples: number, bytes: number, seconds: number): void;
  retry(err: RecoverableWriteError, delayMs: number): void;
  dropped(samples: number, reason: DropReason | 'malformed_message', detail: string): void;
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
  /** The queue is over its bound (true) or back under half of it (false). */
  backpressure: (paused: boolean) => void;
  events: PartitionQueueEvents;
  logger: Logger;
  now?: () => number;
}

interface Entry {
  value: Buffer;
  offset: string;
  samples: number;
  arrivedMs: number;
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
    this.done = this.run();
  }

  push(messages: readonly QueuedMessage[]): void {
    if (this.closed) return;
    const t = this.now();
    let added = 0;
    for (const m of messages) {
      // After a rebalance that left this partition here, Kafka delivers again from the committed
      // offset: what this queue already holds (or sent) is skipped, not sent twice.
      const offset = BigInt(m.offset);
      if (this.lastOffset !== undefined && offset <= this.lastOffset) continue;
      this.lastOffset = offset;
      let samples: number;
      try {
        samples = readSampleMessage(m.value).sampleCount;
      } catch (err) {
        // A message no writer can read must not block the partition: drop it, counted and logged.
        this.opts.events.dropped(0, 'malformed_message', `offset ${m.offset}: ${(err as Error).message}`);
        this.entries.push({ value: m.value, offset: m.offset, samples: -1, arrivedMs: t });
        continue;
      }
      this.entries.push({ value: m.value, offset: m.offset, samples, arrivedMs: t });
      added += samples;
    }
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
      while (end < this.entries.length) {
        const e = this.entries[end] as Entry;
        if (e.samples < 0) {
          malformed++;
          end++;
          continue;
        }
        if (batch.messages > 0 && (batch.samples + e.samples > this.opts.queue.maxSamplesPerSend || batch.compressedBytes + e.value.length > this.opts.queue.maxRequestBytes)) break;
        batch.add(e.value);
        end++;
      }
      const last = this.entries[end - 1] as Entry;
      if (batch.messages > 0) {
        const values: Uint8Array[] = [];
        for (let i = this.head; i < end; i++) if ((this.entries[i] as Entry).samples >= 0) values.push((this.entries[i] as Entry).value);
        const ok = await this.sendWithRetry(batch, values);
        // Closed while retrying (!ok) or while the request was in flight: close() already settled
        // the accounting and nothing more is committed; the next owner resends from the committed offset.
        if (!ok || this.closed) break;
      }
      const taken = batch.samples;
      this.head = end;
      this.samples -= taken;
      this.opts.events.buffered(-taken);
      if (malformed > 0 || batch.messages > 0) {
        try {
          await this.opts.commit((BigInt(last.offset) + 1n).toString());
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

  /**
   * True once the batch is stored or definitively rejected; false if the queue closed meanwhile.
   * A rejected batch of several messages is split in halves and each half sent again, so that one
   * bad message (or messages already stored before a crash, which the store now refuses as out of
   * order) costs only itself: receivers such as Prometheus reject a whole request for one sample.
   */
  private async sendWithRetry(batch: RemoteWriteBatch, values: readonly Uint8Array[]): Promise<boolean> {
    const body = batch.finish();
    let backoff = this.opts.queue.minBackoffMs;
    while (!this.closed) {
      const started = process.hrtime.bigint();
      try {
        await this.opts.send(body, batch.samples);
        this.opts.events.sent(batch.samples, body.length, Number(process.hrtime.bigint() - started) / 1e9);
        return true;
      } catch (err) {
        if (err instanceof RejectedWriteError) {
          if (values.length > 1) return this.sendHalves(values);
          this.opts.events.dropped(batch.samples, err.reason, err.message);
          return true;
        }
        // Past the drain deadline a failed request is not retried: the next owner sends it.
        if (this.finishing) return false;
        const recoverable = err instanceof RecoverableWriteError ? err : new RecoverableWriteError((err as Error).message, undefined, undefined);
        // Full jitter keeps many partitions from retrying in lockstep against a recovering store.
        // A Retry-After of 0 (or a past date) falls back to the backoff, as in Prometheus: no hot loop.
        const retryAfter = recoverable.retryAfterMs ?? 0;
        const delay = retryAfter > 0 ? retryAfter : Math.round(backoff / 2 + Math.random() * (backoff / 2));
        this.opts.events.retry(recoverable, delay);
        await this.sleep(delay, true);
        if (this.finishing) return false;
        backoff = Math.min(this.opts.queue.maxBackoffMs, backoff * 2);
      }
    }
    return false;
  }

  private async sendHalves(values: readonly Uint8Array[]): Promise<boolean> {
    const mid = values.length >> 1;
    for (const part of [values.slice(0, mid), values.slice(mid)]) {
      const batch = new RemoteWriteBatch();
      for (const v of part) batch.add(v);
      if (!(await this.sendWithRetry(batch, part))) return false;
    }
    return true;
  }
}
