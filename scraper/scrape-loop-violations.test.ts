// A scrape whose body breaks the formats' semantic rules: kept (up, every sample sent), counted in
// ringwatch_scraper_exposition_violations_total{job,rule}, and its first break in the health.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { readGlobalConfig, readScrapeConfig } from '../model/scrape-config.ts';
import { targetId, type ScrapeTarget } from '../model/scrape-target.ts';
import { decodeWriteRequest } from '../protocol/remote-write-codec.ts';
import { readSampleMessage } from '../protocol/sample-message.ts';
import { snappyDecompress } from '../protocol/snappy.ts';
import { ScrapeManager } from './scrape-manager.ts';
import { ScraperMetrics } from './scraper-metrics.ts';

const VIOLATING = `# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.1"} 1
rpc_seconds_bucket{le="1"} 2
rpc_seconds_sum 1.5
rpc_seconds_count 2
# TYPE errors_total counter
errors_total -3
`;
const VALID = `# TYPE errors_total counter
errors_total 3
`;

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function serve(body: () => string): Promise<string> {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body()));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
}

describe('exposition violations of a scrape', () => {
  it('are counted by job and rule, and the first is in the target health, the scrape staying up with every sample', async () => {
    let body = VIOLATING;
    const url = await serve(() => body);
    const job = readScrapeConfig({ job_name: 'exp' }, 'job', readGlobalConfig({ scrape_interval: '1h' }, 'global'));
    const metrics = new ScraperMetrics();
    const sent: Buffer[] = [];
    const manager = new ScrapeManager({ sink: { send: (_key, value) => sent.push(value) }, logger: createLogger('test', 'silent'), metrics, jobOptions: () => job });
    const target: ScrapeTarget = { id: targetId('exp', url, []), job: 'exp', url, labels: [['job', 'exp']], discoveredLabels: {}, intervalMs: 3_600_000, timeoutMs: 5000 };
    manager.start(target, Date.now() + 3_600_000);
    try {
      const loop = manager.get(target.id)!;
      const outcome = await loop.scrapeOnce();
      expect(outcome.ok).toBe(true);
      expect(outcome.violations).toEqual({ histogram_no_inf_bucket: 1, counter_negative: 1 });
      expect(loop.health).toMatchObject({ health: 'up', lastError: '', lastExpositionViolation: { rule: 'histogram_no_inf_bucket', line: 3, family: 'rpc_seconds' } });
      const counter = await metrics.expositionViolations.get();
      expect(counter.values.map((v) => [v.labels, v.value])).toEqual(
        expect.arrayContaining([
          [{ job: 'exp', rule: 'histogram_no_inf_bucket' }, 1],
          [{ job: 'exp', rule: 'counter_negative' }, 1],
        ]),
      );
      // Every sample sent, the negative counter included.
      const series = sent.flatMap((m) => decodeWriteRequest(snappyDecompress(m.subarray(readSampleMessage(m).blockOffset))).timeseries);
      const names = series.map((ts) => ts.labels.find((l) => l.name === '__name__')?.value);
      expect(names).toEqual(expect.arrayContaining(['rpc_seconds_bucket', 'rpc_seconds_sum', 'rpc_seconds_count', 'errors_total']));
      expect(series.find((ts) => ts.labels.some((l) => l.value === 'errors_total'))?.samples[0]?.value).toBe(-3);

      // A clean scrape clears the health field; the counter keeps its count.
      body = VALID;
      await loop.scrapeOnce();
      expect(loop.health.lastExpositionViolation).toBeUndefined();
      expect((await metrics.expositionViolations.get()).values.reduce((sum, v) => sum + v.value, 0)).toBe(2);
    } finally {
      await manager.stopAll();
    }
  });
});
