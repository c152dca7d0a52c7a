import { describe, expect, it } from 'vitest';
import { nextTickAtOrAfter, scrapeOffsetMs } from './scrape-loop.ts';
import { targetId, type ScrapeTarget } from './scrape-target.ts';

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
