import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './proto-writer.ts';
import { RemoteWriteBatch } from './remote-write-batch.ts';
import {
  appendTimeSeries,
  type DecodedTimeSeries,
  decodeWriteRequest,
  encodeLabelSet,
  isStaleNaN,
  writeStaleMarker,
} from './remote-write-codec.ts';
import { compressSampleMessage, encodeSampleMessage, readSampleMessage, SampleMessageFormatError } from './sample-message.ts';
import { readSnappyUncompressedLength, snappyDecompress } from './snappy.ts';

// snappyjs ships no types; this is the part of its API the cross-checks use.
const snappyjs = createRequire(import.meta.url)('snappyjs') as {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
};

interface Scrape {
  value: Buffer;
  expected: DecodedTimeSeries[];
  uncompressedLength: number;
}

// One scrape of a node_exporter-like target: one WriteRequest, compressed on its own.
function scrape(target: number, seriesCount: number, timestampMs: number): Scrape {
  const w = new ProtoWriter(1024);
  const expected: DecodedTimeSeries[] = [];
  for (let i = 0; i < seriesCount; i++) {
    const names = ['__name__', 'instance', 'job', 'cpu', 'mode'];
    const values = ['node_cpu_seconds_total', `host-${target}.example.org:9100`, 'node', String(i >> 3), `mode${i & 7}`];
    const value = target * 1000 + i + 0.25;
    appendTimeSeries(w, encodeLabelSet(names, values), value, timestampMs + i);
    expected.push({
      labels: names.map((name, k) => ({ name, value: values[k]! })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      samples: [{ value, timestampMs: timestampMs + i }],
    });
  }
  return {
    value: compressSampleMessage(seriesCount, seriesCount, w.bytes()),
    expected,
    uncompressedLength: w.length,
  };
}

describe('RemoteWriteBatch', () => {
  it('concatenates separately compressed WriteRequests into one body that decodes to all series in order', () => {
    // Sizes include an empty scrape and one above 64 KiB uncompressed (several snappy fragments).
    const scrapes = [scrape(1, 10, 1000), scrape(2, 0, 2000), scrape(3, 1500, 3000), scrape(4, 1, 4000), scrape(5, 200, 5000)];
    expect(scrapes[2]!.uncompressedLength).toBeGreaterThan(65536);
    const batch = new RemoteWriteBatch();
    for (const s of scrapes) batch.add(s.value);

    const body = batch.finish();
    const expected = scrapes.flatMap((s) => s.expected);
    const totalUncompressed = scrapes.reduce((n, s) => n + s.uncompressedLength, 0);
    expect(readSnappyUncompressedLength(body).length).toBe(totalUncompressed);

    const ours = snappyDecompress(body);
    const theirs = snappyjs.uncompress(body);
    expect(Buffer.from(theirs).equals(ours)).toBe(true);
    expect(decodeWriteRequest(ours).timeseries).toEqual(expected);

    expect(batch.messages).toBe(5);
    expect(batch.samples).toBe(10 + 0 + 1500 + 1 + 200);
    expect(batch.series).toBe(1711);
    expect(batch.uncompressedBytes).toBe(totalUncompressed);
    expect(batch.compressedBytes).toBe(body.length);
  });

  it('also concatenates blocks made by another compressor (snappyjs)', () => {
    const w = new ProtoWriter();
    appendTimeSeries(w, encodeLabelSet(['__name__'], ['a']), 1, 1);
    const first = encodeSampleMessage(1, 1, snappyjs.compress(w.copyBytes()));
    w.reset();
    appendTimeSeries(w, encodeLabelSet(['__name__'], ['b']), 2, 2);
    writeStaleMarker(w, encodeLabelSet(['__name__'], ['c']), 3);
    const second = compressSampleMessage(2, 2, w.bytes());
    const batch = new RemoteWriteBatch();
    batch.add(first);
    batch.add(second);
    const decoded = decodeWriteRequest(snappyDecompress(batch.finish())).timeseries;
    expect(decoded.map((s) => s.labels[0]!.value)).toEqual(['a', 'b', 'c']);
    expect(isStaleNaN(decoded[2]!.samples[0]!.value)).toBe(true);
  });

  it('an empty batch finishes to a valid empty block', () => {
    const body = new RemoteWriteBatch().finish();
    expect([...body]).toEqual([0]);
    expect(decodeWriteRequest(snappyDecompress(body))).toEqual({ timeseries: [] });
  });

  it('keeps references until finish, can finish twice, and reset empties it', () => {
    const a = scrape(1, 5, 0);
    const b = scrape(2, 7, 0);
    const batch = new RemoteWriteBatch();
    batch.add(a.value);
    batch.add(b.value);
    const first = batch.finish();
    expect(batch.finish().equals(first)).toBe(true);

    batch.reset();
    expect([batch.messages, batch.samples, batch.series, batch.uncompressedBytes]).toEqual([0, 0, 0, 0]);
    batch.add(b.value);
    expect(decodeWriteRequest(snappyDecompress(batch.finish())).timeseries).toEqual(b.expected);
  });

  it('add returns the parsed header and leaves the batch unchanged on a bad message', () => {
    const a = scrape(1, 3, 0);
    const batch = new RemoteWriteBatch();
    expect(batch.add(a.value)).toMatchObject({ sampleCount: 3, seriesCount: 3, uncompressedLength: a.uncompressedLength });
    const corrupt = Buffer.from(a.value);
    corrupt[0] = 9;
    expect(() => batch.add(corrupt)).toThrow(SampleMessageFormatError);
    expect(batch.messages).toBe(1);
    expect(decodeWriteRequest(snappyDecompress(batch.finish())).timeseries).toEqual(a.expected);
  });

  it('builds a 10k-sample request from ten 1k-sample messages, byte-identical to decompress+concat', () => {
    const scrapes = Array.from({ length: 10 }, (_, t) => scrape(t, 1000, 1_700_000_000_000));
    const batch = new RemoteWriteBatch();
    for (const s of scrapes) batch.add(s.value);
    const body = batch.finish();
    expect(batch.samples).toBe(10_000);
    const viaDecompress = Buffer.concat(
      scrapes.map((s) => snappyDecompress(s.value.subarray(readSampleMessage(s.value).blockOffset))),
    );
    expect(Buffer.from(snappyDecompress(body)).equals(viaDecompress)).toBe(true);
  });
});
