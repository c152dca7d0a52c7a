// `npm run bench`: every Ringwatch benchmark, each figure beside the peers' (vmagent, Prometheus
// in agent mode) from the same run, as one table; the same as JSON in .data/bench/latest.json.
// Builds the peers first (bench/peers/build.sh, a no-op once built); without them Ringwatch's own
// figures are still measured and the peer cells say why they are missing. About 13 minutes.
//
//   node bench/run.ts [--cpu-prof] [--quick]
//     --cpu-prof  run the Ringwatch nodes under node --cpu-prof and print their hot spots
//     --quick     short windows and a small topic (a smoke test of the harness, not figures to
//                 quote; its JSON goes to .data/bench/latest-quick.json)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { killAllManagedProcesses, liveProcessCount } from '../deploy/local/services/managed-process.ts';
import type { RunningKafka } from '../deploy/local/services/kafka.ts';
import { runCodecBench } from './codec-bench.ts';
import { runCoreBench } from './core-bench.ts';
import { benchDirs, ensurePeers, startBenchKafka, stopBenchKafka } from './bench-harness/bench-infrastructure.ts';
import type { BenchResult, Measured } from './bench-harness/bench-result.ts';
import { formatBenchTable, type BenchSection } from './bench-harness/bench-table.ts';
import { formatProfileSummary, summarizeProfileDirs } from './bench-harness/cpu-profile-summary.ts';
import { formatLoad, machineInfo } from './bench-harness/machine-info.ts';
import { runParserBench } from './parser-bench.ts';
import { QUERY_BENCH_QUICK, runQueryBench, victoriaMetricsBinary, type QueryBenchReport } from './query-bench.ts';
import { runRingBench } from './ring-bench.ts';
import { runTargetScaleBench } from './target-scale-bench.ts';
import { RULE_EVAL_QUICK, runRuleEvalBench, type RuleEvalBenchReport } from './rule-eval-bench.ts';
import { cpuSecondsPerMillion, runScrapePipelineBench, type ScrapePipelineReport } from './scrape-pipeline-bench.ts';
import { runWriterBench, type WriterBenchReport } from './writer-bench.ts';

// kafkajs (2.2.4) arms a timer with a negative delay on every response under Node 24; the warning
// is noise here (the nodes themselves run with NODE_NO_WARNINGS).
const defaultWarningListeners = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'TimeoutNegativeWarning') return;
  for (const listener of defaultWarningListeners) listener(warning);
});

const { values: args } = parseArgs({ options: { 'cpu-prof': { type: 'boolean' }, quick: { type: 'boolean' } } });
const profile = args['cpu-prof'] === true;
const quick = args.quick === true;
const began = performance.now();
const startedAt = new Date().toISOString();

function say(line: string): void {
  process.stdout.write(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);
}

async function micro(title: string, run: () => Promise<BenchResult[]>): Promise<BenchSection> {
  say(`${title}...`);
  try {
    return { title, results: await run() };
  } catch (err) {
    return { title, results: [], error: (err as Error).message };
  }
}

const dirs = benchDirs();
const machine = machineInfo();
say(`machine: ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}; load ${formatLoad()}`);

say('peers: bash bench/peers/build.sh');
const peers = ensurePeers(dirs);
for (const [name, p] of Object.entries(peers)) say(`  ${name}: ${p.ok ? p.value : `MISSING: ${p.reason}`}`);

const sections: BenchSection[] = [];
sections.push(await micro('exposition parser (in process)', runParserBench));
sections.push(await micro('wire format (in process)', runCodecBench));
sections.push(await micro('scraper core: parse + append + compress (in process)', () => runCoreBench()));
sections.push(await micro('hash ring placement (in process)', runRingBench));
sections.push(
  await micro('target list at scale (real etcd, 20 simulated scrapers)', async () => (await runTargetScaleBench({ log: (l) => say(`  ${l}`), ...(quick ? { targets: 10_000 } : {}) })).results),
);

let scrape: ScrapePipelineReport | undefined;
let writer: WriterBenchReport | undefined;
let kafka: RunningKafka | undefined;
try {
  say('starting Kafka (fresh storage under .data/bench/kafka)');
  kafka = await startBenchKafka(dirs);
  say(`Kafka ready at ${kafka.brokers.join(',')} (${kafka.startupMs} ms)`);

  try {
    scrape = await runScrapePipelineBench({
      dirs,
      kafka,
      peers,
      profile,
      log: say,
      ...(quick ? { targets: 50, warmupMs: 3000, windowMs: 5000, rounds: 1 } : {}),
    });
    sections.push({ title: 'scrape pipeline (processes, same targets for all)', results: scrape.results });
  } catch (err) {
    sections.push({ title: 'scrape pipeline (processes, same targets for all)', results: [], error: (err as Error).message });
  }

  const peerCpu = (name: 'vmagent' | 'prometheus-agent'): Measured<number> => {
    const run = scrape?.runs[name];
    if (run === undefined) return { ok: false, reason: 'the scrape pipeline benchmark did not run' };
    return run.ok ? { ok: true, value: cpuSecondsPerMillion(run.value) } : run;
  };
  writer = await runWriterBench({
    dirs,
    kafka,
    profile,
    log: say,
    peerCpuSecondsPerMillion: { vmagent: peerCpu('vmagent'), 'prometheus-agent': peerCpu('prometheus-agent') },
    ...(quick ? { totalSamples: 2_000_000 } : {}),
  });
  sections.push({ title: 'storage-writer (Kafka -> remote write sink)', results: writer.results });
} catch (err) {
  const message = (err as Error).message.split('\n')[0] ?? '';
  if (scrape === undefined) sections.push({ title: 'scrape pipeline (processes, same targets for all)', results: [], error: message });
  sections.push({ title: 'storage-writer (Kafka -> remote write sink)', results: [], error: message });
} finally {
  if (kafka !== undefined) await stopBenchKafka(kafka, dirs).catch((err: unknown) => say(`stopping Kafka: ${(err as Error).message}`));
}

// Rule evaluation and alert latency: no Kafka; Prometheus as the store and as the peer rule manager.
let rules: RuleEvalBenchReport | undefined;
try {
  rules = await runRuleEvalBench({ dirs, peers, profile, log: say, ...(quick ? RULE_EVAL_QUICK : {}) });
  sections.push({ title: 'rule evaluation and alert latency (processes, Prometheus as the store and as the peer)', results: rules.results });
} catch (err) {
  sections.push({ title: 'rule evaluation and alert latency (processes, Prometheus as the store and as the peer)', results: [], error: (err as Error).message.split('\n')[0] ?? '' });
}

// Query node latency: VictoriaMetrics (the peers' build) as the store, a week of history.
let query: QueryBenchReport | undefined;
try {
  query = await runQueryBench({ dirs, victoriaMetrics: victoriaMetricsBinary(dirs), log: say, ...(quick ? QUERY_BENCH_QUICK : {}) });
  sections.push({ title: 'query node latency (processes, VictoriaMetrics as the store)', results: query.results });
} catch (err) {
  sections.push({ title: 'query node latency (processes, VictoriaMetrics as the store)', results: [], error: (err as Error).message.split('\n')[0] ?? '' });
}

const seconds = (performance.now() - began) / 1000;
const table = formatBenchTable(sections);
process.stdout.write(`\n${table}\n\n`);
const missingPeers = Object.entries(peers).filter(([, p]) => !p.ok);
if (missingPeers.length > 0) {
  process.stdout.write(`Peer rows missing: ${missingPeers.map(([n, p]) => `${n} (${p.ok ? '' : p.reason})`).join('; ')}\n`);
}
process.stdout.write(`${quick ? 'QUICK RUN (smoke test, not figures to quote). ' : ''}Took ${seconds.toFixed(0)} s; load at the end ${formatLoad()}.\n`);

// A smoke test must not replace the figures of the latest real run.
const jsonFile = join(dirs.data, quick ? 'latest-quick.json' : 'latest.json');
writeFileSync(
  jsonFile,
  `${JSON.stringify(
    {
      startedAt,
      seconds: Math.round(seconds),
      command: `npm run bench${profile ? ' -- --cpu-prof' : ''}${quick ? ' -- --quick' : ''}`,
      quick,
      machine: { ...machine, loadAverageAtEnd: machineInfo().loadAverage },
      peers,
      sections,
      scrapePipeline: scrape === undefined ? null : { config: scrape.config, runs: scrape.runs, rounds: scrape.rounds },
      writer: writer === undefined ? null : writer.figures,
      rules: rules === undefined ? null : rules.figures,
      query: query === undefined ? null : query.figures,
      table,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`JSON: ${jsonFile}\n`);

if (profile) {
  for (const [file, summary] of summarizeProfileDirs(dirs)) process.stdout.write(`\n${formatProfileSummary(file, summary)}\n`);
}

// Every service was stopped above; anything still registered is a bug worth seeing.
if (liveProcessCount() > 0) {
  process.stdout.write(`warning: ${liveProcessCount()} child processes still running; killing them\n`);
  killAllManagedProcesses();
}
