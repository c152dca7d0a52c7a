import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './proto-writer.ts';
import { appendTimeSeries, decodeWriteRequest, encodeLabelSet } from './remote-write-codec.ts';
import {
  compressSampleMessage,
  encodeSampleMessage,
  readSampleMessage,
  SAMPLE_MESSAGE_VERSION,
  SampleMessageFormatError,
} from './sample-message.ts';
import { readSnappyUncompressedLength, snappyCompress, snappyDecompress } from './snappy.ts';

function writeRequest(seriesCount: number): Uint8Array {
  const w = new ProtoWriter();
  for (let i = 0; i < seriesCount; i++) {
    appendTimeSeries(w, encodeLabelSet(['__name__', 'cpu'], ['node_cpu_seconds_total', String(i)]), i * 0.5, 1_700_000_000_000 + i);
  }
  return w.copyBytes();
}

describe('encodeSampleMessage / readSampleMessage', () => {
  it('lays out version, counts and the block, and reads them back', () => {
    const req = writeRequest(3);
    const block = snappyCompress(req);
    const value = encodeSampleMessage(3, 3, block);
    expect(value.length).toBe(1 + 1 + 1 + block.length);
    expect([...value.subarray(0, 3)]).toEqual([1, 3, 3]);
    expect(Buffer.from(value.subarray(3)).equals(block)).toBe(true);

    const header = readSampleMessage(value);
    const { headerBytes } = readSnappyUncompressedLength(block);
    expect(header).toEqual({
      version: SAMPLE_MESSAGE_VERSION,
      sampleCount: 3,
      seriesCount: 3,
      blockOffset: 3,
      uncompressedLength: req.length,
      payloadOffset: 3 + headerBytes,
    });
    expect(Buffer.from(value.subarray(header.payloadOffset)).equals(block.subarray(headerBytes))).toBe(true);
    expect(Buffer.from(snappyDecompress(value.subarray(header.blockOffset))).equals(req)).toBe(true);
  });

  it('copies the block, so the compressor buffer may be reused afterwards', () => {
    const req = writeRequest(5);
    const value = encodeSampleMessage(5, 5, snappyCompress(req));
    snappyCompress(writeRequest(50)); // overwrites the shared compressor output
    const header = readSampleMessage(value);
    expect(decodeWriteRequest(snappyDecompress(value.subarray(header.blockOffset))).timeseries).toHaveLength(5);
  });

  it('handles multi-byte and large counts', () => {
    const block = snappyCompress(writeRequest(1));
    for (const [samples, series] of [[127, 128], [300, 2], [2 ** 40 + 3, 2 ** 35]] as const) {
      const value = encodeSampleMessage(samples, series, block);
      const header = readSampleMessage(value);
      expect(header.sampleCount).toBe(samples);
      expect(header.seriesCount).toBe(series);
      expect(value.length).toBe(header.blockOffset + block.length);
    }
  });

  it('compressSampleMessage compresses a prefix of a writer buffer in one call', () => {
    const w = new ProtoWriter();
    w.raw(writeRequest(10));
    const valid = w.length;
    w.raw(new Uint8Array([0xff, 0xff])); // garbage past the length that must not be included
    const value = compressSampleMessage(10, 10, w.bytes(), valid);
    const header = readSampleMessage(value);
    expect(header.uncompressedLength).toBe(valid);
    expect(decodeWriteRequest(snappyDecompress(value.subarray(header.blockOffset))).timeseries).toHaveLength(10);
  });

  it('an empty WriteRequest is a valid message with an empty payload', () => {
    const value = compressSampleMessage(0, 0, new Uint8Array(0));
    expect([...value]).toEqual([1, 0, 0, 0]);
    expect(readSampleMessage(value)).toMatchObject({ uncompressedLength: 0, payloadOffset: 4 });
  });

  it('refuses bad arguments', () => {
    const block = snappyCompress(writeRequest(1));
    expect(() => encodeSampleMessage(-1, 0, block)).toThrow(RangeError);
    expect(() => encodeSampleMessage(1.5, 0, block)).toThrow(RangeError);
    expect(() => encodeSampleMessage(1, 1, new Uint8Array(0))).toThrow(/truncated length header/);
  });
});

describe('readSampleMessage rejects malformed values', () => {
  const good = encodeSampleMessage(300, 300, snappyCompress(writeRequest(300)));

  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty value', new Uint8Array(0), /empty value/],
    ['an unknown version', Uint8Array.of(2, ...good.subarray(1)), /unknown format version 2/],
    ['version 0', Uint8Array.of(0, 1, 1, 0), /unknown format version 0/],
    ['a value cut inside sampleCount', good.subarray(0, 2), /truncated sampleCount/],
    ['a value cut inside seriesCount', good.subarray(0, 4), /truncated seriesCount/],
    ['a value without a block', good.subarray(0, 5), /bad snappy block header/],
    ['a value cut inside the block header', good.subarray(0, 6), /bad snappy block header/],
    ['a block far too short for its length', good.subarray(0, 12), /truncated\?/],
    ['a count that is not a safe integer', Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0), /sampleCount is not a valid count/],
  ];
  for (const [name, value, message] of cases) {
    it(name, () => {
      expect(() => readSampleMessage(value)).toThrow(SampleMessageFormatError);
      expect(() => readSampleMessage(value)).toThrow(message);
    });
  }
});
