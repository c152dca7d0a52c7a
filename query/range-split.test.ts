import { describe, expect, it } from 'vitest';
import { alignToStep, intervalSteps, splitByInterval } from './range-split.ts';

const M = 60_000;
const H = 60 * M;

describe('alignToStep', () => {
  it('rounds start and end down to multiples of the step', () => {
    expect(alignToStep({ startMs: 61_500, endMs: 185_000 }, 30_000)).toEqual({ startMs: 60_000, endMs: 180_000 });
    expect(alignToStep({ startMs: 60_000, endMs: 120_000 }, 30_000)).toEqual({ startMs: 60_000, endMs: 120_000 });
  });
  it('rounds down below zero too', () => {
    expect(alignToStep({ startMs: -1, endMs: 0 }, 1000)).toEqual({ startMs: -1000, endMs: 0 });
  });
});

describe('splitByInterval', () => {
  it('cuts at interval boundaries with pieces one step apart, covering every step once', () => {
    const pieces = splitByInterval({ startMs: 30 * M, endMs: 3 * H + 15 * M }, 15 * M, H);
    expect(pieces.map((p) => [p.startMs / M, p.endMs / M, p.intervalStartMs / M, p.fullInterval])).toEqual([
      [30, 45, 0, false],
      [60, 105, 60, true],
      [120, 165, 120, true],
      [180, 195, 180, false],
    ]);
    const steps = pieces.flatMap((p) => Array.from({ length: (p.endMs - p.startMs) / (15 * M) + 1 }, (_, i) => p.startMs + i * 15 * M));
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => 30 * M + i * 15 * M));
  });
  it('keeps a range inside one interval whole', () => {
    expect(splitByInterval({ startMs: 10 * M, endMs: 20 * M }, M, H)).toEqual([{ startMs: 10 * M, endMs: 20 * M, intervalStartMs: 0, fullInterval: false }]);
  });
  it('handles a step that does not divide the interval (pieces still on step multiples)', () => {
    const step = 7 * M;
    const pieces = splitByInterval({ startMs: 0, endMs: 2 * H }, step, H);
    for (const p of pieces) expect([p.startMs % step, p.endMs % step]).toEqual([0, 0]);
    expect(pieces.map((p) => p.intervalStartMs)).toEqual([0, H, 2 * H].slice(0, pieces.length));
    expect(pieces[0]).toMatchObject({ startMs: 0, endMs: 56 * M });
    expect(pieces[1]).toMatchObject({ startMs: 63 * M, endMs: 119 * M });
  });
  it('gives one piece per step when the step is longer than the interval', () => {
    const pieces = splitByInterval({ startMs: 0, endMs: 3 * H }, H, 10 * M);
    expect(pieces.map((p) => p.startMs / H)).toEqual([0, 1, 2, 3]);
    expect(pieces.every((p) => p.startMs === p.endMs)).toBe(true);
  });
  it('gives a single point for start = end', () => {
    expect(splitByInterval({ startMs: H, endMs: H }, M, H)).toHaveLength(1);
  });
});

describe('intervalSteps', () => {
  it('is the first and last step inside the interval holding t', () => {
    expect(intervalSteps(75 * M, 7 * M, H)).toMatchObject({ startMs: 63 * M, endMs: 119 * M, intervalStartMs: H });
  });
});
