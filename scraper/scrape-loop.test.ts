import { describe, expect, it } from 'vitest';
import { nextTickAtOrAfter, scrapeOffsetMs } from './scrape-loop.ts';
import { targetId, type ScrapeTarget } from '../model/scrape-target.ts';

const target = (id: string, intervalMs = 15_000): ScrapeTarget => ({ id, job: 'j', url: 'http://x/metrics', labels: [], discoveredLabels: {}, intervalMs, timeoutMs: 10_000 });

describe('phase-aligned ticks', () => {
  it('every node computes the same offset for a target, spread over the interval', () => {
    const offsets = Array.from({ length: 1000 }, (_, i) => scrapeOffsetMs(target(targetId('j', `http://host-${i}:9100/metrics`, []))));
    for (const o of offsets) {
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(15_000);
    }
    expect(scrapeOffsetMs(target('00000000deadbeef'))).toBe(scrapeOffsetMs(target('00000000deadbeef')));
    // Spread: no tenth of the interval holds more than twice its share.
    const buckets = new Array(10).fill(0);
    for (const o of offsets) buckets[Math.floor(o / 1500)]++;
    for (const b of buckets) expect(b).toBeLessThan(200);
  });

  it('ticks are k × interval + offset: the first at or after a given instant', () => {
    const t = target('0000ffff00000000', 10_000);
    const offset = scrapeOffsetMs(t);
    expect(offset).toBe(0xffff % 10_000);
    expect(nextTickAtOrAfter(t, 1_000_000)).toBe(1_000_000 + offset);
    expect(nextTickAtOrAfter(t, 1_000_000 + offset)).toBe(1_000_000 + offset);
    expect(nextTickAtOrAfter(t, 1_000_000 + offset + 1)).toBe(1_010_000 + offset);
    // Two nodes asking at different moments within one interval land on the same tick.
    expect(nextTickAtOrAfter(t, 1_000_001)).toBe(nextTickAtOrAfter(t, 1_000_000 + offset - 1));
  });
});

describe('ScrapeLoop.scrapeOnce against a real HTTP target', () => {
  it('splits a huge scrape into several messages under the size bound, same key, samples in order', async () => {
    const { createServer } = await import('node:http');
    const lines = Array.from({ length: 5000 }, (_, i) => `big_metric{i="${i}",pad="${'x'.repeat(40)}"} ${i}`).join('\n') + '\n';
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(lines));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const { ScrapeLoop } = await import('./scrape-loop.ts');
    const { readGlobalConfig, readScrapeConfig } = await import('../model/scrape-config.ts');
    const { DispatcherPool } = await import('./target-scraper.ts');
    const { createLogger } = await import('../core/logger.ts');
    const { readSampleMessage } = await import('../protocol/sample-message.ts');
    const { snappyDecompress } = await import('../protocol/snappy.ts');
    const { decodeWriteRequest } = await import('../protocol/remote-write-codec.ts');
    const job = readScrapeConfig({ job_name: 'big' }, 'job', readGlobalConfig({ scrape_interval: '5s' }, 'global'));
    const url = `http://127.0.0.1:${port}/metrics`;
    const t: ScrapeTarget = { id: targetId('big', url, []), job: 'big', url, labels: [['instance', `127.0.0.1:${port}`], ['job', 'big']], discoveredLabels: {}, intervalMs: 5000, timeoutMs: 4000 };
    const sent: { key: string; value: Buffer }[] = [];
    const pool = new DispatcherPool();
    const loop = new ScrapeLoop({
      target: t,
      job,
      dispatcher: pool.get(job.http),
      sink: { send: (key, value) => sent.push({ key, value }) },
      logger: createLogger('test', 'silent'),
      observer: { onScrape: () => undefined },
      maxMessageBytes: 64 * 1024,
    });
    try {
      const outcome = await loop.scrapeOnce();
      expect(outcome.ok).toBe(true);
      expect(sent.length).toBeGreaterThan(5);
      const values: number[] = [];
      let samples = 0;
      for (const m of sent) {
        expect(m.key).toBe(t.id);
        const header = readSampleMessage(m.value);
        expect(header.uncompressedLength).toBeLessThanOrEqual(64 * 1024);
        const decoded = decodeWriteRequest(snappyDecompress(m.value.subarray(header.blockOffset)));
        expect(decoded.timeseries).toHaveLength(header.sampleCount);
        samples += header.sampleCount;
        for (const ts of decoded.timeseries) {
          if (ts.labels.find((l) => l.name === '__name__')?.value === 'big_metric') values.push(ts.samples[0]?.value as number);
        }
      }
      expect(values).toEqual(Array.from({ length: 5000 }, (_, i) => i));
      expect(samples).toBe(5000 + 5); // plus up, scrape_duration_seconds, ... the report series
    } finally {
      await pool.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
