import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest } from '../../protocol/remote-write-codec.ts';
import { readSampleMessage } from '../../protocol/sample-message.ts';
import { snappyDecompress } from '../../protocol/snappy.ts';
import { ScrapeMessageGenerator } from './scrape-message-generator.ts';

const BODY = resolve(import.meta.dirname, '../../test/fixtures/exposition/node-exporter-1.5.txt');

describe('ScrapeMessageGenerator', () => {
  const gen = new ScrapeMessageGenerator({ bodyFile: BODY, targets: 4, startMs: 1_700_000_000_000, intervalMs: 15_000 });

  it('makes one node_exporter scrape (507 series + 5 report series) per message', () => {
    expect(gen.samplesPerMessage).toBe(512);
    expect(gen.seriesTotal).toBe(4 * 512);
    const { key, value } = gen.message(3, 2);
    expect(key).toBe('node/node-3:9100');
    const header = readSampleMessage(value);
    expect(header.sampleCount).toBe(512);
    const request = decodeWriteRequest(snappyDecompress(value.subarray(header.blockOffset)));
    expect(request.timeseries).toHaveLength(512);
    for (const ts of request.timeseries) {
      expect(ts.labels).toContainEqual({ name: 'instance', value: 'node-3:9100' });
      expect(ts.labels).toContainEqual({ name: 'job', value: 'node' });
      expect(ts.samples).toEqual([{ value: expect.any(Number), timestampMs: 1_700_000_030_000 }]);
    }
    expect(request.timeseries.map((ts) => ts.labels.find((l) => l.name === '__name__')?.value)).toContain('scrape_duration_seconds');
  });

  it('moves counters on from one scrape to the next and keeps gauges', () => {
    const valueOf = (k: number, metric: string): number => {
      const v = gen.message(0, k).value;
      const ts = decodeWriteRequest(snappyDecompress(v.subarray(readSampleMessage(v).blockOffset))).timeseries;
      return ts.find((s) => s.labels.some((l) => l.name === '__name__' && l.value === metric))!.samples[0]!.value;
    };
    expect(valueOf(4, 'node_context_switches_total') - valueOf(0, 'node_context_switches_total')).toBe(5);
    expect(valueOf(4, 'node_load1')).toBe(valueOf(0, 'node_load1'));
  });
});
