// A minimal protobuf writer over one growable, reused byte buffer. Callers write fields in order;
// nothing is allocated per field, so encoding a WriteRequest costs no garbage once the buffer has
// grown to its steady-state size.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;

/** Bytes a uvarint of v takes; v an integer in [0, 2^53). Negative int64 values take 10. */
export function varintSize(v: number): number {
  if (v < 0) return 10;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 0x800000000) return 5;
  if (v < 0x40000000000) return 6;
  if (v < 0x2000000000000) return 7;
  if (v < 0x100000000000000) return 8;
  return 9;
}

export class ProtoWriter {
  // Public for hand-inlined encoders on hot paths (remote-write-codec.ts): call ensure(n), then
  // write at most n bytes at buf[pos...] (view aliases buf) and advance pos. Both buf and view
  // are replaced when the buffer grows, so re-read them after every ensure().
  buf: Buffer;
  view: DataView;
  pos = 0;

  constructor(initialCapacity = 64 * 1024) {
    // allocUnsafeSlow: an unpooled buffer we own entirely (pooled ones share an ArrayBuffer).
    this.buf = Buffer.allocUnsafeSlow(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Current buffer capacity (grows, never shrinks). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Forgets the content; the buffer is kept for reuse. */
  reset(): void {
    this.pos = 0;
  }

  /**
   * View of the bytes written so far. It aliases the internal buffer: valid until the next write
   * (which may reallocate) or reset(). Use copyBytes() for something to keep.
   */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** An exact-size copy of the bytes written so far, independent of this writer. */
  copyBytes(): Uint8Array {
    // From Node's shared pool when small: many short copies (cached label sets) then share a few
    // ArrayBuffers instead of owning one each, which keeps major GCs cheap.
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(this.pos + n);
  }

  private grow(minCapacity: number): void {
    let cap = this.buf.length * 2;
    while (cap < minCapacity) cap *= 2;
    const next = Buffer.allocUnsafeSlow(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Field key: (field << 3) | wireType. */
  tag(field: number, wireType: number): void {
    this.uvarint(field * 8 + wireType);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned varint for an integer in [0, 2^53). */
  uvarint(v: number): void {
    if (!(v >= 0)) throw new RangeError(`uvarint: ${v} is not a non-negative integer`);
    this.ensure(10);
    this.pos = writeUvarintAt(this.buf, this.pos, v);
  }

  /**
   * Protobuf int64 for an integer in (-2^53, 2^53): non-negative values as a uvarint, negative
   * ones as the 10-byte varint of their 64-bit two's complement (what Go/C++ write).
   */
  int64(v: number): void {
    if (!(v >= 0 || v < 0)) throw new RangeError(`int64: ${v} is not an integer`);
    this.ensure(10);
    this.pos = writeInt64At(this.buf, this.pos, v);
  }

  /** Little-endian IEEE 754 double, bit-exact (NaN payloads such as the staleness marker survive). */
  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Little-endian 64-bit value given as two 32-bit halves: for exact bit patterns. */
  fixed64Bits(lo: number, hi: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, lo >>> 0, true);
    this.view.setUint32(this.pos + 4, hi >>> 0, true);
    this.pos += 8;
  }

  /** Appends bytes as they are (no length prefix). */
  raw(data: Uint8Array): void {
    const n = data.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 16) {
      // TypedArray#set has a fixed cost that a short loop beats.
      for (let i = 0; i < n; i++) buf[p++] = data[i]!;
      this.pos = p;
    } else {
      buf.set(data, p);
      this.pos = p + n;
    }
  }

  /** Length prefix + bytes (a `bytes` or embedded-message field value, without its tag). */
  lengthDelimited(data: Uint8Array): void {
    this.uvarint(data.length);
    this.raw(data);
  }

  /**
   * Length prefix + UTF-8 encoding of s, encoded straight into the buffer. Lone surrogates become
   * U+FFFD, as with TextEncoder.
   */
  string(s: string): void {
    const units = s.length;
    // At most 3 UTF-8 bytes per UTF-16 unit (a surrogate pair is 2 units -> 4 bytes).
    const maxBytes = units * 3;
    const guessedPrefix = varintSize(maxBytes);
    this.ensure(guessedPrefix + maxBytes);
    const buf = this.buf;
    const start = this.pos + guessedPrefix;
    let p = start;
    for (let i = 0; i < units; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Rare for label names and values: let Node's native encoder do the whole string.
        p = start + buf.write(s, start, 'utf8');
        break;
      }
      buf[p++] = c;
    }
    const byteLength = p - start;
    const prefix = varintSize(byteLength);
    if (prefix !== guessedPrefix) buf.copyWithin(this.pos + prefix, start, p);
    // No ensure() from here on: it would only preserve bytes before pos.
    this.pos = writeUvarintAt(buf, this.pos, byteLength) + byteLength;
  }

  /**
   * Starts a length-delimited value whose length is not known yet: reserves one byte for the
   * length and returns a mark to pass to endLengthDelimited() once the content is written.
   */
  beginLengthDelimited(): number {
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  /** Back-patches the length reserved by beginLengthDelimited(mark), widening it if needed. */
  endLengthDelimited(mark: number): void {
    const length = this.pos - mark;
    const prefix = varintSize(length);
    if (prefix > 1) {
      this.ensure(prefix - 1);
      this.buf.copyWithin(mark + prefix - 1, mark, this.pos);
    }
    writeUvarintAt(this.buf, mark - 1, length);
    this.pos += prefix - 1;
  }

  // Field helpers: tag + value.

  uvarintField(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.uvarint(v);
  }

  int64Field(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.int64(v);
  }

  doubleField(field: number, v: number): void {
    this.tag(field, WIRE_FIXED64);
    this.double(v);
  }

  stringField(field: number, s: string): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.string(s);
  }

  bytesField(field: number, data: Uint8Array): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.lengthDelimited(data);
  }
}

/** Writes uvarint v (integer in [0, 2^53)) at buf[p]; returns the next position. No bounds growth. */
export function writeUvarintAt(buf: Uint8Array, p: number, v: number): number {
  if (v < TWO_POW_32) {
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    return p;
  }
  const lo = v >>> 0;
  return writeVarint64(buf, p, lo, (v - lo) / TWO_POW_32);
}

/**
 * Writes a protobuf int64 (integer in (-2^53, 2^53); negatives as 10-byte two's complement) at
 * buf[p]; returns the next position. No bounds growth: callers ensure 10 bytes.
 */
export function writeInt64At(buf: Uint8Array, p: number, v: number): number {
  if (v >= 0) return writeUvarintAt(buf, p, v);
  const a = -v;
  let lo = a >>> 0;
  let hi = ((a - lo) / TWO_POW_32) >>> 0;
  // Two's complement negation of the 64-bit (hi, lo) pair.
  lo = ~lo >>> 0;
  hi = ~hi >>> 0;
  if (lo === 0xffffffff) {
    lo = 0;
    hi = (hi + 1) >>> 0;
  } else {
    lo += 1;
  }
  return writeVarint64(buf, p, lo, hi);
}

// Varint of the 64-bit value hi * 2^32 + lo, for hi !== 0 (so at least 5 bytes): unrolled, since
// millisecond timestamps (41 bits, 6 bytes) take this path for every sample.
function writeVarint64(buf: Uint8Array, p: number, lo: number, hi: number): number {
  buf[p] = (lo & 0x7f) | 0x80;
  buf[p + 1] = ((lo >>> 7) & 0x7f) | 0x80;
  buf[p + 2] = ((lo >>> 14) & 0x7f) | 0x80;
  buf[p + 3] = ((lo >>> 21) & 0x7f) | 0x80;
  p += 4;
  let x = (lo >>> 28) | ((hi & 0x7ffffff) << 4); // value bits 28..58, a non-negative int32
  hi >>>= 27; // value bits 59..63
  if (hi !== 0) {
    buf[p] = (x & 0x7f) | 0x80;
    buf[p + 1] = ((x >>> 7) & 0x7f) | 0x80;
    buf[p + 2] = ((x >>> 14) & 0x7f) | 0x80;
    buf[p + 3] = ((x >>> 21) & 0x7f) | 0x80;
    p += 4;
    x = (x >>> 28) | (hi << 3); // value bits 56..63
  }
  while (x >= 0x80) {
    buf[p++] = (x & 0x7f) | 0x80;
    x >>>= 7;
  }
  buf[p++] = x;
  return p;
}
