// The committed JSON is what the code generates, and every dashboard is usable as provisioned:
// each panel has a Prometheus target with an expression naming only metrics Ringwatch exposes,
// ids are unique, and data source uids are the provisioned ones.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { panelIds, panelTargets, panels, parseLabelValues, templateVariables, interpolate } from './dashboard-queries.ts';
import { PROMETHEUS_DATASOURCE_UID, ALERTMANAGER_DATASOURCE_UID } from './dashboards/common.ts';
import { DASHBOARDS, DASHBOARDS_JSON_DIR, renderDashboards } from './generate.ts';
import { metricCatalog, seriesNames } from './metric-catalog.ts';

const HERE = import.meta.dirname;

interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: Record<string, unknown>;
}

function provisionedDatasources(): ProvisionedDatasource[] {
  const doc = parse(readFileSync(join(HERE, 'provisioning/datasources/ringwatch.yaml'), 'utf8')) as { apiVersion: number; datasources: ProvisionedDatasource[] };
  expect(doc.apiVersion).toBe(1);
  return doc.datasources;
}

const built = (): [string, dashboard.Dashboard][] => Object.entries(DASHBOARDS).map(([name, build]) => [name, build()]);

describe('generated dashboards', () => {
  it('are committed as generated (run `npm run dashboards` after changing a dashboard)', () => {
    const rendered = renderDashboards();
    const committed = readdirSync(DASHBOARDS_JSON_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual([...rendered.keys()].sort());
    for (const [file, text] of rendered) expect(readFileSync(join(DASHBOARDS_JSON_DIR, file), 'utf8'), file).toBe(text);
  });

  it('read back from JSON equal the SDK objects', () => {
    for (const [name, d] of built()) {
      const fromJson = JSON.parse(readFileSync(join(DASHBOARDS_JSON_DIR, `${name}.json`), 'utf8')) as dashboard.Dashboard;
      expect(fromJson).toEqual(JSON.parse(JSON.stringify(d)));
    }
  });

  it('have unique uids and titles, and schema fields Grafana needs', () => {
    const all = built().map(([, d]) => d);
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    expect(new Set(all.map((d) => d.title)).size).toBe(all.length);
    for (const d of all) {
      expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(d.schemaVersion).toBeGreaterThan(30);
      expect(d.tags).toContain('ringwatch');
    }
  });

  it('give every panel a unique id, a grid position inside 24 columns and at least one Prometheus target with an expression', () => {
    for (const [name, d] of built()) {
      const ids = panelIds(d);
      expect(new Set(ids).size, name).toBe(ids.length);
      expect(ids.length, name).toBe((d.panels ?? []).length + (d.panels ?? []).reduce((n, p) => n + (p.type === 'row' ? ((p as dashboard.RowPanel).panels ?? []).length : 0), 0));
      const ps = panels(d);
      expect(ps.length, name).toBeGreaterThan(2);
      for (const p of ps) {
        const label = `${name} panel ${p.id} ${p.title}`;
        expect(p.gridPos, label).toBeDefined();
        expect((p.gridPos?.x ?? 0) + (p.gridPos?.w ?? 0), label).toBeLessThanOrEqual(24);
        expect(p.title, label).not.toBe('');
        expect(p.targets?.length ?? 0, label).toBeGreaterThan(0);
        expect(p.datasource, label).toEqual({ type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID });
      }
      for (const t of panelTargets(d)) {
        const label = `${name} panel ${t.panelId} ${t.refId}`;
        expect(t.expr.trim(), label).not.toBe('');
        expect(t.datasourceType, label).toBe('prometheus');
        expect(t.datasourceUid, label).toBe(PROMETHEUS_DATASOURCE_UID);
      }
      // refIds are unique within a panel.
      for (const p of ps) {
        const refIds = (p.targets ?? []).map((t) => (t as { refId?: string }).refId);
        expect(new Set(refIds).size, `${name} panel ${p.id}`).toBe(refIds.length);
      }
    }
  });

  it('use data source uids that the provisioning defines, with the query node and notifier addresses', () => {
    const ds = provisionedDatasources();
    const prom = ds.find((d) => d.uid === PROMETHEUS_DATASOURCE_UID);
    expect(prom).toMatchObject({ type: 'prometheus', url: 'http://127.0.0.1:29150' });
    expect(ds.find((d) => d.uid === ALERTMANAGER_DATASOURCE_UID)).toMatchObject({ type: 'alertmanager', url: 'http://127.0.0.1:29140', jsonData: { implementation: 'prometheus' } });
    const uids = new Set(ds.map((d) => d.uid));
    for (const [name, d] of built()) {
      for (const t of panelTargets(d)) expect(uids.has(t.datasourceUid ?? ''), `${name} ${t.panelId}`).toBe(true);
      for (const v of templateVariables(d)) expect(v.datasourceUid, `${name} $${v.name}`).toBe(PROMETHEUS_DATASOURCE_UID);
    }
  });

  it('point the dashboard provider at a folder of files', () => {
    const doc = parse(readFileSync(join(HERE, 'provisioning/dashboards/ringwatch.yaml'), 'utf8')) as { apiVersion: number; providers: { type: string; options: { path: string } }[] };
    expect(doc.apiVersion).toBe(1);
    expect(doc.providers).toHaveLength(1);
    expect(doc.providers[0]).toMatchObject({ type: 'file' });
    expect(doc.providers[0]?.options.path).toMatch(/^\//);
  });

  it('name only metrics Ringwatch exposes (exact names from the nodes\' metric classes)', () => {
    const known = new Set(metricCatalog().flatMap(seriesNames));
    // Label names a `by (...)` may hold: the catalog's own, and those every scraped series carries.
    const labels = new Set(['le', 'instance', 'job', 'exported_job', ...metricCatalog().flatMap((m) => m.labelNames)]);
    const used = new Set<string>();
    for (const [name, d] of built()) {
      for (const t of panelTargets(d)) {
        // Identifiers followed by a selector, a range or a closing parenthesis; minus PromQL's own words.
        const expr = t.expr.replace(/"[^"]*"/g, '""');
        for (const m of expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{[)]|$)/g)) {
          const id = m[1] as string;
          if (/^(by|without|on|ignoring|group_left|group_right|offset|bool|and|or|unless)$/.test(id)) continue;
          if (/\(\s*[a-zA-Z_, ]*$/.test(expr.slice(0, m.index)) && labels.has(id)) continue;
          expect(known.has(id), `${name} panel ${t.panelId}: ${id} in ${t.expr}`).toBe(true);
          used.add(id);
        }
      }
    }
    expect(used.size).toBeGreaterThan(40);
  });

  it('have template variables Grafana resolves with label_values, and interpolate to plain PromQL', () => {
    for (const [name, d] of built()) {
      const vars = templateVariables(d);
      for (const v of vars) expect(() => parseLabelValues(v.query), `${name} $${v.name}`).not.toThrow();
      const values = Object.fromEntries(vars.map((v) => [v.name, ['a.b:1', 'c']]));
      for (const t of panelTargets(d)) {
        const expr = interpolate(t.expr, { variables: values, intervalS: 60, scrapeIntervalS: 15, rangeS: 3600 });
        expect(expr, `${name} panel ${t.panelId}`).not.toContain('$');
      }
    }
    expect(interpolate('rate(x{job=~"$job"}[$__rate_interval])', { variables: { job: ['a.b', 'c'] }, intervalS: 15, scrapeIntervalS: 15, rangeS: 60 })).toBe('rate(x{job=~"(a\\\\.b|c)"}[1m])');
    expect(interpolate('avg_over_time(up[$__interval])', { variables: {}, intervalS: 60, scrapeIntervalS: 15, rangeS: 60 })).toBe('avg_over_time(up[1m])');
    expect(parseLabelValues('label_values(up{job=~"$job"}, instance)')).toEqual({ selector: 'up{job=~"$job"}', label: 'instance' });
  });
});
