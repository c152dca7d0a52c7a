// Two query nodes sharing one cache, Redis (with a password) or memcached, started here through
// deploy/local/services/, in front of the harness' real Prometheus: a range query cached by node 1
// is answered by node 2 from the shared cache (Prometheus' own request counter sees only the
// newest piece), answers equal Prometheus'; with the cache stopped, queries are still answered,
// from Prometheus, the errors counted and the outage logged once (a node started meanwhile starts
// and answers too); with it back, caching resumes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { startMemcached } from '../../deploy/local/services/memcached.ts';
import { startRedis } from '../../deploy/local/services/redis.ts';
import type { RunningService } from '../../deploy/local/services/service-options.ts';
import type { Logger } from '../../core/logger.ts';
import { startQueryNode, type QueryNode } from '../../query/main.ts';
import { readQueryConfig } from '../../query/query-config.ts';
import { eventually } from '../harness/eventually.ts';
import { pushRemoteWrite, type FixtureSeries } from '../harness/remote-write-fixture.ts';

const STEP_S = 60;
const SCRAPE_MS = 15_000;
const SPLIT_MS = 10 * 60_000;
/** Prometheus rejects samples older than its head's lower bound (~1 h behind its newest sample). */
const HISTORY_MS = 50 * 60_000;

/** Sum of prometheus_http_requests_total for a handler, from Prometheus' own /metrics. */
async function prometheusRequests(prometheusUrl: string, handler: string): Promise<number> {
  const text = await (await fetch(`${prometheusUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('prometheus_http_requests_total{') && line.includes(`handler="${handler}"`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function counter(node: QueryNode, name: 'cacheRequests' | 'cacheErrors', labels: Record<string, string>): Promise<number> {
  const metric = await node.metrics[name].get();
  return metric.values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof v.labels] === want)).reduce((sum, v) => sum + v.value, 0);
}

/** A pino logger whose lines are kept, to count what a node logged. */
function capturedLogger(name: string): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') messages.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: 'info', base: { node: name } }, sink), messages };
}

describe.each(['redis', 'memcached'] as const)('two query nodes sharing a %s results cache', (backend) => {
  const infra = inject('infra');
  const prom = infra.prometheusUrl;
  const id = randomBytes(3).toString('hex');
  const metric = `rwqs_${id}_requests_total`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `query-shared-cache-${id}`);
  let cache: RunningService;
  let node1: QueryNode;
  let node2: QueryNode;
  let log1: { logger: Logger; messages: string[] };
  let configFor: (nodeId: string) => Promise<ReturnType<typeof readQueryConfig>>;
  let startS: number;
  let endS: number;

  beforeAll(async () => {
    const now = Date.now();
    const first = Math.floor((now - HISTORY_MS) / SCRAPE_MS) * SCRAPE_MS;
    const times: number[] = [];
    for (let t = first; t <= now; t += SCRAPE_MS) times.push(t);
    const series: FixtureSeries[] = ['a', 'b', 'c'].map((instance, n) => ({
      labels: { __name__: metric, job: 'shared', instance },
      samples: times.map((t, i) => ({ timestampMs: t, value: i * (n + 1) })),
    }));
    await pushRemoteWrite(infra.remoteWriteUrl, series);
    endS = Math.floor(now / 1000 / STEP_S) * STEP_S;
    startS = endS - 45 * 60;

    mkdirSync(dir, { recursive: true });
    let backendConfig: Record<string, unknown>;
    if (backend === 'redis') {
      const password = randomBytes(12).toString('hex');
      const passwordFile = join(dir, 'redis-password');
      writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
      const redis = await startRedis({ dataDir: join(dir, 'redis'), logDir: join(dir, 'logs'), password });
      cache = redis;
      backendConfig = { redis: { address: redis.address, password_file: passwordFile, timeout: '300ms' } };
    } else {
      const memcached = await startMemcached({ dataDir: join(dir, 'memcached'), logDir: join(dir, 'logs') });
      cache = memcached;
      backendConfig = { memcached: { addresses: [memcached.address], timeout: '300ms' } };
    }
    configFor = async (nodeId: string) =>
      readQueryConfig({
        node: { id: nodeId, listen_address: `127.0.0.1:${await freePort()}` },
        stores: [{ name: 'prometheus', url: prom }],
        cache: { backend, split_interval: '10m', max_freshness: '10m', ...backendConfig },
        limits: { query_timeout: '30s' },
      });
    log1 = capturedLogger('query-shared-1');
    node1 = await startQueryNode(await configFor('query-shared-1'), log1.logger);
    node2 = await startQueryNode(await configFor('query-shared-2'), capturedLogger('query-shared-2').logger);
    await eventually(async () => ((await (await fetch(`${prom}/api/v1/series?match[]=${metric}`)).text()).includes(metric) ? true : undefined), {
      timeoutMs: 10_000,
      description: 'pushed samples to be queryable',
    });
  });
  afterAll(async () => {
    await node1?.close();
    await node2?.close();
    await cache?.stop();
  });

  // Prometheus counts a request after it has answered it: wait until the count reaches at least n.
  const countedAtLeast = (n: number): Promise<number> =>
    eventually(
      async () => {
        const count = await prometheusRequests(prom, '/api/v1/query_range');
        return count >= n ? count : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 20, description: `Prometheus to count ${n} range queries` },
    );
  // Both nodes must see the same cacheable pieces: not across a moment when now - max_freshness
  // passes a split boundary, which would make one more piece cacheable between two requests.
  const clearOfBoundary = (): Promise<boolean> =>
    eventually(() => ((Date.now() - SPLIT_MS) % SPLIT_MS < SPLIT_MS - 5_000 ? true : undefined), {
      timeoutMs: 10_000,
      description: 'now - max_freshness to be clear of a split boundary',
    });
  const rangeParams = (query: string): URLSearchParams => new URLSearchParams({ query, start: String(startS), end: String(endS), step: String(STEP_S) });
  const rangeQuery = async (base: string, query: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${base}/api/v1/query_range?${rangeParams(query).toString()}`);
    return { status: res.status, text: await res.text() };
  };

  it('answers node 2 from the pieces node 1 cached, reaching Prometheus only for the newest piece', async () => {
    const query = `sum by (instance) (rate(${metric}[5m]))`;
    await clearOfBoundary();
    const direct = await rangeQuery(prom, query);
    expect((JSON.parse(direct.text) as { data: { result: unknown[] } }).data.result.length).toBeGreaterThan(0);

    const before = await prometheusRequests(prom, '/api/v1/query_range');
    const misses1 = await counter(node1, 'cacheRequests', { backend, result: 'miss' });
    const cold = await rangeQuery(node1.url, query);
    const misses = (await counter(node1, 'cacheRequests', { backend, result: 'miss' })) - misses1;
    expect(cold.status).toBe(200);
    expect(cold.text).toBe(direct.text);
    // 45 minutes at a 10m split: those of its 5 pieces that end before now - 10m are cached.
    expect(misses).toBeGreaterThanOrEqual(3);
    const afterCold = await countedAtLeast(before + misses + 1);
    expect(afterCold - before, 'node 1: each cacheable piece, then the fresh rest').toBe(misses + 1);

    const warm = await rangeQuery(node2.url, query);
    expect(warm.status).toBe(200);
    expect(JSON.parse(warm.text)).toEqual(JSON.parse(direct.text));
    expect(warm.text).toBe(direct.text);
    expect(await counter(node2, 'cacheRequests', { backend, result: 'hit' }), `node 2: every cacheable piece from ${backend}`).toBe(misses);
    expect(await counter(node2, 'cacheRequests', { backend, result: 'miss' })).toBe(0);
    const afterWarm = await countedAtLeast(afterCold + 1);
    expect(afterWarm - afterCold, 'node 2: only the newest piece reached Prometheus').toBe(1);
    expect(await counter(node1, 'cacheErrors', {})).toBe(0);
    expect(await counter(node2, 'cacheErrors', {})).toBe(0);
  });

  it('answers from Prometheus while the cache is down, counting the errors and logging the outage once; caches again once it is back', async () => {
    await cache.stop();
    const queries = [`max by (instance) (${metric})`, `count(${metric})`, `sum(${metric})`];
    for (const query of queries) {
      const direct = await rangeQuery(prom, query);
      const viaNode = await rangeQuery(node1.url, query);
      expect(viaNode.status, query).toBe(200);
      expect(viaNode.text, query).toBe(direct.text);
    }
    // Each query's get failed (and the set of the pieces it then fetched): one get error per query at least.
    expect(await counter(node1, 'cacheErrors', { backend, operation: 'get' })).toBeGreaterThanOrEqual(queries.length);
    expect(await counter(node1, 'cacheRequests', { backend, result: 'hit' })).toBe(0);
    expect(log1.messages.filter((m) => m === 'results cache unavailable: answering from the stores')).toHaveLength(1);
    // A node started while the cache is down starts all the same, and answers.
    const late = await startQueryNode(await configFor('query-shared-late'), capturedLogger('query-shared-late').logger);
    try {
      const query = queries[0] as string;
      expect((await rangeQuery(late.url, query)).text).toBe((await rangeQuery(prom, query)).text);
    } finally {
      await late.close();
    }
    const metricsText = await (await fetch(`${node1.url}/metrics`)).text();
    expect(metricsText).toMatch(new RegExp(`ringwatch_query_cache_errors_total\\{backend="${backend}",operation="get"\\} [1-9]`));

    // Back, empty (no persistence): the clients reconnect on their own; poll until node 1 caches again.
    await cache.start();
    const query = `min by (instance) (${metric})`;
    await clearOfBoundary();
    const stored = await eventually(
      async () => {
        const errorsBefore = await counter(node1, 'cacheErrors', {});
        const missesBefore = await counter(node1, 'cacheRequests', { result: 'miss' });
        expect((await rangeQuery(node1.url, query)).status).toBe(200);
        const misses = (await counter(node1, 'cacheRequests', { result: 'miss' })) - missesBefore;
        return (await counter(node1, 'cacheErrors', {})) === errorsBefore ? misses : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, description: `node 1 to reach ${backend} again` },
    );
    expect(log1.messages.filter((m) => m === 'results cache available again')).toHaveLength(1);
    const hitsBefore = await counter(node2, 'cacheRequests', { result: 'hit' });
    const direct = await rangeQuery(prom, query);
    expect((await rangeQuery(node2.url, query)).text).toBe(direct.text);
    // Node 2 may have errored on its first call after the outage too; what matters is the hits.
    expect((await counter(node2, 'cacheRequests', { result: 'hit' })) - hitsBefore, 'node 2: the pieces node 1 stored after the outage').toBeGreaterThanOrEqual(Math.max(stored, 3));
  });
});
