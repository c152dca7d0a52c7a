// The HTTP side of a scrape against real local HTTP servers: bounded time and memory for slow,
// endless and huge targets, gzip, status codes, and the headers Prometheus sends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGlobalConfig, readScrapeConfig, type JobScrapeOptions } from '../model/scrape-config.ts';
import { scrapeFailure } from '../test/harness/scrape-failure.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';
import { DispatcherPool, TargetScraper } from './target-scraper.ts';

let server: Server;
let base: string;
let lastHeaders: IncomingMessage['headers'] = {};
const pool = new DispatcherPool();

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('up_metric 1\n');
  },
  '/gzip': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync('a_metric 42\n'));
  },
  // 64 MiB of zeros compresses to ~64 KiB: a decompression bomb for a 1 MiB limit.
  '/gzip-bomb': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync(Buffer.alloc(64 * 1024 * 1024)));
  },
  '/endless': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.from('endless_metric{i="x"} 1\n'.repeat(4096));
    const write = (): void => {
      while (res.write(chunk)) {
        /* keep writing until the socket pushes back */
      }
      res.once('drain', write);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    write();
  },
  '/slow': () => {
    /* never answers */
  },
  '/error': (_req, res) => {
    res.writeHead(503);
    res.end('busy');
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await pool.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function scraperFor(path: string, jobYaml: Record<string, unknown> = {}, timeoutMs = 1000): TargetScraper {
  const job: JobScrapeOptions = readScrapeConfig({ job_name: 'j', ...jobYaml }, 'job', readGlobalConfig({ scrape_interval: '2s' }, 'global'));
  const target: ScrapeTarget = { id: 'abc', job: 'j', url: `${base}${path}`, labels: [], discoveredLabels: {}, intervalMs: 2000, timeoutMs };
  return new TargetScraper(target, job, pool.get(job.http));
}


describe('TargetScraper', () => {
  it('sends the Accept header Prometheus sends, the timeout header and the credentials', async () => {
    const res = await scraperFor('/ok', { basic_auth: { username: 'u', password: 'p' } }).scrape();
    expect(Buffer.from(res.body).toString()).toBe('up_metric 1\n');
    expect(res.contentType).toBe('text/plain; version=0.0.4');
    // Prometheus 3's header for its default scrape_protocols, with the default escaping (utf8 validation).
    expect(lastHeaders.accept).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,' +
        'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
    expect(lastHeaders['x-prometheus-scrape-timeout-seconds']).toBe('1');
    expect(lastHeaders.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('names the job\'s metric_name_escaping_scheme in the Accept header, on the 1.0.0 formats only', async () => {
    await scraperFor('/ok', { metric_name_escaping_scheme: 'dots' }).scrape();
    expect(lastHeaders.accept).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=dots;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,' +
        'text/plain;version=1.0.0;escaping=dots;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
    await scraperFor('/ok', { metric_name_validation_scheme: 'legacy' }).scrape();
    expect(lastHeaders.accept).toContain('application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,');
  });

  it('reads a password_file at every scrape; a missing one fails the scrape with reason credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-scrape-auth-'));
    const file = join(dir, 'pw');
    writeFileSync(file, 'first');
    const scraper = scraperFor('/ok', { basic_auth: { username: 'u', password_file: file } });
    await scraper.scrape();
    expect(lastHeaders.authorization).toBe(`Basic ${Buffer.from('u:first').toString('base64')}`);
    writeFileSync(file, 'rotated');
    await scraper.scrape();
    expect(lastHeaders.authorization).toBe(`Basic ${Buffer.from('u:rotated').toString('base64')}`);
    rmSync(dir, { recursive: true });
    const err = await scrapeFailure(scraper.scrape());
    expect(err.reason).toBe('credentials');
    expect(err.message).toContain(`basic_auth.password_file: cannot read "${file}"`);
  });

  it('inflates gzip bodies', async () => {
    const res = await scraperFor('/gzip').scrape();
    expect(Buffer.from(res.body).toString()).toBe('a_metric 42\n');
  });

  it('stops a gzip bomb at the body size limit', async () => {
    const err = await scrapeFailure(scraperFor('/gzip-bomb', { body_size_limit: '1MiB' }).scrape());
    expect(err.reason).toBe('body_size_limit');
  });

  it('stops an endless body at the body size limit, without waiting for the timeout', async () => {
    const started = Date.now();
    const err = await scrapeFailure(scraperFor('/endless', { body_size_limit: '2MiB' }, 10_000).scrape());
    expect(err.reason).toBe('body_size_limit');
    expect(err.message).toContain('2097152');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up on a target that never answers at the scrape timeout', async () => {
    const err = await scrapeFailure(scraperFor('/slow', {}, 300).scrape());
    expect(err.reason).toBe('timeout');
  });

  it('reports the HTTP status of a failing target, and connection errors', async () => {
    expect((await scrapeFailure(scraperFor('/error').scrape())).message).toBe('server returned HTTP status 503');
    const refused = scraperFor('/ok');
    (refused as unknown as { url: string }).url = 'http://127.0.0.1:1/metrics'; // nothing listens on port 1
    expect((await scrapeFailure(refused.scrape())).reason).toBe('connection');
  });

  it('reuses its body buffer across scrapes of the same target', async () => {
    const s = scraperFor('/ok');
    const a = await s.scrape();
    const b = await s.scrape();
    expect(a.body.buffer).toBe(b.body.buffer);
  });
});

describe('TargetScraper over its own connection (plain http, no proxy)', () => {
  let own: Server;
  let ownBase: string;
  const hits = new Map<string, number>();
  /** Server-side sockets not yet closed. */
  const open = new Set<import('node:net').Socket>();
  let accepted = 0;
  let holdNext = false;

  beforeAll(async () => {
    own = createServer((req, res) => {
      const path = req.url ?? '';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/redirect') return void res.writeHead(302, { location: '/target' }).end();
      if (path === '/target') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('redirected_metric 1\n');
      if (path === '/hold-once' && holdNext) {
        holdNext = false;
        return; // answered never: the scrape times out
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(path.startsWith('/loop') ? 'loop_metric 1\n' : `path ${path}\n`);
    });
    own.on('connection', (socket) => {
      accepted++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    ownBase = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    own.closeAllConnections();
    await new Promise((resolve) => own.close(resolve));
  });

  const until = async (check: () => boolean, what: string): Promise<void> => {
    const { eventually } = await import('../test/harness/eventually.ts');
    await eventually(() => (check() ? true : undefined), { timeoutMs: 5000, intervalMs: 5, description: what });
  };

  function ownScraper(path: string, jobYaml: Record<string, unknown> = {}, timeoutMs = 1000): TargetScraper {
    const job: JobScrapeOptions = readScrapeConfig({ job_name: 'j', ...jobYaml }, 'job', readGlobalConfig({ scrape_interval: '2s' }, 'global'));
    const target: ScrapeTarget = { id: 'abc', job: 'j', url: `${ownBase}${path}`, labels: [], discoveredLabels: {}, intervalMs: 2000, timeoutMs };
    return new TargetScraper(target, job, pool.get(job.http));
  }

  /** The server-side sockets opened by f. */
  const socketsOpenedBy = async (f: () => Promise<unknown>): Promise<Set<import('node:net').Socket>> => {
    const before = new Set(open);
    await f();
    return new Set([...open].filter((socket) => !before.has(socket)));
  };

  it('keeps one connection across scrapes; close() ends it', async () => {
    const before = accepted;
    const s = ownScraper('/keep');
    const opened = await socketsOpenedBy(async () => {
      for (let i = 0; i < 3; i++) {
        expect(Buffer.from((await s.scrape()).body).toString()).toBe('path /keep\n');
        s.release();
      }
    });
    expect(accepted - before).toBe(1);
    expect(opened.size).toBe(1);
    s.close();
    await until(() => [...opened].every((socket) => !open.has(socket)), 'the connection closed');
  });

  it('redoes a redirected scrape through undici, and keeps the target there', async () => {
    hits.clear();
    const s = ownScraper('/redirect');
    expect(Buffer.from((await s.scrape()).body).toString()).toBe('redirected_metric 1\n');
    // Once on its own connection, once through undici, which followed the redirect.
    expect([hits.get('/redirect'), hits.get('/target')]).toEqual([2, 1]);
    await s.scrape();
    expect([hits.get('/redirect'), hits.get('/target')]).toEqual([3, 2]);
    const noFollow = ownScraper('/redirect', { follow_redirects: false });
    expect((await scrapeFailure(noFollow.scrape())).message).toBe('server returned HTTP status 302');
  });

  it('recovers from a timeout: the next scrape works', async () => {
    holdNext = true;
    const s = ownScraper('/hold-once', {}, 200);
    const err = await scrapeFailure(s.scrape());
    expect(err).toMatchObject({ reason: 'timeout', message: 'context deadline exceeded (scrape timeout 200 ms)' });
    expect(Buffer.from((await s.scrape()).body).toString()).toBe('path /hold-once\n');
    s.close();
  });

  it('leaves a job with proxy_url to undici, through the proxy', async () => {
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('via_proxy 1\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const s = ownScraper('/direct', { proxy_url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      expect(Buffer.from((await s.scrape()).body).toString()).toBe('via_proxy 1\n');
      expect(seen).toEqual([`${ownBase}/direct`]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('a scrape loop closes its connection when stopped, and when its window ends', async () => {
    const { ScrapeLoop } = await import('./scrape-loop.ts');
    const { createLogger } = await import('../core/logger.ts');
    const job = readScrapeConfig({ job_name: 'j' }, 'job', readGlobalConfig({ scrape_interval: '2s' }, 'global'));
    const loopFor = (path: string): InstanceType<typeof ScrapeLoop> =>
      new ScrapeLoop({
        target: { id: 'abc', job: 'j', url: `${ownBase}${path}`, labels: [], discoveredLabels: {}, intervalMs: 2000, timeoutMs: 1000 },
        job,
        dispatcher: pool.get(job.http),
        sink: { send: () => undefined },
        logger: createLogger('test', 'silent'),
        observer: { onScrape: () => undefined },
      });
    const stopped = loopFor('/loop-a');
    const first = await socketsOpenedBy(async () => expect((await stopped.scrapeOnce()).ok).toBe(true));
    expect(first.size).toBe(1);
    await stopped.stop({ staleMarkers: false });
    await until(() => [...first].every((socket) => !open.has(socket)), 'the stopped loop closed its connection');
    const ended = loopFor('/loop-b');
    const second = await socketsOpenedBy(async () => expect((await ended.scrapeOnce()).ok).toBe(true));
    expect(second.size).toBe(1);
    ended.setWindow(0, 1); // a window in the past: the loop ends by itself
    expect(ended.ended).toBe(true);
    await until(() => [...second].every((socket) => !open.has(socket)), 'the ended loop closed its connection');
  });
});
