// A Kafka outage seen from a scraper: every failed produce attempt is counted from the first
// seconds of the outage (not hidden by retries nested inside the client), the time since the last
// successful produce grows, and producing resumes when the broker returns.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { eventually } from '../harness/eventually.ts';
import { remoteServiceControl } from '../harness/infrastructure-control.ts';
import { scrapeNodeMetrics, sumOf } from '../harness/node-metrics.ts';
import { testNodes } from '../harness/ringwatch-nodes.ts';

describe('scraper during a Kafka outage', () => {
  const infra = inject('infra');
  const kafka = remoteServiceControl(infra.controlUrl, 'kafka');
  const nodes = testNodes(infra.kafkaBrokers, 'kafka-outage');
  let demo: DemoTarget;

  beforeAll(async () => {
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: 0 });
  });
  afterAll(async () => {
    await kafka.start();
    await nodes.stopAll();
    await demo.close();
  });

  it('counts each failed attempt, shows the time since the last produce, and recovers', async () => {
    const scraper = await nodes.scraper('scraper', {
      global: { scrape_interval: '500ms', scrape_timeout: '400ms' },
      scrape_configs: [{ job_name: `outage-${nodes.topic}`, static_configs: [{ targets: [new URL(demo.url).host] }] }],
    });
    const metric = async (name: string): Promise<number> => sumOf(await scrapeNodeMetrics(scraper.url), name);
    await eventually(async () => ((await metric('ringwatch_scraper_kafka_messages_produced_total')) > 2 ? true : undefined), {
      timeoutMs: 20_000,
      description: 'messages produced before the outage',
    });
    expect(await metric('ringwatch_scraper_kafka_produce_errors_total')).toBe(0);
    await kafka.stop();
    const stoppedAt = Date.now();
    const firstError = await eventually(async () => ((await metric('ringwatch_scraper_kafka_produce_errors_total')) > 0 ? Date.now() : undefined), {
      timeoutMs: 20_000,
      intervalMs: 200,
      description: 'a produce error counted',
    });
    // Before: nothing counted for 35 s (retries nested in each produce call). Now the first failed
    // attempt is counted once kafkajs gives up on the connection (about 10 s measured here).
    expect(firstError - stoppedAt).toBeLessThan(15_000);
    await eventually(async () => ((await metric('ringwatch_scraper_kafka_seconds_since_last_produce')) > 5 ? true : undefined), {
      timeoutMs: 20_000,
      description: 'the time since the last produce growing',
    });
    // Per attempt, not one per outage: a second failed attempt is counted while the broker stays down.
    await eventually(async () => ((await metric('ringwatch_scraper_kafka_produce_errors_total')) >= 2 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'a second failed attempt counted',
    });
    const before = await metric('ringwatch_scraper_kafka_messages_produced_total');
    await kafka.start();
    await eventually(
      async () => ((await metric('ringwatch_scraper_kafka_messages_produced_total')) > before && (await metric('ringwatch_scraper_kafka_seconds_since_last_produce')) < 5 ? true : undefined),
      { timeoutMs: 60_000, description: 'producing again after the broker returned' },
    );
  });
});
