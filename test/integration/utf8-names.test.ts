// Prometheus 3 UTF-8 metric and label names through the whole path (scraper process, Kafka,
// storage-writer, the real Prometheus 2.42 store): per job, utf8 (the default) sends them as they
// are, legacy drops only those series (counted) and keeps the scrape, an escaping scheme rewrites
// them for a store that needs legacy names.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../harness/eventually.ts';
import { instantQuery } from '../harness/prometheus-api.ts';
import { startRecordingTarget, type RecordingTarget } from '../harness/recording-target.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { randomBytes } from 'node:crypto';

const BODY = ['# TYPE "http.server.duration" gauge', '{"http.server.duration","service.name"="api"} 1.5', 'plain_metric{code="200"} 3', ''].join('\n');

describe('UTF-8 metric names', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  let nodes: TestNodes;
  let target: RecordingTarget;
  let scraper: RingwatchNode;
  const job = (name: string): string => `${name}-${id}`;

  beforeAll(async () => {
    target = await startRecordingTarget(BODY);
    nodes = testNodes(infra.kafkaBrokers, 'utf8');
    await nodes.storageWriter('utf8-writer', {
      remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms' } }],
    });
    scraper = await nodes.scraper('utf8-scraper', {
      global: { scrape_interval: '1s', scrape_timeout: '500ms' },
      scrape_configs: [
        { job_name: job('utf8'), static_configs: [{ targets: [target.address] }] },
        { job_name: job('legacy'), metric_name_validation_scheme: 'legacy', static_configs: [{ targets: [target.address] }] },
        { job_name: job('escaped'), metric_name_escaping_scheme: 'underscores', static_configs: [{ targets: [target.address] }] },
      ],
    });
  });

  afterAll(async () => {
    await nodes?.stopAll();
    await target?.close();
  });

  const series = async (query: string): Promise<Record<string, string>[]> => (await instantQuery(infra.prometheusUrl, query)).map((r) => r.metric);

  it('utf8 stores the names as they are, escaping rewrites them, legacy drops only those series and counts them', async () => {
    await eventually(async () => ((await series(`up{job=~".*-${id}"} == 1`)).length === 3 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'all three jobs up in Prometheus',
    });
    // Prometheus 2.42's remote-write receiver stores a UTF-8 name as it is (its PromQL reaches it
    // through __name__ only).
    expect(await eventually(async () => {
      const found = await series(`{__name__="http.server.duration",job="${job('utf8')}"}`);
      return found.length === 1 ? found : undefined;
    }, { timeoutMs: 20_000, description: 'the UTF-8 series of the utf8 job' })).toEqual([{ __name__: 'http.server.duration', instance: target.address, job: job('utf8'), 'service.name': 'api' }]);
    expect(await eventually(async () => {
      const found = await series(`http_server_duration{job="${job('escaped')}"}`);
      return found.length === 1 ? found : undefined;
    }, { timeoutMs: 20_000, description: 'the escaped series' })).toEqual([{ __name__: 'http_server_duration', instance: target.address, job: job('escaped'), service_name: 'api' }]);
    // Legacy: the scrape is up and its other series stored; the UTF-8 one never is, and is counted.
    expect(await series(`plain_metric{job="${job('legacy')}"}`)).toHaveLength(1);
    expect(await series(`{__name__=~"http.server.duration|http_server_duration",job="${job('legacy')}"}`)).toEqual([]);
    expect(await series(`scrape_samples_post_metric_relabeling{job="${job('legacy')}"}`)).toHaveLength(1);
    const metrics = await (await fetch(`${scraper.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`ringwatch_scraper_series_dropped_total\\{job="${job('legacy')}",reason="invalid_metric_name"\\} [1-9]`));
  });
});
