// The query node in front of the harness' real Prometheus: answers equal Prometheus' own, value
// for value, with the results cache cold and warm; a repeated range query reaches Prometheus only
// for its newest piece (counted by Prometheus' own request counter); Grafana's data-source
// requests answer as the store does; and `ringwatch query` starts as a process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { createLogger } from '../../core/logger.ts';
import { startQueryNode, type QueryNode } from '../../query/main.ts';
import { readQueryConfig } from '../../query/query-config.ts';
import { eventually } from '../harness/eventually.ts';
import { pushRemoteWrite, type FixtureSeries } from '../harness/remote-write-fixture.ts';

const STEP_S = 60;
const SCRAPE_MS = 15_000;
/** Prometheus rejects samples older than its head's lower bound (~1 h behind its newest sample). */
const HISTORY_MS = 50 * 60_000;

interface Envelope {
  status: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown } | unknown[];
  warnings?: string[];
}

async function get(base: string, path: string, params: Record<string, string> | [string, string][] = {}, init: RequestInit = {}): Promise<{ status: number; text: string; contentType: string | null }> {
  const qs = new URLSearchParams(params).toString();
  const res = await fetch(`${base}${path}${qs === '' ? '' : `?${qs}`}`, init);
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

async function post(base: string, path: string, params: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

/** Sum of prometheus_http_requests_total for a handler, from Prometheus' own /metrics. */
async function prometheusRequests(prometheusUrl: string, handler: string): Promise<number> {
  const text = await (await fetch(`${prometheusUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('prometheus_http_requests_total{') && line.includes(`handler="${handler}"`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function cacheCounter(node: QueryNode, result: 'hit' | 'miss'): Promise<number> {
  return node.metrics.cacheRequests.get().then((m) => m.values.find((v) => v.labels.result === result)?.value ?? 0);
}

describe('query node against real Prometheus', () => {
  const infra = inject('infra');
  const prom = infra.prometheusUrl;
  const id = randomBytes(3).toString('hex');
  const name = (suffix: string): string => `rwq_${id}_${suffix}`;
  let node: QueryNode;
  let startS: number;
  let endS: number;

  beforeAll(async () => {
    // Known samples over the last 50 minutes: two counters, a histogram and a gauge.
    const now = Date.now();
    const first = Math.floor((now - HISTORY_MS) / SCRAPE_MS) * SCRAPE_MS;
    const times: number[] = [];
    for (let t = first; t <= now; t += SCRAPE_MS) times.push(t);
    const series: FixtureSeries[] = [];
    for (const [job, rate] of [
      ['api', 2],
      ['web', 5],
    ] as const) {
      for (const instance of ['a', 'b']) {
        series.push({ labels: { __name__: name('requests_total'), job, instance }, samples: times.map((t, i) => ({ timestampMs: t, value: i * rate * (instance === 'a' ? 1 : 3) })) });
      }
      const bounds = ['0.1', '0.5', '1', '+Inf'];
      bounds.forEach((le, b) => {
        series.push({
          labels: { __name__: name('latency_seconds_bucket'), job, le },
          samples: times.map((t, i) => ({ timestampMs: t, value: Math.floor(i * (b + 1) * rate * (1 + (i % 7) / 10)) })),
        });
      });
      series.push({ labels: { __name__: name('temperature'), job }, samples: times.map((t, i) => ({ timestampMs: t, value: 20 + Math.sin(i / 5) * rate })) });
    }
    // A series that exists only in the first part of the range (it is in some pieces only).
    series.push({ labels: { __name__: name('requests_total'), job: 'old', instance: 'x' }, samples: times.slice(0, 40).map((t, i) => ({ timestampMs: t, value: i })) });
    await pushRemoteWrite(infra.remoteWriteUrl, series);

    endS = Math.floor(now / 1000 / STEP_S) * STEP_S;
    startS = endS - 45 * 60;
    const config = readQueryConfig({
      node: { id: 'query-test', listen_address: `127.0.0.1:${await freePort()}` },
      stores: [{ name: 'prometheus', url: prom, headers: { 'X-Scope-OrgID': 'test' } }],
      cache: { split_interval: '10m', max_freshness: '10m', max_bytes: '64MiB' },
      limits: { max_concurrent: 4, query_timeout: '30s' },
    });
    node = await startQueryNode(config, createLogger('query-test', 'warn'));
    await eventually(async () => ((await get(prom, '/api/v1/series', [['match[]', name('temperature')]])).text.includes(name('temperature')) ? true : undefined), {
      timeoutMs: 10_000,
      description: 'pushed samples to be queryable',
    });
  });
  afterAll(async () => {
    await node?.close();
  });

  const queries = (): string[] => [
    `rate(${name('requests_total')}[5m])`,
    `histogram_quantile(0.9, sum by (le) (rate(${name('latency_seconds_bucket')}[5m])))`,
    `sum by (job) (${name('requests_total')})`,
    `${name('temperature')} offset 10m`,
    `max_over_time(rate(${name('requests_total')}[2m])[10m:1m])`,
    name('requests_total'),
  ];

  it('answers instant queries byte for byte as Prometheus, GET and POST', async () => {
    for (const query of queries()) {
      for (const time of [String(endS), String(endS - 20 * 60 + 0.5)]) {
        const direct = await get(prom, '/api/v1/query', { query, time });
        const viaNode = await get(node.url, '/api/v1/query', { query, time });
        expect(viaNode.status, query).toBe(200);
        expect(viaNode.text, query).toBe(direct.text);
        expect(viaNode.contentType).toBe(direct.contentType);
        expect((await post(node.url, '/api/v1/query', { query, time })).text, query).toBe(direct.text);
      }
      // The answer must not be empty, or equality would prove nothing.
      const parsed = JSON.parse((await get(node.url, '/api/v1/query', { query, time: String(endS - 60) })).text) as { data: { result: unknown[] } };
      expect(parsed.data.result.length, query).toBeGreaterThan(0);
    }
  });

  it('answers range queries value for value as Prometheus, cold and warm, the warm one reaching Prometheus once', async () => {
    // Prometheus counts a request after it has answered it: wait until the count reaches at least n.
    const countedAtLeast = (n: number): Promise<number> =>
      eventually(
        async () => {
          const count = await prometheusRequests(prom, '/api/v1/query_range');
          return count >= n ? count : undefined;
        },
        { timeoutMs: 5_000, intervalMs: 20, description: `Prometheus to count ${n} range queries` },
      );
    // Cold and warm must see the same cacheable pieces: not across a moment when now - max_freshness
    // passes a split boundary (every 10 minutes), which would make one more piece cacheable.
    const clearOfBoundary = (): Promise<boolean> =>
      eventually(() => ((Date.now() - 10 * 60_000) % (10 * 60_000) < 10 * 60_000 - 5_000 ? true : undefined), {
        timeoutMs: 10_000,
        description: 'now - max_freshness to be clear of a split boundary',
      });
    for (const query of queries()) {
      await clearOfBoundary();
      const params = { query, start: String(startS), end: String(endS), step: String(STEP_S) };
      const directText = (await get(prom, '/api/v1/query_range', params)).text;
      const direct = JSON.parse(directText) as Envelope;
      expect(direct.status).toBe('success');
      expect(((direct.data as { result: unknown[] }).result).length, query).toBeGreaterThan(0);

      const before = await prometheusRequests(prom, '/api/v1/query_range');
      const missesBefore = await cacheCounter(node, 'miss');
      const cold = await get(node.url, '/api/v1/query_range', params);
      const misses = (await cacheCounter(node, 'miss')) - missesBefore;
      expect(cold.status, query).toBe(200);
      expect(JSON.parse(cold.text), `${query} (cold)`).toEqual(direct);
      // Merged pieces are written as Prometheus writes a matrix: the very same bytes.
      expect(cold.text, `${query} (cold, bytes)`).toBe(directText);
      const afterCold = await countedAtLeast(before + misses + 1);

      const hitsBeforeWarm = await cacheCounter(node, 'hit');
      const warm = await post(node.url, '/api/v1/query_range', params);
      expect((await cacheCounter(node, 'hit')) - hitsBeforeWarm, `${query}: every cacheable piece a hit`).toBe(misses);
      expect(await cacheCounter(node, 'miss'), `${query}: no miss when warm`).toBe(missesBefore + misses);
      expect(JSON.parse(warm.text), `${query} (warm)`).toEqual(direct);
      expect(warm.text, `${query} (warm, bytes)`).toBe(directText);
      const afterWarm = await countedAtLeast(afterCold + 1);
      // 45 minutes at a 10m split: 5 pieces, of which those ending before now - 10m are cached.
      expect(misses, `${query}: pieces old enough to cache`).toBeGreaterThanOrEqual(3);
      expect(afterCold - before, `${query}: store requests, cold (each cacheable piece, then the fresh rest)`).toBe(misses + 1);
      expect(afterWarm - afterCold, `${query}: store requests, warm (only the newest piece)`).toBe(1);
    }
    expect(await cacheCounter(node, 'hit')).toBeGreaterThan(0);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/ringwatch_query_cache_requests_total\{backend="memory",result="hit"\} [1-9]/);
    expect(metrics).not.toMatch(/ringwatch_query_cache_errors_total\{/);
    expect(metrics).toMatch(/ringwatch_query_cache_bytes [1-9]/);
    expect(metrics).toMatch(/ringwatch_query_cache_evictions_total 0/);
  });

  it('serves a shifted range from the cached pieces of an earlier one, still equal to Prometheus', async () => {
    const query = `rate(${name('requests_total')}[5m])`;
    const params = { query, start: String(startS + 7 * 60), end: String(endS - 3 * 60), step: String(STEP_S) };
    const hitsBefore = await cacheCounter(node, 'hit');
    const direct = await get(prom, '/api/v1/query_range', params);
    expect((await get(node.url, '/api/v1/query_range', params)).text).toBe(direct.text);
    expect(await cacheCounter(node, 'hit')).toBeGreaterThan(hitsBefore);
  });

  it('passes errors through with the store status and body', async () => {
    for (const params of [
      { query: 'rate(', start: String(startS), end: String(endS), step: '60' },
      { query: 'up', start: String(endS), end: String(startS), step: '60' },
      { query: 'up', start: 'nope', end: String(endS), step: '60' },
    ]) {
      const direct = await get(prom, '/api/v1/query_range', params);
      const viaNode = await get(node.url, '/api/v1/query_range', params);
      expect(viaNode.status).toBe(direct.status);
      expect(viaNode.text).toBe(direct.text);
    }
    const direct = await get(prom, '/api/v1/query', { query: 'sum(' });
    const viaNode = await get(node.url, '/api/v1/query', { query: 'sum(' });
    expect([viaNode.status, viaNode.text]).toEqual([direct.status, direct.text]);
  });

  it("answers Grafana's data-source requests as the store does", async () => {
    const range = { start: String(startS), end: String(endS) };
    const requests: [string, [string, string][]][] = [
      ['/api/v1/labels', [['match[]', `{__name__=~"rwq_${id}_.*"}`], ...Object.entries(range)]],
      ['/api/v1/series', [['match[]', name('requests_total')], ['match[]', name('temperature')], ...Object.entries(range)]],
      ['/api/v1/label/__name__/values', [['match[]', `{__name__=~"rwq_${id}_.*"}`]]],
      ['/api/v1/label/job/values', [['match[]', name('requests_total')]]],
      ['/api/v1/query_exemplars', [['query', name('requests_total')], ...Object.entries(range)]],
      ['/api/v1/status/buildinfo', []],
      ['/api/v1/metadata', [['metric', name('requests_total')]]],
      ['/api/v1/format_query', [['query', 'sum(rate(x[5m]))by(job)']]],
    ];
    for (const [path, params] of requests) {
      const direct = await get(prom, path, params);
      const viaNode = await get(node.url, path, params);
      expect(viaNode.status, path).toBe(direct.status);
      expect(viaNode.text, path).toBe(direct.text);
    }
    const names = JSON.parse((await get(node.url, '/api/v1/label/__name__/values', [['match[]', `{__name__=~"rwq_${id}_.*"}`]])).text) as { data: string[] };
    expect(names.data).toEqual([name('latency_seconds_bucket'), name('requests_total'), name('temperature')]);
  });

  it('merges and de-duplicates series, labels and label values over several stores', async () => {
    const twoStores = await startQueryNode(
      readQueryConfig({
        node: { listen_address: `127.0.0.1:${await freePort()}` },
        stores: [
          { name: 'recent', url: prom, max_age: '2h' },
          { name: 'all', url: prom },
        ],
      }),
      createLogger('query-test-2', 'warn'),
    );
    try {
      for (const [path, params] of [
        ['/api/v1/series', [['match[]', name('requests_total')]]],
        ['/api/v1/labels', [['match[]', name('requests_total')]]],
        ['/api/v1/label/instance/values', [['match[]', name('requests_total')]]],
      ] as [string, [string, string][]][]) {
        const direct = JSON.parse((await get(prom, path, params)).text) as Envelope;
        const merged = JSON.parse((await get(twoStores.url, path, params)).text) as Envelope;
        expect(merged, path).toEqual(direct);
        expect((merged.data as unknown[]).length).toBeGreaterThan(0);
      }
      const query = `sum by (job) (${name('requests_total')})`;
      const instant = await get(twoStores.url, '/api/v1/query', { query, time: String(endS) });
      expect(instant.text).toBe((await get(prom, '/api/v1/query', { query, time: String(endS) })).text);
    } finally {
      await twoStores.close();
    }
  });

  it('caches instant queries older than max_freshness when cache_instant is set', async () => {
    const instantNode = await startQueryNode(
      readQueryConfig({ node: { listen_address: `127.0.0.1:${await freePort()}` }, stores: [{ url: prom }], cache: { cache_instant: true } }),
      createLogger('query-test-4', 'warn'),
    );
    try {
      const params = { query: `sum by (job) (rate(${name('requests_total')}[5m]))`, time: String(endS - 20 * 60) };
      const base = await prometheusRequests(prom, '/api/v1/query');
      const direct = await get(prom, '/api/v1/query', params);
      const first = await get(instantNode.url, '/api/v1/query', params);
      // Both reached Prometheus (it counts a request just after answering it).
      const before = await eventually(async () => ((await prometheusRequests(prom, '/api/v1/query')) >= base + 2 ? base + 2 : undefined), {
        timeoutMs: 5_000,
        intervalMs: 20,
        description: 'Prometheus to count the first two instant queries',
      });
      const second = await get(instantNode.url, '/api/v1/query', params);
      expect([first.text, second.text]).toEqual([direct.text, direct.text]);
      expect(await cacheCounter(instantNode, 'hit')).toBe(1);
      expect(await prometheusRequests(prom, '/api/v1/query')).toBe(before);
    } finally {
      await instantNode.close();
    }
  });

  it('refuses too long ranges (422 bad_data) and requests without the token (401)', async () => {
    const limited = await startQueryNode(
      readQueryConfig({
        node: { listen_address: `127.0.0.1:${await freePort()}` },
        stores: [{ url: prom }],
        limits: { max_range: '30m' },
        auth: { token: 's3cret' },
      }),
      createLogger('query-test-3', 'silent'),
    );
    try {
      const params = { query: 'up', start: String(startS), end: String(endS), step: '60' };
      const unauthorized = await get(limited.url, '/api/v1/query_range', params);
      expect(unauthorized.status).toBe(401);
      expect(JSON.parse(unauthorized.text)).toMatchObject({ status: 'error', errorType: 'unauthorized' });
      const auth = { headers: { authorization: 'Bearer s3cret' } };
      const tooLong = await get(limited.url, '/api/v1/query_range', params, auth);
      expect(tooLong.status).toBe(422);
      expect(JSON.parse(tooLong.text)).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringContaining('limits.max_range') });
      const ok = await get(limited.url, '/api/v1/query_range', { ...params, start: String(endS - 600) }, auth);
      expect(ok.status).toBe(200);
      expect((await fetch(`${limited.url}/metrics`)).status).toBe(200); // not behind the token
    } finally {
      await limited.close();
    }
  });
});

describe('ringwatch query as a process', () => {
  const infra = inject('infra');
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('starts from a config file, serves the API and stops on SIGTERM', async () => {
    const dir = join(repoRoot(), '.data', 'test-nodes', `query-${randomBytes(3).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const file = join(dir, 'query.yaml');
    writeFileSync(file, stringify({ node: { id: 'query-process', listen_address: `127.0.0.1:${port}` }, stores: [{ name: 'prometheus', url: infra.prometheusUrl, timeout: '10s' }] }));
    const logFile = join(dir, 'query.log');
    const log = openSync(logFile, 'w');
    child = spawn(process.execPath, [join(repoRoot(), 'bin', 'ringwatch.ts'), 'query', '--config', file], { stdio: ['ignore', log, log], env: process.env });
    closeSync(log);
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      async () => {
        if (child?.exitCode !== null) throw new Error(`exited with ${child?.exitCode}: ${readFileSync(logFile, 'utf8')}`);
        return (await fetch(`${base}/readyz`)).ok ? true : undefined;
      },
      { timeoutMs: 20_000, description: 'the query process to be ready' },
    );
    const direct = await get(infra.prometheusUrl, '/api/v1/status/buildinfo');
    expect((await get(base, '/api/v1/status/buildinfo')).text).toBe(direct.text);
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
