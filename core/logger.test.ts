import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets, redactUrl } from './logger.ts';

describe('redactSecrets', () => {
  it('hides passwords, tokens and SASL secrets at any depth and keeps the rest', () => {
    const config = {
      kafka: { brokers: ['a:1'], sasl: { mechanism: 'plain', username: 'u', password: 'hunter2' } },
      stores: [{ url: 'http://x', bearer_token: 'abc', headers: { Authorization: 'Bearer abc', 'X-Scope-OrgID': 't1' } }],
    };
    const text = JSON.stringify(redactSecrets(config));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abc');
    expect(text).toContain('"brokers":["a:1"]');
    expect(text).toContain('"username":"u"');
  });

  it('hides every custom header value, the parsed config fields (camelCase) and keeps file paths', () => {
    const out = redactSecrets({
      remote_write: [{ headers: { 'X-Api-Key': 'k-123', 'X-Scope-OrgID': 'tenant' } }],
      http_headers: { 'X-Token': ['v1', 'v2'] },
      http: { auth: { basic: { username: 'prom', password: 'pw-1', passwordFile: '/run/pw' }, authorization: { type: 'Bearer', credentials: 'cred-1' } } },
      api: { token: 'api-1', tokenFile: '/run/api' },
      basic_auth: { password_file: '/run/secret-pw' },
      apiKey: 'key-1',
    });
    const text = JSON.stringify(out);
    for (const secret of ['k-123', 'tenant', 'v1', 'v2', 'pw-1', 'cred-1', 'api-1', 'key-1']) expect(text).not.toContain(secret);
    expect(text).toContain('"passwordFile":"/run/pw"');
    expect(text).toContain('"tokenFile":"/run/api"');
    expect(text).toContain('"password_file":"/run/secret-pw"');
    expect(text).toContain('"type":"Bearer"');
  });

  it('hides the password of URL userinfo in any string, keeping the user', () => {
    expect(redactUrl('http://user:pass@host:9100/metrics')).toBe('http://user:<secret>@host:9100/metrics');
    expect(redactUrl('proxy https://u:p%40ss@proxy.internal:3128 failed; also http://a:b@c')).toBe('proxy https://u:<secret>@proxy.internal:3128 failed; also http://a:<secret>@c');
    expect(redactUrl('user:pass@host:9100')).toBe('user:<secret>@host:9100');
    expect(redactUrl('http://host:9100/metrics?a=b')).toBe('http://host:9100/metrics?a=b');
    expect(redactUrl('http://user@host/')).toBe('http://user@host/');
    expect(redactUrl('job:instance')).toBe('job:instance');
    expect(redactSecrets({ scrapeUrl: 'http://u:s3cr3t@h:1/m', list: ['kafka://x:y@b:9092'] })).toEqual({
      scrapeUrl: 'http://u:<secret>@h:1/m',
      list: ['kafka://x:<secret>@b:9092'],
    });
  });

  it('leaves errors and other class instances to pino', () => {
    const err = new Error('boom');
    expect((redactSecrets({ err }) as { err: unknown }).err).toBe(err);
  });
});

describe('createLogger', () => {
  it('redacts every field of every line, at any depth, and still serializes errors', async () => {
    const lines: string[] = [];
    const captured = createLogger('test', 'info', new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(chunk.toString()), cb()) }));
    captured.child({ target: 'http://u:bound-xyz@h:1/metrics' }).warn('scrape failed');
    captured.info({ job: { proxy_url: 'http://u:pw-xyz@p:3128', headers: { 'X-Key': 'hdr-xyz' } }, err: new Error('failed') }, 'job');
    const text = lines.join('');
    expect(text).not.toContain('pw-xyz');
    expect(text).not.toContain('hdr-xyz');
    expect(text).not.toContain('bound-xyz');
    expect(text).toContain('"target":"http://u:<secret>@h:1/metrics"');
    expect(text).toContain('"message":"failed"');
  });
});
