// Reading scrape responses: undici's request() with its body stream (what TargetScraper did
// before) against the dispatch handler TargetScraper uses now, which copies chunks into a pooled
// buffer. Both scrape the same N targets of the pipeline benchmark's target server (a separate
// process, not charged) in rounds of one scrape per target, all at once; the figure is this
// process' CPU time (every thread, GC included) per scrape, best round of several, alternating
// the two readers so that background load falls on both.
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
  try {
    const job = readScrapeConfig({ job_name: 'node' }, 'job', readGlobalConfig({ scrape_interval: '10s' }, 'global'));
    const dispatcher = pool.get(job.http);
    const urls = server.targets.map((t) => `http://${t.address}${t.metricsPath}`);
    const scrapers = urls.map((url, n) => {
      const target: ScrapeTarget = { id: String(n), job: 'node', url, labels: [], discoveredLabels: {}, intervalMs: 10_000, timeoutMs: 10_000 };
      return new TargetScraper(target, job, dispatcher);
    });
    const buffers = urls.map(() => ({ b: Buffer.allocUnsafe(64 * 1024) }));
    let bytes = 0;
    const viaDispatch = async (): Promise<void> => {
      await Promise.all(
        scrapers.map(async (s) => {
          bytes += (await s.scrape()).body.length;
          s.release();
        }),
      );
    };
    const viaRequest = async (): Promise<void> => {
      await Promise.all(urls.map(async (u, i) => (bytes += await readWithRequest(u, dispatcher, buffers[i]!))));
    };
    const best = { dispatch: Number.POSITIVE_INFINITY, request: Number.POSITIVE_INFINITY };
    for (let r = 0; r < rounds + 3; r++) {
      for (const [name, run] of [
        ['dispatch', viaDispatch],
        ['request', viaRequest],
      ] as const) {
        const before = process.cpuUsage();
        await run();
        const used = process.cpuUsage(before);
        if (r >= 3) best[name] = Math.min(best[name], (used.user + used.system) / targetsCount);
      }
    }
    if (bytes === 0) throw new Error('http read bench: no bytes read');
    return [
      { name: 'scrape read, undici request() + body stream: CPU us/scrape', value: Math.round(best.request * 10) / 10, unit: 'us' },
      { name: 'scrape read, undici dispatch handler (TargetScraper): CPU us/scrape', value: Math.round(best.dispatch * 10) / 10, unit: 'us' },
      { name: 'scrape read, dispatch / request()', value: Math.round((best.dispatch / best.request) * 100) / 100, unit: 'x' },
    ];
  } finally {
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
  for (const r of results) console.log(`${r.name.padEnd(70)} ${String(r.value).padStart(8)} ${r.unit}`);
}
