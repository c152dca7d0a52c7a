import { describe, expect, it } from 'vitest';
import { rssWindowFigures } from './scrape-pipeline-bench.ts';

const MiB = 2 ** 20;

describe('rssWindowFigures', () => {
  it('reports start, middle and end, and a least-squares slope in MiB per minute', () => {
    // 10 MiB more every 30 s (20 MiB/min) plus noise; the fitted line through these points rises 19 MiB/min.
    const noise = [0, 3, -3, 2, -2];
    const trace = noise.map((n, i) => ({ seconds: i * 30, bytes: (300 + i * 10 + n) * MiB }));
    const f = rssWindowFigures(trace);
    expect(f['rss window start bytes']).toBe(300 * MiB);
    expect(f['rss window middle bytes']).toBe(317 * MiB);
    expect(f['rss window end bytes']).toBe(338 * MiB);
    expect(f['rss slope MiB per min']).toBeCloseTo(19, 5);
  });

  it('is flat for a constant RSS and empty for no samples', () => {
    const f = rssWindowFigures([0, 1, 2].map((i) => ({ seconds: i, bytes: 100 * MiB })));
    expect(f['rss slope MiB per min']).toBe(0);
    expect(rssWindowFigures([])).toEqual({});
  });
});
