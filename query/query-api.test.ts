// The API over fake stores: store selection by time range, merging over stores, the limits
// (queue, timeout, max range), token auth, and what is sent to a store.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { startQueryNode, tokenReader, type QueryNode } from './main.ts';
import { readQueryConfig } from './query-config.ts';

interface FakeStore {
  url: string;
  requests: { path: string; params: URLSearchParams; headers: Headers }[];
  /** Holds every answer until called (for concurrency tests). */
  hold(): () => void;
  close(): Promise<void>;
}

async function fakeStore(name: string, data: { series?: unknown[]; labels?: string[]; status?: number } = {}): Promise<FakeStore> {
  const requests: FakeStore['requests'] = [];
  let gate: Promise<void> | undefined;
  const app = new Hono();
  app.all('*', async (c) => {
    const params = new URLSearchParams(new URL(c.req.url).search);
    if (c.req.method === 'POST') for (const [k, v] of new URLSearchParams(await c.req.text())) params.append(k, v);
    requests.push({ path: new URL(c.req.url).pathname, params, headers: c.req.raw.headers });
    if (gate !== undefined) await gate;
    const path = new URL(c.req.url).pathname;
    const status = data.status ?? 200;
    if (status !== 200) return c.json({ status: 'error', errorType: 'internal', error: `${name} is broken` }, status as 500);
    if (path === '/api/v1/series') return c.json({ status: 'success', data: data.series ?? [] });
    if (path === '/api/v1/labels' || path.startsWith('/api/v1/label/')) return c.json({ status: 'success', data: data.labels ?? [] });
    return c.json({ status: 'success', data: { resultType: 'vector', result: [{ metric: { store: name }, value: [1, '1'] }] } });
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(raw: Record<string, unknown>): Promise<QueryNode> {
  const node = await startQueryNode(readQueryConfig({ node: { listen_address: '127.0.0.1:0' }, ...raw }), createLogger('query-api-test', 'silent'));
  cleanups.push(() => node.close());
  return node;
}

async function store(name: string, data?: Parameters<typeof fakeStore>[1]): Promise<FakeStore> {
  const s = await fakeStore(name, data);
  cleanups.push(() => s.close());
  return s;
}

const nowS = (): number => Math.floor(Date.now() / 1000);

describe('query API', () => {
  it('sends a query to the store whose time range covers it, with its headers and credentials', async () => {
    const recent = await store('recent');
    const longTerm = await store('long');
    const node = await start({
      stores: [
        { name: 'recent', url: recent.url, max_age: '1d', headers: { 'X-Scope-OrgID': 'team-a' }, bearer_token: 'secret' },
        { name: 'long', url: longTerm.url, min_age: '2h' },
      ],
      limits: { max_samples: 1000, query_timeout: '30s' },
    });
    const answer = async (time: number): Promise<string> =>
      ((await (await fetch(`${node.url}/api/v1/query?query=up&time=${time}`)).json()) as { data: { result: { metric: { store: string } }[] } }).data.result[0]?.metric.store ?? '';
    expect(await answer(nowS() - 60)).toBe('recent');
    expect(await answer(nowS() - 3 * 86_400)).toBe('long');
    const sent = recent.requests[0];
    expect(sent?.headers.get('x-scope-orgid')).toBe('team-a');
    expect(sent?.headers.get('authorization')).toBe('Bearer secret');
    expect(sent?.params.get('max_samples')).toBe('1000');
    expect(sent?.params.get('timeout')).toBe('30s');
  });

  it('merges and de-duplicates series and labels over stores, a failing store becoming a warning', async () => {
    const a = await store('a', { series: [{ __name__: 'up', job: 'b' }, { __name__: 'up', job: 'a' }], labels: ['job', '__name__'] });
    const b = await store('b', { series: [{ job: 'a', __name__: 'up' }, { __name__: 'up', job: 'c' }], labels: ['instance', 'job'] });
    const broken = await store('broken', { status: 500 });
    const node = await start({ stores: [{ name: 'a', url: a.url }, { name: 'b', url: b.url }, { name: 'broken', url: broken.url }] });
    const series = (await (await fetch(`${node.url}/api/v1/series?match[]=up`)).json()) as { data: unknown; warnings: string[] };
    expect(series.data).toEqual([
      { __name__: 'up', job: 'a' },
      { __name__: 'up', job: 'b' },
      { __name__: 'up', job: 'c' },
    ]);
    expect(series.warnings).toEqual(['store broken: HTTP 500: broken is broken']);
    const labels = (await (await fetch(`${node.url}/api/v1/labels`, { method: 'POST' })).json()) as { data: unknown };
    expect(labels.data).toEqual(['__name__', 'instance', 'job']);
  });

  it('refuses requests beyond the queue with 503 unavailable, and times out with 503 timeout', async () => {
    const slow = await store('slow');
    const node = await start({ stores: [{ url: slow.url }], limits: { max_concurrent: 1, max_queued: 1, query_timeout: '300ms' } });
    const release = slow.hold();
    const running = fetch(`${node.url}/api/v1/query?query=a`);
    const queued = fetch(`${node.url}/api/v1/query?query=b`);
    // The first holds the slot and the second the queue's only place: the third is refused at once.
    await waitFor(() => slow.requests.length === 1);
    const refused = await fetch(`${node.url}/api/v1/query?query=c`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ status: 'error', errorType: 'unavailable', error: expect.stringContaining('limits.max_concurrent') });
    const timedOut = await running;
    expect(timedOut.status).toBe(503);
    expect(await timedOut.json()).toMatchObject({ status: 'error', errorType: 'timeout', error: expect.stringContaining('limits.query_timeout') });
    expect((await queued).status).toBe(503);
    release();
    expect((await fetch(`${node.url}/api/v1/query?query=d`)).status).toBe(200);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/ringwatch_query_rejected_total\{reason="queue_full"\} 1/);
  });

  it('answers 503 unavailable when the store cannot be reached', async () => {
    const gone = await fakeStore('gone');
    await gone.close();
    const node = await start({ stores: [{ url: gone.url }] });
    const res = await fetch(`${node.url}/api/v1/query?query=up`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'error', errorType: 'unavailable' });
  });

  it('checks max_range before asking a store, with Prometheus error envelope', async () => {
    const s = await store('s');
    const node = await start({ stores: [{ url: s.url }], limits: { max_range: '1h' } });
    const res = await fetch(`${node.url}/api/v1/query_range?query=up&start=0&end=7201&step=60`);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'the query time range exceeds the limit (query length: 2h1s, limit: 1h; limits.max_range)',
    });
    expect(s.requests).toHaveLength(0);
  });

  it('requires the bearer token on the API only', async () => {
    const s = await store('s');
    const node = await start({ stores: [{ url: s.url }], auth: { token: 't0ken' } });
    expect((await fetch(`${node.url}/api/v1/query?query=up`)).status).toBe(401);
    const wrong = await fetch(`${node.url}/api/v1/query?query=up`, { headers: { authorization: 'Bearer nope' } });
    expect([wrong.status, wrong.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    expect((await fetch(`${node.url}/api/v1/query?query=up`, { headers: { authorization: 'Bearer t0ken' } })).status).toBe(200);
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    // The client's Authorization is for the query node, never forwarded to the store.
    expect(s.requests[0]?.headers.get('authorization')).toBeNull();
  });
});

describe('tokenReader', () => {
  it('reads token_file at start (naming the field) and again on each request', () => {
    let content = 'one\n';
    const read = tokenReader({ tokenFile: '/t' }, () => content);
    expect(read?.()).toBe('one');
    content = 'two';
    expect(read?.()).toBe('two');
    content = '';
    expect(read?.()).toBe('two');
    expect(() => tokenReader({ tokenFile: '/nope' }, () => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); })).toThrow(/^auth\.token_file: cannot read \/nope: ENOENT/);
    expect(tokenReader({})).toBeUndefined();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
