// Builds one remote write body from many sample messages by concatenation alone.
//
// Each message holds a snappy block of a WriteRequest. WriteRequests concatenate into a
// WriteRequest (timeseries is a repeated field), and snappy blocks concatenate into a block once
// their own length headers are dropped and one header with the summed length is written in front:
// in any valid block a copy element only reaches back into that block's own output (its offset is
// at most the bytes decoded so far), so it still resolves to the same bytes after concatenation.

import { readSampleMessage, type SampleMessageHeader } from './sample-message.ts';
import { SNAPPY_MAX_UNCOMPRESSED_LENGTH, snappyLengthHeaderSize, writeSnappyLengthHeader } from './snappy.ts';

export class RemoteWriteBatch {
  // References to the message values and where their snappy elements start; nothing is copied
  // until finish().
  #values: Uint8Array[] = [];
  #payloadOffsets: number[] = [];
  #samples = 0;
  #series = 0;
  #uncompressedBytes = 0;
  #payloadBytes = 0;

  /**
   * Adds a sample message value (validated with readSampleMessage, which it returns). The value
   * is kept by reference: do not mutate it before finish(). Throws, leaving the batch unchanged,
   * if the message is malformed or the batch would exceed snappy's 4 GiB block limit.
   */
  add(value: Uint8Array): SampleMessageHeader {
    const header = readSampleMessage(value);
    if (this.#uncompressedBytes + header.uncompressedLength > SNAPPY_MAX_UNCOMPRESSED_LENGTH) {
      throw new RangeError('remote write batch: uncompressed size would exceed 2^32-1 bytes');
    }
    this.#values.push(value);
    this.#payloadOffsets.push(header.payloadOffset);
    this.#samples += header.sampleCount;
    this.#series += header.seriesCount;
    this.#uncompressedBytes += header.uncompressedLength;
    this.#payloadBytes += value.length - header.payloadOffset;
    return header;
  }

  get messages(): number {
    return this.#values.length;
  }

  get samples(): number {
    return this.#samples;
  }

  get series(): number {
    return this.#series;
  }

  /** Size of the WriteRequest the body decompresses to. */
  get uncompressedBytes(): number {
    return this.#uncompressedBytes;
  }

  /** Size of the body finish() will return. */
  get compressedBytes(): number {
    return snappyLengthHeaderSize(this.#uncompressedBytes) + this.#payloadBytes;
  }

  /**
   * The remote write body: one snappy block of the concatenated WriteRequests, in add() order, in
   * one exact-size allocation. Does not reset the batch (a failed send can call it again).
   */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.compressedBytes);
    let p = writeSnappyLengthHeader(this.#uncompressedBytes, out, 0);
    const values = this.#values;
    const offsets = this.#payloadOffsets;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      const from = offsets[i]!;
      out.set(value.subarray(from), p);
      p += value.length - from;
    }
    return out;
  }

  /** Empties the batch, dropping its references to message values. */
  reset(): void {
    this.#values.length = 0;
    this.#payloadOffsets.length = 0;
    this.#samples = 0;
    this.#series = 0;
    this.#uncompressedBytes = 0;
    this.#payloadBytes = 0;
  }
}
