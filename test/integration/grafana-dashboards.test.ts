// Every panel of the generated Grafana dashboards, asked of the query node as Grafana's
// Prometheus data source asks it: samples for every metric Ringwatch exposes are pushed into the
// harness' Prometheus by remote write, the query node runs in process in front of it, and each
// panel target (template variables, $__interval and $__rate_interval substituted) goes to
// /api/v1/query_range (or /api/v1/query for instant targets) by form POST, as the provisioned
// data source (httpMethod: POST) sends it; each must parse and return data. The template
// variables' label_values queries go to /api/v1/label/<name>/values and /api/v1/series.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { createLogger } from '../../core/logger.ts';
import { startQueryNode, type QueryNode } from '../../query/main.ts';
import { readQueryConfig } from '../../query/query-config.ts';
import { interpolate, panelTargets, parseLabelValues, templateVariables, type PanelTarget } from '../../deploy/grafana/dashboard-queries.ts';
import { DASHBOARDS } from '../../deploy/grafana/generate.ts';
import { metricCatalog, type CatalogMetric } from '../../deploy/grafana/metric-catalog.ts';
import { eventually } from '../harness/eventually.ts';
import { pushRemoteWrite, type FixtureSeries } from '../harness/remote-write-fixture.ts';

const SCRAPE_S = 15;
const HISTORY_S = 10 * 60;

interface Envelope {
  status: string;
  errorType?: string;
  error?: string;
  data?: unknown;
}

interface Matrix {
  resultType: string;
  result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[];
}

async function form(base: string, path: string, params: Record<string, string>): Promise<{ status: number; body: Envelope }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Envelope };
  } catch {
    return { status: res.status, body: { status: 'unparsable', error: text } };
  }
}

async function getJson(base: string, path: string, params: [string, string][]): Promise<{ status: number; body: Envelope }> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  return { status: res.status, body: (await res.json()) as Envelope };
}

describe('Grafana dashboards through the query node', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  /** The job of the scrape targets (up, scrape_duration_seconds... and exported_job on scraper metrics). */
  const targetJob = `gf_${id}_targets`;
  const targetInstances = [`gf-${id}-t1.example:9100`, `gf-${id}-t2.example:9100`];
  /** The job Ringwatch's own nodes are scraped under, and the nodes. */
  const nodeJob = `gf_${id}_ringwatch`;
  const nodeInstances = [`gf-${id}-node-a:9101`, `gf-${id}-node-b:9102`];
  const stores = [`gf-${id}-store-a`, `gf-${id}-store-b`];
  /** Two values per label; a series set per value index. */
  const labelValues: Record<string, readonly [string, string]> = {
    direction: ['in', 'out'],
    reason: ['timeout', 'connection'],
    outcome: ['ok', 'retry'],
    result: ['hit', 'miss'],
    store: [stores[0] as string, stores[1] as string],
    partition: ['0', '1'],
    alertstate: ['firing', 'pending'],
    alertname: [`GfFixture${id}Down`, `GfFixture${id}Slow`],
    state: ['firing', 'pending'],
    integration: ['webhook', 'email'],
    receiver: ['ops', 'team'],
    exported_job: [targetJob, `${targetJob}_other`],
  };
  const variables: Record<string, readonly string[]> = { job: [targetJob], instance: targetInstances, store: stores };
  let node: QueryNode;
  let endS: number;

  function seriesFor(m: CatalogMetric, times: readonly number[]): FixtureSeries[] {
    const out: FixtureSeries[] = [];
    const report = m.source === 'scrape' || m.source === 'rules';
    const instances = report ? targetInstances : nodeInstances;
    // A node's own `job` label loses to the scrape's: Prometheus and Ringwatch keep it as exported_job.
    const names = m.labelNames.map((l) => (l === 'job' ? 'exported_job' : l));
    instances.forEach((instance, n) => {
      // Two label sets per instance where the metric has labels to vary; one where it has none.
      for (const v of names.length === 0 ? [0] : [0, 1]) {
        const labels: Record<string, string> = { job: report ? targetJob : nodeJob, instance };
        for (const l of names) labels[l] = labelValues[l]?.[v] ?? `${l}-${v}`;
        const k = (n + 1) * (v + 1);
        const at = (value: (i: number) => number): { timestampMs: number; value: number }[] => times.map((t, i) => ({ timestampMs: t, value: value(i) }));
        if (m.kind === 'histogram' || m.kind === 'summary') {
          const bounds = m.kind === 'histogram' ? [...m.buckets.map(String), '+Inf'] : [];
          bounds.forEach((le, b) => out.push({ labels: { ...labels, __name__: `${m.name}_bucket`, le }, samples: at((i) => i * k * (b + 1)) }));
          const count = bounds.length === 0 ? 1 : bounds.length;
          out.push({ labels: { ...labels, __name__: `${m.name}_count` }, samples: at((i) => i * k * count) });
          out.push({ labels: { ...labels, __name__: `${m.name}_sum` }, samples: at((i) => i * k * 0.05) });
        } else if (m.kind === 'counter') {
          out.push({ labels: { ...labels, __name__: m.name }, samples: at((i) => i * k) });
        } else {
          // 0/1 gauges: 1 on the first instance, 0 on the second, so `== 0` and `== 1` both select something.
          const boolean = m.name === 'up' || m.name === 'ALERTS' || /(_unavailable|_is_leader|_successful)$/.test(m.name);
          const value = boolean ? () => (m.name === 'ALERTS' || n === 0 ? 1 : 0) : (i: number) => k + (i % 5);
          out.push({ labels: { ...labels, __name__: m.name }, samples: at(value) });
        }
      }
    });
    return out;
  }

  beforeAll(async () => {
    const nowMs = Date.now();
    const last = Math.floor(nowMs / 1000 / SCRAPE_S) * SCRAPE_S;
    const times: number[] = [];
    for (let t = last - HISTORY_S; t <= last; t += SCRAPE_S) times.push(t * 1000);
    const series = metricCatalog().flatMap((m) => seriesFor(m, times));
    // In slices: one write request per metric family keeps requests small.
    for (let i = 0; i < series.length; i += 200) await pushRemoteWrite(infra.remoteWriteUrl, series.slice(i, i + 200));
    endS = last;
    const config = readQueryConfig({
      node: { id: `query-grafana-${id}`, listen_address: `127.0.0.1:${await freePort()}` },
      stores: [{ name: 'prometheus', url: infra.prometheusUrl }],
      cache: { split_interval: '10m', max_freshness: '10m', max_bytes: '64MiB' },
      limits: { max_concurrent: 8, query_timeout: '30s' },
    });
    node = await startQueryNode(config, createLogger('query-grafana-test', 'warn'));
    await eventually(
      async () => {
        const r = await getJson(infra.prometheusUrl, '/api/v1/series', [['match[]', `ALERTS{job="${targetJob}"}`]]);
        return Array.isArray(r.body.data) && r.body.data.length > 0 ? true : undefined;
      },
      { timeoutMs: 15_000, description: 'pushed fixture samples to be queryable' },
    );
  });
  afterAll(async () => {
    await node?.close();
  });

  const targets = (): PanelTarget[] => Object.values(DASHBOARDS).flatMap((build) => panelTargets(build()));

  /** Grafana's range request: interval = step, the data source's 15 s timeInterval as the floor. */
  const windows = [
    { name: '10 minutes at 15 s', rangeS: 10 * 60, stepS: 15 },
    { name: '1 hour at 1 m', rangeS: 60 * 60, stepS: 60 },
  ];

  for (const w of windows) {
    it(`answers every panel query with data (${w.name})`, async () => {
      const all = targets();
      expect(all.length).toBeGreaterThan(60);
      const failures: string[] = [];
      // `x or vector(0)` always has data: the bare x must have data too, or its metric has none.
      const queries = all.flatMap((t) => (/\s+or vector\(0\)$/.test(t.expr) ? [t, { ...t, refId: `${t.refId} (without the vector(0) fallback)`, expr: t.expr.replace(/\s+or vector\(0\)$/, '') }] : [t]));
      for (const t of queries) {
        const expr = interpolate(t.expr, { variables, intervalS: w.stepS, scrapeIntervalS: SCRAPE_S, rangeS: w.rangeS });
        const where = `${t.dashboardUid} #${t.panelId} "${t.panelTitle}" ${t.refId}: ${expr}`;
        const start = Math.floor((endS - w.rangeS) / w.stepS) * w.stepS;
        const end = Math.floor(endS / w.stepS) * w.stepS;
        const { status, body } = t.instant
          ? await form(node.url, '/api/v1/query', { query: expr, time: String(end) })
          : await form(node.url, '/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(w.stepS) });
        if (status !== 200 || body.status !== 'success') {
          failures.push(`${where}: HTTP ${status} ${body.errorType ?? ''} ${body.error ?? ''}`);
          continue;
        }
        const data = body.data as Matrix;
        const points = data.result.reduce((n, s) => n + (s.values?.length ?? (s.value === undefined ? 0 : 1)), 0);
        if (data.resultType !== (t.instant ? 'vector' : 'matrix') || points === 0) failures.push(`${where}: ${data.resultType} with ${data.result.length} series, ${points} points`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('answers the template variables as Grafana asks them (label values with match[], series)', async () => {
    const expected: Record<string, readonly string[]> = { job: [targetJob], instance: targetInstances, store: stores };
    const vars = Object.values(DASHBOARDS).flatMap((build) => templateVariables(build()));
    expect(vars.map((v) => v.name).sort()).toEqual(['instance', 'job', 'job', 'store']);
    const start = String(endS - 3600);
    const end = String(endS);
    for (const v of vars) {
      const { selector, label } = parseLabelValues(v.query);
      expect(selector, v.query).toBeDefined();
      const match = interpolate(selector as string, { variables, intervalS: 15, scrapeIntervalS: SCRAPE_S, rangeS: 3600 });
      const values = await getJson(node.url, `/api/v1/label/${label}/values`, [['match[]', match], ['start', start], ['end', end]]);
      expect(values.status, match).toBe(200);
      expect(values.body.status).toBe('success');
      for (const want of expected[v.name] ?? []) expect(values.body.data as string[], `${v.dashboardUid} $${v.name}`).toContain(want);
      // Older Grafana (and the data source's fallback) reads the values out of /api/v1/series.
      const series = await form(node.url, '/api/v1/series', { 'match[]': match, start, end });
      expect(series.body.status, match).toBe('success');
      const seen = new Set((series.body.data as Record<string, string>[]).map((s) => s[label]));
      for (const want of expected[v.name] ?? []) expect(seen.has(want), `${v.dashboardUid} $${v.name} via series`).toBe(true);
    }
  });
});
