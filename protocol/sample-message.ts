// The Kafka message value carrying one scrape's samples from scraper to storage-writer
// (docs/kafka-message-format.md):
//
//   [u8 version = 1][uvarint sampleCount][uvarint seriesCount][snappy block of one WriteRequest]
//
// The counts let the storage-writer size requests and account samples without decompressing;
// the block is spliced into remote write bodies as is (remote-write-batch.ts).

import { readSnappyUncompressedLength, snappyCompress, SnappyFormatError } from './snappy.ts';
import { varintSize, writeUvarintAt } from './proto-writer.ts';

export const SAMPLE_MESSAGE_VERSION = 1;

// No Kafka headers are needed: the leading version byte makes the value self-describing.

export class SampleMessageFormatError extends Error {
  override name = 'SampleMessageFormatError';
}

export interface SampleMessageHeader {
  version: number;
  sampleCount: number;
  seriesCount: number;
  /** Offset of the snappy block (its uncompressed-length uvarint) in the value. */
  blockOffset: number;
  /** Uncompressed length declared by the snappy block: the WriteRequest's size in bytes. */
  uncompressedLength: number;
  /** Offset of the snappy elements, just after the block's length uvarint; they run to the end. */
  payloadOffset: number;
}

function checkCount(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`sample message: ${what} ${n} is not a count`);
}

/**
 * Builds a message value from a snappy block (e.g. the view snappyCompress() returned; it is
 * copied, so a reused buffer is fine). One exact-size buffer, from `allocate` (the scraper's
 * reused message buffers) or a new one.
 */
export function encodeSampleMessage(sampleCount: number, seriesCount: number, snappyBlock: Uint8Array, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  checkCount('sampleCount', sampleCount);
  checkCount('seriesCount', seriesCount);
  readSnappyUncompressedLength(snappyBlock); // throws early on something that is not a block
  const size = 1 + varintSize(sampleCount) + varintSize(seriesCount) + snappyBlock.length;
  const out = allocate(size);
  out[0] = SAMPLE_MESSAGE_VERSION;
  let p = writeUvarintAt(out, 1, sampleCount);
  p = writeUvarintAt(out, p, seriesCount);
  out.set(snappyBlock, p);
  return out;
}

/**
 * Compresses an uncompressed WriteRequest (writeRequest[0, length)) and wraps it as a message
 * value: the scraper's one call per scrape.
 */
export function compressSampleMessage(
  sampleCount: number,
  seriesCount: number,
  writeRequest: Uint8Array,
  length: number = writeRequest.length,
): Buffer {
  return encodeSampleMessage(sampleCount, seriesCount, snappyCompress(writeRequest, length));
}

function readUvarint(value: Uint8Array, p: number, what: string): { v: number; next: number } {
  let v = 0;
  let multiplier = 1;
  for (let i = 0; i < 8; i++) {
    if (p + i >= value.length) throw new SampleMessageFormatError(`sample message: truncated ${what}`);
    const b = value[p + i]!;
    v += (b & 0x7f) * multiplier;
    if (b < 0x80) {
      if (!Number.isSafeInteger(v)) break;
      return { v, next: p + i + 1 };
    }
    multiplier *= 128;
  }
  throw new SampleMessageFormatError(`sample message: ${what} is not a valid count`);
}

/**
 * Parses a message value's header without decompressing anything. Throws SampleMessageFormatError
 * for an unknown version or a truncated/corrupt header.
 */
export function readSampleMessage(value: Uint8Array): SampleMessageHeader {
  if (value.length === 0) throw new SampleMessageFormatError('sample message: empty value');
  const version = value[0]!;
  if (version !== SAMPLE_MESSAGE_VERSION) {
    throw new SampleMessageFormatError(
      `sample message: unknown format version ${version} (this build reads version ${SAMPLE_MESSAGE_VERSION})`,
    );
  }
  const samples = readUvarint(value, 1, 'sampleCount');
  const series = readUvarint(value, samples.next, 'seriesCount');
  const blockOffset = series.next;
  let length: number;
  let headerBytes: number;
  try {
    ({ length, headerBytes } = readSnappyUncompressedLength(value, blockOffset));
  } catch (err) {
    if (err instanceof SnappyFormatError) {
      throw new SampleMessageFormatError(`sample message: bad snappy block header: ${err.message}`);
    }
    throw err;
  }
  const payloadOffset = blockOffset + headerBytes;
  const payloadLength = value.length - payloadOffset;
  // A snappy element expands at most ~22x; anything claiming more is truncated or corrupt.
  if (length > payloadLength * 32) {
    throw new SampleMessageFormatError(
      `sample message: snappy block declares ${length} bytes but carries only ${payloadLength} (truncated?)`,
    );
  }
  return {
    version,
    sampleCount: samples.v,
    seriesCount: series.v,
    blockOffset,
    uncompressedLength: length,
    payloadOffset,
  };
}
