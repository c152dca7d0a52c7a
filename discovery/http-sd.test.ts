import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_CLIENT_CONFIG } from '../core/http-client-config.ts';
import { createLogger } from '../core/logger.ts';
import type { TargetGroup } from './target-group.ts';
import { eventually } from '../test/harness/eventually.ts';
import { HttpSdDiscoverer, parseHttpSdResponse } from './http-sd.ts';

const URL_ = 'http://sd.example/targets';

describe('parseHttpSdResponse', () => {
  it('reads the groups and adds __meta_url', () => {
    const groups = parseHttpSdResponse({ status: 200, contentType: 'application/json; charset=utf-8', body: '[{"targets":["a:1"],"labels":{"x":"y"}}]' }, URL_);
    expect(groups).toEqual([{ targets: ['a:1'], labels: { x: 'y', __meta_url: URL_ }, source: `http_sd:${URL_}:0` }]);
    expect(parseHttpSdResponse({ status: 200, contentType: 'application/json', body: '[]' }, URL_)).toEqual([]);
  });

  it('rejects a non-200 status, another content type, bad JSON and bad groups', () => {
    expect(() => parseHttpSdResponse({ status: 500, contentType: 'application/json', body: '[]' }, URL_)).toThrow('server returned HTTP status 500');
    expect(() => parseHttpSdResponse({ status: 200, contentType: 'text/plain', body: '[]' }, URL_)).toThrow(/unsupported content type "text\/plain"/);
    expect(() => parseHttpSdResponse({ status: 200, contentType: null, body: '[]' }, URL_)).toThrow(/unsupported content type ""/);
    expect(() => parseHttpSdResponse({ status: 200, contentType: 'application/json', body: '[' }, URL_)).toThrow(/invalid JSON/);
    expect(() => parseHttpSdResponse({ status: 200, contentType: 'application/json', body: 'null' }, URL_)).toThrow(/got null/);
    expect(() => parseHttpSdResponse({ status: 200, contentType: 'application/json', body: '[{"targets":"a:1"}]' }, URL_)).toThrow(/group 0\.targets: expected a list/);
  });
});

describe('HttpSdDiscoverer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('refreshes, keeps the last good list on errors and counts them', async () => {
    let reply: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '[{"targets":["a:1"]}]' };
    let requests = 0;
    let refreshHeader: string | undefined;
    server = createServer((req, res) => {
      requests++;
      refreshHeader = req.headers['x-prometheus-refresh-interval-seconds'] as string | undefined;
      res.writeHead(reply.status, { 'Content-Type': reply.type });
      res.end(reply.body);
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/sd`;

    const updates: TargetGroup[][] = [];
    const errors: string[] = [];
    const d = new HttpSdDiscoverer({
      config: { url, http: DEFAULT_HTTP_CLIENT_CONFIG, refreshIntervalMs: 50 },
      events: { error: (m, source, err) => errors.push(`${m} ${source} ${err.message}`) },
      logger: createLogger('test', 'silent'),
    });
    d.start((g) => updates.push(g));
    try {
      await eventually(() => (updates.length === 1 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'first list' });
      expect(updates[0]?.[0]).toMatchObject({ targets: ['a:1'], labels: { __meta_url: url } });
      expect(refreshHeader).toBe('0');

      reply = { status: 503, type: 'text/plain', body: 'down' };
      await eventually(() => (errors.length >= 2 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'two failed refreshes' });
      expect(errors[0]).toBe(`http_sd ${url} http_sd ${url}: server returned HTTP status 503`);
      expect(updates).toHaveLength(1);

      reply = { status: 200, type: 'application/json', body: '[{"targets":["b:1"]}]' };
      await eventually(() => (updates.length === 2 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'new list' });
      expect(updates[1]?.[0]?.targets).toEqual(['b:1']);
      // Unchanged lists are not reported again.
      const seen = requests;
      await eventually(() => (requests >= seen + 3 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'more refreshes' });
      expect(updates).toHaveLength(2);
    } finally {
      await d.stop();
    }
  });

  it('reports an empty list once when the first refresh fails, so discovery is not held up, naming the source as unknown', async () => {
    const updates: TargetGroup[][] = [];
    const unknown: (readonly string[] | undefined)[] = [];
    const d = new HttpSdDiscoverer({
      config: { url: 'http://127.0.0.1:1/sd', http: DEFAULT_HTTP_CLIENT_CONFIG, refreshIntervalMs: 60_000 },
      events: { error: () => undefined },
      logger: createLogger('test', 'silent'),
    });
    d.start((g, u) => {
      updates.push(g);
      unknown.push(u);
    });
    try {
      await eventually(() => (updates.length === 1 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'an empty first report' });
      expect(updates[0]).toEqual([]);
      // Unknown, not empty: the leader keeps what etcd holds for this source.
      expect(unknown[0]).toEqual(['http_sd:http://127.0.0.1:1/sd']);
    } finally {
      await d.stop();
    }
  });
});
