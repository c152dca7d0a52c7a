import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { appendTimeSeries, decodeWriteRequest, encodeLabelSet } from '../protocol/remote-write-codec.ts';
import { compressSampleMessage } from '../protocol/sample-message.ts';
import { snappyDecompress } from '../protocol/snappy.ts';
import { namesSeries, repairRejectedMessage } from './message-repair.ts';
import { RejectedWriteError } from './remote-write-client.ts';

function message(n: number): Buffer {
  const w = new ProtoWriter();
  for (let i = 0; i < n; i++) appendTimeSeries(w, encodeLabelSet(['__name__', 'i'], ['m', String(i)]), i, 1000 + i);
  return compressSampleMessage(n, n, w.bytes());
}
const ids = (body: Buffer): number[] => decodeWriteRequest(snappyDecompress(body)).timeseries.map((t) => Number(t.labels[1]?.value));

describe('namesSeries', () => {
  const labels = [
    { name: '__name__', value: 'http_requests_total' },
    { name: 'code', value: '200' },
  ];
  it('recognises the label set as Prometheus 2 and 3 and Mimir print it', () => {
    expect(namesSeries('out of order sample for series {__name__="http_requests_total", code="200"}', labels)).toBe(true);
    expect(namesSeries('err-mimir-sample-out-of-order ... series=\'http_requests_total{code="200"}\'', labels)).toBe(true);
    expect(namesSeries('bad series {__name__="http_requests_total",code="200"}', labels)).toBe(true);
  });
  it('does not match another series or a bare message', () => {
    expect(namesSeries('out of order sample', labels)).toBe(false);
    expect(namesSeries('series {__name__="http_requests_total", code="500"}', labels)).toBe(false);
  });
});

describe('repairRejectedMessage', () => {
  it('bisects down to the refused series and sends everything else, in order', async () => {
    const sent: number[][] = [];
    const outcome = await repairRejectedMessage(message(8), new RejectedWriteError(400, 'out of bounds'), async (body) => {
      const s = ids(body);
      if (s.includes(6)) return new RejectedWriteError(400, 'out of bounds');
      sent.push(s);
      return 'sent';
    });
    expect(sent.flat()).toEqual([0, 1, 2, 3, 4, 5, 7]);
    expect(outcome.dropped).toEqual(new Map([['too_old', 1]]));
    expect(outcome.sentSamples).toBe(7);
    // 8 series, one bad: the halves at each of the 3 levels.
    expect(outcome.requests).toBe(6);
  });

  it('stops at once when the queue closes meanwhile', async () => {
    const outcome = await repairRejectedMessage(message(4), new RejectedWriteError(400, 'out of order sample'), async () => 'closed');
    expect(outcome.closed).toBe(true);
    expect(outcome.requests).toBe(1);
  });
});
