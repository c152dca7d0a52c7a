// A clean start is clean: nodes that talk to Kafka (a scraper producing, a storage-writer
// consuming), run as separate processes with Node's warnings on, print no warning and log no error.
// Before: kafkajs armed a timer with a negative delay and every node printed Node 24's
// TimeoutNegativeWarning (fixed by deploy/patches/kafkajs-request-queue-timer.mjs, run at postinstall).
// They run on jemalloc, which they load themselves by re-executing in place.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { eventually } from '../harness/eventually.ts';
import { scrapeNodeMetrics, sumOf } from '../harness/node-metrics.ts';
import { testNodes } from '../harness/ringwatch-nodes.ts';

describe('a clean start', () => {
  const infra = inject('infra');
  const nodes = testNodes(infra.kafkaBrokers, 'clean-start');
  let demo: DemoTarget;

  beforeAll(async () => {
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: 0 });
  });
  afterAll(async () => {
    await nodes.stopAll();
    await demo.close();
  });

  it('a scraper and a storage-writer print no warning and log no error', async () => {
    const scraper = await nodes.scraper('clean-scraper', {
      global: { scrape_interval: '500ms', scrape_timeout: '400ms' },
      scrape_configs: [{ job_name: `clean-${nodes.topic}`, static_configs: [{ targets: [new URL(demo.url).host] }] }],
    });
    const writer = await nodes.storageWriter('clean-writer', {
      remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms' } }],
    });
    // Kafka traffic both ways: the warning came with Kafka responses.
    await eventually(async () => (sumOf(await scrapeNodeMetrics(scraper.url), 'ringwatch_scraper_kafka_messages_produced_total') >= 5 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'messages produced',
    });
    await eventually(
      async () => {
        const text = await (await fetch(`${writer.url}/metrics`)).text();
        return /^ringwatch_writer_samples_sent_total\S* [1-9]/m.test(text) ? true : undefined;
      },
      { timeoutMs: 30_000, description: 'samples consumed and sent by the writer' },
    );
    // Both run on jemalloc (bin/node-reexec.ts; install.sh installs Debian's libjemalloc2), re-executed
    // in place: the pid the launcher knows is the process that maps it.
    for (const node of [scraper, writer]) {
      expect(readFileSync(`/proc/${node.process?.pid}/maps`, 'utf8'), `${node.kind} allocator`).toMatch(/libjemalloc\.so/);
    }
    // Each node's V8 start flags are set at the same re-execution (bin/ringwatch.ts START_FLAGS).
    const scraperArgs = readFileSync(`/proc/${scraper.process?.pid}/cmdline`, 'utf8').split('\0');
    const writerArgs = readFileSync(`/proc/${writer.process?.pid}/cmdline`, 'utf8').split('\0');
    expect(scraperArgs).toContain('--max-semi-space-size=4');
    expect(scraperArgs).not.toContain('--no-incremental-marking');
    expect(writerArgs).toContain('--no-incremental-marking');
    expect(writerArgs).not.toContain('--max-semi-space-size=4');
    await scraper.stop();
    await writer.stop();
    for (const node of [scraper, writer]) {
      const lines = readFileSync(node.process?.logFile as string, 'utf8').split('\n');
      expect(lines.filter((l) => /Warning/.test(l)), `${node.kind} output`).toEqual([]);
      expect(lines.filter((l) => /"level":"(error|fatal)"/.test(l)), `${node.kind} log`).toEqual([]);
    }
  });
});
