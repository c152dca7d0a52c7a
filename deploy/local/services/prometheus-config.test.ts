import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderPrometheusConfig } from './prometheus-config.ts';

type Config = Record<string, unknown> & { scrape_configs: unknown[] };

describe('renderPrometheusConfig', () => {
  it('scrapes nothing by default', () => {
    const config = parse(renderPrometheusConfig()) as Config;
    expect(config).toEqual({ global: { scrape_interval: '15s', evaluation_interval: '15s' }, scrape_configs: [] });
  });

  it('takes scrape configs as objects or as YAML text', () => {
    const job = { job_name: 'etcd', static_configs: [{ targets: ['127.0.0.1:2379'] }] };
    expect((parse(renderPrometheusConfig({ scrapeConfigs: [job] })) as Config).scrape_configs).toEqual([job]);
    const yamlText = '- job_name: etcd\n  static_configs:\n    - targets: ["127.0.0.1:2379"]\n';
    expect((parse(renderPrometheusConfig({ scrapeConfigs: yamlText })) as Config).scrape_configs).toEqual([job]);
  });

  it('rejects scrape config YAML that is not a list of jobs', () => {
    expect(() => renderPrometheusConfig({ scrapeConfigs: 'job_name: etcd' })).toThrow(/must be a list/);
    expect(() => renderPrometheusConfig({ scrapeConfigs: '- static_configs: []' })).toThrow(/job_name/);
  });

  it('adds rule files, alertmanagers, external labels and the out-of-order window when given', () => {
    const config = parse(
      renderPrometheusConfig({
        scrapeInterval: '1s',
        ruleFiles: ['/rules/a.yml'],
        alertmanagers: ['127.0.0.1:9093'],
        outOfOrderTimeWindow: '10m',
        externalLabels: { cluster: 'test' },
      }),
    ) as Config;
    expect(config['global']).toEqual({ scrape_interval: '1s', evaluation_interval: '15s', external_labels: { cluster: 'test' } });
    expect(config['rule_files']).toEqual(['/rules/a.yml']);
    expect(config['alerting']).toEqual({ alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }] });
    expect(config['storage']).toEqual({ tsdb: { out_of_order_time_window: '10m' } });
  });
});
