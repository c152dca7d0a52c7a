import { describe, expect, it } from 'vitest';
import { fmix32, hashString, mix32, mix32Join, mix32Left, mix32Right, xxh32 } from './hash.ts';

// Reference values computed with the python-xxhash and mmh3 packages (stock XXH32 / MurmurHash3).
// If one of these fails, placement of every target in every fleet would change: don't "fix" the
// expected value, fix the code.
const XXH32_VECTORS: [string, number, number][] = [
  // input, seed 0, seed 42
  ['', 0x02cc5d05, 0xd5be6eb8],
  ['a', 0x550d7456, 0x4bedc2db],
  ['abc', 0x32d153ff, 0x0147abfe],
  ['Nobody inspects the spammish repetition', 0xe2293b2f, 0x4ae5ae3a],
  ['http://10.0.0.1:9100/metrics', 0x99e2deb1, 0x799622c0],
  ['héllo wörld ✓ 😀', 0x222cc0a0, 0x0f9634a1],
  ['0123456789abcdef', 0xc2c45b69, 0x599c0eb6],
  ['0123456789abcdefX', 0x658e4f53, 0x6a5e7038],
];

const MIX32_VECTORS: [number, number, number][] = [
  [1, 2, 0xc3642e86],
  [0xdeadbeef, 0x12345678, 0xfbfec947],
  [0, 0, 0x63852afc],
];

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

describe('hashString (XXH32 of UTF-8)', () => {
  it.each(XXH32_VECTORS)('matches the reference XXH32 for %j', (input, seed0, seed42) => {
    expect(hashString(input)).toBe(seed0);
    expect(hashString(input, 42)).toBe(seed42);
  });

  it('hashes exactly the UTF-8 bytes Buffer produces, including lone surrogates as U+FFFD', () => {
    const rand = mulberry32(7);
    const samples = ['\ud800', 'a\udc00b', '\ud83d\ude00\ud83d', 'ß'.repeat(40), '€'.repeat(300), 'x'.repeat(5000)];
    for (let i = 0; i < 200; i++) {
      let s = '';
      const len = rand() % 40;
      for (let j = 0; j < len; j++) s += String.fromCharCode(rand() % 0x10000);
      samples.push(s);
    }
    for (const s of samples) {
      const bytes = Buffer.from(s, 'utf8');
      expect(hashString(s, 3)).toBe(xxh32(bytes, bytes.length, 3));
    }
  });

  it('is stable across calls and after the scratch buffer grew', () => {
    const before = hashString('scraper-1');
    hashString('y'.repeat(100_000));
    expect(hashString('scraper-1')).toBe(before);
  });

  it('takes the seed modulo 2^32 and returns unsigned 32-bit integers', () => {
    expect(hashString('abc', 42 + 2 ** 32)).toBe(hashString('abc', 42));
    expect(hashString('abc', -1)).toBe(hashString('abc', 0xffffffff));
    for (const [input] of XXH32_VECTORS) {
      const h = hashString(input, 99);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });

  it('spreads similar keys evenly over buckets (chi-square)', () => {
    const buckets = 256;
    const n = 256_000;
    const counts = new Array<number>(buckets).fill(0);
    for (let i = 0; i < n; i++) {
      const b = hashString(`http://10.0.${i >> 8}.${i & 255}:9100/metrics`) & (buckets - 1);
      counts[b] = (counts[b] as number) + 1;
    }
    const expected = n / buckets;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: mean 255, sd ~22.6; 400 is > 6 sd away.
    expect(chi2).toBeLessThan(400);
  });

  it('avalanches: flipping one input bit flips about half of the output bits', () => {
    const rand = mulberry32(11);
    let flipped = 0;
    let trials = 0;
    for (let i = 0; i < 2000; i++) {
      const base = `target-${rand()}-${rand()}`;
      const pos = rand() % base.length;
      const changed = base.slice(0, pos) + String.fromCharCode(base.charCodeAt(pos) ^ (1 << rand() % 7)) + base.slice(pos + 1);
      flipped += popcount(hashString(base) ^ hashString(changed));
      trials++;
    }
    const share = flipped / (trials * 32);
    expect(share).toBeGreaterThan(0.48);
    expect(share).toBeLessThan(0.52);
  });
});

describe('mix32 (MurmurHash3 of two words)', () => {
  it.each(MIX32_VECTORS)('matches the reference MurmurHash3 for (%i, %i)', (a, b, expected) => {
    expect(mix32(a, b)).toBe(expected);
  });

  it('split form equals the one-shot form', () => {
    const rand = mulberry32(3);
    for (let i = 0; i < 10_000; i++) {
      const a = rand();
      const b = rand();
      expect(mix32Join(mix32Left(a), mix32Right(b))).toBe(mix32(a, b));
    }
  });

  it('depends on the order of its arguments and avalanches in both', () => {
    expect(mix32(1, 2)).not.toBe(mix32(2, 1));
    const rand = mulberry32(5);
    let flippedA = 0;
    let flippedB = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const a = rand();
      const b = rand();
      const bit = 1 << rand() % 32;
      flippedA += popcount(mix32(a, b) ^ mix32(a ^ bit, b));
      flippedB += popcount(mix32(a, b) ^ mix32(a, b ^ bit));
    }
    expect(flippedA / (n * 32)).toBeGreaterThan(0.48);
    expect(flippedA / (n * 32)).toBeLessThan(0.52);
    expect(flippedB / (n * 32)).toBeGreaterThan(0.48);
    expect(flippedB / (n * 32)).toBeLessThan(0.52);
  });

  it('fmix32 is the Murmur3 finalizer', () => {
    expect(fmix32(0)).toBe(0);
    // Murmur3 of the empty message with seed 1 is fmix32(1) (h = seed ^ len(0)).
    expect(fmix32(1)).toBe(0x514e28b7);
  });
});
