import { describe, expect, it } from 'vitest';
import { readCoordinatorConfig, resolveApiToken } from './coordinator-config.ts';

const base = {
  node: { id: 'c1', listen_address: '127.0.0.1:29100' },
  etcd: { endpoints: ['127.0.0.1:2379'] },
  scrape_configs: [{ job_name: 'demo', static_configs: [{ targets: ['a:1'] }] }],
};

describe('readCoordinatorConfig', () => {
  it('reads node, etcd, global, jobs and keeps each job as written', () => {
    const c = readCoordinatorConfig({ ...base, global: { scrape_interval: '5s' }, api: { token: 's3cret' } });
    expect(c.nodeId).toBe('c1');
    expect(c.etcd.endpoints).toEqual(['http://127.0.0.1:2379']);
    expect(c.scrapeConfigs[0]?.intervalMs).toBe(5000);
    expect(c.rawScrapeConfigs[0]).toEqual(base.scrape_configs[0]);
    expect(c.api).toEqual({ token: 's3cret', registration: { minScrapeIntervalMs: 1000 } });
  });

  it('reads node.peer_http_client (the credentials for the scrapers\' web config) and names its fields in errors', () => {
    const c = readCoordinatorConfig({ ...base, node: { ...base.node, peer_http_client: { basic_auth: { username: 'rw', password_file: '/etc/rw/pw' } } } });
    expect(c.peerHttpClient?.scheme).toBe('http');
    expect(c.peerHttpClient?.http.auth).toEqual({ basic: { username: 'rw', passwordFile: '/etc/rw/pw' } });
    expect(c.peerHttpClient?.http.followRedirects).toBe(false);
    expect(readCoordinatorConfig(base).peerHttpClient).toBeUndefined();
    expect(() => readCoordinatorConfig({ ...base, node: { ...base.node, peer_http_client: { scheme: 'ftp' } } })).toThrow(/node\.peer_http_client\.scheme/);
    expect(() => readCoordinatorConfig({ ...base, node: { ...base.node, peer_http_client: { proxy_url: 'http://p' } } })).toThrow(/node\.peer_http_client.*proxy_url/);
  });

  it('names the field in every error', () => {
    expect(() => readCoordinatorConfig({ ...base, etcd: {} })).toThrow(/^etcd\.endpoints: /);
    expect(() => readCoordinatorConfig({ ...base, api: { token: 'a', token_file: '/x' } })).toThrow(/^api: at most one/);
    expect(() => readCoordinatorConfig({ ...base, api: { tokn: 'a' } })).toThrow(/^api\.tokn: unknown field/);
    expect(() => readCoordinatorConfig({ ...base, scrapers: { lease_ttl: '10s' } })).toThrow(/^scrapers: unknown field/);
    expect(() =>
      readCoordinatorConfig({ ...base, scrape_configs: [{ job_name: 'j', file_sd_configs: [{ files: ['a.json', 'targets/*/x.json'] }] }] }),
    ).toThrow(/^scrape_configs\[0\]\.file_sd_configs\[0\]\.files\[1\]: "targets\/\*\/x\.json": path patterns may only use "\*", and only in the file name/);
    expect(
      readCoordinatorConfig({ ...base, scrape_configs: [{ job_name: 'j', file_sd_configs: [{ files: ['/etc/ringwatch/targets/*.json', 'a-*.yml'] }] }] }).scrapeConfigs[0]?.fileSdConfigs[0]?.files,
    ).toEqual(['/etc/ringwatch/targets/*.json', 'a-*.yml']);
    expect(() => readCoordinatorConfig({ ...base, scrape_configs: [{ job_name: 'j', file_sd_configs: [{ files: ['a.txt'] }] }] })).toThrow(
      /files\[0\]: "a\.txt": file_sd files must end in \.json, \.yml or \.yaml/,
    );
  });

  it('refuses a write API beyond loopback without a token, unless api.insecure opts in', () => {
    const open = { ...base, node: { id: 'c1', listen_address: '0.0.0.0:9471' } };
    expect(() => readCoordinatorConfig(open)).toThrow(/^api\.token: required: node\.listen_address 0\.0\.0\.0:9471 is reachable from other hosts/);
    expect(readCoordinatorConfig({ ...open, api: { token_file: '/run/secrets/t' } }).api).toMatchObject({ tokenFile: '/run/secrets/t' });
    expect(readCoordinatorConfig({ ...open, api: { insecure: true } }).api).toMatchObject({ insecure: true });
    expect(readCoordinatorConfig({ ...base, node: { id: 'c1', listen_address: '127.0.0.1:9471' } }).api).toMatchObject({});
  });

  it('reads the token from token_file, trimmed, and names the field when it cannot', () => {
    expect(resolveApiToken({ tokenFile: '/t' }, () => 'abc\n')).toBe('abc');
    expect(resolveApiToken({ token: 'x' })).toBe('x');
    expect(resolveApiToken({})).toBeUndefined();
    expect(() => resolveApiToken({ tokenFile: '/nope' }, () => { throw new Error('ENOENT'); })).toThrow(/^api\.token_file: cannot read \/nope: ENOENT/);
    expect(() => resolveApiToken({ tokenFile: '/t' }, () => '  \n')).toThrow(/^api\.token_file: \/t is empty/);
  });
});
