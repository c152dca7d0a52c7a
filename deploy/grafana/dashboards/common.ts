// Shared pieces of the Ringwatch dashboards: the provisioned data sources (their uids must match
// provisioning/datasources/ringwatch.yaml), and small helpers over the foundation SDK builders so
// every panel gets a Prometheus target, an explicit id and the same look.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as common from '@grafana/grafana-foundation-sdk/common';

export const PROMETHEUS_DATASOURCE_UID = 'ringwatch-prometheus';
export const ALERTMANAGER_DATASOURCE_UID = 'ringwatch-alertmanager';
export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID };

/** The scrape interval of the local stack: the data source's timeInterval, so $__rate_interval is at least 4x it. */
export const SCRAPE_INTERVAL = '15s';

export interface Target {
  expr: string;
  legend?: string;
  /** An instant query (tables); otherwise a range query. */
  instant?: boolean;
  format?: prometheus.PromQueryFormat;
}

export function promQuery(t: Target, refId: string): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder().datasource(PROMETHEUS).refId(refId).expr(t.expr);
  q.legendFormat(t.legend ?? '__auto');
  if (t.instant === true) q.instant();
  else q.range();
  if (t.format !== undefined) q.format(t.format);
  return q;
}

/** Hands out panel ids in order, so ids are unique and stable across regenerations. */
export class PanelIds {
  private last = 0;
  next(): number {
    this.last += 1;
    return this.last;
  }
}

const REF_IDS = 'ABCDEFGHIJ';

function refId(i: number): string {
  const id = REF_IDS[i];
  if (id === undefined) throw new Error(`more than ${REF_IDS.length} targets on one panel`);
  return id;
}

export interface TimeseriesOptions {
  title: string;
  description: string;
  unit: string;
  targets: readonly Target[];
  /** Width in grid units (24 is the full width); 12 by default. */
  span?: number;
  stack?: boolean;
}

export function timeseriesPanel(ids: PanelIds, o: TimeseriesOptions): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .id(ids.next())
    .title(o.title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .unit(o.unit)
    .height(8)
    .span(o.span ?? 12)
    .lineWidth(1)
    .fillOpacity(o.stack === true ? 60 : 10);
  if (o.stack === true) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  o.targets.forEach((t, i) => p.withTarget(promQuery(t, refId(i))));
  return p;
}

export interface StatOptions {
  title: string;
  description: string;
  unit: string;
  target: Target;
  span?: number;
}

export function statPanel(ids: PanelIds, o: StatOptions): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .id(ids.next())
    .title(o.title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .unit(o.unit)
    .height(4)
    .span(o.span ?? 6)
    .withTarget(promQuery(o.target, 'A'));
}

export function row(ids: PanelIds, title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).id(ids.next());
}

/** A query variable over label values (Grafana asks /api/v1/label/<name>/values with match[]). */
export function labelValuesVariable(name: string, label: string, selector: string, title: string): dashboard.QueryVariableBuilder {
  const query = `label_values(${selector}, ${label})`;
  return new dashboard.QueryVariableBuilder(name)
    .label(title)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+')
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** The settings every Ringwatch dashboard shares. */
export function ringwatchDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['ringwatch'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser');
}
