// Reads a Ringwatch node's own /metrics with the project's exposition parser.
import { parseExposition, parseSeries } from '../../scraper/exposition/parser.ts';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrapeNodeMetrics(nodeUrl: string): Promise<MetricSample[]> {
  const res = await fetch(`${nodeUrl}/metrics`);
  const body = new Uint8Array(await res.arrayBuffer());
  const out: MetricSample[] = [];
  parseExposition(body, 'prometheus-text', {
    onSample(b, start, end, value) {
      const s = parseSeries(b, start, end);
      const labels: Record<string, string> = {};
      s.labelNames.forEach((n, i) => (labels[n] = s.labelValues[i] as string));
      out.push({ name: s.name, labels, value });
    },
  });
  return out;
}

/** Sum of a metric's samples whose labels include `match`. */
export function sumOf(samples: readonly MetricSample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
