import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../alert.ts';
import { loadAlertmanagerFile } from '../alertmanager-file.ts';
import { fingerprint } from '../labels.ts';
import { loadNotificationTemplates, type AlertmanagerTemplate } from '../notification-templates.ts';
import { readNotifierConfig } from '../notifier-config.ts';
import { extendReceivers } from './build-integrations.ts';
import { HttpClients } from './http-client.ts';
import { HttpTemplateIntegration, readHttpTemplateConfig } from './http-template.ts';
import { NotifyError, type NotifyContext } from './integration.ts';

interface Captured {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const NOW = Date.now();
const alert = (labels: Record<string, string>, endsAtMs: number): Alert => ({
  fingerprint: fingerprint(labels),
  labels,
  annotations: { summary: 'disk <sda> is "full" & hot' },
  startsAtMs: NOW - 60_000,
  endsAtMs,
  generatorURL: 'http://prom/graph',
  updatedAtMs: NOW,
  timeout: false,
});

const ctx = (labels: Record<string, string>): NotifyContext => ({
  receiver: 'sms',
  groupKey: '{}:{alertname="DiskFull"}',
  groupLabels: labels,
  externalUrl: 'http://notifier:9493',
  nowMs: NOW,
  signal: AbortSignal.timeout(10_000),
});

describe('http_template integration', () => {
  let server: Server;
  let base: string;
  const captured: Captured[] = [];
  let statuses: number[] = [];
  let tmpl: AlertmanagerTemplate;
  const http = new HttpClients();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        const status = statuses.shift() ?? 200;
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'x'.repeat(200_000));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    tmpl = await loadNotificationTemplates([], 'http://notifier:9493');
  });
  afterAll(async () => {
    await http.close();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    captured.length = 0;
    statuses = [];
  });

  const build = (raw: Record<string, unknown>): HttpTemplateIntegration => new HttpTemplateIntegration(readHttpTemplateConfig(raw, 'c'), 0, http.client(undefined), tmpl);

  it('renders the body in text mode over the notification data, with templated headers', async () => {
    const i = build({
      url: `${base}/send?token=abc`,
      headers: { 'Content-Type': 'application/json', 'X-Alert': '{{ .CommonLabels.alertname }}' },
      body: '{"to":"+4912345","text":{{ (index .Alerts 0).Annotations.summary | toJson }},"subject":"{{ template "__subject" . }}","n":{{ len .Alerts.Firing }},"status":"{{ .Status }}","receiver":"{{ .Receiver }}"}',
    });
    await i.notify(ctx({ alertname: 'DiskFull' }), [alert({ alertname: 'DiskFull', instance: 'a<b>' }, NOW + 60_000)]);
    expect(captured).toHaveLength(1);
    const [c] = captured as [Captured];
    expect(c.method).toBe('POST');
    expect(c.path).toBe('/send?token=abc');
    // One Content-Type (the configured one replaces the text/plain default), the header templated.
    expect(c.headers['content-type']).toBe('application/json');
    expect(c.headers['x-alert']).toBe('DiskFull');
    const body = JSON.parse(c.body) as Record<string, unknown>;
    // No HTML escaping: <, >, & and quotes arrive as written.
    expect(body.text).toBe('disk <sda> is "full" & hot');
    expect(body).toMatchObject({ to: '+4912345', subject: '[FIRING:1] DiskFull (a<b>)', n: 1, status: 'firing', receiver: 'sms' });
  });

  it('sends a resolution with the resolved data, and uses the method and the default text body', async () => {
    const i = build({ url: `${base}/put`, method: 'put' });
    expect(i.sendResolved).toBe(true);
    await i.notify(ctx({ alertname: 'DiskFull' }), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW - 1000)]);
    expect(captured[0]).toMatchObject({ method: 'PUT', body: '[RESOLVED] DiskFull (a)' });
    expect(captured[0]?.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(build({ url: `${base}/x`, send_resolved: false }).sendResolved).toBe(false);
  });

  it('fails retryably on 5xx, 429 and network errors, for good on 4xx and an oversized body', async () => {
    const i = build({ url: `${base}/flaky` });
    const attempt = async (): Promise<NotifyError> => {
      const err = await i.notify(ctx({}), [alert({ alertname: 'A' }, NOW + 60_000)]).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(NotifyError);
      return err as NotifyError;
    };
    statuses = [503, 429, 400];
    expect(await attempt()).toMatchObject({ retryable: true, reason: 'serverError' });
    expect(await attempt()).toMatchObject({ retryable: true, reason: 'serverError' });
    const clientError = await attempt();
    expect(clientError).toMatchObject({ retryable: false, reason: 'clientError' });
    // The answer is read only up to a bound and quoted shortly.
    expect(clientError.message.length).toBeLessThan(1000);
    await expect(i.notify(ctx({}), [alert({ alertname: 'A' }, NOW + 60_000)])).resolves.toBeUndefined();

    const refused = new HttpTemplateIntegration(readHttpTemplateConfig({ url: 'http://127.0.0.1:1/' }, 'c'), 0, http.client(undefined), tmpl);
    await expect(refused.notify(ctx({}), [alert({ alertname: 'A' }, NOW + 60_000)])).rejects.toMatchObject({ retryable: true, reason: 'other' });

    const big = build({ url: `${base}/big`, body: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}', max_body_bytes: '16B' });
    const before = captured.length;
    await expect(big.notify(ctx({}), [alert({ alertname: 'A' }, NOW + 60_000)])).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/exceeds max_body_bytes 16/) });
    expect(captured.length).toBe(before);
  });

  it('reads the URL from url_file at send time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'http-template-'));
    writeFileSync(join(dir, 'url'), `${base}/from-file\n`);
    await build({ url_file: join(dir, 'url') }).notify(ctx({}), [alert({ alertname: 'A' }, NOW + 60_000)]);
    expect(captured[0]?.path).toBe('/from-file');
  });

  it('renders the local stack example (deploy/local/config/notifier-1.yaml) as valid JSON', async () => {
    const node = readNotifierConfig(parse(readFileSync(new URL('../../deploy/local/config/notifier-1.yaml', import.meta.url), 'utf8')));
    const example = node.receiverExtensions.get('service-urgent')?.http_template_configs[0];
    expect(example).toBeDefined();
    // Attached to a receiver the stack's alertmanager.yml declares.
    const stack = await loadAlertmanagerFile(fileURLToPath(new URL('../../deploy/local/config/alertmanager.yml', import.meta.url)), http, 'http://n');
    expect(extendReceivers(stack.receivers, node.receiverExtensions, http, stack.templates).get('service-urgent')?.integrations.at(-1)?.kind).toBe('http_template');
    const i = new HttpTemplateIntegration({ ...(example as NonNullable<typeof example>), url: `${base}/sms` }, 0, http.client(undefined), tmpl);
    await i.notify(ctx({ alertname: 'HighErrorRate' }), [alert({ alertname: 'HighErrorRate', severity: '5' }, NOW + 60_000)]);
    expect(captured[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(captured[0]?.body ?? '')).toEqual({ to: '+4915100000000', text: 'FIRING HighErrorRate: disk <sda> is "full" & hot' });
  });

  it('names the field of a wrong entry', () => {
    expect(() => readHttpTemplateConfig({}, 'c')).toThrow(/^c: exactly one of url or url_file/);
    expect(() => readHttpTemplateConfig({ url: 'ftp://x' }, 'c')).toThrow(/^c\.url: expected an http or https URL/);
    expect(() => readHttpTemplateConfig({ url: 'http://x', method: 'DELETE' }, 'c')).toThrow(/^c\.method: must be one of POST, PUT, PATCH/);
    expect(() => readHttpTemplateConfig({ url: 'http://x', body: '{{ .Nope' }, 'c')).toThrow(/^c\.body: invalid template/);
    expect(() => readHttpTemplateConfig({ url: 'http://x', headers: { 'Bad Header': 'v' } }, 'c')).toThrow(/^c\.headers\.Bad Header: not a valid HTTP header name/);
    expect(() => readHttpTemplateConfig({ url: 'http://x', http_config: { basic_auth: { username: 'u', password: 'p', password_file: 'f' } } }, 'c')).toThrow(/^c\.http_config/);
    expect(() => readHttpTemplateConfig({ url: 'http://x', bodyy: 'x' }, 'c')).toThrow(/^c\.bodyy: unknown field/);
  });
});
