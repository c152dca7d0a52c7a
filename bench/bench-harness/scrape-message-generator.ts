// Kafka sample messages as a fleet of scrapers would have produced them, for pre-filling the
// writer benchmark's topic: every target is a node_exporter (the real fixture's 507 series plus
// the 5 scrape report series Prometheus adds), labelled job="node", instance="node-<t>:9100";
// message k of a target is its k-th scrape, `intervalMs` after the previous one, with counters
// moved on. Label bytes are encoded once per series; a message costs an append per sample and
// one snappy compression, as in the scraper.
import { readFileSync } from 'node:fs';
import { ProtoWriter } from '../../protocol/proto-writer.ts';
import { appendTimeSeries, encodeLabelSet } from '../../protocol/remote-write-codec.ts';
import { compressSampleMessage } from '../../protocol/sample-message.ts';
import { REPORT_SERIES } from '../../scraper/scrape-report.ts';
import { parseExposition, parseSeries } from '../../scraper/exposition/parser.ts';

interface SeriesTemplate {
  names: string[];
  values: string[];
  value: number;
  /** Counters move on by this much per scrape; gauges stay. */
  increment: number;
}

export interface ScrapeMessageGeneratorOptions {
  bodyFile: string;
  targets: number;
  /** Timestamp of every target's scrape 0. */
  startMs: number;
  intervalMs: number;
}

export class ScrapeMessageGenerator {
  readonly targets: number;
  readonly samplesPerMessage: number;
  private readonly startMs: number;
  private readonly intervalMs: number;
  /** labels[t][i]: encoded label set of series i of target t. */
  private readonly labels: Uint8Array[][];
  private readonly baseValues: Float64Array;
  private readonly increments: Float64Array;
  private readonly writer = new ProtoWriter(128 * 1024);

  constructor(options: ScrapeMessageGeneratorOptions) {
    this.targets = options.targets;
    this.startMs = options.startMs;
    this.intervalMs = options.intervalMs;
    const templates = nodeExporterSeries(readFileSync(options.bodyFile));
    this.samplesPerMessage = templates.length;
    this.baseValues = new Float64Array(templates.map((s) => s.value));
    this.increments = new Float64Array(templates.map((s) => s.increment));
    this.labels = Array.from({ length: options.targets }, (_, t) =>
      templates.map((s) => encodeLabelSet([...s.names, 'job', 'instance'], [...s.values, 'node', targetInstance(t)])),
    );
  }

  get seriesTotal(): number {
    return this.targets * this.samplesPerMessage;
  }

  /** Kafka key and value of target t's scrape number k. */
  message(t: number, k: number): { key: string; value: Buffer } {
    const labels = this.labels[t];
    if (labels === undefined) throw new RangeError(`no target ${t}`);
    const ts = this.startMs + k * this.intervalMs;
    const w = this.writer;
    w.reset();
    for (let i = 0; i < labels.length; i++) {
      appendTimeSeries(w, labels[i] as Uint8Array, (this.baseValues[i] as number) + k * (this.increments[i] as number), ts);
    }
    return { key: `node/${targetInstance(t)}`, value: compressSampleMessage(labels.length, labels.length, w.bytes()) };
  }
}

export function targetInstance(t: number): string {
  return `node-${t}:9100`;
}

function nodeExporterSeries(body: Uint8Array): SeriesTemplate[] {
  const out: SeriesTemplate[] = [];
  parseExposition(body, 'prometheus-text', {
    onSample(b, start, end, value) {
      const s = parseSeries(b, start, end);
      out.push({ names: ['__name__', ...s.labelNames], values: [s.name, ...s.labelValues], value, increment: s.name.endsWith('_total') ? 1.25 : 0 });
    },
  });
  for (const name of REPORT_SERIES) out.push({ names: ['__name__'], values: [name], value: 1, increment: 0 });
  return out;
}
