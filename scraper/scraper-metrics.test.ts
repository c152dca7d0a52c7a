import { describe, expect, it } from 'vitest';
import { ScraperMetrics } from './scraper-metrics.ts';

describe('ScraperMetrics: time since the last successful produce', () => {
  it('counts from the start while nothing was produced, and from the last success after', async () => {
    const m = new ScraperMetrics();
    const read = async (): Promise<number> => {
      const text = await m.registry.getSingleMetricAsString('ringwatch_scraper_kafka_seconds_since_last_produce');
      return Number(/\s([0-9.e+-]+)$/.exec(text.trim())?.[1]);
    };
    expect(await read()).toBeGreaterThanOrEqual(0);
    m.lastProduceSuccess.set(Date.now() / 1000 - 42);
    const since = await read();
    expect(since).toBeGreaterThanOrEqual(42);
    expect(since).toBeLessThan(43);
  });
});
