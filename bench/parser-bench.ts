// Exposition parser throughput: ns per sample and MB/s over real /metrics bodies (node_exporter
// 1.5 and Prometheus 2.42), each repeated to a few MB so one run is long enough to time. The
// visitor does trivial work (sums values and series lengths) so the parser cannot be optimised
// away. Best of several runs after a warm-up.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseExposition, type SampleVisitor } from '../scraper/exposition/parser.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const TESTDATA_DIR = path.resolve(import.meta.dirname, '../test/fixtures/exposition');
const TARGET_BYTES = 4 * 1024 * 1024;
const WARMUP_RUNS = 5;
const TIMED_RUNS = 20;

class ChecksumVisitor implements SampleVisitor {
  valueSum = 0;
  seriesBytes = 0;
  onSample(_body: Uint8Array, seriesStart: number, seriesEnd: number, value: number, _timestampMs: number): void {
    this.seriesBytes += seriesEnd - seriesStart;
    if (value === value) this.valueSum += value;
  }
}

function repeatToSize(body: Uint8Array, targetBytes: number): Uint8Array {
  const copies = Math.max(1, Math.ceil(targetBytes / body.length));
  const out = new Uint8Array(copies * body.length);
  for (let k = 0; k < copies; k++) out.set(body, k * body.length);
  return out;
}

function benchBody(label: string, file: string): BenchResult[] {
  const body = repeatToSize(readFileSync(path.join(TESTDATA_DIR, file)), TARGET_BYTES);
  const visitor = new ChecksumVisitor();
  const samples = parseExposition(body, 'prometheus-text', visitor);
  const bestNs = bestOf(() => parseExposition(body, 'prometheus-text', visitor));
  if (visitor.seriesBytes === 0) throw new Error('visitor saw nothing');
  return [
    { name: `parser ${label} ns/sample`, value: round(bestNs / samples), unit: 'ns' },
    { name: `parser ${label} throughput`, value: round(body.length / 1e6 / (bestNs / 1e9)), unit: 'MB/s' },
    // What merely finding every newline byte by byte costs on this machine, per sample: a
    // yardstick for comparing the numbers above across machines.
    { name: `baseline ${label} newline scan ns/sample`, value: round(bestOf(() => countNewlines(body)) / samples), unit: 'ns' },
  ];
}

function bestOf(run: () => unknown): number {
  for (let r = 0; r < WARMUP_RUNS; r++) run();
  let bestNs = Infinity;
  for (let r = 0; r < TIMED_RUNS; r++) {
    const t0 = process.hrtime.bigint();
    run();
    bestNs = Math.min(bestNs, Number(process.hrtime.bigint() - t0));
  }
  return bestNs;
}

function countNewlines(body: Uint8Array): number {
  let lines = 0;
  for (let i = 0; i < body.length; i++) if (body[i] === 0x0a) lines++;
  return lines;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export async function runParserBench(): Promise<BenchResult[]> {
  return [...benchBody('node_exporter-1.5', 'node-exporter-1.5.txt'), ...benchBody('prometheus-2.42', 'prometheus-2.42.txt')];
}

if (import.meta.main) {
  for (const r of await runParserBench()) console.log(`${r.name.padEnd(48)} ${String(r.value).padStart(10)} ${r.unit}`);
}
