// Wire-format costs on the scrape -> Kafka -> remote write path, over a realistic WriteRequest:
// 1000 series with node_exporter 1.5's real label sets (from the test data, plus per-CPU series
// of a 64-CPU host) and job/instance target labels, one value and one timestamp per series, as
// one scrape produces. Best of several timed runs after a warm-up.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { RemoteWriteBatch } from '../protocol/remote-write-batch.ts';
import { appendTimeSeries, encodeLabelSet } from '../protocol/remote-write-codec.ts';
import { compressSampleMessage, encodeSampleMessage } from '../protocol/sample-message.ts';
import { SnappyBlockCompressor, snappyDecompress } from '../protocol/snappy.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const NODE_EXPORTER_FILE = path.resolve(import.meta.dirname, '../test/fixtures/exposition/node-exporter-1.5.txt');
const SERIES_PER_SCRAPE = 1000;
const MESSAGES_PER_REQUEST = 10;
const WARMUP_RUNS = 5;
const TIMED_RUNS = 15;
const SCRAPE_TIMESTAMP_MS = 1_700_000_000_000;

interface Series {
  names: string[];
  values: string[];
  sampleValue: number;
}

// Label sets of one node_exporter scrape: the real /metrics lines, topped up with the per-CPU
// series a bigger host exposes, then the target labels every series gets.
function nodeExporterSeries(instance: string): Series[] {
  const out: Series[] = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const text of readFileSync(NODE_EXPORTER_FILE, 'utf8').split('\n')) {
    const m = line.exec(text);
    if (!m || text.startsWith('#')) continue;
    const names = ['__name__'];
    const values = [m[1]!];
    for (const l of (m[2] ?? '').matchAll(label)) {
      names.push(l[1]!);
      values.push(l[2]!);
    }
    out.push({ names, values, sampleValue: Number(m[3]) });
  }
  const modes = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
  for (let cpu = 0; out.length < SERIES_PER_SCRAPE; cpu++) {
    for (const mode of modes) {
      out.push({
        names: ['__name__', 'cpu', 'mode'],
        values: ['node_cpu_seconds_total', String(cpu), mode],
        sampleValue: 123456.78 + cpu * 17.31 + mode.length,
      });
    }
  }
  return out.slice(0, SERIES_PER_SCRAPE).map((s) => ({
    names: [...s.names, 'job', 'instance'],
    values: [...s.values, 'node', instance],
    sampleValue: s.sampleValue,
  }));
}

// Best-of-TIMED_RUNS nanoseconds for one call of fn.
function bestNs(fn: () => void, innerReps: number): number {
  for (let r = 0; r < WARMUP_RUNS; r++) for (let i = 0; i < innerReps; i++) fn();
  let best = Infinity;
  for (let r = 0; r < TIMED_RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < innerReps; i++) fn();
    const ns = Number(process.hrtime.bigint() - t0) / innerReps;
    if (ns < best) best = ns;
  }
  return best;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export async function runCodecBench(): Promise<BenchResult[]> {
  const series = nodeExporterSeries('node-17.dc1.example.org:9100');
  const labels = series.map((s) => encodeLabelSet(s.names, s.values));
  const values = new Float64Array(series.map((s) => s.sampleValue));
  const n = series.length;
  const writer = new ProtoWriter();

  const encodeScrape = (): void => {
    writer.reset();
    for (let i = 0; i < n; i++) appendTimeSeries(writer, labels[i]!, values[i]!, SCRAPE_TIMESTAMP_MS);
  };
  const appendNs = bestNs(encodeScrape, 50);

  encodeScrape();
  const request = writer.copyBytes();
  const compressor = new SnappyBlockCompressor();
  let compressedLength = 0;
  const compressNs = bestNs(() => {
    compressedLength = compressor.compress(request).length;
  }, 50);

  const block = compressor.compress(request).slice();
  const decompressNs = bestNs(() => {
    snappyDecompress(block);
  }, 50);

  // The scraper's whole per-scrape wire cost: encode, compress, wrap as a Kafka value.
  const scrapeToMessageNs = bestNs(() => {
    encodeScrape();
    compressSampleMessage(n, n, writer.bytes());
  }, 50);

  // Storage-writer: 10k-sample requests from ten 1k-sample messages (ten targets).
  const messages: Buffer[] = [];
  for (let t = 0; t < MESSAGES_PER_REQUEST; t++) {
    const targetLabels = nodeExporterSeries(`node-${t}.dc1.example.org:9100`).map((s) => encodeLabelSet(s.names, s.values));
    writer.reset();
    for (let i = 0; i < n; i++) appendTimeSeries(writer, targetLabels[i]!, values[i]!, SCRAPE_TIMESTAMP_MS);
    messages.push(encodeSampleMessage(n, n, compressor.compress(writer.bytes())));
  }
  const batch = new RemoteWriteBatch();
  let bodyLength = 0;
  const batchNs = bestNs(() => {
    batch.reset();
    for (const m of messages) batch.add(m);
    bodyLength = batch.finish().length;
  }, 200);
  const samplesPerRequest = batch.samples;

  return [
    { name: 'appendTimeSeries ns/sample (cached labels)', value: round(appendNs / n), unit: 'ns' },
    { name: 'WriteRequest bytes/sample (uncompressed)', value: round(request.length / n), unit: 'B' },
    { name: 'snappy compress throughput', value: round(request.length / 1e6 / (compressNs / 1e9)), unit: 'MB/s' },
    { name: 'snappy compress ns/sample', value: round(compressNs / n), unit: 'ns' },
    { name: 'snappy compression ratio', value: round(request.length / compressedLength), unit: 'x' },
    { name: 'snappy decompress throughput', value: round(request.length / 1e6 / (decompressNs / 1e9)), unit: 'MB/s' },
    { name: 'scrape -> Kafka value ns/sample', value: round(scrapeToMessageNs / n), unit: 'ns' },
    { name: 'batch concat 10k-sample requests', value: Math.round(samplesPerRequest / (batchNs / 1e9)), unit: 'samples/s' },
    { name: 'batch concat request build time', value: round(batchNs / 1000), unit: 'us' },
    { name: 'remote write body bytes/sample', value: round(bodyLength / samplesPerRequest), unit: 'B' },
  ];
}

if (import.meta.main) {
  for (const r of await runCodecBench()) console.log(`${r.name.padEnd(44)} ${String(r.value).padStart(12)} ${r.unit}`);
}
