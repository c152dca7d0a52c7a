import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../protocol/proto-writer.ts';
import { appendTimeSeries, encodeLabelSet, REMOTE_WRITE_HEADERS } from '../../protocol/remote-write-codec.ts';
import { snappyCompress } from '../../protocol/snappy.ts';
import { pushRemoteWrite } from '../../test/harness/remote-write-fixture.ts';
import { startRemoteWriteSink, type RunningSink } from './remote-write-sink.ts';

describe('remote write sink (own process)', () => {
  let sink: RunningSink;
  beforeAll(async () => {
    sink = await startRemoteWriteSink({ logDir: mkdtempSync(join(tmpdir(), 'bench-sink-')) });
  });
  afterAll(async () => {
    await sink?.stop();
  });

  it('counts the series and samples of every request, from any encoder', async () => {
    await pushRemoteWrite(sink.writeUrl, [
      { labels: { __name__: 'a' }, samples: [{ value: 1, timestampMs: 1 }, { value: 2, timestampMs: 2 }] },
      { labels: { __name__: 'b' }, samples: [{ value: 1, timestampMs: 1 }] },
    ]);
    // A large request through the protocol library (real snappy copies, several body chunks).
    const w = new ProtoWriter();
    for (let i = 0; i < 20_000; i++) appendTimeSeries(w, encodeLabelSet(['__name__', 'i'], ['m', String(i)]), i, 1_700_000_000_000);
    const res = await fetch(sink.writeUrl, { method: 'POST', headers: { ...REMOTE_WRITE_HEADERS, 'user-agent': 'test/1' }, body: snappyCompress(w.bytes()).slice() });
    expect(res.status).toBe(204);

    const stats = await sink.stats();
    expect(stats.requests).toBe(2);
    expect(stats.series).toBe(20_002);
    expect(stats.samples).toBe(20_003);
    expect(stats.uncompressedBytes).toBeGreaterThan(stats.bytes);
    expect(stats.userAgents['test/1']).toBe(1);
    expect(stats.firstRequestMs).toBeGreaterThan(0);
  });

  it('answers 415 to a body that is not snappy and 400 to a corrupt one, counting neither as samples', async () => {
    const before = await sink.stats();
    const zstd = await fetch(sink.writeUrl, { method: 'POST', headers: { 'content-encoding': 'zstd' }, body: new Uint8Array([1, 2, 3]) });
    expect(zstd.status).toBe(415);
    const corrupt = await fetch(sink.writeUrl, { method: 'POST', headers: { 'content-encoding': 'snappy' }, body: new Uint8Array([0x80]) });
    expect(corrupt.status).toBe(400);
    const after = await sink.stats();
    expect(after.unsupportedEncoding).toBe(before.unsupportedEncoding + 1);
    expect(after.malformed).toBe(before.malformed + 1);
    expect(after.samples).toBe(before.samples);
  });
});
