import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';
import { allProbes, pollUntilReady, ReadinessTimeoutError, tcpProbe, waitForHttp, waitForTcp } from './readiness.ts';

const servers: (Server | HttpServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function listen<T extends Server | HttpServer>(server: T, port: number): Promise<T> {
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('freePort', () => {
  it('returns distinct ports that can be bound', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) await listen(createServer(), port);
  });
});

describe('waitForTcp', () => {
  it('resolves once something listens', async () => {
    const port = await freePort();
    const waiting = waitForTcp('127.0.0.1', port, { timeoutMs: 10_000 });
    await listen(createServer(), port);
    await waiting;
  });

  it('times out on a closed port, naming it and the last error', async () => {
    const port = await freePort();
    const error = await waitForTcp('127.0.0.1', port, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadinessTimeoutError);
    expect((error as Error).message).toContain(`TCP connect 127.0.0.1:${port}: not ready after 200 ms`);
    expect((error as ReadinessTimeoutError).lastFailure).toContain('ECONNREFUSED');
  });
});

describe('waitForHttp', () => {
  it('needs status 200 and, when asked, an accepted body', async () => {
    const port = await freePort();
    let healthy = false;
    let requests = 0;
    await listen(
      createHttpServer((_req, res) => {
        requests += 1;
        if (requests === 1) {
          res.statusCode = 503;
          res.end('starting');
          return;
        }
        // Second answer is 200 but not healthy yet; the third says healthy.
        res.end(JSON.stringify({ health: healthy ? 'true' : 'false' }));
        healthy = true;
      }),
      port,
    );
    await waitForHttp(`http://127.0.0.1:${port}/health`, {
      timeoutMs: 10_000,
      intervalMs: 1,
      acceptBody: (body) => (JSON.parse(body) as { health: string }).health === 'true',
    });
    expect(requests).toBe(3);
  });

  it('reports the status of the last failed attempt', async () => {
    const port = await freePort();
    await listen(
      createHttpServer((_req, res) => {
        res.statusCode = 503;
        res.end('Service Unavailable');
      }),
      port,
    );
    await expect(waitForHttp(`http://127.0.0.1:${port}/-/ready`, { timeoutMs: 150 })).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/-\/ready: not ready after 150 ms \(last failure: HTTP 503: Service Unavailable\)/,
    );
  });
});

describe('pollUntilReady', () => {
  it('gives up as soon as abortReason says so', async () => {
    let checks = 0;
    const probe = { description: 'never', check: async () => ((checks += 1), false) };
    const error = await pollUntilReady(probe, { timeoutMs: 60_000, intervalMs: 1, abortReason: () => (checks >= 2 ? 'process exited' : undefined) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('never: process exited');
    expect(checks).toBe(2);
  });

  it('allProbes runs probes in order and stops at the first failure', async () => {
    const port = await freePort();
    let secondRan = false;
    const combined = allProbes(tcpProbe('127.0.0.1', port), { description: 'second', check: async () => (secondRan = true) });
    expect(combined.description).toBe(`TCP connect 127.0.0.1:${port} then second`);
    await expect(combined.check()).rejects.toThrow(/ECONNREFUSED/);
    expect(secondRan).toBe(false);
    await listen(createServer(), port);
    expect(await combined.check()).toBe(true);
    expect(secondRan).toBe(true);
  });
});
