// An exporter breaking the exposition formats' semantic rules (a histogram without +Inf, a
// negative counter), through the whole path (scraper process, Kafka, storage-writer, the real
// Prometheus 2.42 store): the scrape stays up and every sample is stored, as Prometheus would, and
// the scraper says so: ringwatch_scraper_exposition_violations_total{job,rule} and the first
// violation in its /api/v1/targets.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { eventually } from '../harness/eventually.ts';
import { instantQuery } from '../harness/prometheus-api.ts';
import { startRecordingTarget, type RecordingTarget } from '../harness/recording-target.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';

const BODY = [
  '# HELP exp_latency_seconds Latency.',
  '# TYPE exp_latency_seconds histogram',
  'exp_latency_seconds_bucket{le="0.1"} 4',
  'exp_latency_seconds_bucket{le="1"} 7',
  'exp_latency_seconds_sum 3.5',
  'exp_latency_seconds_count 7',
  '# TYPE exp_errors_total counter',
  'exp_errors_total -2',
  '',
].join('\n');

describe('exposition violations', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const job = `violations-${id}`;
  let nodes: TestNodes;
  let target: RecordingTarget;
  let scraper: RingwatchNode;

  beforeAll(async () => {
    target = await startRecordingTarget(BODY);
    nodes = testNodes(infra.kafkaBrokers, 'violations');
    await nodes.storageWriter('violations-writer', {
      remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms' } }],
    });
    scraper = await nodes.scraper('violations-scraper', {
      global: { scrape_interval: '1s', scrape_timeout: '500ms' },
      scrape_configs: [{ job_name: job, static_configs: [{ targets: [target.address] }] }],
    });
  });

  afterAll(async () => {
    await nodes?.stopAll();
    await target?.close();
  });

  const series = (query: string): Promise<Array<{ metric: Record<string, string>; value: number }>> => instantQuery(infra.prometheusUrl, query);

  it('keeps the scrape up and every sample stored, counts the violations by rule and shows the first in the target health', async () => {
    await eventually(async () => ((await series(`up{job="${job}"} == 1`)).length === 1 ? true : undefined), { timeoutMs: 30_000, description: 'the target up in Prometheus' });
    // Every sample stored: the buckets without +Inf and the negative counter too.
    const stored = await eventually(
      async () => {
        const found = await series(`{__name__=~"exp_.*",job="${job}"}`);
        return found.length === 5 ? found : undefined;
      },
      { timeoutMs: 20_000, description: 'the five exp_ series in Prometheus' },
    );
    expect(stored.find((s) => s.metric.__name__ === 'exp_errors_total')?.value).toBe(-2);
    expect(stored.filter((s) => s.metric.__name__ === 'exp_latency_seconds_bucket').map((s) => s.metric.le).sort()).toEqual(['0.1', '1']);

    const metrics = await (await fetch(`${scraper.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`ringwatch_scraper_exposition_violations_total\\{job="${job}",rule="histogram_no_inf_bucket"\\} [1-9]`));
    expect(metrics).toMatch(new RegExp(`ringwatch_scraper_exposition_violations_total\\{job="${job}",rule="counter_negative"\\} [1-9]`));

    const targets = (await (await fetch(`${scraper.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ scrapePool: string; health: string; lastError: string; lastExpositionViolation: unknown }> };
    };
    const active = targets.data.activeTargets.find((t) => t.scrapePool === job);
    expect(active).toMatchObject({ health: 'up', lastError: '', lastExpositionViolation: { rule: 'histogram_no_inf_bucket', line: 4, family: 'exp_latency_seconds' } });
  });
});
