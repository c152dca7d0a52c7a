import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { appendTimeSeries, decodeWriteRequest, encodeLabelSet } from '../protocol/remote-write-codec.ts';
import { compressSampleMessage } from '../protocol/sample-message.ts';
import { snappyDecompress } from '../protocol/snappy.ts';
import { PartitionQueue, type QueuedMessage } from './partition-queue.ts';
import { RecoverableWriteError, RejectedWriteError, type DropReason } from './remote-write-client.ts';
import type { QueueConfig } from './writer-config.ts';

const logger = createLogger('partition-queue-test', 'silent');

// A real sample message: samples seq first..first+count-1, value = seq, one series each.
function sampleMessage(first: number, count: number): Buffer {
  const w = new ProtoWriter(256);
  for (let i = first; i < first + count; i++) {
    appendTimeSeries(w, encodeLabelSet(['__name__', 'seq'], ['ringwatch_test', String(i)]), i, 1_700_000_000_000 + i);
  }
  return compressSampleMessage(count, count, w.bytes());
}

/** The seq values of a remote write body, in body order. */
function seqs(body: Buffer): number[] {
  return decodeWriteRequest(snappyDecompress(body)).timeseries.map((ts) => {
    expect(ts.labels).toEqual([
      { name: '__name__', value: 'ringwatch_test' },
      { name: 'seq', value: String(ts.samples[0]?.value) },
    ]);
    return ts.samples[0]?.value as number;
  });
}

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Event =
  | { kind: 'sent'; samples: number }
  | { kind: 'retry'; delayMs: number; message: string }
  | { kind: 'dropped'; samples: number; reason: DropReason | 'malformed_message'; detail: string }
  | { kind: 'rejected'; reason: DropReason }
  | { kind: 'duplicate'; samples: number; messages: number }
  | { kind: 'repaired'; method: string; requests: number; sentSamples: number; droppedSamples: number };

/** A PartitionQueue with a fake store: records every send, commit and event. */
class Harness {
  readonly sends: { body: Buffer; samples: number; seqs: number[] }[] = [];
  readonly commits: string[] = [];
  readonly events: Event[] = [];
  readonly backpressure: boolean[] = [];
  buffered = 0;
  /** What the store does with the n-th send (0-based); default: stores at once. */
  onSend: (n: number) => Promise<void> = async () => {};
  readonly queue: PartitionQueue;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(queue: Partial<QueueConfig> = {}, extra: { settledThrough?: bigint; maxRepairRequests?: number; now?: () => number } = {}) {
    this.queue = new PartitionQueue({
      ...extra,
      partition: 3,
      queue: {
        maxSamplesPerSend: 10,
        batchSendDeadlineMs: 5000,
        maxRequestBytes: 1 << 20,
        minBackoffMs: 10,
        maxBackoffMs: 1000,
        maxBufferedSamplesPerPartition: 1000,
        sampleAgeLimitMs: 0,
        ...queue,
      },
      send: (body, samples) => {
        const n = this.sends.length;
        this.sends.push({ body, samples, seqs: seqs(body) });
        this.changed();
        return this.onSend(n);
      },
      commit: async (nextOffset) => {
        this.commits.push(nextOffset);
        this.changed();
      },
      backpressure: (paused) => {
        this.backpressure.push(paused);
        this.changed();
      },
      events: {
        sent: (samples) => {
          this.events.push({ kind: 'sent', samples });
          this.changed();
        },
        retry: (err, delayMs) => {
          this.events.push({ kind: 'retry', delayMs, message: err.message });
          this.changed();
        },
        dropped: (samples, reason, detail) => {
          this.events.push({ kind: 'dropped', samples, reason, detail });
          this.changed();
        },
        buffered: (delta) => {
          this.buffered += delta;
        },
        rejected: (err) => {
          this.events.push({ kind: 'rejected', reason: err.reason });
          this.changed();
        },
        duplicate: (samples, messages) => {
          this.events.push({ kind: 'duplicate', samples, messages });
          this.changed();
        },
        repaired: (_offset, method, requests, sentSamples, droppedSamples) => {
          this.events.push({ kind: 'repaired', method, requests, sentSamples, droppedSamples });
          this.changed();
        },
      },
      logger,
    });
  }

  push(...messages: [offset: number, value: Buffer, timestampMs?: number][]): void {
    this.queue.push(messages.map(([offset, value, timestampMs]): QueuedMessage => ({ offset: String(offset), value, ...(timestampMs !== undefined ? { timestampMs } : {}) })));
  }

  /** Resolves once check() holds; re-checked after every send, commit and event. */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  private changed(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }
}

// Lets the queue's promise chains run without moving the (fake) clock.
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

describe('PartitionQueue', () => {
  let h: Harness | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  afterEach(async () => {
    h?.queue.close();
    await h?.queue.finished();
    h = undefined;
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('sends a request as soon as it holds max_samples_per_send, in order, and commits after each', async () => {
    h = new Harness({ maxSamplesPerSend: 10 });
    h.push([100, sampleMessage(0, 5)], [101, sampleMessage(5, 5)], [102, sampleMessage(10, 5)], [103, sampleMessage(15, 5)]);
    const q = h;
    await q.until(() => q.commits.length === 2);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(0, 10), range(10, 10)]);
    expect(q.sends.map((s) => s.samples)).toEqual([10, 10]);
    expect(q.commits).toEqual(['102', '104']);
    expect(q.events).toEqual([
      { kind: 'sent', samples: 10 },
      { kind: 'sent', samples: 10 },
    ]);
    expect(q.queue.bufferedSamples).toBe(0);
    expect(q.buffered).toBe(0);
  });

  it('a message larger than max_samples_per_send still goes, alone', async () => {
    h = new Harness({ maxSamplesPerSend: 10 });
    h.push([0, sampleMessage(0, 25)], [1, sampleMessage(25, 1)]);
    const q = h;
    await q.until(() => q.sends.length === 1);
    expect(q.sends[0]?.seqs).toEqual(range(0, 25));
    await settle();
    expect(q.sends).toHaveLength(1); // the 1-sample rest waits for the deadline
  });

  it('max_request_bytes bounds a request too', async () => {
    const a = sampleMessage(0, 3);
    h = new Harness({ maxSamplesPerSend: 6, maxRequestBytes: a.length + 4 });
    h.push([0, a], [1, sampleMessage(3, 3)]);
    const q = h;
    await q.until(() => q.commits.length === 1);
    await vi.advanceTimersByTimeAsync(5000); // the 3-sample rest is not full: it waits for the deadline
    await q.until(() => q.commits.length === 2);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(0, 3), range(3, 3)]);
  });

  it('sends a partial request once its oldest message is batch_send_deadline old', async () => {
    h = new Harness({ maxSamplesPerSend: 100, batchSendDeadlineMs: 5000 });
    h.push([7, sampleMessage(0, 3)]);
    await vi.advanceTimersByTimeAsync(3000);
    h.push([8, sampleMessage(3, 2)]); // joins the waiting request; the deadline stays the oldest's
    await vi.advanceTimersByTimeAsync(1999);
    expect(h.sends).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sends.map((s) => s.seqs)).toEqual([range(0, 5)]);
    expect(h.commits).toEqual(['9']);
  });

  it('keeps order when messages arrive while a request is in flight', async () => {
    h = new Harness({ maxSamplesPerSend: 4 });
    const gates = [deferred(), deferred(), deferred()];
    h.onSend = (n) => gates[n]?.promise ?? Promise.resolve();
    const q = h;
    q.push([0, sampleMessage(0, 4)]);
    await q.until(() => q.sends.length === 1);
    q.push([1, sampleMessage(4, 2)], [2, sampleMessage(6, 2)]);
    q.push([3, sampleMessage(8, 4)]);
    await settle();
    expect(q.sends).toHaveLength(1); // one request at a time
    expect(q.commits).toEqual([]); // nothing committed before the store answered
    gates[0]?.resolve();
    await q.until(() => q.sends.length === 2);
    expect(q.commits).toEqual(['1']);
    gates[1]?.resolve();
    await q.until(() => q.sends.length === 3);
    gates[2]?.resolve();
    await q.until(() => q.commits.length === 3);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(0, 4), range(4, 4), range(8, 4)]);
    expect(q.commits).toEqual(['1', '3', '4']);
  });

  it('commits offsets beyond 2^53 exactly', async () => {
    h = new Harness({ maxSamplesPerSend: 1 });
    h.queue.push([{ offset: '9007199254740993', value: sampleMessage(0, 1) }]);
    const q = h;
    await q.until(() => q.commits.length === 1);
    expect(q.commits).toEqual(['9007199254740994']);
  });

  it('retries a recoverable error with doubling, capped backoff, resending the same body', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // jitter at its top: delay = full backoff
    h = new Harness({ maxSamplesPerSend: 5, minBackoffMs: 10, maxBackoffMs: 25 });
    h.onSend = async (n) => {
      if (n < 4) throw new RecoverableWriteError(`store answered HTTP 503: try ${n}`, 503, undefined);
    };
    h.push([40, sampleMessage(0, 5)]);
    const q = h;
    await q.until(() => q.sends.length === 1);
    await vi.advanceTimersByTimeAsync(9);
    expect(q.sends).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.sends).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(20 + 25 + 25);
    await q.until(() => q.commits.length === 1);
    expect(q.events.filter((e) => e.kind === 'retry').map((e) => (e.kind === 'retry' ? e.delayMs : 0))).toEqual([10, 20, 25, 25]);
    expect(q.sends).toHaveLength(5);
    for (const s of q.sends) expect(s.body.equals(q.sends[0]!.body)).toBe(true);
    expect(q.commits).toEqual(['41']);
    expect(q.events.at(-1)).toEqual({ kind: 'sent', samples: 5 });
  });

  it('backoff jitter stays within [backoff/2, backoff]', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    h = new Harness({ maxSamplesPerSend: 1, minBackoffMs: 100, maxBackoffMs: 1000 });
    h.onSend = async (n) => {
      if (n === 0) throw new Error('socket hang up'); // a plain error counts as recoverable
    };
    h.push([0, sampleMessage(0, 1)]);
    const q = h;
    await q.until(() => q.events.some((e) => e.kind === 'retry'));
    expect(q.events[0]).toEqual({ kind: 'retry', delayMs: 50, message: 'socket hang up' });
    await vi.advanceTimersByTimeAsync(50);
    await q.until(() => q.commits.length === 1);
  });

  it('honours Retry-After instead of its own backoff', async () => {
    h = new Harness({ maxSamplesPerSend: 1, minBackoffMs: 10 });
    h.onSend = async (n) => {
      if (n === 0) throw new RecoverableWriteError('store answered HTTP 429: slow down', 429, 3000);
    };
    h.push([0, sampleMessage(0, 1)]);
    const q = h;
    await q.until(() => q.events.length === 1);
    expect(q.events).toEqual([{ kind: 'retry', delayMs: 3000, message: 'store answered HTTP 429: slow down' }]);
    await vi.advanceTimersByTimeAsync(2999);
    expect(q.sends).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await q.until(() => q.commits.length === 1);
    expect(q.sends).toHaveLength(2);
  });

  it('a Retry-After of 0 (or a date in the past) does not turn into a hot retry loop', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    h = new Harness({ maxSamplesPerSend: 1, minBackoffMs: 10 });
    h.onSend = async (n) => {
      if (n === 0) throw new RecoverableWriteError('store answered HTTP 503: ', 503, 0);
    };
    h.push([0, sampleMessage(0, 1)]);
    const q = h;
    await q.until(() => q.events.length === 1);
    await settle();
    expect(q.sends).toHaveLength(1);
    expect(q.events).toEqual([{ kind: 'retry', delayMs: 10, message: 'store answered HTTP 503: ' }]);
  });

  it('a rejected message loses only the series the store refuses (bisected), counted by reason; committed, and the queue moves on', async () => {
    h = new Harness({ maxSamplesPerSend: 3 });
    const q = h;
    // Prometheus 2.42 answers one bad sample with a bare "out of order sample" and stores nothing.
    h.onSend = async (n) => {
      if (q.sends[n]?.seqs.includes(1)) throw new RejectedWriteError(400, 'out of order sample');
    };
    h.push([10, sampleMessage(0, 3)], [11, sampleMessage(3, 3)]);
    await q.until(() => q.commits.length === 2);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(0, 3), [0], [1, 2], [1], [2], range(3, 3)]);
    expect(q.events.filter((e) => e.kind === 'dropped')).toEqual([
      { kind: 'dropped', samples: 1, reason: 'out_of_order', detail: 'offset 10: store rejected the batch with HTTP 400: out of order sample' },
    ]);
    expect(q.events.find((e) => e.kind === 'repaired')).toEqual({ kind: 'repaired', method: 'bisected', requests: 4, sentSamples: 2, droppedSamples: 1 });
    expect(q.commits).toEqual(['11', '12']);
  });

  it('splits a rejected batch of several messages, then repairs the bad message: only the bad series is dropped', async () => {
    h = new Harness({ maxSamplesPerSend: 8 });
    const q = h;
    // The store refuses any request holding sample 5 (in the third message).
    h.onSend = async (n) => {
      if (q.sends[n]?.seqs.includes(5)) throw new RejectedWriteError(400, 'out of order sample');
    };
    h.push([40, sampleMessage(0, 2)], [41, sampleMessage(2, 2)], [42, sampleMessage(4, 2)], [43, sampleMessage(6, 2)]);
    await q.until(() => q.commits.length === 1);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(0, 8), range(0, 4), range(4, 4), range(4, 2), [4], [5], range(6, 2)]);
    expect(q.events.filter((e) => e.kind === 'dropped')).toEqual([
      { kind: 'dropped', samples: 1, reason: 'out_of_order', detail: 'offset 42: store rejected the batch with HTTP 400: out of order sample' },
    ]);
    expect(q.commits).toEqual(['44']);
  });

  it('a store answer that names the series drops it at once, without bisecting', async () => {
    h = new Harness({ maxSamplesPerSend: 4 });
    const q = h;
    h.onSend = async (n) => {
      if (q.sends[n]?.seqs.includes(5)) throw new RejectedWriteError(400, 'out of order sample for series {__name__="ringwatch_test", seq="5"}');
    };
    h.push([7, sampleMessage(4, 4)]);
    await q.until(() => q.commits.length === 1);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(4, 4), [4, 6, 7]]);
    expect(q.events.find((e) => e.kind === 'repaired')).toEqual({ kind: 'repaired', method: 'named', requests: 1, sentSamples: 3, droppedSamples: 1 });
  });

  it('bounds the requests a rejected message may cost: past the bound the rest is dropped whole, counted', async () => {
    h = new Harness({ maxSamplesPerSend: 64 }, { maxRepairRequests: 10 });
    const q = h;
    // Every series refused (e.g. the whole scrape older than the head): bisection alone would cost 127 requests.
    h.onSend = async () => {
      throw new RejectedWriteError(400, 'out of bounds');
    };
    h.push([3, sampleMessage(0, 64)]);
    await q.until(() => q.commits.length === 1);
    expect(q.sends.length).toBe(1 + 10);
    const dropped = q.events.filter((e) => e.kind === 'dropped');
    expect(dropped.reduce((n, e) => n + (e.kind === 'dropped' ? e.samples : 0), 0)).toBe(64);
    expect(dropped.every((e) => e.kind === 'dropped' && e.reason === 'too_old')).toBe(true);
    expect(q.commits).toEqual(['4']);
  });

  it('a replay of offsets an earlier queue of the partition settled is skipped and counted as duplicate, not sent', async () => {
    h = new Harness({ maxSamplesPerSend: 2 }, { settledThrough: 11n });
    const q = h;
    h.push([10, sampleMessage(0, 2)], [11, sampleMessage(2, 2)], [12, sampleMessage(4, 2)]);
    await q.until(() => q.commits.length === 1);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(4, 2)]);
    expect(q.events.filter((e) => e.kind === 'duplicate')).toEqual([{ kind: 'duplicate', samples: 4, messages: 2 }]);
    // Re-delivered again (e.g. a commit lost, then a rejoin): again skipped, again a duplicate.
    h.push([12, sampleMessage(4, 2)]);
    await settle();
    expect(q.sends.length).toBe(1);
    expect(q.events.filter((e) => e.kind === 'duplicate')).toEqual([
      { kind: 'duplicate', samples: 4, messages: 2 },
      { kind: 'duplicate', samples: 2, messages: 1 },
    ]);
    expect(q.events.some((e) => e.kind === 'dropped')).toBe(false);
  });

  it('sample_age_limit: messages older than the limit are dropped as too_old and committed, not sent', async () => {
    h = new Harness({ maxSamplesPerSend: 2, sampleAgeLimitMs: 60_000 });
    const q = h;
    const now = Date.now();
    h.push([1, sampleMessage(0, 2), now - 61_000], [2, sampleMessage(2, 2), now - 1000]);
    await q.until(() => q.commits.length === 2);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(2, 2)]);
    expect(q.events.filter((e) => e.kind === 'dropped')).toEqual([{ kind: 'dropped', samples: 2, reason: 'too_old', detail: 'older than sample_age_limit (60000 ms)' }]);
    expect(q.commits).toEqual(['2', '3']);
  });

  it('sample_age_limit: samples that grow too old while the store is down are dropped instead of retried', async () => {
    h = new Harness({ maxSamplesPerSend: 2, sampleAgeLimitMs: 10_000, minBackoffMs: 4000, maxBackoffMs: 4000 });
    const q = h;
    h.onSend = async () => {
      throw new RecoverableWriteError('store answered HTTP 503', 503, undefined);
    };
    h.push([1, sampleMessage(0, 2), Date.now() - 5000]);
    await q.until(() => q.sends.length === 1);
    await vi.advanceTimersByTimeAsync(12_000);
    await q.until(() => q.commits.length === 1);
    expect(q.sends.length).toBeLessThanOrEqual(3);
    expect(q.events.filter((e) => e.kind === 'dropped')).toEqual([{ kind: 'dropped', samples: 2, reason: 'too_old', detail: 'older than sample_age_limit (10000 ms)' }]);
    expect(q.commits).toEqual(['2']);
  });

  it('drops and commits a malformed message without blocking the others', async () => {
    h = new Harness({ maxSamplesPerSend: 4 });
    h.push([20, sampleMessage(0, 2)], [21, Buffer.from([9, 9, 9])], [22, sampleMessage(2, 2)]);
    const q = h;
    await q.until(() => q.commits.length === 1);
    expect(q.events[0]).toMatchObject({ kind: 'dropped', samples: 0, reason: 'malformed_message' });
    expect(q.events[0]?.kind === 'dropped' && q.events[0].detail).toMatch(/^offset 21: sample message: unknown format version 9/);
    expect(q.sends.map((s) => s.seqs)).toEqual([range(0, 4)]);
    expect(q.commits).toEqual(['23']);
  });

  it('commits a lone malformed message once its deadline passes', async () => {
    h = new Harness({ batchSendDeadlineMs: 1000 });
    h.push([30, Buffer.alloc(0)]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sends).toHaveLength(0);
    expect(h.commits).toEqual(['31']);
    expect(h.events).toEqual([{ kind: 'dropped', samples: 0, reason: 'malformed_message', detail: 'offset 30: sample message: empty value' }]);
  });

  it('asks for backpressure above max_buffered_samples_per_partition and releases it under half', async () => {
    h = new Harness({ maxSamplesPerSend: 10, maxBufferedSamplesPerPartition: 20 });
    const gates = [deferred(), deferred(), deferred()];
    h.onSend = (n) => gates[n]?.promise ?? Promise.resolve();
    const q = h;
    q.push([0, sampleMessage(0, 5)], [1, sampleMessage(5, 5)], [2, sampleMessage(10, 5)], [3, sampleMessage(15, 5)]);
    expect(q.backpressure).toEqual([]); // 20 is not over 20
    q.push([4, sampleMessage(20, 5)]);
    expect(q.backpressure).toEqual([true]);
    q.push([5, sampleMessage(25, 1)]);
    expect(q.backpressure).toEqual([true]); // said once
    expect(q.queue.bufferedSamples).toBe(26);
    await q.until(() => q.sends.length === 1);
    gates[0]?.resolve();
    await q.until(() => q.sends.length === 2);
    expect(q.queue.bufferedSamples).toBe(16);
    expect(q.backpressure).toEqual([true]); // 16 > 10
    gates[1]?.resolve();
    await q.until(() => q.backpressure.length === 2);
    expect(q.backpressure).toEqual([true, false]);
    expect(q.queue.bufferedSamples).toBe(6);
    expect(q.buffered).toBe(6);
  });

  it('close() during a retry stops at once, without committing or sending again', async () => {
    h = new Harness({ maxSamplesPerSend: 1, minBackoffMs: 100 });
    h.onSend = async () => {
      throw new RecoverableWriteError('store answered HTTP 500: down', 500, undefined);
    };
    h.push([0, sampleMessage(0, 1)], [1, sampleMessage(1, 1)]);
    const q = h;
    await q.until(() => q.events.length === 1);
    q.queue.close();
    await q.queue.finished();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(q.sends).toHaveLength(1);
    expect(q.commits).toEqual([]);
    expect(q.buffered).toBe(0);
    q.push([2, sampleMessage(2, 1)]); // ignored once closed
    expect(q.queue.bufferedSamples).toBe(0);
  });

  it('close() while a request is in flight: nothing committed after, buffered accounting stays at 0', async () => {
    h = new Harness({ maxSamplesPerSend: 2 });
    const gate = deferred();
    h.onSend = () => gate.promise;
    h.push([0, sampleMessage(0, 2)], [1, sampleMessage(2, 2)]);
    const q = h;
    await q.until(() => q.sends.length === 1);
    q.queue.close();
    gate.resolve();
    await q.queue.finished();
    await settle();
    expect(q.commits).toEqual([]);
    expect(q.sends).toHaveLength(1);
    expect(q.buffered).toBe(0);
    expect(q.queue.bufferedSamples).toBe(0);
  });

  it('drain() sends everything buffered, ignoring the deadline, then stops', async () => {
    h = new Harness({ maxSamplesPerSend: 4, batchSendDeadlineMs: 60_000 });
    h.push([0, sampleMessage(0, 3)], [1, sampleMessage(3, 3)], [2, sampleMessage(6, 1)]);
    await h.queue.drain(Date.now() + 10_000);
    expect(h.sends.map((s) => s.seqs)).toEqual([range(0, 3), range(3, 4)]);
    expect(h.commits).toEqual(['1', '3']);
    await h.queue.finished();
    expect(h.buffered).toBe(0);
  });

  it('drain() gives up at its deadline when the store keeps failing', async () => {
    h = new Harness({ maxSamplesPerSend: 4, minBackoffMs: 100, maxBackoffMs: 100 });
    h.onSend = async () => {
      throw new RecoverableWriteError('store answered HTTP 503: ', 503, undefined);
    };
    h.push([0, sampleMessage(0, 2)]);
    const drained = h.queue.drain(Date.now() + 1000);
    await vi.advanceTimersByTimeAsync(1000);
    await drained;
    await h.queue.finished();
    expect(h.commits).toEqual([]);
    expect(h.sends.length).toBeGreaterThan(1);
  });
});
