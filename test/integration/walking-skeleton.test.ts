// The first end-to-end path on real infrastructure: a demo target is scraped by a scraper process,
// the samples cross Kafka, a storage-writer process remote-writes them into Prometheus, and
// Prometheus' HTTP API shows them with the exact values the target served.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { eventually } from '../harness/eventually.ts';
import { instantQuery, rawSamples } from '../harness/prometheus-api.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';

describe('walking skeleton: scrape -> Kafka -> storage-writer -> Prometheus', () => {
  const infra = inject('infra');
  let demo: DemoTarget;
  let nodes: TestNodes;
  let scraper: RingwatchNode;
  let demoAddress: string;

  beforeAll(async () => {
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: 0 });
    demoAddress = new URL(demo.url).host;
    nodes = testNodes(infra.kafkaBrokers, 'skeleton');
    await nodes.storageWriter('writer-1', {
      remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms' } }],
    });
    scraper = await nodes.scraper('scraper-1', {
      global: { scrape_interval: '1s', scrape_timeout: '900ms' },
      scrape_configs: [
        { job_name: `demo-${nodes.topic}`, static_configs: [{ targets: [demoAddress], labels: { env: 'test' } }] },
        { job_name: `broken-${nodes.topic}`, metrics_path: '/malformed', static_configs: [{ targets: [demoAddress] }] },
        // A port nobody listens on: its scrapes fail too, and must not stop the others.
        { job_name: `down-${nodes.topic}`, static_configs: [{ targets: [`127.0.0.1:${await freePort()}`] }] },
      ],
    });
  });

  afterAll(async () => {
    await nodes?.stopAll();
    await demo?.close();
  });

  it('stores up=1 for the target and the counter values exactly as served', async () => {
    const job = `demo-${nodes.topic}`;
    const up = await eventually(
      async () => {
        const r = await instantQuery(infra.prometheusUrl, `up{job="${job}"}`);
        return r.length === 1 ? r[0] : undefined;
      },
      { timeoutMs: 60_000, description: `up{job="${job}"} in Prometheus` },
    );
    expect(up.value).toBe(1);
    expect(up.metric).toMatchObject({ job, instance: demoAddress, env: 'test' });

    // Wait for a few scrapes to be stored, then compare with what the target served.
    const series = await eventually(
      async () => {
        const r = await rawSamples(infra.prometheusUrl, `demo_scrapes_served_total{job="${job}"}`);
        return r.length === 1 && (r[0]?.samples.length ?? 0) >= 3 ? r[0] : undefined;
      },
      { timeoutMs: 60_000, description: 'three stored samples of demo_scrapes_served_total' },
    );
    const stored = series.samples.map((s) => s.value);
    const served = demo.served().map((s) => s.value);
    // Every stored value is one the target served, in order, with none missing in between.
    expect(stored).toEqual(served.slice(0, stored.length));
    expect(stored[0]).toBe(1);

    // The histogram and summary arrive too, with Prometheus' series names.
    const bucket = await instantQuery(infra.prometheusUrl, `demo_request_duration_seconds_bucket{job="${job}",le="+Inf"}`);
    expect(bucket).toHaveLength(1);
    const quantiles = await instantQuery(infra.prometheusUrl, `demo_payload_bytes{job="${job}"}`);
    expect(quantiles.map((q) => q.metric.quantile).sort()).toEqual(['0.5', '0.9', '0.99']);
    // The report series Prometheus adds to every scrape.
    for (const name of ['scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added']) {
      expect(await instantQuery(infra.prometheusUrl, `${name}{job="${job}"}`)).toHaveLength(1);
    }
    const scraped = await instantQuery(infra.prometheusUrl, `scrape_samples_scraped{job="${job}"}`);
    expect(scraped[0]?.value).toBeGreaterThan(10);
  });

  it('marks a target serving malformed text down, logs the line, and keeps scraping the others', async () => {
    const job = `broken-${nodes.topic}`;
    const up = await eventually(
      async () => {
        const r = await instantQuery(infra.prometheusUrl, `up{job="${job}"}`);
        return r.length === 1 ? r[0] : undefined;
      },
      { timeoutMs: 60_000, description: `up{job="${job}"}` },
    );
    expect(up.value).toBe(0);
    // None of the broken body's samples were stored (a failed scrape appends nothing).
    expect(await instantQuery(infra.prometheusUrl, `demo_ok{job="${job}"}`)).toEqual([]);
    const downJob = `down-${nodes.topic}`;
    const down = await eventually(async () => (await instantQuery(infra.prometheusUrl, `up{job="${downJob}"}`))[0], {
      timeoutMs: 30_000,
      description: 'up of the unreachable target',
    });
    expect(down.value).toBe(0);

    const logLine = await eventually(
      () =>
        readFileSync(scraper.logFile, 'utf8')
          .split('\n')
          .find((l) => l.includes('"scrape failed"') && l.includes('/malformed')),
      { timeoutMs: 10_000, description: 'the parse error in the scraper log' },
    );
    const entry = JSON.parse(logLine) as Record<string, unknown>;
    expect(entry.reason).toBe('parse');
    expect(String(entry.err)).toMatch(/^line 3: /);
    expect(entry.target).toContain('/malformed');

    // The healthy target kept being scraped after the failures.
    const before = demo.served().length;
    await eventually(() => (demo.served().length >= before + 2 ? true : undefined), { timeoutMs: 10_000, description: 'two more scrapes of the healthy target' });
  });
});
