import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../core/config-file.ts';
import { configError } from '../test/harness/config-error.ts';
import { readGlobalConfig, readScrapeConfig, readScrapeConfigs, type GlobalScrapeConfig } from './scrape-config.ts';

const GLOBAL: GlobalScrapeConfig = { scrapeIntervalMs: 15_000, scrapeTimeoutMs: 10_000, externalLabels: {} };

describe('readGlobalConfig', () => {
  it('defaults as Prometheus: 1m interval, 10s timeout', () => {
    expect(readGlobalConfig(undefined, 'global')).toEqual({ scrapeIntervalMs: 60_000, scrapeTimeoutMs: 10_000, externalLabels: {} });
  });
  it('the default timeout shrinks to a shorter interval', () => {
    expect(readGlobalConfig({ scrape_interval: '5s' }, 'global').scrapeTimeoutMs).toBe(5000);
  });
  it('rejects a timeout above the interval and bad external label names, naming the field', () => {
    const err = configError(() => readGlobalConfig({ scrape_interval: '10s', scrape_timeout: '20s' }, 'global'));
    expect(err.field).toBe('global.scrape_timeout');
    expect(err.message).toBe('global.scrape_timeout: must not be greater than scrape_interval (20000 ms > 10000 ms)');
    expect(configError(() => readGlobalConfig({ external_labels: { 'bad-name': 'x' } }, 'global')).field).toBe('global.external_labels.bad-name');
    expect(configError(() => readGlobalConfig({ scrape_intervall: '10s' }, 'global')).field).toBe('global.scrape_intervall');
  });
});

describe('readScrapeConfig defaults', () => {
  it('interval and timeout from global, Prometheus defaults for the rest', () => {
    const c = readScrapeConfig({ job_name: 'node' }, 'scrape_configs[0]', GLOBAL);
    expect(c).toMatchObject({
      jobName: 'node',
      intervalMs: 15_000,
      timeoutMs: 10_000,
      metricsPath: '/metrics',
      scheme: 'http',
      params: {},
      honorLabels: false,
      honorTimestamps: true,
      http: { auth: {}, tls: { insecureSkipVerify: false }, followRedirects: true },
      bodySizeLimit: 0,
      sampleLimit: 0,
      labelLimit: 0,
      labelNameLengthLimit: 0,
      labelValueLengthLimit: 0,
      targetLimit: 0,
      relabelConfigs: [],
      metricRelabelConfigs: [],
      staticConfigs: [],
      fileSdConfigs: [],
      httpSdConfigs: [],
    });
  });

  it('a job interval below the global timeout also lowers the default timeout', () => {
    const c = readScrapeConfig({ job_name: 'fast', scrape_interval: '5s' }, 'scrape_configs[0]', GLOBAL);
    expect([c.intervalMs, c.timeoutMs]).toEqual([5000, 5000]);
  });

  it('reads a Prometheus-style YAML job', () => {
    const yaml = `
scrape_configs:
  - job_name: blackbox
    scrape_interval: 30s
    scrape_timeout: 20s
    metrics_path: /probe
    scheme: https
    params:
      module: [http_2xx]
    honor_labels: true
    honor_timestamps: false
    basic_auth:
      username: prom
      password: secret
    tls_config:
      insecure_skip_verify: true
      server_name: probe.internal
    body_size_limit: 10MB
    sample_limit: 1000
    label_limit: 30
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
    static_configs:
      - targets: ['example.com:443', 'example.org:443']
        labels:
          team: web
    file_sd_configs:
      - files: [/etc/prometheus/targets/*.json]
    http_sd_configs:
      - url: http://sd.internal/targets
        refresh_interval: 30s
`;
    const [c] = readScrapeConfigs((parseConfigText(yaml, 'x.yaml') as { scrape_configs: unknown }).scrape_configs, 'scrape_configs', GLOBAL);
    expect(c).toMatchObject({
      jobName: 'blackbox',
      intervalMs: 30_000,
      timeoutMs: 20_000,
      metricsPath: '/probe',
      scheme: 'https',
      params: { module: ['http_2xx'] },
      honorLabels: true,
      honorTimestamps: false,
      http: { auth: { basic: { username: 'prom', password: 'secret' } }, tls: { insecureSkipVerify: true, serverName: 'probe.internal' }, followRedirects: true },
      bodySizeLimit: 10 * 1024 * 1024,
      sampleLimit: 1000,
      labelLimit: 30,
      staticConfigs: [{ targets: ['example.com:443', 'example.org:443'], labels: { team: 'web' } }],
      fileSdConfigs: [{ files: ['/etc/prometheus/targets/*.json'], refreshIntervalMs: 300_000 }],
      httpSdConfigs: [{ url: 'http://sd.internal/targets', refreshIntervalMs: 30_000 }],
    });
    expect(c?.relabelConfigs).toHaveLength(1);
    expect(c?.relabelConfigs[0]).toMatchObject({ action: 'replace', target_label: '__param_target', source_labels: ['__address__'] });
    expect(c?.metricRelabelConfigs[0]).toMatchObject({ action: 'drop' });
  });

  it('bearer_token and bearer_token_file become an Authorization header', () => {
    expect(readScrapeConfig({ job_name: 'a', bearer_token: 't' }, 'p', GLOBAL).http.auth).toEqual({ authorization: { type: 'Bearer', credentials: 't' } });
    expect(readScrapeConfig({ job_name: 'a', bearer_token_file: '/t' }, 'p', GLOBAL).http.auth).toEqual({ authorization: { type: 'Bearer', credentialsFile: '/t' } });
    expect(readScrapeConfig({ job_name: 'a', authorization: { credentials: 'c' } }, 'p', GLOBAL).http.auth).toEqual({ authorization: { type: 'Bearer', credentials: 'c' } });
  });
});

describe('readScrapeConfig validation names the field', () => {
  const at = 'scrape_configs[0]';
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['timeout above interval', { scrape_interval: '10s', scrape_timeout: '11s' }, `${at}.scrape_timeout`, /must not be greater than scrape_interval/],
    ['metrics_path without a leading slash', { metrics_path: 'metrics' }, `${at}.metrics_path`, /must start with "\/"/],
    ['unknown key', { scrape_intervall: '10s' }, `${at}.scrape_intervall`, /unknown field/],
    ['bad duration', { scrape_interval: '10 s' }, `${at}.scrape_interval`, /not a valid duration/],
    ['zero interval', { scrape_interval: '0' }, `${at}.scrape_interval`, /greater than 0/],
    ['bad scheme', { scheme: 'ftp' }, `${at}.scheme`, /must be one of http, https/],
    ['basic_auth and bearer_token together', { basic_auth: { username: 'u', password: 'p' }, bearer_token: 't' }, `${at}.basic_auth`, /at most one of basic_auth and authorization/],
    ['bearer_token and authorization together', { bearer_token: 't', authorization: { credentials: 'c' } }, `${at}.bearer_token`, /cannot be used together with authorization/],
    ['password and password_file', { basic_auth: { username: 'u', password: 'p', password_file: '/f' } }, `${at}.basic_auth`, /at most one of password and password_file/],
    ['cert without key', { tls_config: { cert_file: '/c' } }, `${at}.tls_config`, /cert_file and key_file must be configured together/],
    ['negative sample_limit', { sample_limit: -1 }, `${at}.sample_limit`, /must be at least 0/],
    ['bad body_size_limit', { body_size_limit: '10 parsecs' }, `${at}.body_size_limit`, /expected a size/],
    ['target with a scheme', { static_configs: [{ targets: ['ok:1', 'http://a:9100'] }] }, `${at}.static_configs[0].targets[1]`, /not a valid host:port target address/],
    ['empty target', { static_configs: [{ targets: [''] }] }, `${at}.static_configs[0].targets[0]`, /not a valid host:port/],
    ['bad static label name', { static_configs: [{ targets: ['a:1'], labels: { 'x-y': '1' } }] }, `${at}.static_configs[0].labels.x-y`, /invalid label name/],
    ['file_sd without files', { file_sd_configs: [{ files: [] }] }, `${at}.file_sd_configs[0].files`, /at least one file/],
    ['http_sd with a bad URL', { http_sd_configs: [{ url: 'sd.internal/targets' }] }, `${at}.http_sd_configs[0].url`, /not a valid URL/],
    ['bad relabel action', { relabel_configs: [{ action: 'repalce', target_label: 'x' }] }, `${at}.relabel_configs[0].action`, /unknown action "repalce"/],
    ['bad metric relabel regex', { metric_relabel_configs: [{ source_labels: ['a'], regex: '(', action: 'drop' }] }, `${at}.metric_relabel_configs[0].regex`, /missing closing \)/],
  ];
  for (const [name, fields, field, message] of cases) {
    it(name, () => {
      const err = configError(() => readScrapeConfig({ job_name: 'j', ...fields }, at, GLOBAL));
      expect(err.field).toBe(field);
      expect(err.message.startsWith(`${field}: `)).toBe(true);
      expect(err.message).toMatch(message);
    });
  }

  it('a missing or empty job_name', () => {
    expect(configError(() => readScrapeConfig({}, at, GLOBAL)).message).toBe(`${at}.job_name: is required`);
    expect(configError(() => readScrapeConfig({ job_name: '' }, at, GLOBAL)).message).toBe(`${at}.job_name: must not be empty`);
  });

  it('duplicate job names, at the second one', () => {
    const err = configError(() => readScrapeConfigs([{ job_name: 'a' }, { job_name: 'b' }, { job_name: 'a' }], 'scrape_configs', GLOBAL));
    expect(err.message).toBe('scrape_configs[2].job_name: found multiple scrape configs with job name "a"');
  });

  it('scrape_configs must be a list; absent is none', () => {
    expect(configError(() => readScrapeConfigs({ job_name: 'a' }, 'scrape_configs', GLOBAL)).field).toBe('scrape_configs');
    expect(readScrapeConfigs(undefined, 'scrape_configs', GLOBAL)).toEqual([]);
  });
});
