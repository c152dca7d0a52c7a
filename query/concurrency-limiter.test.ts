import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, QueueFullError } from './concurrency-limiter.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ConcurrencyLimiter', () => {
  it('runs at most N at once, queues the rest in order, refuses beyond the queue', async () => {
    const limiter = new ConcurrencyLimiter(2, 1);
    const gates = [deferred(), deferred(), deferred()];
    const order: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        order.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect([limiter.inFlight, limiter.queued]).toEqual([2, 1]);
    await expect(limiter.run(async () => 9)).rejects.toBeInstanceOf(QueueFullError);
    gates[0]?.resolve();
    expect(await runs[0]).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect([limiter.inFlight, limiter.queued]).toEqual([0, 0]);
  });

  it('drops a queued request whose signal aborts, and frees slots after failures', async () => {
    const limiter = new ConcurrencyLimiter(1, 5);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const controller = new AbortController();
    const queued = limiter.run(async () => 'never', controller.signal);
    controller.abort(new Error('timed out'));
    await expect(queued).rejects.toThrow('timed out');
    expect(limiter.queued).toBe(0);
    gate.resolve();
    await first;
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.inFlight).toBe(0);
  });
});
