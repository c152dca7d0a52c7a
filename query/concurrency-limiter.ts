// At most N queries at the stores at once, the rest waiting in a bounded FIFO queue: a burst from
// a dashboard waits its turn instead of overloading the store, and once the queue is full the
// caller is refused at once (503) rather than piling up memory and timeouts.

export class QueueFullError extends Error {
  constructor(limit: number, queued: number) {
    super(`too many concurrent queries: ${limit} running and ${queued} queued (limits.max_concurrent, limits.max_queued)`);
    this.name = 'QueueFullError';
  }
}

export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  readonly maxConcurrent: number;
  readonly maxQueued: number;

  constructor(maxConcurrent: number, maxQueued: number) {
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs fn when a slot is free; rejects with QueueFullError, or with signal's reason while queued. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) return Promise.reject(new QueueFullError(this.maxConcurrent, this.waiting.length));
    return new Promise<void>((resolve, reject) => {
      const entry = { resolve, reject };
      this.waiting.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted while queued'));
          }
        },
        { once: true },
      );
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so running stays the same.
    if (next !== undefined) next.resolve();
    else this.running--;
  }
}
