// Reading scrape responses, three ways: undici's request() with its body stream (TargetScraper
// before the dispatch handler), undici's dispatch API with a handler copying chunks into a pooled
// buffer (TargetScraper for https and proxies), and TargetScraper's own keep-alive connection
// (plain http: pre-encoded request, reads into one buffer per thread). All scrape the same N
// targets of the pipeline benchmark's target server (a separate process, not charged) in rounds
// of one scrape per target, all at once; the figure is this process' CPU time (every thread, GC
// included) per scrape, best and mean of the rounds, the three readers alternating so that
// background load falls on all of them.
//
//   node bench/http-read-bench.ts [--targets 200] [--rounds 20]
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { request, type Dispatcher } from 'undici';
import { readGlobalConfig, readScrapeConfig } from '../model/scrape-config.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';
import { DispatcherPool, TargetScraper } from '../scraper/target-scraper.ts';
import { SCRAPE_ACCEPT_HEADER } from '../scraper/exposition/parser.ts';
import type { BenchResult } from './bench-harness/bench-result.ts';
import { startTargetServer } from './bench-harness/target-server.ts';
import { NODE_EXPORTER_BODY } from './scrape-pipeline-bench.ts';

/** The previous TargetScraper's read path: request(), then the body stream's async iterator. */
async function readWithRequest(url: string, dispatcher: Dispatcher, buffer: { b: Buffer }): Promise<number> {
  const res = await request(url, { method: 'GET', headers: { accept: SCRAPE_ACCEPT_HEADER, 'accept-encoding': 'gzip' }, dispatcher });
  let length = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    if (length + chunk.length > buffer.b.length) {
      const next = Buffer.allocUnsafe(2 * (length + chunk.length));
      buffer.b.copy(next, 0, 0, length);
      buffer.b = next;
    }
    chunk.copy(buffer.b, length);
    length += chunk.length;
  }
  return length;
}

export async function runHttpReadBench(options: { targets?: number; rounds?: number; logDir?: string } = {}): Promise<BenchResult[]> {
  const targetsCount = options.targets ?? 200;
  const rounds = options.rounds ?? 20;
  const server = await startTargetServer({ targets: targetsCount, bodyFile: NODE_EXPORTER_BODY, logDir: options.logDir ?? tmpdir() });
  const pool = new DispatcherPool();
  const scrapersOf = (ownConnection: boolean, dispatcher: Dispatcher, urls: string[]): TargetScraper[] =>
    urls.map((url, n) => {
      const target: ScrapeTarget = { id: String(n), job: 'node', url, labels: [], discoveredLabels: {}, intervalMs: 10_000, timeoutMs: 10_000 };
      return new TargetScraper(target, job, dispatcher, { ownConnection });
    });
  const job = readScrapeConfig({ job_name: 'node' }, 'job', readGlobalConfig({ scrape_interval: '10s' }, 'global'));
  let connections: TargetScraper[] = [];
  try {
    const dispatcher = pool.get(job.http);
    const urls = server.targets.map((t) => `http://${t.address}${t.metricsPath}`);
    const dispatchers = scrapersOf(false, dispatcher, urls);
    connections = scrapersOf(true, dispatcher, urls);
    const buffers = urls.map(() => ({ b: Buffer.allocUnsafe(64 * 1024) }));
    const bytes = { request: 0, dispatch: 0, connection: 0 };
    // Each scrape's length is added after its await: `bytes += await x` would read bytes before
    // the await and lose the other scrapes' additions made meanwhile.
    const viaScrapers = (scrapers: TargetScraper[], name: 'dispatch' | 'connection') => async (): Promise<void> => {
      await Promise.all(
        scrapers.map(async (s) => {
          const n = (await s.scrape()).body.length;
          bytes[name] += n;
          s.release();
        }),
      );
    };
    const viaRequest = async (): Promise<void> => {
      await Promise.all(
        urls.map(async (u, i) => {
          const n = await readWithRequest(u, dispatcher, buffers[i]!);
          bytes.request += n;
        }),
      );
    };
    const contenders = [
      ['request', viaRequest],
      ['dispatch', viaScrapers(dispatchers, 'dispatch')],
      ['connection', viaScrapers(connections, 'connection')],
    ] as const;
    const best = { request: Number.POSITIVE_INFINITY, dispatch: Number.POSITIVE_INFINITY, connection: Number.POSITIVE_INFINITY };
    const sum = { request: 0, dispatch: 0, connection: 0 };
    const warmup = 3;
    for (let r = 0; r < rounds + warmup; r++) {
      for (const [name, run] of contenders) {
        const before = process.cpuUsage();
        await run();
        const used = process.cpuUsage(before);
        if (r < warmup) continue;
        const perScrape = (used.user + used.system) / targetsCount;
        best[name] = Math.min(best[name], perScrape);
        sum[name] += perScrape;
      }
    }
    // Every contender read every body whole, every round.
    const expected = bytes.request / (rounds + warmup);
    if (expected === 0 || bytes.dispatch / (rounds + warmup) !== expected || bytes.connection / (rounds + warmup) !== expected) {
      throw new Error(`http read bench: bytes read differ: ${JSON.stringify(bytes)}`);
    }
    const r1 = (x: number): number => Math.round(x * 10) / 10;
    const mean = (name: keyof typeof sum): number => sum[name] / rounds;
    return [
      { name: 'scrape read, undici request() + body stream: CPU us/scrape (best)', value: r1(best.request), unit: 'us' },
      { name: 'scrape read, undici request() + body stream: CPU us/scrape (mean)', value: r1(mean('request')), unit: 'us' },
      { name: 'scrape read, undici dispatch handler: CPU us/scrape (best)', value: r1(best.dispatch), unit: 'us' },
      { name: 'scrape read, undici dispatch handler: CPU us/scrape (mean)', value: r1(mean('dispatch')), unit: 'us' },
      { name: 'scrape read, own connection (TargetScraper, http): CPU us/scrape (best)', value: r1(best.connection), unit: 'us' },
      { name: 'scrape read, own connection (TargetScraper, http): CPU us/scrape (mean)', value: r1(mean('connection')), unit: 'us' },
      { name: 'scrape read, dispatch / request() (best)', value: Math.round((best.dispatch / best.request) * 100) / 100, unit: 'x' },
      { name: 'scrape read, own connection / dispatch (best)', value: Math.round((best.connection / best.dispatch) * 100) / 100, unit: 'x' },
      { name: 'scrape read, own connection / dispatch (mean)', value: Math.round((mean('connection') / mean('dispatch')) * 100) / 100, unit: 'x' },
      { name: 'scrape read, bytes per scrape', value: Math.round(expected / targetsCount), unit: 'B' },
    ];
  } finally {
    for (const s of connections) s.close();
    await pool.close();
    await server.stop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { targets: { type: 'string' }, rounds: { type: 'string' } } });
  const results = await runHttpReadBench({
    ...(values.targets !== undefined ? { targets: Number(values.targets) } : {}),
    ...(values.rounds !== undefined ? { rounds: Number(values.rounds) } : {}),
  });
  for (const r of results) console.log(`${r.name.padEnd(76)} ${String(r.value).padStart(8)} ${r.unit}`);
}
