// Test doubles shared by the alerting tests. Not used by production code.
import type { AlertTemplateData, TemplateExpander } from './alerting-rule.ts';
import type { Labels } from './labels.ts';
import type { QueryResult } from './query-result.ts';

/**
 * A stand-in for the template engine, knowing just the constructs the ported Prometheus tests
 * use: {{"literal"}}, {{ $value }} / {{ .Value }}, {{ $labels.x }} / {{ .Labels.x }},
 * {{ $externalLabels.x }}, {{ len $externalLabels }}, {{ $externalURL }},
 * {{ if lt $value N }}A{{ else }}B{{ end }}; {{ fail "msg" }} rejects.
 */
export const fakeExpander: TemplateExpander = async (text: string, data: AlertTemplateData) => {
  const ifLt = /\{\{\s*if lt \$value ([\d.]+)\s*\}\}(.*?)\{\{\s*else\s*\}\}(.*?)\{\{\s*end\s*\}\}/g;
  let out = text.replace(ifLt, (_m, n: string, a: string, b: string) => (data.value < Number(n) ? a : b));
  out = out.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_m, action: string) => {
    let m: RegExpExecArray | null;
    if ((m = /^"(.*)"$/.exec(action))) return m[1] as string;
    if (action === '$value' || action === '.Value') return String(data.value);
    if ((m = /^(?:\$labels|\.Labels)\.(\w+)$/.exec(action))) return data.labels[m[1] as string] ?? '';
    if ((m = /^\$externalLabels\.(\w+)$/.exec(action))) return data.externalLabels[m[1] as string] ?? '';
    if (action === 'len $externalLabels') return String(Object.keys(data.externalLabels).length);
    if (action === '$externalURL') return data.externalURL;
    if ((m = /^fail "(.*)"$/.exec(action))) throw new Error(`error executing template ${data.templateName}: ${m[1]}`);
    throw new Error(`fakeExpander does not know {{${action}}}`);
  });
  return out;
};

/** A successful query result from label sets and values. */
export function vector(...samples: [Labels, number][]): QueryResult {
  return { ok: true, vector: samples.map(([labels, value]) => ({ labels, value })), warnings: [], infos: [] };
}

/**
 * Series loaded as Prometheus' promqltest `load <step>` does (one value per step from 0), queried
 * at time t with a filter: the instant vector of `series filter` at t.
 */
export function loadedSeries(stepMs: number, series: [Labels, (number | undefined)[]][]) {
  return (tMs: number, keep: (v: number) => boolean): QueryResult => {
    const i = Math.round(tMs / stepMs);
    const out: [Labels, number][] = [];
    for (const [labels, values] of series) {
      const v = values[i];
      if (v !== undefined && keep(v)) out.push([labels, v]);
    }
    return vector(...out);
  };
}
