import { describe, expect, it } from 'vitest';
import { createEtcd } from './etcd-client.ts';
import { createLogger } from './logger.ts';
import { createServer } from 'node:net';

/** A loopback port nothing listens on (core/ may not import the deploy helpers). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createEtcd', () => {
  it('with one endpoint, failures never open a circuit that would refuse the calls after them', async () => {
    // Nothing listens there: every call fails at once with a connection error.
    const endpoint = `http://127.0.0.1:${await unusedPort()}`;
    const etcd = createEtcd({ endpoints: [endpoint], prefix: '/t/', leaseTtlMs: 10_000, handoffDelayMs: 3000 }, createLogger('test', 'silent'));
    const messages: string[] = [];
    for (let i = 0; i < 6; i++) messages.push(await etcd.get('k').string().then(() => 'ok', (err: Error) => `${err.constructor.name}: ${err.message}`));
    etcd.close();
    // etcd3's default breaker answers the 4th call on with "Execution prevented because the circuit breaker is open".
    expect(messages.filter((m) => /circuit/i.test(m))).toEqual([]);
    expect(messages).toHaveLength(6);
  }, 30_000);
});
