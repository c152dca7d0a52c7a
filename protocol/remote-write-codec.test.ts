import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './proto-writer.ts';
import {
  appendTimeSeries,
  decodeWriteRequest,
  encodeLabelSet,
  isStaleNaN,
  joinWriteRequestEntries,
  REMOTE_WRITE_HEADERS,
  RemoteWriteDecodeError,
  STALE_NAN,
  STALE_NAN_BITS,
  scanWriteRequest,
  splitWriteRequest,
  writeStaleMarker,
} from './remote-write-codec.ts';

function bytesOf(hexString: string): Uint8Array {
  return new Uint8Array(Buffer.from(hexString.replace(/\s+/g, ''), 'hex'));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function bitsOf(v: number): bigint {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, v, true);
  return d.getBigUint64(0, true);
}

describe('encodeLabelSet', () => {
  it('produces the exact protobuf bytes of sorted Label fields', () => {
    const labels = encodeLabelSet(['job', '__name__'], ['a', 'up']);
    // Label{__name__="up"}: 0a 0e [0a 08 "__name__" 12 02 "up"]; Label{job="a"}: 0a 08 [0a 03 "job" 12 01 "a"]
    expect(hex(labels)).toBe(
      '0a0e' + '0a08' + hex(Buffer.from('__name__')) + '1202' + hex(Buffer.from('up')) +
        '0a08' + '0a03' + hex(Buffer.from('job')) + '1201' + hex(Buffer.from('a')),
    );
  });

  it('sorts by name in UTF-8 byte order, drops empty values, keeps non-ASCII values', () => {
    const w = new ProtoWriter();
    const names = ['zeta', 'alpha', '\u{1F600}', '\uFFFD', 'empty', 'Beta'];
    const values = ['1', 'é', 'astral', 'bmp', '', '日本'];
    appendTimeSeries(w, encodeLabelSet(names, values), 0, 0);
    const decoded = decodeWriteRequest(w.bytes());
    // Uppercase before lowercase (byte order); U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80).
    expect(decoded.timeseries[0]!.labels).toEqual([
      { name: 'Beta', value: '日本' },
      { name: 'alpha', value: 'é' },
      { name: 'zeta', value: '1' },
      { name: '\uFFFD', value: 'bmp' },
      { name: '\u{1F600}', value: 'astral' },
    ]);
    const utf8Sorted = names
      .filter((_, i) => values[i] !== '')
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(decoded.timeseries[0]!.labels.map((l) => l.name)).toEqual(utf8Sorted);
  });

  it('rejects duplicate or empty names and mismatched arrays', () => {
    expect(() => encodeLabelSet(['a', 'b', 'a'], ['1', '2', '3'])).toThrow(/duplicate label name "a"/);
    expect(() => encodeLabelSet([''], ['x'])).toThrow(/empty label name/);
    expect(() => encodeLabelSet(['a'], [])).toThrow(/1 names but 0 values/);
  });

  it('returns an independent copy each time (safe to cache)', () => {
    const a = encodeLabelSet(['__name__'], ['first']);
    const b = encodeLabelSet(['__name__'], ['second']);
    expect(decodeWriteRequest(concatSeries(a)).timeseries[0]!.labels[0]!.value).toBe('first');
    expect(decodeWriteRequest(concatSeries(b)).timeseries[0]!.labels[0]!.value).toBe('second');
  });

  it('handles long label sets (multi-byte length prefixes)', () => {
    const names = Array.from({ length: 30 }, (_, i) => `label_${String(i).padStart(2, '0')}`);
    const values = names.map((n) => `${n}-value-`.repeat(20));
    const decoded = decodeWriteRequest(concatSeries(encodeLabelSet(names, values)));
    expect(decoded.timeseries[0]!.labels).toEqual(names.map((name, i) => ({ name, value: values[i] })));
  });
});

function concatSeries(labels: Uint8Array): Uint8Array {
  const w = new ProtoWriter();
  appendTimeSeries(w, labels, 1, 1000);
  return w.copyBytes();
}

describe('appendTimeSeries', () => {
  it('writes the exact WriteRequest bytes', () => {
    const w = new ProtoWriter();
    appendTimeSeries(w, encodeLabelSet(['__name__', 'job'], ['up', 'a']), 1, 1000);
    const labels = hex(encodeLabelSet(['__name__', 'job'], ['up', 'a']));
    // TimeSeries length 0x28 = 26 label bytes + 2 (Sample tag, length) + 12 (value 09+8, timestamp 10 e8 07).
    expect(hex(w.bytes())).toBe('0a28' + labels + '120c' + '09000000000000f03f' + '10e807');
  });

  it('round-trips values and timestamps through decodeWriteRequest', () => {
    const labels = encodeLabelSet(['__name__', 'instance'], ['node_load1', 'host:9100']);
    const samples: [number, number][] = [
      [0, 0],
      [-0, 1],
      [1.5, 1_700_000_000_123],
      [-42, -1],
      [Number.MAX_VALUE, 2 ** 53 - 1],
      [Infinity, -(2 ** 53) + 1],
      [-Infinity, 2 ** 32],
      [Number.NaN, -1_700_000_000_000],
    ];
    const w = new ProtoWriter(32);
    for (const [v, t] of samples) appendTimeSeries(w, labels, v, t);
    const decoded = decodeWriteRequest(w.bytes());
    expect(decoded.timeseries).toHaveLength(samples.length);
    decoded.timeseries.forEach((series, i) => {
      expect(series.labels).toEqual([
        { name: '__name__', value: 'node_load1' },
        { name: 'instance', value: 'host:9100' },
      ]);
      expect(series.samples).toHaveLength(1);
      expect(Object.is(series.samples[0]!.value, samples[i]![0]), `value ${i}`).toBe(true);
      expect(series.samples[0]!.timestampMs).toBe(samples[i]![1]);
    });
  });

  it('writes repeated and alternating timestamps correctly (the timestamp field is cached)', () => {
    const labels = encodeLabelSet(['__name__'], ['x']);
    const timestamps = [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000, -5, -5, 0, -0, 127, 128, 1_700_000_000_000, 2 ** 35];
    const w = new ProtoWriter(16);
    for (const t of timestamps) appendTimeSeries(w, labels, 1, t);
    writeStaleMarker(w, labels, -5);
    const decoded = decodeWriteRequest(w.bytes()).timeseries.map((s) => s.samples[0]!.timestampMs);
    expect(decoded).toEqual([...timestamps.map((t) => (t === 0 ? 0 : t)), -5]);
  });

  it('refuses timestamps whose varint length cannot be computed, writing nothing', () => {
    const labels = encodeLabelSet(['__name__'], ['x']);
    const w = new ProtoWriter();
    for (const bad of [Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)]) {
      expect(() => appendTimeSeries(w, labels, 1, bad)).toThrow(RangeError);
      expect(() => writeStaleMarker(w, labels, bad)).toThrow(RangeError);
    }
    expect(w.length).toBe(0);
  });

  it('appends after existing content and never reallocates in steady state', () => {
    const labels = encodeLabelSet(['__name__'], ['x']);
    const w = new ProtoWriter(16);
    for (let i = 0; i < 1000; i++) appendTimeSeries(w, labels, i, i);
    const capacity = w.capacity;
    w.reset();
    for (let i = 0; i < 1000; i++) appendTimeSeries(w, labels, i, i);
    expect(w.capacity).toBe(capacity);
    const decoded = decodeWriteRequest(w.bytes());
    expect(decoded.timeseries.map((s) => s.samples[0]!.value)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('staleness marker', () => {
  it('STALE_NAN has the Prometheus bit pattern', () => {
    expect(STALE_NAN_BITS).toBe(0x7ff0000000000002n);
    expect(bitsOf(STALE_NAN)).toBe(STALE_NAN_BITS);
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(Number.NaN)).toBe(false);
    expect(isStaleNaN(0)).toBe(false);
    expect(isStaleNaN(Infinity)).toBe(false);
  });

  it('writeStaleMarker and appendTimeSeries(STALE_NAN) both put the exact bits on the wire', () => {
    const labels = encodeLabelSet(['__name__'], ['up']);
    const viaMarker = new ProtoWriter();
    writeStaleMarker(viaMarker, labels, 1234);
    const viaValue = new ProtoWriter();
    // A value as a scraper would hold it: assigned into and read back from a Float64Array.
    const stored = new Float64Array(4);
    stored[2] = STALE_NAN;
    appendTimeSeries(viaValue, labels, stored[2]!, 1234);
    expect(hex(viaMarker.bytes())).toBe(hex(viaValue.bytes()));
    expect(hex(viaMarker.bytes())).toContain('09' + '020000000000f07f');
    const decoded = decodeWriteRequest(viaMarker.bytes());
    expect(bitsOf(decoded.timeseries[0]!.samples[0]!.value)).toBe(STALE_NAN_BITS);
    expect(isStaleNaN(decoded.timeseries[0]!.samples[0]!.value)).toBe(true);
  });

  it('keeps the bits once the hot path is optimised by the JIT', () => {
    const labels = encodeLabelSet(['__name__'], ['up']);
    const values = new Float64Array([1, 0, 2.5, Number.NaN]);
    values[1] = STALE_NAN;
    const w = new ProtoWriter();
    let staleSeen = 0;
    for (let i = 0; i < 200_000; i++) {
      w.reset();
      appendTimeSeries(w, labels, values[i & 3]!, i);
      if ((i & 3) === 1) {
        const b = w.bytes();
        // value bytes sit right before the timestamp tag (0x10) and its varint
        const at = b.length - 1 - (i < 128 ? 1 : i < 16384 ? 2 : 3) - 8;
        if (b[at] === 2 && b[at + 6] === 0xf0 && b[at + 7] === 0x7f) staleSeen++;
        if (isStaleNaN(values[i & 3]!)) staleSeen++;
      }
    }
    expect(staleSeen).toBe(100_000);
  });

  it('an ordinary NaN stays an ordinary NaN', () => {
    const w = new ProtoWriter();
    appendTimeSeries(w, encodeLabelSet(['a'], ['b']), Number.NaN, 1);
    const value = decodeWriteRequest(w.bytes()).timeseries[0]!.samples[0]!.value;
    expect(Number.isNaN(value)).toBe(true);
    expect(isStaleNaN(value)).toBe(false);
  });
});

describe('decodeWriteRequest', () => {
  it('decodes an empty request and skips metadata, exemplars and unknown fields', () => {
    expect(decodeWriteRequest(new Uint8Array(0))).toEqual({ timeseries: [] });
    const req = bytesOf(`
      1a 04 08 01 12 00
      0a 17
        0a 06 0a 01 61 12 01 62
        12 0b 09 000000000000f03f 10 07
        1a 00
      25 01020304`);
    expect(decodeWriteRequest(req)).toEqual({
      timeseries: [{ labels: [{ name: 'a', value: 'b' }], samples: [{ value: 1, timestampMs: 7 }] }],
    });
  });

  it('decodes several samples per series (as Prometheus may send)', () => {
    const req = bytesOf('0a 20 0a 04 0a 00 12 00 12 0b 09 0000000000000040 10 01 12 0b 09 0000000000000840 10 02');
    const [series] = decodeWriteRequest(req).timeseries;
    expect(series!.samples).toEqual([
      { value: 2, timestampMs: 1 },
      { value: 3, timestampMs: 2 },
    ]);
  });

  const malformed: [string, string, RegExp][] = [
    ['truncated key varint', '0a 80', /truncated varint/],
    ['length past the end', '0a 05 0a 00', /length 5 exceeds the 2 bytes left/],
    ['timeseries with wrong wire type', '08 01', /WriteRequest.timeseries has wire type 0/],
    ['label name not a string', '0a 04 0a 02 08 01', /Label.name has wire type 0/],
    ['sample value truncated', '0a 05 12 03 09 00 00', /truncated Sample.value/],
    ['sample timestamp wrong type', '0a 04 12 02 11 00', /Sample.timestamp has wire type 1/],
    ['invalid UTF-8 label', '0a 06 0a 04 0a 02 c3 28', /not valid UTF-8/],
    ['field number 0', '02 00', /invalid field key 2/],
    ['group wire type', '2b', /unsupported wire type 3/],
    ['varint longer than 10 bytes', '28 ff ff ff ff ff ff ff ff ff ff 01', /longer than 10 bytes/],
  ];
  for (const [name, bytes, message] of malformed) {
    it(`rejects ${name}`, () => {
      expect(() => decodeWriteRequest(bytesOf(bytes))).toThrow(RemoteWriteDecodeError);
      expect(() => decodeWriteRequest(bytesOf(bytes))).toThrow(message);
    });
  }

  it('rejects every truncation of a valid request', () => {
    const w = new ProtoWriter();
    appendTimeSeries(w, encodeLabelSet(['__name__', 'job'], ['up', 'node']), 1, 1_700_000_000_000);
    const full = w.copyBytes();
    for (let n = 1; n < full.length; n++) {
      expect(() => decodeWriteRequest(full.subarray(0, n)), `truncated to ${n}`).toThrow(RemoteWriteDecodeError);
    }
  });
});

describe('REMOTE_WRITE_HEADERS', () => {
  it('has the remote write 1.0 headers and is frozen', () => {
    expect(REMOTE_WRITE_HEADERS).toEqual({
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    });
    expect(Object.isFrozen(REMOTE_WRITE_HEADERS)).toBe(true);
  });
});

describe('splitWriteRequest', () => {
  it('cuts at timeseries boundaries into valid WriteRequests of bounded size, keeping order', () => {
    const w = new ProtoWriter();
    const labels = Array.from({ length: 300 }, (_, i) => encodeLabelSet(['__name__', 'i'], ['m', String(i).repeat(1 + (i % 7))]));
    labels.forEach((l, i) => appendTimeSeries(w, l, i, 1000 + i));
    const bytes = w.copyBytes();
    const parts = splitWriteRequest(bytes, bytes.length, 1000);
    expect(parts.length).toBeGreaterThan(5);
    let next = 0;
    let count = 0;
    for (const part of parts) {
      expect(part.start).toBe(next);
      expect(part.end - part.start).toBeLessThanOrEqual(1000);
      const decoded = decodeWriteRequest(bytes.subarray(part.start, part.end));
      expect(decoded.timeseries).toHaveLength(part.series);
      for (const ts of decoded.timeseries) expect(ts.samples[0]?.value).toBe(count++);
      next = part.end;
    }
    expect(next).toBe(bytes.length);
    expect(count).toBe(300);
    // One part when it fits; an entry larger than the bound stands alone.
    expect(splitWriteRequest(bytes, bytes.length, bytes.length)).toEqual([{ start: 0, end: bytes.length, series: 300 }]);
    expect(splitWriteRequest(bytes, bytes.length, 1).length).toBe(300);
    expect(splitWriteRequest(bytes, 0, 10)).toEqual([]);
  });

  it('rejects bytes that are not timeseries entries', () => {
    expect(() => splitWriteRequest(Uint8Array.of(0x12, 0x00), 2, 10)).toThrow(/expected a timeseries entry/);
    expect(() => splitWriteRequest(Uint8Array.of(0x0a, 0x05, 0x00), 3, 10)).toThrow(/past the end/);
  });
});

describe('scanWriteRequest / joinWriteRequestEntries', () => {
  it('keeps each entry byte range, so any subset is itself a WriteRequest of those series', () => {
    const w = new ProtoWriter();
    for (let i = 0; i < 5; i++) appendTimeSeries(w, encodeLabelSet(['__name__', 'i'], ['m', String(i)]), i * 1.5, 1_700_000_000_000 + i);
    const bytes = w.bytes();
    const entries = scanWriteRequest(bytes);
    expect(entries.map((e) => e.labels[1]?.value)).toEqual(['0', '1', '2', '3', '4']);
    expect(entries.map((e) => e.samples)).toEqual([0, 1, 2, 3, 4].map((i) => [{ value: i * 1.5, timestampMs: 1_700_000_000_000 + i }]));
    expect(entries[0]?.start).toBe(0);
    expect(entries[4]?.end).toBe(bytes.length);
    const subset = joinWriteRequestEntries(bytes, [entries[1]!, entries[3]!]);
    expect(decodeWriteRequest(subset).timeseries.map((t) => t.labels[1]?.value)).toEqual(['1', '3']);
  });

  it('throws RemoteWriteDecodeError on truncated input', () => {
    expect(() => scanWriteRequest(new Uint8Array([0x0a, 0x20, 0x0a]))).toThrow(RemoteWriteDecodeError);
  });
});
