import { describe, expect, it } from 'vitest';
import { combineRounds, cpuSecondsPerMillion, type ContestantFigures } from './contestant-figures.ts';

const round = (over: Partial<ContestantFigures>): ContestantFigures => ({
  windowSeconds: 30,
  samples: 3_000_000,
  cpuSeconds: { scraper: 15, kafka: 5 },
  systemSeconds: { scraper: 3, kafka: 1 },
  charged: ['scraper'],
  peakRssBytes: 100,
  machineBusy: 0.5,
  details: {},
  ...over,
});

describe('cpuSecondsPerMillion', () => {
  it('charges only the contestant\'s own processes', () => {
    expect(cpuSecondsPerMillion(round({}))).toBe(5);
    expect(cpuSecondsPerMillion(round({ charged: ['scraper', 'kafka'] }))).toBeCloseTo(20 / 3);
  });
  it('is NaN without samples', () => {
    expect(cpuSecondsPerMillion(round({ samples: 0 }))).toBeNaN();
  });
});

describe('combineRounds', () => {
  it('sums CPU and samples (a samples-weighted mean per million) and keeps the highest peak RSS', () => {
    const combined = combineRounds([
      { ok: true, value: round({ samples: 1_000_000, cpuSeconds: { scraper: 4, kafka: 1 }, peakRssBytes: 300, machineBusy: 0.2 }) },
      { ok: true, value: round({ samples: 3_000_000, cpuSeconds: { scraper: 8, kafka: 2 }, peakRssBytes: 200, machineBusy: 0.6 }) },
    ]);
    expect(combined.ok).toBe(true);
    if (!combined.ok) return;
    expect(combined.value.samples).toBe(4_000_000);
    expect(combined.value.cpuSeconds).toEqual({ scraper: 12, kafka: 3 });
    expect(combined.value.systemSeconds).toEqual({ scraper: 6, kafka: 2 });
    expect(cpuSecondsPerMillion(combined.value)).toBe(3);
    expect(combined.value.peakRssBytes).toBe(300);
    expect(combined.value.machineBusy).toBeCloseTo(0.4);
    expect(combined.value.windowSeconds).toBe(60);
  });

  it('skips failed rounds, and reports the first failure when all failed', () => {
    const good = { ok: true as const, value: round({}) };
    expect(combineRounds([{ ok: false, reason: 'crashed' }, good])).toEqual(good);
    expect(combineRounds([{ ok: false, reason: 'crashed' }, { ok: false, reason: 'again' }])).toEqual({ ok: false, reason: 'crashed' });
    expect(combineRounds([])).toEqual({ ok: false, reason: 'no rounds run' });
  });
});
