// Snappy *block* format (not the framed/stream format): a uvarint of the uncompressed length
// followed by literal and copy elements. This is what Prometheus remote write 1.0 bodies use.
//
// The compressor is the greedy hash-table algorithm of golang/snappy's encodeBlock, applied to
// independent 64 KiB fragments (so copy offsets stay below 65536). Since a copy can only reach
// back into its own block's output, blocks concatenate (remote-write-batch.ts).

/** Error thrown for corrupt or oversized snappy input. */
export class SnappyFormatError extends Error {
  override name = 'SnappyFormatError';
}

/** Largest uncompressed length the block format can declare (uvarint limited to 32 bits). */
export const SNAPPY_MAX_UNCOMPRESSED_LENGTH = 0xffffffff;

/** Default guard for snappyDecompress: refuse to allocate more than this for one block. */
export const SNAPPY_DEFAULT_MAX_DECODED_LENGTH = 256 * 1024 * 1024;

const MAX_FRAGMENT_SIZE = 65536;
// encodeBlock reads up to 8 bytes ahead of the cursor, so it stops looking for matches this close
// to the end of a fragment; the tail is emitted as a literal.
const INPUT_MARGIN = 16 - 1;
const MIN_NON_LITERAL_FRAGMENT_SIZE = 1 + 1 + INPUT_MARGIN;
const MAX_TABLE_SIZE = 1 << 14;
const TAG_LITERAL = 0;
const TAG_COPY1 = 1;
const TAG_COPY2 = 2;
// Tag 3 (copy with a 4-byte offset) is only decoded: blocks are at most 64 KiB, so the encoder never needs it.

/** Worst-case compressed size for n input bytes (same bound as golang/snappy MaxEncodedLen). */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/** Number of bytes the uvarint length header takes for an uncompressed length of n. */
export function snappyLengthHeaderSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/** Writes the block's uvarint length header at out[offset]; returns the bytes written. */
export function writeSnappyLengthHeader(n: number, out: Uint8Array, offset: number): number {
  if (!Number.isInteger(n) || n < 0 || n > SNAPPY_MAX_UNCOMPRESSED_LENGTH) {
    throw new RangeError(`snappy: uncompressed length ${n} out of range 0..${SNAPPY_MAX_UNCOMPRESSED_LENGTH}`);
  }
  let p = offset;
  let v = n;
  while (v >= 0x80) {
    out[p++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[p++] = v;
  return p - offset;
}

/** Reads the uvarint uncompressed length at the start of a snappy block. */
export function readSnappyUncompressedLength(
  block: Uint8Array,
  offset = 0,
): { length: number; headerBytes: number } {
  let length = 0;
  let multiplier = 1;
  for (let i = 0; i < 5; i++) {
    const p = offset + i;
    if (p >= block.length) {
      throw new SnappyFormatError(`snappy: truncated length header (${block.length - offset} bytes)`);
    }
    const b = block[p]!;
    length += (b & 0x7f) * multiplier;
    if (b < 0x80) {
      if (length > SNAPPY_MAX_UNCOMPRESSED_LENGTH) {
        throw new SnappyFormatError(`snappy: declared length ${length} exceeds 2^32-1`);
      }
      return { length, headerBytes: i + 1 };
    }
    multiplier *= 128;
  }
  throw new SnappyFormatError('snappy: length header longer than 5 bytes');
}

function emitLiteral(dst: Uint8Array, d: number, src: Uint8Array, start: number, end: number): number {
  const n = end - start - 1;
  if (n < 60) {
    dst[d++] = (n << 2) | TAG_LITERAL;
  } else if (n < 0x100) {
    dst[d++] = (60 << 2) | TAG_LITERAL;
    dst[d++] = n;
  } else {
    // Fragments are at most 64 KiB, so two length bytes always suffice.
    dst[d++] = (61 << 2) | TAG_LITERAL;
    dst[d++] = n & 0xff;
    dst[d++] = n >>> 8;
  }
  if (n < 32) {
    for (let i = start; i < end; i++) dst[d++] = src[i]!;
    return d;
  }
  dst.set(src.subarray(start, end), d);
  return d + n + 1;
}

function emitCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  while (length >= 68) {
    dst[d] = (63 << 2) | TAG_COPY2;
    dst[d + 1] = offset & 0xff;
    dst[d + 2] = offset >>> 8;
    d += 3;
    length -= 64;
  }
  if (length > 64) {
    // Leaves at least 4 bytes so the final element can still be a copy.
    dst[d] = (59 << 2) | TAG_COPY2;
    dst[d + 1] = offset & 0xff;
    dst[d + 2] = offset >>> 8;
    d += 3;
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) {
    dst[d] = ((length - 1) << 2) | TAG_COPY2;
    dst[d + 1] = offset & 0xff;
    dst[d + 2] = offset >>> 8;
    return d + 3;
  }
  dst[d] = ((offset >>> 8) << 5) | ((length - 4) << 2) | TAG_COPY1;
  dst[d + 1] = offset & 0xff;
  return d + 2;
}

// Compresses src[start, end) (end - start <= 64 KiB, >= MIN_NON_LITERAL_FRAGMENT_SIZE) into dst at
// d and returns the new end of dst. table holds positions relative to start.
function encodeFragment(src: Uint8Array, start: number, end: number, dst: Uint8Array, d: number, table: Uint16Array): number {
  // One 32-bit little-endian load per DataView call: measured twice as fast as four byte loads.
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const len = end - start;
  let shift = 32 - 8;
  let tableSize = 1 << 8;
  while (tableSize < MAX_TABLE_SIZE && tableSize < len) {
    tableSize *= 2;
    shift--;
  }
  const mask = tableSize - 1;
  table.fill(0, 0, tableSize);

  const sLimit = end - INPUT_MARGIN;
  let nextEmit = start;
  let s = start + 1;
  // The word at s is loaded once: hashed as the look-ahead, then compared when s gets there.
  let nextWord = v.getInt32(s, true);
  let nextHash = Math.imul(nextWord, 0x1e35a7bd) >>> shift;

  outer: for (;;) {
    // Look for a 4-byte match, skipping faster the longer nothing matches (incompressible data).
    let skip = 32;
    let nextS = s;
    let candidate = 0;
    for (;;) {
      s = nextS;
      const word = nextWord;
      const step = skip >>> 5;
      nextS = s + step;
      skip += step;
      if (nextS > sLimit) break outer;
      const h = nextHash & mask;
      candidate = start + table[h]!;
      table[h] = s - start;
      nextWord = v.getInt32(nextS, true);
      nextHash = Math.imul(nextWord, 0x1e35a7bd) >>> shift;
      if (word === v.getInt32(candidate, true)) break;
    }

    d = emitLiteral(dst, d, src, nextEmit, s);

    // Emit copies for as long as the byte right after a copy starts another match.
    for (;;) {
      const base = s;
      let i = candidate + 4;
      s += 4;
      // Extend the match 8 bytes per step (two 32-bit compares); at the first differing word,
      // the lowest set bit of the XOR names the first differing byte (little-endian).
      for (;;) {
        if (s + 8 > end) {
          while (s < end && src[s] === src[i]) {
            s++;
            i++;
          }
          break;
        }
        const x = v.getInt32(s, true) ^ v.getInt32(i, true);
        if (x !== 0) {
          s += (31 - Math.clz32(x & -x)) >>> 3;
          break;
        }
        const y = v.getInt32(s + 4, true) ^ v.getInt32(i + 4, true);
        if (y !== 0) {
          s += 4 + ((31 - Math.clz32(y & -y)) >>> 3);
          break;
        }
        s += 8;
        i += 8;
      }
      d = emitCopy(dst, d, base - candidate, s - base);
      nextEmit = s;
      if (s >= sLimit) break outer;

      const prev = v.getInt32(s - 1, true);
      table[(Math.imul(prev, 0x1e35a7bd) >>> shift) & mask] = s - 1 - start;
      const cur = v.getInt32(s, true);
      const h = (Math.imul(cur, 0x1e35a7bd) >>> shift) & mask;
      candidate = start + table[h]!;
      table[h] = s - start;
      if (cur !== v.getInt32(candidate, true)) {
        s++;
        nextWord = v.getInt32(s, true);
        nextHash = Math.imul(nextWord, 0x1e35a7bd) >>> shift;
        break;
      }
    }
  }

  if (nextEmit < end) d = emitLiteral(dst, d, src, nextEmit, end);
  return d;
}

/**
 * A snappy block compressor owning a reusable hash table and output buffer. Not re-entrant, but
 * JS is single-threaded and compress() is synchronous, so one instance per module is enough.
 */
export class SnappyBlockCompressor {
  #table = new Uint16Array(MAX_TABLE_SIZE);
  #out = new Uint8Array(0);

  /**
   * Compresses input[0, inputLength) into out[outOffset...]; returns the number of bytes written.
   * out must have at least snappyMaxCompressedLength(inputLength) bytes free from outOffset.
   */
  compressInto(input: Uint8Array, inputLength: number, out: Uint8Array, outOffset: number): number {
    if (!Number.isInteger(inputLength) || inputLength < 0 || inputLength > input.length) {
      throw new RangeError(`snappy: inputLength ${inputLength} outside 0..${input.length}`);
    }
    if (out.length - outOffset < snappyMaxCompressedLength(inputLength)) {
      throw new RangeError(
        `snappy: output has ${out.length - outOffset} bytes free, need ${snappyMaxCompressedLength(inputLength)}`,
      );
    }
    let d = outOffset + writeSnappyLengthHeader(inputLength, out, outOffset);
    for (let start = 0; start < inputLength; start += MAX_FRAGMENT_SIZE) {
      const end = Math.min(start + MAX_FRAGMENT_SIZE, inputLength);
      d =
        end - start < MIN_NON_LITERAL_FRAGMENT_SIZE
          ? emitLiteral(out, d, input, start, end)
          : encodeFragment(input, start, end, out, d, this.#table);
    }
    return d - outOffset;
  }

  /**
   * Compresses input[0, inputLength) and returns a view of this compressor's internal buffer.
   * The view is only valid until the next compress() call on the same instance: copy it (or
   * consume it, e.g. with encodeSampleMessage) before compressing again.
   */
  compress(input: Uint8Array, inputLength: number = input.length): Uint8Array {
    const need = snappyMaxCompressedLength(inputLength);
    if (this.#out.length < need) this.#out = new Uint8Array(Math.max(need, this.#out.length * 2));
    const n = this.compressInto(input, inputLength, this.#out, 0);
    return this.#out.subarray(0, n);
  }
}

const sharedCompressor = new SnappyBlockCompressor();

/**
 * Compresses input[0, inputLength) into one snappy block, using a process-wide compressor.
 * Ownership: the returned view points into a buffer that the NEXT snappyCompress call overwrites
 * (from anywhere in the process). Consume or copy it synchronously; never hold it across an await.
 */
export function snappyCompress(input: Uint8Array, inputLength: number = input.length): Uint8Array {
  return sharedCompressor.compress(input, inputLength);
}

/**
 * Decompresses the snappy block `block` into `out` starting at outOffset; out must have exactly
 * room for the declared length from outOffset on (it may be longer). Returns the decoded length.
 */
export function snappyDecompressInto(block: Uint8Array, out: Uint8Array, outOffset = 0): number {
  const { length, headerBytes } = readSnappyUncompressedLength(block);
  if (out.length - outOffset < length) {
    throw new RangeError(`snappy: output has ${out.length - outOffset} bytes free, block declares ${length}`);
  }
  decodeElements(block, headerBytes, out, outOffset, outOffset + length);
  return length;
}

/**
 * Decompresses one snappy block into a new Uint8Array of exactly the declared length. Throws
 * SnappyFormatError on corrupt input or when the declared length exceeds maxDecodedLength.
 */
export function snappyDecompress(
  block: Uint8Array,
  maxDecodedLength: number = SNAPPY_DEFAULT_MAX_DECODED_LENGTH,
): Uint8Array {
  const { length, headerBytes } = readSnappyUncompressedLength(block);
  if (length > maxDecodedLength) {
    throw new SnappyFormatError(`snappy: declared length ${length} exceeds limit ${maxDecodedLength}`);
  }
  // Cheap sanity check before allocating: no element expands more than ~22x (a 3-byte copy of
  // 64 bytes), so a short block declaring a huge length is corrupt.
  if (length > (block.length - headerBytes) * 32) {
    throw new SnappyFormatError(
      `snappy: declared length ${length} impossible for ${block.length - headerBytes} bytes of elements`,
    );
  }
  const out = new Uint8Array(length);
  decodeElements(block, headerBytes, out, 0, length);
  return out;
}

function decodeElements(src: Uint8Array, s: number, dst: Uint8Array, outStart: number, outEnd: number): void {
  const n = src.length;
  let d = outStart;
  while (s < n) {
    const tag = src[s]!;
    let length: number;
    let offset: number;
    switch (tag & 3) {
      case TAG_LITERAL: {
        let lenMinus1 = tag >>> 2;
        if (lenMinus1 < 60) {
          s += 1;
        } else {
          const extra = lenMinus1 - 59;
          if (s + extra >= n) throw new SnappyFormatError(`snappy: truncated literal header at byte ${s}`);
          lenMinus1 = 0;
          for (let k = extra; k >= 1; k--) lenMinus1 = lenMinus1 * 256 + src[s + k]!;
          s += 1 + extra;
        }
        length = lenMinus1 + 1;
        if (length > n - s) {
          throw new SnappyFormatError(`snappy: literal of ${length} bytes at byte ${s} runs past end of input`);
        }
        if (length > outEnd - d) {
          throw new SnappyFormatError(`snappy: literal overflows declared length ${outEnd - outStart}`);
        }
        if (length < 32) {
          for (let k = 0; k < length; k++) dst[d++] = src[s++]!;
        } else {
          dst.set(src.subarray(s, s + length), d);
          d += length;
          s += length;
        }
        continue;
      }
      case TAG_COPY1:
        if (s + 2 > n) throw new SnappyFormatError(`snappy: truncated copy at byte ${s}`);
        length = 4 + ((tag >>> 2) & 7);
        offset = ((tag & 0xe0) << 3) | src[s + 1]!;
        s += 2;
        break;
      case TAG_COPY2:
        if (s + 3 > n) throw new SnappyFormatError(`snappy: truncated copy at byte ${s}`);
        length = 1 + (tag >>> 2);
        offset = src[s + 1]! | (src[s + 2]! << 8);
        s += 3;
        break;
      default:
        if (s + 5 > n) throw new SnappyFormatError(`snappy: truncated copy at byte ${s}`);
        length = 1 + (tag >>> 2);
        offset = (src[s + 1]! | (src[s + 2]! << 8) | (src[s + 3]! << 16) | (src[s + 4]! << 24)) >>> 0;
        s += 5;
        break;
    }
    if (offset === 0 || offset > d - outStart) {
      throw new SnappyFormatError(`snappy: copy offset ${offset} invalid at output position ${d - outStart}`);
    }
    if (length > outEnd - d) {
      throw new SnappyFormatError(`snappy: copy overflows declared length ${outEnd - outStart}`);
    }
    let from = d - offset;
    if (offset >= length && length > 16) {
      dst.copyWithin(d, from, from + length);
      d += length;
    } else {
      // Overlapping copies repeat the last `offset` bytes, so they must go byte by byte.
      for (let k = 0; k < length; k++) dst[d++] = dst[from++]!;
    }
  }
  if (d !== outEnd) {
    throw new SnappyFormatError(`snappy: decoded ${d - outStart} bytes, header declared ${outEnd - outStart}`);
  }
}
