import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../protocol/proto-writer.ts';
import { appendTimeSeries, decodeWriteRequest, encodeLabelSet, writeStaleMarker } from '../../protocol/remote-write-codec.ts';
import { encodeWriteRequest } from '../../test/harness/remote-write-fixture.ts';
import { countWriteRequest, WriteRequestFormatError } from './write-request-counter.ts';

describe('countWriteRequest', () => {
  it('agrees with the full decoder on a request built by the protocol library', () => {
    const w = new ProtoWriter();
    for (let i = 0; i < 300; i++) {
      const labels = encodeLabelSet(['__name__', 'instance', 'job', 'cpu'], ['node_cpu_seconds_total', `host-${i}:9100`, 'node', String(i % 8)]);
      if (i % 50 === 0) writeStaleMarker(w, labels, 1_700_000_000_000);
      else appendTimeSeries(w, labels, i * 1.5, 1_700_000_000_000 + i);
    }
    const bytes = w.copyBytes();
    const decoded = decodeWriteRequest(bytes);
    expect(countWriteRequest(bytes)).toEqual({
      series: decoded.timeseries.length,
      samples: decoded.timeseries.reduce((n, ts) => n + ts.samples.length, 0),
      histograms: 0,
    });
  });

  it('counts several samples per series, from an independent encoder', () => {
    const bytes = encodeWriteRequest([
      { labels: { __name__: 'a' }, samples: [{ value: 1, timestampMs: 1 }, { value: 2, timestampMs: 2 }, { value: 3, timestampMs: 3 }] },
      { labels: { __name__: 'b', x: 'y' }, samples: [{ value: 1, timestampMs: 10 }] },
    ]);
    expect(countWriteRequest(bytes)).toEqual({ series: 2, samples: 4, histograms: 0 });
  });

  it('counts only the given length of a reused buffer', () => {
    const one = encodeWriteRequest([{ labels: { __name__: 'a' }, samples: [{ value: 1, timestampMs: 1 }] }]);
    const buffer = new Uint8Array(one.length * 3);
    buffer.set(one, 0);
    buffer.set(one, one.length);
    expect(countWriteRequest(buffer, one.length * 2).samples).toBe(2);
  });

  it('is zero for an empty request and rejects a truncated one', () => {
    expect(countWriteRequest(new Uint8Array(0))).toEqual({ series: 0, samples: 0, histograms: 0 });
    const bytes = encodeWriteRequest([{ labels: { __name__: 'a' }, samples: [{ value: 1, timestampMs: 1 }] }]);
    expect(() => countWriteRequest(bytes.subarray(0, bytes.length - 3))).toThrow(WriteRequestFormatError);
  });
});
