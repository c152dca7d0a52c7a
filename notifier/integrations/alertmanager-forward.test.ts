import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../alert.ts';
import { fingerprint } from '../labels.ts';
import { AlertmanagerForwardIntegration, MAX_ALERTS_PER_REQUEST, readAlertmanagerForwardConfig } from './alertmanager-forward.ts';
import { HttpClients } from './http-client.ts';
import type { NotifyContext } from './integration.ts';

interface Captured {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>[];
}

const NOW = Date.now();
const alert = (labels: Record<string, string>, endsAtMs: number): Alert => ({
  fingerprint: fingerprint(labels),
  labels,
  annotations: { summary: 'disk is full' },
  startsAtMs: NOW - 60_000,
  endsAtMs,
  generatorURL: 'http://alerting:9490/graph',
  updatedAtMs: NOW,
  timeout: false,
});
const ctx: NotifyContext = { receiver: 'keep-theirs', groupKey: '{}', groupLabels: {}, externalUrl: 'http://n', nowMs: NOW, signal: AbortSignal.timeout(10_000) };

describe('alertmanager forward integration', () => {
  let server: Server;
  let base: string;
  const captured: Captured[] = [];
  let statuses: number[] = [];
  const http = new HttpClients();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>[] });
        res.writeHead(statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    await http.close();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    captured.length = 0;
    statuses = [];
  });

  const build = (raw: Record<string, unknown>): AlertmanagerForwardIntegration => {
    const c = readAlertmanagerForwardConfig(raw, 'c');
    return new AlertmanagerForwardIntegration(c, 0, http.client(c.http_config));
  };

  it('POSTs the alerts to /api/v2/alerts as Prometheus does, resolved ones with their end', async () => {
    const i = build({ url: `${base}/prefix/`, http_config: { authorization: { credentials: 'tok' } } });
    expect(i.sendResolved).toBe(true);
    const firing = alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 240_000);
    const resolved = alert({ alertname: 'DiskFull', instance: 'b' }, NOW - 1000);
    await i.notify(ctx, [firing, resolved]);
    expect(captured).toHaveLength(1);
    expect(captured[0]?.path).toBe('/prefix/api/v2/alerts');
    expect(captured[0]?.headers['content-type']).toBe('application/json');
    expect(captured[0]?.headers.authorization).toBe('Bearer tok');
    expect(captured[0]?.body).toEqual([
      { labels: firing.labels, annotations: firing.annotations, startsAt: new Date(firing.startsAtMs).toISOString(), endsAt: new Date(firing.endsAtMs).toISOString(), generatorURL: firing.generatorURL },
      { labels: resolved.labels, annotations: resolved.annotations, startsAt: new Date(resolved.startsAtMs).toISOString(), endsAt: new Date(resolved.endsAtMs).toISOString(), generatorURL: resolved.generatorURL },
    ]);
  });

  it('splits a large group into batches of at most 256 alerts', async () => {
    const alerts = Array.from({ length: MAX_ALERTS_PER_REQUEST + 44 }, (_, n) => alert({ alertname: 'Many', instance: String(n) }, NOW + 60_000));
    await build({ url: base }).notify(ctx, alerts);
    expect(captured.map((c) => c.body.length)).toEqual([MAX_ALERTS_PER_REQUEST, 44]);
    expect(new Set(captured.flatMap((c) => c.body.map((a) => (a.labels as Record<string, string>).instance))).size).toBe(alerts.length);
  });

  it('fails retryably on 5xx, 429 and a refused connection, for good on 4xx', async () => {
    const i = build({ url: base });
    statuses = [500, 429, 400];
    await expect(i.notify(ctx, [alert({ alertname: 'A' }, NOW + 60_000)])).rejects.toMatchObject({ retryable: true, reason: 'serverError' });
    await expect(i.notify(ctx, [alert({ alertname: 'A' }, NOW + 60_000)])).rejects.toMatchObject({ retryable: true, reason: 'serverError' });
    await expect(i.notify(ctx, [alert({ alertname: 'A' }, NOW + 60_000)])).rejects.toMatchObject({ retryable: false, reason: 'clientError' });
    await expect(build({ url: 'http://127.0.0.1:1' }).notify(ctx, [alert({ alertname: 'A' }, NOW + 60_000)])).rejects.toMatchObject({ retryable: true, reason: 'other' });
  });

  it('names the field of a wrong entry', () => {
    expect(() => readAlertmanagerForwardConfig({}, 'c')).toThrow(/^c\.url: is required/);
    expect(() => readAlertmanagerForwardConfig({ url: 'am:9093' }, 'c')).toThrow(/^c\.url: /);
    expect(() => readAlertmanagerForwardConfig({ url: 'http://am:9093/?x=1' }, 'c')).toThrow(/^c\.url: must be the base URL/);
    expect(() => readAlertmanagerForwardConfig({ url: 'http://am:9093', api_version: 'v1' }, 'c')).toThrow(/^c\.api_version: unknown field/);
  });
});
