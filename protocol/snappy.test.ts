import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  readSnappyUncompressedLength,
  SnappyBlockCompressor,
  snappyCompress,
  snappyDecompress,
  snappyDecompressInto,
  SnappyFormatError,
  snappyLengthHeaderSize,
  snappyMaxCompressedLength,
  writeSnappyLengthHeader,
} from './snappy.ts';

// snappyjs ships no types; this is the part of its API the cross-checks use.
const snappyjs = createRequire(import.meta.url)('snappyjs') as {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
};

const EXPOSITION_DIR = new URL('../test/fixtures/exposition', import.meta.url).pathname;
const expositionFiles = readdirSync(EXPOSITION_DIR)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => ({ name: f, data: new Uint8Array(readFileSync(`${EXPOSITION_DIR}/${f}`)) }));

// Deterministic PRNG so failures reproduce.
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const next = xorshift(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}

// Text-like data with repeats at many distances and lengths: exercises every copy form.
function repetitiveBytes(n: number, seed: number): Uint8Array {
  const next = xorshift(seed);
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    if (i > 8 && next() % 3 !== 0) {
      const len = 1 + (next() % 300);
      const offset = 1 + (next() % Math.min(i, 70000));
      for (let k = 0; k < len && i < n; k++, i++) out[i] = out[i - offset]!;
    } else {
      const len = 1 + (next() % 40);
      for (let k = 0; k < len && i < n; k++, i++) out[i] = 97 + (next() % 26);
    }
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

const allExposition = concat(expositionFiles.map((f) => f.data));
const cases: { name: string; data: Uint8Array }[] = [
  { name: 'empty', data: new Uint8Array(0) },
  { name: '1 byte', data: new Uint8Array([42]) },
  { name: '16 bytes (below min match block)', data: new TextEncoder().encode('abcdabcdabcdabcd') },
  { name: '17 zero bytes', data: new Uint8Array(17) },
  { name: '200 KiB of zeros', data: new Uint8Array(200 * 1024) },
  { name: 'random 100 KiB (incompressible)', data: randomBytes(100 * 1024, 7) },
  { name: 'random 65537 bytes', data: randomBytes(65537, 11) },
  { name: 'repetitive 300 KiB', data: repetitiveBytes(300 * 1024, 3) },
  { name: 'exposition files concatenated', data: allExposition },
  { name: 'exposition x8 (> 1 MiB)', data: concat(Array.from({ length: 8 }, () => allExposition)) },
  ...expositionFiles,
];

describe('snappy block round trips', () => {
  for (const { name, data } of cases) {
    it(`${name}: ours -> snappyjs, snappyjs -> ours, ours -> ours`, () => {
      const ours = snappyCompress(data).slice();
      expect(ours.length).toBeLessThanOrEqual(snappyMaxCompressedLength(data.length));
      expect(readSnappyUncompressedLength(ours).length).toBe(data.length);

      expect(Buffer.from(snappyjs.uncompress(ours)).equals(data)).toBe(true);
      expect(Buffer.from(snappyDecompress(ours)).equals(data)).toBe(true);

      const theirs = snappyjs.compress(data);
      expect(Buffer.from(snappyDecompress(theirs)).equals(data)).toBe(true);
    });
  }

  it('compresses real exposition text about as well as snappyjs', () => {
    const ours = snappyCompress(allExposition).length;
    const theirs = snappyjs.compress(allExposition).length;
    expect(ours).toBeLessThan(allExposition.length / 4);
    expect(Math.abs(ours - theirs) / theirs).toBeLessThan(0.02);
  });

  it('keeps incompressible input within the worst-case bound and only slightly larger', () => {
    const data = randomBytes(1 << 20, 99);
    const out = snappyCompress(data);
    expect(out.length).toBeGreaterThanOrEqual(data.length);
    expect(out.length).toBeLessThan(data.length * 1.01);
  });

  it('ends matches at every byte of the 8-byte compare step, and at the fragment end', () => {
    // A 40-byte pattern, then a copy of it with only byte k changed (k = 4..39), so the one
    // differing byte falls on each lane of the two 32-bit compares with equal bytes after it (a
    // match claimed past it would decode wrong); also copies that run to within 0..9 bytes of a
    // 64 KiB fragment boundary and of the end of input.
    const next = xorshift(77);
    const pattern = Uint8Array.from({ length: 40 }, () => 97 + (next() % 26));
    const parts: Uint8Array[] = [];
    for (let k = 4; k < 40; k++) {
      const changed = pattern.slice();
      changed[k] = 0x21 + k;
      parts.push(pattern, changed, randomBytes(7, k));
    }
    const body = concat(parts);
    const inputs = [body];
    for (let tail = 0; tail < 10; tail++) {
      const filler = concat(Array.from({ length: Math.ceil((65536 - tail) / pattern.length) }, () => pattern)).subarray(0, 65536 - tail);
      inputs.push(filler, concat([filler, randomBytes(tail + 3, tail), filler.subarray(0, 5000)]));
    }
    for (const data of inputs) {
      const ours = snappyCompress(data).slice();
      expect(Buffer.from(snappyjs.uncompress(ours)).equals(data)).toBe(true);
      expect(Buffer.from(snappyDecompress(ours)).equals(data)).toBe(true);
    }
    // The diverging copies are found, not emitted as literals: far below the input size.
    expect(snappyCompress(body).length).toBeLessThan(body.length / 2);
  });

  it('round-trips random mixes of literals and copies (property check against snappyjs)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = xorshift(seed * 7919);
      const n = next() % 140_000;
      const data = next() % 4 === 0 ? randomBytes(n, seed) : repetitiveBytes(n, seed);
      const ours = snappyCompress(data).slice();
      expect(ours.length).toBeLessThanOrEqual(snappyMaxCompressedLength(n));
      expect(Buffer.from(snappyjs.uncompress(ours)).equals(data)).toBe(true);
    }
  });

  it('compresses only the first inputLength bytes', () => {
    const data = repetitiveBytes(5000, 5);
    const block = snappyCompress(data, 1234).slice();
    expect(Buffer.from(snappyDecompress(block)).equals(data.subarray(0, 1234))).toBe(true);
    expect(() => snappyCompress(data, 5001)).toThrow(RangeError);
  });
});

describe('SnappyBlockCompressor buffer ownership', () => {
  it('returns views into one reused buffer, overwritten by the next call', () => {
    const c = new SnappyBlockCompressor();
    const a = c.compress(allExposition);
    const aCopy = a.slice();
    const b = c.compress(expositionFiles[0]!.data);
    expect(b.buffer).toBe(a.buffer);
    expect(Buffer.from(a).equals(aCopy)).toBe(false);
  });

  it('does not let hash-table state from one call affect the next', () => {
    const shared = new SnappyBlockCompressor();
    shared.compress(allExposition);
    for (const { data } of expositionFiles) {
      const reused = shared.compress(data).slice();
      const fresh = new SnappyBlockCompressor().compress(data);
      expect(Buffer.from(reused).equals(fresh)).toBe(true);
    }
  });

  it('compressInto writes at an offset and checks the room it has', () => {
    const data = expositionFiles[0]!.data;
    const out = new Uint8Array(10 + snappyMaxCompressedLength(data.length));
    const n = new SnappyBlockCompressor().compressInto(data, data.length, out, 10);
    expect(Buffer.from(snappyDecompress(out.subarray(10, 10 + n))).equals(data)).toBe(true);
    expect(() => new SnappyBlockCompressor().compressInto(data, data.length, out, 11)).toThrow(/bytes free/);
  });
});

describe('length header', () => {
  it('round-trips lengths across every header size', () => {
    for (const n of [0, 1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 0xffffffff]) {
      const buf = new Uint8Array(8);
      const written = writeSnappyLengthHeader(n, buf, 1);
      expect(written).toBe(snappyLengthHeaderSize(n));
      expect(readSnappyUncompressedLength(buf, 1)).toEqual({ length: n, headerBytes: written });
    }
    expect(() => writeSnappyLengthHeader(2 ** 32, new Uint8Array(8), 0)).toThrow(RangeError);
  });

  it('rejects truncated, over-long and over-large headers', () => {
    expect(() => readSnappyUncompressedLength(new Uint8Array(0))).toThrow(/truncated length header/);
    expect(() => readSnappyUncompressedLength(new Uint8Array([0x80, 0x80]))).toThrow(/truncated length header/);
    expect(() => readSnappyUncompressedLength(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(
      /longer than 5 bytes/,
    );
    expect(() => readSnappyUncompressedLength(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f]))).toThrow(/exceeds 2\^32-1/);
  });
});

describe('snappyDecompress validation', () => {
  const bad = (bytes: number[]) => () => snappyDecompress(new Uint8Array(bytes));

  it('decodes hand-written elements: literal, overlapping copy1, copy2, copy4', () => {
    // "ab" literal, copy1 len 4 offset 2 ("ababab"), copy2 len 2 offset 3 ("ba"), copy4 len 1 offset 1.
    const block = new Uint8Array([9, 0x04, 0x61, 0x62, 0x01, 0x02, 0x06, 0x03, 0x00, 0x03, 0x01, 0, 0, 0]);
    expect(new TextDecoder().decode(snappyDecompress(block))).toBe('abababbaa');
  });

  it('rejects literals running past the end of input', () => {
    expect(bad([5, 0x10, 0x61, 0x62])).toThrow(/runs past end of input/);
    expect(bad([2, 0xf0])).toThrow(/truncated literal header/);
  });

  it('rejects copies with a zero or too-large offset', () => {
    expect(bad([5, 0x00, 0x61, 0x01, 0x00])).toThrow(/copy offset 0 invalid/);
    expect(bad([5, 0x00, 0x61, 0x01, 0x02])).toThrow(/copy offset 2 invalid/);
    expect(bad([5, 0x01, 0x05])).toThrow(/copy offset 5 invalid at output position 0/);
  });

  it('rejects truncated copies', () => {
    expect(bad([5, 0x00, 0x61, 0x01])).toThrow(/truncated copy/);
    expect(bad([5, 0x00, 0x61, 0x02, 0x01])).toThrow(/truncated copy/);
    expect(bad([5, 0x00, 0x61, 0x03, 0x01, 0, 0])).toThrow(/truncated copy/);
  });

  it('rejects output that does not match the declared length', () => {
    expect(bad([3, 0x00, 0x61])).toThrow(/decoded 1 bytes, header declared 3/);
    expect(bad([1, 0x04, 0x61, 0x62])).toThrow(/literal overflows declared length 1/);
    expect(bad([2, 0x00, 0x61, 0x01, 0x01])).toThrow(/copy overflows declared length 2/);
  });

  it('refuses declared lengths above the guard before allocating', () => {
    const block = snappyCompress(new Uint8Array(1000)).slice();
    expect(() => snappyDecompress(block, 999)).toThrow(/exceeds limit 999/);
    expect(snappyDecompress(block, 1000).length).toBe(1000);
    // 4 bytes of elements cannot expand to 1 GiB.
    expect(bad([0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x61, 0x01, 0x01])).toThrow(SnappyFormatError);
  });

  it('rejects corrupted real blocks (flipped bytes) with SnappyFormatError, never garbage silently', () => {
    const data = expositionFiles[0]!.data;
    const block = snappyCompress(data).slice();
    const next = xorshift(1234);
    let rejected = 0;
    for (let trial = 0; trial < 300; trial++) {
      const corrupt = block.slice();
      const at = 3 + (next() % (corrupt.length - 3));
      corrupt[at] = corrupt[at]! ^ (1 + (next() % 255));
      try {
        snappyDecompress(corrupt);
      } catch (err) {
        expect(err).toBeInstanceOf(SnappyFormatError);
        rejected++;
      }
    }
    // Flips inside literal bytes decode "fine"; flips in element tags mostly cannot.
    expect(rejected).toBeGreaterThan(0);
  });

  it('snappyDecompressInto decodes at an offset and checks room', () => {
    const data = expositionFiles[1]!.data;
    const block = snappyCompress(data).slice();
    const out = new Uint8Array(data.length + 5);
    expect(snappyDecompressInto(block, out, 5)).toBe(data.length);
    expect(Buffer.from(out.subarray(5)).equals(data)).toBe(true);
    expect(() => snappyDecompressInto(block, out, 6)).toThrow(RangeError);
  });
});
