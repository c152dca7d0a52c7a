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
import { ScrapeError } from './scrape-error.ts';
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

async function failure(p: Promise<unknown>): Promise<ScrapeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScrapeError) return err;
    throw err;
  }
  throw new Error('expected the scrape to fail');
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
    const err = await failure(scraper.scrape());
    expect(err.reason).toBe('credentials');
    expect(err.message).toContain(`basic_auth.password_file: cannot read "${file}"`);
  });

  it('inflates gzip bodies', async () => {
    const res = await scraperFor('/gzip').scrape();
    expect(Buffer.from(res.body).toString()).toBe('a_metric 42\n');
  });

  it('stops a gzip bomb at the body size limit', async () => {
    const err = await failure(scraperFor('/gzip-bomb', { body_size_limit: '1MiB' }).scrape());
    expect(err.reason).toBe('body_size_limit');
  });

  it('stops an endless body at the body size limit, without waiting for the timeout', async () => {
    const started = Date.now();
    const err = await failure(scraperFor('/endless', { body_size_limit: '2MiB' }, 10_000).scrape());
    expect(err.reason).toBe('body_size_limit');
    expect(err.message).toContain('2097152');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up on a target that never answers at the scrape timeout', async () => {
    const err = await failure(scraperFor('/slow', {}, 300).scrape());
    expect(err.reason).toBe('timeout');
  });

  it('reports the HTTP status of a failing target, and connection errors', async () => {
    expect((await failure(scraperFor('/error').scrape())).message).toBe('server returned HTTP status 503');
    const refused = scraperFor('/ok');
    (refused as unknown as { url: string }).url = 'http://127.0.0.1:1/metrics'; // nothing listens on port 1
    expect((await failure(refused.scrape())).reason).toBe('connection');
  });

  it('reuses its body buffer across scrapes of the same target', async () => {
    const s = scraperFor('/ok');
    const a = await s.scrape();
    const b = await s.scrape();
    expect(a.body.buffer).toBe(b.body.buffer);
  });
});
