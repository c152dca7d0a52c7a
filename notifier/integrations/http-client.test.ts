import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-schema.ts';
import { loadAlertmanagerFile } from '../alertmanager-file.ts';
import { HttpClients } from './http-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'notifier-http-'));
const http = new HttpClients();
afterAll(() => http.close());

async function load(httpConfig: Record<string, unknown>) {
  const file = join(dir, `am-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, JSON.stringify({ route: { receiver: 'x' }, receivers: [{ name: 'x', webhook_configs: [{ url: 'http://127.0.0.1:1/', http_config: httpConfig }] }] }));
  return loadAlertmanagerFile(file, http, 'http://am');
}

describe('http_config as read by core/http-client-config.ts', () => {
  it('applies auth from the Alertmanager file the way every other node does (bearer_token moved into authorization)', () => {
    const h = http.client({ follow_redirects: true, enable_http2: true, authorization: { type: 'Bearer', credentials: 'tok' } });
    expect(h.headers()).toEqual({ Authorization: 'Bearer tok' });
    const b = http.client({ follow_redirects: true, enable_http2: true, basic_auth: { username: 'u', password: 'p' }, http_headers: { 'X-Team': { values: ['a'] } } });
    expect(b.headers()).toEqual({ Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`, 'X-Team': 'a' });
    expect(b.notApplied).toEqual([]);
  });

  it('names the http_config fields it does not apply, per receiver', async () => {
    const loaded = await load({ oauth2: { client_id: 'c', client_secret: 's', token_url: 'http://127.0.0.1:1/token' }, tls_config: { min_version: 'TLS12' } });
    expect(loaded.receivers.get('x')?.notApplied).toEqual(['receivers[0].webhook_configs[0].http_config.oauth2', 'receivers[0].webhook_configs[0].http_config.tls_config.min_version']);
  });

  it('refuses at load, naming the field, a value Alertmanager takes but that cannot be applied', async () => {
    const err = await load({ proxy_url: 'socks5://127.0.0.1:1080' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^receivers\[0\]\.webhook_configs\[0\]\.http_config\.proxy_url: unsupported scheme/);
  });
});
