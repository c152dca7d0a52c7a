// The scraper's core per sample, in process: parse the body, append to the WriteRequest through
// the per-target cache, end the scrape, compress, wrap as a Kafka value: everything a scrape
// costs between the HTTP response and the Kafka client. It runs over as many targets as the
// pipeline benchmark (each its own appender and cache, the node_exporter 1.5 body with a counter
// moving per scrape), so the caches are as large as in a real node. Best of several rounds, in
// CPU time of the whole process (garbage collection included).
//
//   node bench/core-bench.ts [--targets 200] [--rounds 30]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readGlobalConfig, readScrapeConfig } from '../model/scrape-config.ts';
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { encodeSampleMessage } from '../protocol/sample-message.ts';
import { SnappyBlockCompressor } from '../protocol/snappy.ts';
import { parseExposition } from '../scraper/exposition/parser.ts';
import { WriteRequestAppender } from '../scraper/write-request-appender.ts';
import type { BenchResult } from './bench-harness/bench-result.ts';

const NODE_EXPORTER_BODY = resolve(import.meta.dirname, '../test/fixtures/exposition/node-exporter-1.5.txt');

export interface CoreBenchOptions {
  targets?: number;
  rounds?: number;
}

export async function runCoreBench(options: CoreBenchOptions = {}): Promise<BenchResult[]> {
  const targets = options.targets ?? 200;
  const rounds = options.rounds ?? 30;
  const job = readScrapeConfig({ job_name: 'node' }, 'scrape_configs[0]', readGlobalConfig({ scrape_interval: '1s' }, 'global'));
  const template = readFileSync(NODE_EXPORTER_BODY);
  // Each target its own body buffer, as each has its own response; one counter's digits change.
  const bodies = Array.from({ length: targets }, () => Buffer.from(template));
  const counterAt = template.indexOf('\nnode_context_switches_total ') + '\nnode_context_switches_total '.length;
  const writer = new ProtoWriter(256 * 1024);
  const appenders = Array.from({ length: targets }, (_, t) => new WriteRequestAppender([['instance', `127.0.0.${2 + (t % 250)}:9100`], ['job', 'node']], job, [], writer));
  const compressor = new SnappyBlockCompressor();
  let samples = 0;
  let bytes = 0;
  let scrapeNo = 0;
  const scrapeAll = (): void => {
    scrapeNo++;
    const ts = 1_700_000_000_000 + scrapeNo * 1000;
    for (let t = 0; t < targets; t++) {
      const body = bodies[t]!;
      body[counterAt] = 0x31 + (scrapeNo % 9); // same length, another value
      const a = appenders[t]!;
      a.begin(ts);
      samples += parseExposition(body, 'prometheus-text', a);
      a.end(false);
      const request = a.writer.bytes();
      bytes += encodeSampleMessage(request.length, 1, compressor.compress(request)).length;
    }
  };
  scrapeAll(); // the first scrape fills the caches (the slow path, not timed)
  for (let r = 0; r < 5; r++) scrapeAll();
  let bestNsPerSample = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    samples = 0;
    // CPU time of the process (every thread, so V8's GC helpers too), not wall time: on a shared
    // machine, waiting for a core is not the code's cost.
    const before = process.cpuUsage();
    scrapeAll();
    const used = process.cpuUsage(before);
    bestNsPerSample = Math.min(bestNsPerSample, ((used.user + used.system) * 1000) / samples);
  }
  if (bytes === 0) throw new Error('core bench: nothing produced');
  return [
    {
      name: 'core: parse + append + compress + Kafka value ns/sample',
      value: Math.round(bestNsPerSample * 10) / 10,
      unit: 'ns',
      note: `In process, ${targets} targets of the node_exporter 1.5 body, each with its own cache; best of ${rounds} rounds of one scrape per target, process CPU time (GC threads included). Checked by npm run bench:compare.`,
    },
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { targets: { type: 'string' }, rounds: { type: 'string' } } });
  const results = await runCoreBench({
    ...(values.targets !== undefined ? { targets: Number(values.targets) } : {}),
    ...(values.rounds !== undefined ? { rounds: Number(values.rounds) } : {}),
  });
  for (const r of results) console.log(`${r.name.padEnd(56)} ${String(r.value).padStart(10)} ${r.unit}`);
}
