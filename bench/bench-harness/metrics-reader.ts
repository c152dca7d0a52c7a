// Reads a counter from a process' own /metrics (Ringwatch nodes, vmagent, Prometheus), with the
// project's exposition parser.
import { parseExposition, parseSeries } from '../../scraper/exposition/parser.ts';

/** Sum of every sample of metric `name` in a text exposition body whose labels include `match`. */
export function sumMetric(body: Uint8Array, name: string, match: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  const nameBytes = new TextEncoder().encode(name);
  parseExposition(body, 'prometheus-text', {
    onSample(b, start, end, value) {
      // Cheap prefix test before decoding the series into strings.
      if (end - start < nameBytes.length) return;
      for (let i = 0; i < nameBytes.length; i++) if (b[start + i] !== nameBytes[i]) return;
      const series = parseSeries(b, start, end);
      if (series.name !== name) return;
      for (const [label, want] of Object.entries(match)) {
        const at = series.labelNames.indexOf(label);
        if (at < 0 || series.labelValues[at] !== want) return;
      }
      total += value;
    },
  });
  return total;
}

/** GET <baseUrl>/metrics and sum `name`. */
export async function fetchMetricSum(baseUrl: string, name: string, match: Readonly<Record<string, string>> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { accept: 'text/plain; version=0.0.4' }, signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics: HTTP ${res.status}`);
  return sumMetric(new Uint8Array(await res.arrayBuffer()), name, match);
}
