import { describe, expect, it } from 'vitest';
import { readScrapeConfig, type GlobalScrapeConfig, type ScrapeConfig } from '../model/scrape-config.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';

function labelValue(target: ScrapeTarget, name: string): string | undefined {
  return target.labels.find(([k]) => k === name)?.[1];
}
import { buildTargets } from './target-builder.ts';
import type { TargetGroup } from './target-group.ts';

const GLOBAL: GlobalScrapeConfig = { scrapeIntervalMs: 15_000, scrapeTimeoutMs: 10_000, externalLabels: {} };

function job(fields: Record<string, unknown> = {}): ScrapeConfig {
  return readScrapeConfig({ job_name: 'node', ...fields }, 'scrape_configs[0]', GLOBAL);
}

function group(targets: string[], labels: Record<string, string> = {}): TargetGroup {
  return { targets, labels, source: 'test' };
}

describe('buildTargets', () => {
  it('a plain target: job and instance labels, URL from the job, intervals from the job', () => {
    const { targets, dropped, errors } = buildTargets(job(), [group(['host-1:9100'], { env: 'prod' })]);
    expect(dropped).toEqual([]);
    expect(errors).toEqual([]);
    expect(targets).toHaveLength(1);
    const t = targets[0]!;
    expect(t.job).toBe('node');
    expect(t.url).toBe('http://host-1:9100/metrics');
    expect(t.labels).toEqual([
      ['env', 'prod'],
      ['instance', 'host-1:9100'],
      ['job', 'node'],
    ]);
    expect([t.intervalMs, t.timeoutMs]).toEqual([15_000, 10_000]);
    expect(t.discoveredLabels).toEqual({
      env: 'prod',
      __address__: 'host-1:9100',
      job: 'node',
      __scheme__: 'http',
      __metrics_path__: '/metrics',
      __scrape_interval__: '15s',
      __scrape_timeout__: '10s',
    });
    expect(t.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('an instance label from discovery is kept', () => {
    const [t] = buildTargets(job(), [group(['10.0.0.1:9100'], { instance: 'db-1' })]).targets;
    expect(t && labelValue(t, 'instance')).toBe('db-1');
  });

  it('discovered job, __metrics_path__ and __scheme__ win over the job defaults (as Prometheus)', () => {
    const [t] = buildTargets(job(), [group(['a:8080'], { job: 'custom', __metrics_path__: '/actuator/prometheus', __scheme__: 'https' })]).targets;
    expect(t?.url).toBe('https://a:8080/actuator/prometheus');
    expect(t && labelValue(t, 'job')).toBe('custom');
    expect(t?.job).toBe('node');
  });

  it('refuses an address with userinfo, naming it without its password; the rest of the group stays', () => {
    const { targets, errors } = buildTargets(job(), [group(['ok-1:9100', 'scrape:hunter2@db-1:9100', 'admin@db-2:9100', 'ok-2:9100'])]);
    expect(targets.map((t) => t.url)).toEqual(['http://ok-1:9100/metrics', 'http://ok-2:9100/metrics']);
    expect(errors.map((e) => e.error)).toEqual([
      'invalid address "scrape:<secret>@db-1:9100": contains userinfo, expected host:port (set credentials with the job\'s basic_auth or authorization)',
      'invalid address "admin@db-2:9100": contains userinfo, expected host:port (set credentials with the job\'s basic_auth or authorization)',
    ]);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
    expect(errors[0]?.discoveredLabels.__address__).toBe('scrape:<secret>@db-1:9100');
  });

  it('refuses userinfo that relabeling puts into the address', () => {
    const relabeled = job({ relabel_configs: [{ source_labels: ['__address__'], regex: '(.*)', target_label: '__address__', replacement: 'u:p@$1' }] });
    const { targets, errors } = buildTargets(relabeled, [group(['h:1'])]);
    expect(targets).toEqual([]);
    expect(errors[0]?.error).toMatch(/^invalid address "u:<secret>@h:1": contains userinfo/);
  });

  it('a discovered __param_<name> wins over the configured first value too', () => {
    const j = job({ params: { module: ['http_2xx'] } });
    const { targets } = buildTargets(j, [group(['a:1'], { __param_module: 'icmp' }), group(['b:1'])]);
    expect(targets.map((t) => t.url)).toEqual(['http://a:1/metrics?module=icmp', 'http://b:1/metrics?module=http_2xx']);
  });

  it('relabeled __scheme__, __metrics_path__ and __param_<name> build the URL (blackbox exporter)', () => {
    const blackbox = job({
      metrics_path: '/probe',
      params: { module: ['http_2xx'] },
      relabel_configs: [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        { target_label: '__address__', replacement: 'blackbox:9115' },
        { source_labels: ['tls'], regex: 'yes', target_label: '__scheme__', replacement: 'https' },
      ],
    });
    const { targets } = buildTargets(blackbox, [group(['https://example.com/health?x=1'], { tls: 'yes' })]);
    expect(targets).toHaveLength(1);
    const t = targets[0]!;
    expect(t.url).toBe('https://blackbox:9115/probe?module=http_2xx&target=https%3A%2F%2Fexample.com%2Fhealth%3Fx%3D1');
    expect(t.labels).toEqual([
      ['instance', 'https://example.com/health?x=1'],
      ['job', 'node'],
      ['tls', 'yes'],
    ]);
  });

  it('a relabeled __param_<name> replaces the first configured value only', () => {
    const j = job({
      params: { module: ['a', 'b'] },
      relabel_configs: [{ target_label: '__param_module', replacement: 'z' }],
    });
    expect(buildTargets(j, [group(['h:1'])]).targets[0]?.url).toBe('http://h:1/metrics?module=z&module=b');
  });

  it('__scrape_interval__ / __scrape_timeout__ relabeled change the target intervals', () => {
    const j = job({
      relabel_configs: [
        { source_labels: ['slow'], regex: 'true', target_label: '__scrape_interval__', replacement: '1m' },
        { source_labels: ['slow'], regex: 'true', target_label: '__scrape_timeout__', replacement: '45s' },
      ],
    });
    const { targets } = buildTargets(j, [group(['fast:1']), group(['slow:1'], { slow: 'true' })]);
    expect(targets.map((t) => [t.url, t.intervalMs, t.timeoutMs])).toEqual([
      ['http://fast:1/metrics', 15_000, 10_000],
      ['http://slow:1/metrics', 60_000, 45_000],
    ]);
  });

  it('bad relabeled intervals are per-target errors', () => {
    const j = job({
      relabel_configs: [
        { source_labels: ['i'], regex: '(.+)', target_label: '__scrape_interval__' },
        { source_labels: ['t'], regex: '(.+)', target_label: '__scrape_timeout__' },
      ],
    });
    const { targets, errors } = buildTargets(j, [group(['a:1'], { i: 'soon' }), group(['b:1'], { i: '0s' }), group(['c:1'], { t: '20s' }), group(['d:1'])]);
    expect(targets.map((t) => t.url)).toEqual(['http://d:1/metrics']);
    expect(errors.map((e) => [e.discoveredLabels.__address__, e.error])).toEqual([
      ['a:1', 'invalid __scrape_interval__ "soon"'],
      ['b:1', '__scrape_interval__ must be greater than 0, got "0s"'],
      ['c:1', 'scrape timeout 20s greater than scrape interval 15s'],
    ]);
  });

  it('targets dropped by relabeling are reported with their discovered labels', () => {
    const j = job({ relabel_configs: [{ source_labels: ['env'], regex: 'dev', action: 'drop' }] });
    const { targets, dropped } = buildTargets(j, [group(['a:1', 'b:1'], { env: 'dev' }), group(['c:1'], { env: 'prod' })]);
    expect(targets.map((t) => t.url)).toEqual(['http://c:1/metrics']);
    expect(dropped.map((d) => [d.__address__, d.env, d.job])).toEqual([
      ['a:1', 'dev', 'node'],
      ['b:1', 'dev', 'node'],
    ]);
  });

  it('every __ label is removed from the final labels, meta labels can be mapped first', () => {
    const j = job({
      relabel_configs: [
        { regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' },
        { target_label: '__tmp_hash', replacement: 'x' },
      ],
    });
    const [t] = buildTargets(j, [group(['pod:8080'], { __meta_kubernetes_pod_label_app: 'api', __meta_kubernetes_namespace: 'prod' })]).targets;
    expect(t?.labels).toEqual([
      ['app', 'api'],
      ['instance', 'pod:8080'],
      ['job', 'node'],
    ]);
  });

  it('bad addresses are per-target errors, the rest still build', () => {
    const { targets, errors } = buildTargets(job(), [group(['ok:1', 'http://a:9100', 'a:1/metrics', 'a b:1'])]);
    expect(targets.map((t) => t.url)).toEqual(['http://ok:1/metrics']);
    expect(errors.map((e) => e.error)).toEqual([
      'invalid address "http://a:9100": expected host:port',
      'invalid address "a:1/metrics": expected host:port',
      'invalid address "a b:1": expected host:port',
    ]);
    const noAddress = buildTargets(job({ relabel_configs: [{ target_label: '__address__', replacement: '' }] }), [group(['a:1'])]);
    expect(noAddress.errors.map((e) => e.error)).toEqual(['no address']);
    const badScheme = buildTargets(job({ relabel_configs: [{ target_label: '__scheme__', replacement: 'ftp' }] }), [group(['a:1'])]);
    expect(badScheme.errors.map((e) => e.error)).toEqual(['invalid scheme "ftp"']);
  });

  it('IPv6 addresses', () => {
    expect(buildTargets(job(), [group(['[::1]:9100'])]).targets[0]?.url).toBe('http://[::1]:9100/metrics');
  });

  it('the target id is stable, and differs by labels, URL and job', () => {
    const build = (j: ScrapeConfig, labels: Record<string, string>, address = 'a:1'): string => buildTargets(j, [group([address], labels)]).targets[0]!.id;
    const base = build(job(), { env: 'prod' });
    expect(build(job(), { env: 'prod' })).toBe(base);
    expect(build(job(), { env: 'dev' })).not.toBe(base);
    expect(build(job(), { env: 'prod' }, 'a:2')).not.toBe(base);
    expect(build(job({ metrics_path: '/m' }), { env: 'prod' })).not.toBe(base);
    expect(build(readScrapeConfig({ job_name: 'other', relabel_configs: [{ target_label: 'job', replacement: 'node' }] }, 'p', GLOBAL), { env: 'prod' })).not.toBe(base);
  });

  it('the same target discovered twice is built once; same address with other labels is another target', () => {
    const { targets } = buildTargets(job(), [group(['a:1'], { env: 'prod' }), group(['a:1'], { env: 'prod' }), group(['a:1'], { env: 'dev' })]);
    expect(targets.map((t) => labelValue(t, 'env'))).toEqual(['prod', 'dev']);
  });
});
