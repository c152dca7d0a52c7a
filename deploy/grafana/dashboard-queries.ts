// Reading generated dashboards back as Grafana would use them: every panel target and template
// variable, and the interpolation Grafana's Prometheus data source applies to an expression
// before it sends it ($variables, $__interval, $__rate_interval, $__range).
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

export interface PanelTarget {
  dashboardUid: string;
  panelId: number;
  panelTitle: string;
  panelType: string;
  refId: string;
  datasourceUid: string | undefined;
  datasourceType: string | undefined;
  expr: string;
  instant: boolean;
  format: string | undefined;
}

export interface TemplateVariable {
  dashboardUid: string;
  name: string;
  query: string;
  datasourceUid: string | undefined;
}

interface PromTargetFields {
  refId?: string;
  expr?: unknown;
  instant?: boolean;
  format?: string;
  datasource?: { uid?: string; type?: string };
}

/** Panels of the dashboard, the ones inside collapsed rows included, rows excluded. */
export function panels(d: dashboard.Dashboard): dashboard.Panel[] {
  const out: dashboard.Panel[] = [];
  for (const p of d.panels ?? []) {
    if (p.type === 'row') out.push(...((p as dashboard.RowPanel).panels ?? []));
    else out.push(p as dashboard.Panel);
  }
  return out;
}

/** Ids of every panel and row. */
export function panelIds(d: dashboard.Dashboard): number[] {
  const out: number[] = [];
  for (const p of d.panels ?? []) {
    if (p.id !== undefined) out.push(p.id);
    if (p.type === 'row') for (const inner of (p as dashboard.RowPanel).panels ?? []) if (inner.id !== undefined) out.push(inner.id);
  }
  return out;
}

export function panelTargets(d: dashboard.Dashboard): PanelTarget[] {
  const out: PanelTarget[] = [];
  for (const p of panels(d)) {
    for (const raw of p.targets ?? []) {
      const t = raw as PromTargetFields;
      out.push({
        dashboardUid: d.uid ?? '',
        panelId: p.id ?? -1,
        panelTitle: p.title ?? '',
        panelType: p.type,
        refId: t.refId ?? '',
        datasourceUid: t.datasource?.uid ?? p.datasource?.uid,
        datasourceType: t.datasource?.type ?? p.datasource?.type,
        expr: typeof t.expr === 'string' ? t.expr : '',
        instant: t.instant === true,
        format: t.format,
      });
    }
  }
  return out;
}

export function templateVariables(d: dashboard.Dashboard): TemplateVariable[] {
  return (d.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => ({ dashboardUid: d.uid ?? '', name: v.name, query: typeof v.query === 'string' ? v.query : String((v.query as { query?: unknown } | undefined)?.query ?? ''), datasourceUid: v.datasource?.uid }));
}

/** `label_values(selector, label)` or `label_values(label)`, as Grafana's Prometheus variable query. */
export function parseLabelValues(query: string): { selector: string | undefined; label: string } {
  const m = /^\s*label_values\(\s*(?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
  if (m === null || m[2] === undefined) throw new Error(`not a label_values query: ${query}`);
  return { selector: m[1]?.trim(), label: m[2] };
}

const REGEX_SPECIAL = /[\\^$*+?.()|[\]{}]/g;

/** Grafana's Prometheus duration syntax for a number of seconds (60 → 1m, 75 → 75s). */
export function promDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export interface Interpolation {
  /** Values of each template variable; several are joined as a regex alternation, like a multi-value variable. */
  variables: Readonly<Record<string, readonly string[]>>;
  intervalS: number;
  scrapeIntervalS: number;
  rangeS: number;
}

/**
 * Substitutes what Grafana substitutes: $__rate_interval = max($__interval + scrape interval,
 * 4 x scrape interval); multi-value variables inside `=~` as `(a|b)` with regex characters escaped.
 */
export function interpolate(expr: string, o: Interpolation): string {
  const rateIntervalS = Math.max(o.intervalS + o.scrapeIntervalS, 4 * o.scrapeIntervalS);
  let out = expr
    .replaceAll('$__rate_interval', promDuration(rateIntervalS))
    .replaceAll('$__interval_ms', String(o.intervalS * 1000))
    .replaceAll('$__interval', promDuration(o.intervalS))
    .replaceAll('$__range_s', String(o.rangeS))
    .replaceAll('$__range', promDuration(o.rangeS));
  for (const [name, values] of Object.entries(o.variables)) {
    const escaped = values.map((v) => v.replace(REGEX_SPECIAL, (c) => `\\\\${c}`));
    const value = escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
    out = out.replace(new RegExp(`\\$\\{${name}\\}|\\$${name}\\b`, 'g'), () => value);
  }
  if (/\$[a-zA-Z_{]/.test(out)) throw new Error(`uninterpolated variable left in ${out}`);
  return out;
}
