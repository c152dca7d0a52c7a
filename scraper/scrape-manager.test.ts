import { describe, expect, it } from 'vitest';
import { reloadStartMs } from './scrape-manager.ts';
import { nextTickAtOrAfter, scrapeOffsetMs } from './scrape-loop.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';

const target = (id: string, intervalMs: number): ScrapeTarget => ({ id, job: 'j', url: 'http://x/metrics', labels: [], discoveredLabels: {}, intervalMs, timeoutMs: 1000 });

describe('reloadStartMs: where the loop with new settings takes over', () => {
  it('on an unchanged grid, the new loop takes exactly the boundary tick the old one leaves', () => {
    const t = target('0000ffff00000000', 10_000);
    const boundary = nextTickAtOrAfter(t, 1_000_000_000);
    const start = reloadStartMs(t, boundary, t);
    expect(nextTickAtOrAfter(t, start)).toBe(boundary);
  });

  it('a new interval realigns to the new grid: its first tick is between half and one and a half new intervals after the old last tick', () => {
    const old = target('0000ffff00000000', 10_000);
    for (const intervalMs of [2000, 5000, 15_000, 60_000]) {
      const next = target('0000ffff00000000', intervalMs);
      for (let now = 1_000_000_000; now < 1_000_000_000 + 30_000; now += 777) {
        const boundary = nextTickAtOrAfter(old, now);
        const lastOld = boundary - old.intervalMs;
        const first = nextTickAtOrAfter(next, reloadStartMs(old, boundary, next));
        expect(first - lastOld).toBeGreaterThanOrEqual(intervalMs / 2);
        expect(first - lastOld).toBeLessThan(intervalMs * 1.5);
        expect((first - scrapeOffsetMs(next)) % intervalMs).toBe(0);
      }
    }
  });
});
