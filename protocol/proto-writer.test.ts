import { describe, expect, it } from 'vitest';
import { ProtoWriter, varintSize, WIRE_FIXED64, WIRE_LENGTH_DELIMITED } from './proto-writer.ts';

// Reference varint encoder on BigInt: what Go/C++ protobuf write for uint64 (and int64 as uint64).
function referenceVarint(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('ProtoWriter varints', () => {
  const unsigned = [0, 1, 127, 128, 255, 300, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1, 2 ** 32,
    2 ** 32 + 1, 2 ** 35, 1_700_000_000_123, 2 ** 49, 2 ** 52 + 12345, 2 ** 53 - 1];

  it('uvarint matches the reference encoding and varintSize, including values beyond 2^32', () => {
    for (const v of unsigned) {
      const w = new ProtoWriter(16);
      w.uvarint(v);
      expect([...w.bytes()], `value ${v}`).toEqual(referenceVarint(BigInt(v)));
      expect(varintSize(v), `size of ${v}`).toBe(w.length);
    }
  });

  it('int64 writes negatives as 10-byte two\'s complement', () => {
    const signed = [-1, -2, -127, -128, -129, -(2 ** 31), -(2 ** 32), -(2 ** 32) - 1, -1_700_000_000_123, -(2 ** 53) + 1];
    for (const v of [...signed, ...unsigned]) {
      const w = new ProtoWriter(16);
      w.int64(v);
      expect([...w.bytes()], `value ${v}`).toEqual(referenceVarint(BigInt(v)));
      expect(varintSize(v)).toBe(w.length);
    }
    const w = new ProtoWriter();
    w.int64(-1);
    expect(hex(w.bytes())).toBe('ffffffffffffffffff01');
  });

  it('int64 and uvarint agree with the reference on random values of every magnitude', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const w = new ProtoWriter(16);
    for (let i = 0; i < 20_000; i++) {
      const magnitude = Math.floor(random() * 54);
      const v = Math.floor(random() * 2 ** magnitude) * (random() < 0.3 ? -1 : 1);
      w.reset();
      w.int64(v);
      const expected = referenceVarint(BigInt(v));
      const actual = w.bytes();
      if (actual.length !== expected.length || expected.some((b, k) => actual[k] !== b)) {
        throw new Error(`int64(${v}): got ${hex(actual)}, want ${Buffer.from(expected).toString('hex')}`);
      }
    }
  });

  it('rejects values a varint cannot carry', () => {
    const w = new ProtoWriter();
    expect(() => w.uvarint(-1)).toThrow(RangeError);
    expect(() => w.uvarint(Number.NaN)).toThrow(RangeError);
    expect(() => w.int64(Number.NaN)).toThrow(RangeError);
    expect(w.length).toBe(0);
  });

  it('tag combines field number and wire type', () => {
    const w = new ProtoWriter();
    w.tag(1, WIRE_LENGTH_DELIMITED);
    w.tag(2, WIRE_FIXED64);
    w.tag(16, 0);
    expect(hex(w.bytes())).toBe('0a118001');
  });
});

describe('ProtoWriter doubles', () => {
  function bitsOf(w: ProtoWriter): bigint {
    const b = w.bytes();
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  it('writes little-endian IEEE 754', () => {
    const w = new ProtoWriter();
    w.double(1);
    expect(hex(w.bytes())).toBe('000000000000f03f');
    for (const v of [0, -0, 1.5, -2.25e-300, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity]) {
      const x = new ProtoWriter();
      x.double(v);
      const b = x.bytes();
      expect(Object.is(new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true), v)).toBe(true);
    }
  });

  it('keeps NaN payloads bit-exact (staleness marker and a quiet NaN with payload)', () => {
    const scratch = new DataView(new ArrayBuffer(8));
    for (const bits of [0x7ff0000000000002n, 0x7ff8000000000001n, 0xfff8000000000000n]) {
      scratch.setBigUint64(0, bits, true);
      const nan = scratch.getFloat64(0, true);
      const w = new ProtoWriter();
      w.double(nan);
      expect(bitsOf(w).toString(16)).toBe(bits.toString(16));
    }
    // Via Float64Array too, the other way a scraper may hold values.
    const f = new Float64Array(1);
    new DataView(f.buffer).setBigUint64(0, 0x7ff0000000000002n, true);
    const w = new ProtoWriter();
    w.double(f[0]!);
    expect(bitsOf(w)).toBe(0x7ff0000000000002n);
  });

  it('fixed64Bits writes an exact bit pattern', () => {
    const w = new ProtoWriter();
    w.fixed64Bits(2, 0x7ff00000);
    expect(bitsOf(w)).toBe(0x7ff0000000000002n);
  });
});

describe('ProtoWriter strings', () => {
  const samples = ['', 'a', 'node_cpu_seconds_total', 'é', '日本語', 'emoji 😀 ok', 'x'.repeat(42), 'x'.repeat(43),
    'é'.repeat(200), 'y'.repeat(20000), '\u{10FFFF}', 'mixed ascii then ü at the end'];

  it('writes length + UTF-8 identical to Buffer.from', () => {
    for (const s of samples) {
      const w = new ProtoWriter(16);
      w.string(s);
      const utf8 = Buffer.from(s, 'utf8');
      const expected = Buffer.concat([Buffer.from(referenceVarint(BigInt(utf8.length))), utf8]);
      expect(hex(w.bytes()), JSON.stringify(s.slice(0, 20))).toBe(expected.toString('hex'));
    }
  });

  it('encodes lone surrogates as U+FFFD like TextEncoder', () => {
    const w = new ProtoWriter();
    w.string('a\ud800b');
    expect(hex(w.bytes())).toBe('0561efbfbd62');
  });

  it('keeps earlier content when a string forces the buffer to grow', () => {
    for (let fill = 0; fill < 40; fill++) {
      const w = new ProtoWriter(16);
      for (let i = 0; i < fill; i++) w.byte(i);
      w.string('abcdefgh');
      w.string('ü');
      const expected = [...Array.from({ length: fill }, (_, i) => i), 8, ...Buffer.from('abcdefgh'), 2, 0xc3, 0xbc];
      expect([...w.bytes()]).toEqual(expected);
    }
  });
});

describe('ProtoWriter length back-patching', () => {
  for (const contentLength of [0, 1, 127, 128, 16383, 16384, 20000]) {
    it(`patches a ${contentLength}-byte value with a canonical prefix`, () => {
      const w = new ProtoWriter(16);
      w.byte(0xaa);
      const mark = w.beginLengthDelimited();
      for (let i = 0; i < contentLength; i++) w.byte(i & 0xff);
      w.endLengthDelimited(mark);
      w.byte(0xbb);
      const b = w.bytes();
      const prefix = referenceVarint(BigInt(contentLength));
      expect(b.length).toBe(2 + prefix.length + contentLength);
      expect(b[0]).toBe(0xaa);
      expect([...b.subarray(1, 1 + prefix.length)]).toEqual(prefix);
      for (let i = 0; i < contentLength; i++) {
        if (b[1 + prefix.length + i] !== (i & 0xff)) throw new Error(`content byte ${i} moved wrongly`);
      }
      expect(b[b.length - 1]).toBe(0xbb);
    });
  }

  it('nests', () => {
    const w = new ProtoWriter();
    w.tag(1, WIRE_LENGTH_DELIMITED);
    const outer = w.beginLengthDelimited();
    w.tag(2, WIRE_LENGTH_DELIMITED);
    const inner = w.beginLengthDelimited();
    w.raw(new Uint8Array(200));
    w.endLengthDelimited(inner);
    w.endLengthDelimited(outer);
    // outer = tag(1) + len(2 bytes: 203) + [tag(2) + len(2 bytes: 200) + 200 zeros]
    expect(hex(w.bytes().subarray(0, 6))).toBe('0acb0112c801');
    expect(w.length).toBe(6 + 200);
  });
});

describe('ProtoWriter buffer management', () => {
  it('grows past its initial capacity without losing content', () => {
    const w = new ProtoWriter(16);
    const chunk = new Uint8Array(1000).map((_, i) => i & 0xff);
    for (let i = 0; i < 100; i++) w.lengthDelimited(chunk);
    expect(w.length).toBe(100 * 1002);
    expect(w.capacity).toBeGreaterThanOrEqual(100 * 1002);
    const b = w.bytes();
    expect(hex(b.subarray(1002 * 99, 1002 * 99 + 4))).toBe('e8070001');
  });

  it('reset keeps the buffer; bytes() aliases it while copyBytes() does not', () => {
    const w = new ProtoWriter(64);
    w.stringField(1, 'hello');
    const view = w.bytes();
    const copy = w.copyBytes();
    const capacity = w.capacity;
    w.reset();
    expect(w.length).toBe(0);
    w.stringField(1, 'HELLO');
    expect(w.capacity).toBe(capacity);
    expect(Buffer.from(view).toString('latin1')).toBe('\n\x05HELLO');
    expect(Buffer.from(copy).toString('latin1')).toBe('\n\x05hello');
  });

  it('field helpers write tag then value', () => {
    const w = new ProtoWriter();
    w.uvarintField(1, 150);
    w.int64Field(2, -1);
    w.doubleField(3, 1);
    w.bytesField(4, new Uint8Array([1, 2]));
    expect(hex(w.bytes())).toBe('089601' + '10ffffffffffffffffff01' + '19000000000000f03f' + '22020102');
  });
});
