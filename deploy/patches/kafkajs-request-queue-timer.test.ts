// The patched kafkajs RequestQueue (deploy/patches/kafkajs-request-queue-timer.mjs, applied at
// npm's postinstall): no timer while nothing is pending, and a pending request is still sent once
// the throttle or the in-flight limit lets it.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/harness/eventually.ts';

interface PushedRequest {
  entry: { correlationId: number; apiKey: number; apiName: string; apiVersion: number; resolve: () => void; reject: () => void };
  expectResponse: boolean;
  sendRequest: () => void;
}
interface RequestQueue {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  push(request: PushedRequest): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const require = createRequire(import.meta.url);
const RequestQueueImpl = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const queues: RequestQueue[] = [];
function queue(maxInFlightRequests: number | null = null): RequestQueue {
  const q = new RequestQueueImpl({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'b:9092', logger: silent });
  queues.push(q);
  return q;
}
function request(correlationId: number, sent: number[]): PushedRequest {
  return { entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve: () => {}, reject: () => {} }, expectResponse: true, sendRequest: () => sent.push(correlationId) };
}
const answer = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

afterEach(() => {
  for (const q of queues.splice(0)) q.destroy();
});

describe('kafkajs RequestQueue as patched', () => {
  it('arms no timer for a request sent and answered (unpatched: a 1 ms timer loop for the life of the connection)', () => {
    const q = queue();
    const sent: number[] = [];
    q.push(request(1, sent));
    q.fulfillRequest(answer(1));
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('sends a request held back by broker throttling once the throttle passed, then arms nothing', async () => {
    const q = queue();
    const sent: number[] = [];
    q.maybeThrottle(50);
    q.push(request(1, sent));
    expect(sent).toEqual([]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await eventually(() => (sent.length === 1 ? true : undefined), { timeoutMs: 5000, intervalMs: 10, description: 'the throttled request sent' });
    q.fulfillRequest(answer(1));
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('sends a request held back by the in-flight limit when the one in flight is answered', async () => {
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    expect(q.pending).toHaveLength(1);
    q.fulfillRequest(answer(1));
    expect(sent).toEqual([1, 2]);
    q.fulfillRequest(answer(2));
    expect(q.pending).toHaveLength(0);
    // The 10 ms poll armed while request 2 waited fires once more and arms nothing after it.
    await eventually(() => (q.throttleCheckTimeoutId === null ? true : undefined), { timeoutMs: 5000, intervalMs: 10, description: 'no timer left' });
  });
});
