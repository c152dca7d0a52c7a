import { describe, expect, it } from 'vitest';
import { summarizeCpuProfile, type CpuProfile } from './cpu-profile-summary.ts';

const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber });

const profile: CpuProfile = {
  startTime: 0,
  endTime: 10_000, // µs: 10 ms over 10 samples, 1 ms each
  nodes: [
    { id: 1, callFrame: frame('(root)', '', -1) },
    { id: 2, callFrame: frame('(idle)', '', -1) },
    { id: 3, callFrame: frame('parseExposition', 'file:///repo/scraper/exposition/parser.ts', 80) },
    { id: 4, callFrame: frame('readNumber', 'file:///repo/scraper/exposition/parser.ts', 300) },
    { id: 5, callFrame: frame('compress', 'file:///repo/protocol/snappy.ts', 212) },
    { id: 6, callFrame: frame('(garbage collector)', '', -1) },
  ],
  samples: [2, 2, 3, 3, 3, 4, 5, 5, 6, 3],
};

describe('summarizeCpuProfile', () => {
  const s = summarizeCpuProfile(profile, '/repo');

  it('ranks functions by self time over the busy (non-idle) samples, with 1-based lines', () => {
    expect(s.busyMs).toBe(8);
    expect(s.functions[0]).toEqual({ where: 'parseExposition scraper/exposition/parser.ts:81', selfMs: 4, percent: 50 });
    expect(s.functions.map((f) => f.where)).toContain('(garbage collector)');
    expect(s.functions.some((f) => f.where.includes('idle'))).toBe(false);
  });

  it('adds up self time per file', () => {
    expect(s.files[0]).toEqual({ where: 'scraper/exposition/parser.ts', selfMs: 5, percent: 62.5 });
    expect(s.files[1]).toEqual({ where: 'protocol/snappy.ts', selfMs: 2, percent: 25 });
  });

  it('falls back to hit counts when the profile has no sample list', () => {
    const fromHits = summarizeCpuProfile(
      { ...profile, samples: undefined, nodes: profile.nodes.map((n) => ({ ...n, hitCount: n.id === 5 ? 3 : n.id === 3 ? 1 : 0 })) },
      '/repo',
    );
    expect(fromHits.functions[0]!.where).toBe('compress protocol/snappy.ts:213');
    expect(fromHits.functions[0]!.percent).toBe(75);
  });
});
