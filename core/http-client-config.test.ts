import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-schema.ts';
import { authorizationHeader, basicAuthHeader, createHttpDispatcher, readHttpClientConfig, SecretFileError } from './http-client-config.ts';

describe('readHttpClientConfig', () => {
  it('reads Prometheus\' http client keys with their defaults', () => {
    expect(readHttpClientConfig({}, 'x')).toEqual({ auth: {}, tls: { insecureSkipVerify: false }, followRedirects: true });
    expect(readHttpClientConfig({}, 'x', { followRedirects: false }).followRedirects).toBe(false);
    const c = readHttpClientConfig(
      { basic_auth: { username: 'u', password_file: '/p' }, tls_config: { insecure_skip_verify: true }, proxy_url: 'http://proxy:3128', follow_redirects: false },
      'x',
    );
    expect(c).toEqual({ auth: { basic: { username: 'u', passwordFile: '/p' } }, tls: { insecureSkipVerify: true }, proxyUrl: 'http://proxy:3128', followRedirects: false });
    expect(readHttpClientConfig({ bearer_token_file: '/t' }, 'x').auth).toEqual({ authorization: { type: 'Bearer', credentialsFile: '/t' } });
  });

  it('names the field that is wrong', () => {
    const err = (obj: Record<string, unknown>): string => {
      try {
        readHttpClientConfig(obj, 'scrape_configs[0]');
        return '';
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
    };
    expect(err({ proxy_url: 'socks5://p:1080' })).toMatch(/^scrape_configs\[0\]\.proxy_url: unsupported scheme/);
    expect(err({ proxy_url: 'not a url' })).toMatch(/^scrape_configs\[0\]\.proxy_url: .* not a valid URL/);
    expect(err({ authorization: { type: 'Basic', credentials: 'x' } })).toMatch(/authorization\.type: .*use "basic_auth"/);
    expect(err({ basic_auth: { username: 'u', password: 'p' }, bearer_token: 't' })).toMatch(/^scrape_configs\[0\]\.basic_auth: at most one of/);
    expect(err({ basic_auth: { username: 'u', username_file: '/u' } })).toMatch(/at most one of username and username_file/);
  });
});

describe('authorizationHeader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-http-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads *_file secrets on every call, so a rotated secret applies at once', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'one\n');
    const auth = { authorization: { type: 'Bearer', credentialsFile: file } };
    expect(authorizationHeader(auth)).toBe('Bearer one');
    writeFileSync(file, 'two\n');
    expect(authorizationHeader(auth)).toBe('Bearer two');
    const pw = join(dir, 'pw');
    writeFileSync(pw, 's3cret');
    expect(authorizationHeader({ basic: { username: 'u', passwordFile: pw } })).toBe(basicAuthHeader('u', 's3cret'));
    expect(basicAuthHeader('u', 'p')).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('a missing file is an error naming the field and the file, not a crash', () => {
    const missing = join(dir, 'nope');
    expect(() => authorizationHeader({ basic: { username: 'u', passwordFile: missing } })).toThrow(SecretFileError);
    expect(() => authorizationHeader({ basic: { username: 'u', passwordFile: missing } })).toThrow(`basic_auth.password_file: cannot read "${missing}": ENOENT`);
    expect(authorizationHeader({})).toBeUndefined();
  });
});

describe('createHttpDispatcher', () => {
  let server: Server;
  let base = '';
  let seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/moved') res.writeHead(302, { location: '/final' }).end();
      else res.writeHead(200).end(req.url);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('follows redirects only when follow_redirects is on', async () => {
    seen = [];
    const follow = createHttpDispatcher(readHttpClientConfig({}, 'x'));
    const res = await request(`${base}/moved`, { dispatcher: follow });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('/final');
    const stay = createHttpDispatcher(readHttpClientConfig({ follow_redirects: false }, 'x'));
    const res2 = await request(`${base}/moved`, { dispatcher: stay });
    expect(res2.statusCode).toBe(302);
    await res2.body.dump();
    await Promise.all([follow.close(), stay.close()]);
  });
});

describe('pickHttpClientConfig', () => {
  it('keeps what readHttpClientConfig reads and names the set fields it leaves out', async () => {
    const { pickHttpClientConfig } = await import('./http-client-config.ts');
    const { section, notApplied } = pickHttpClientConfig(
      {
        basic_auth: { username: 'u', password: 'p', password_ref: '' },
        tls_config: { insecure_skip_verify: false, ca: 'PEM', min_version: 'TLS12' },
        oauth2: { client_id: 'c' },
        proxy_from_environment: false,
        follow_redirects: true,
        enable_http2: true,
        proxy_url: '',
      },
      'receivers[0].webhook_configs[0].http_config',
    );
    expect(section).toEqual({ basic_auth: { username: 'u', password: 'p' }, tls_config: { insecure_skip_verify: false }, follow_redirects: true, enable_http2: true });
    expect(notApplied.sort()).toEqual(
      ['receivers[0].webhook_configs[0].http_config.oauth2', 'receivers[0].webhook_configs[0].http_config.tls_config.ca', 'receivers[0].webhook_configs[0].http_config.tls_config.min_version'].sort(),
    );
    expect(readHttpClientConfig(section, 'x')).toEqual({ auth: { basic: { username: 'u', password: 'p' } }, tls: { insecureSkipVerify: false }, followRedirects: true });
  });
});
