// Storage-writer throughput: a Kafka topic pre-filled with scrape messages (bench-harness/
// scrape-message-generator.ts: node_exporter scrapes of many targets, keyed per target, several
// partitions), then one storage-writer with a fresh consumer group drains it into the remote
// write sink. Measured from the writer's readiness (group joined) until the sink has counted
// every produced sample: wall time, the writer process' CPU time and peak RSS. Goal (issue 4):
// at least 1,000,000 samples per second per core.
//
// Peer row: Prometheus has no Kafka -> remote write mode, so the peer figure is the Prometheus
// agent's whole-process CPU per million samples from the scrape pipeline run, which includes
// scraping and parsing: an upper bound of what its remote-write path costs.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startRingwatchNode, type RingwatchNode } from '../deploy/local/ringwatch-node.ts';
import { freePort } from '../deploy/local/services/free-port.ts';
import { createKafkaTopic, type RunningKafka } from '../deploy/local/services/kafka.ts';
import { benchDirs, benchNodeEnv, startBenchKafka, stopBenchKafka, type BenchDirs } from './bench-harness/bench-infrastructure.ts';
import { roundSignificant, type BenchResult, type Measured, type PeerFigure } from './bench-harness/bench-result.ts';
import { formatBenchTable } from './bench-harness/bench-table.ts';
import { formatProfileSummary, summarizeProfileDirs } from './bench-harness/cpu-profile-summary.ts';
import { fetchMetricSum } from './bench-harness/metrics-reader.ts';
import { CpuMeter, treePeakRssBytes } from './bench-harness/proc-stats.ts';
import { startRemoteWriteSink, type RunningSink } from './bench-harness/remote-write-sink.ts';
import { ScrapeMessageGenerator } from './bench-harness/scrape-message-generator.ts';

const NODE_EXPORTER_BODY = resolve(import.meta.dirname, '../test/fixtures/exposition/node-exporter-1.5.txt');
const TOPIC = 'bench-writer';
/** Goal of issue 4. */
export const WRITER_GOAL_SAMPLES_PER_CORE_SECOND = 1_000_000;

export interface WriterBenchOptions {
  dirs: BenchDirs;
  kafka: RunningKafka;
  /** Samples to pre-fill (stops earlier when prefillBudgetMs runs out). Default 20,000,000. */
  totalSamples?: number;
  prefillBudgetMs?: number;
  partitions?: number;
  /** Targets (message keys); 20 node_exporters = ~10,000 series. */
  targets?: number;
  maxSamplesPerSend?: number;
  batchSendDeadline?: string;
  /** Give up waiting for the writer after this long. */
  drainTimeoutMs?: number;
  /** Peers' whole-process CPU-s per 1M samples from the scrape pipeline run, or why there is none. */
  peerCpuSecondsPerMillion?: { vmagent: Measured<number>; 'prometheus-agent': Measured<number> };
  profile?: boolean;
  log?: (line: string) => void;
}

export interface PrefillFigures {
  samples: number;
  messages: number;
  bytes: number;
  seconds: number;
  series: number;
}

export interface WriterFigures {
  prefill: PrefillFigures;
  /** Samples the sink counted inside the measured window. */
  samples: number;
  wallSeconds: number;
  cpuSeconds: Record<string, number>;
  writerPeakRssBytes: number;
  /** The writer's own ringwatch_writer_samples_sent_total at the end (all of it, window or not). */
  writerReportedSamples: number;
  /** Everything was acknowledged before the timeout. */
  complete: boolean;
  maxSamplesPerSend: number;
  partitions: number;
}

export interface WriterBenchReport {
  results: BenchResult[];
  figures: Measured<WriterFigures>;
}

export async function runWriterBench(options: WriterBenchOptions): Promise<WriterBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  let figures: Measured<WriterFigures>;
  try {
    figures = { ok: true, value: await measureWriter(options, log) };
  } catch (err) {
    const reason = `failed: ${(err as Error).message.split('\n')[0]}`;
    log(`  writer: ${reason}`);
    figures = { ok: false, reason };
  }
  return { results: writerResults(figures, options.peerCpuSecondsPerMillion), figures };
}

async function measureWriter(options: WriterBenchOptions, log: (line: string) => void): Promise<WriterFigures> {
  const { dirs, kafka } = options;
  const partitions = options.partitions ?? 6;
  const maxSamplesPerSend = options.maxSamplesPerSend ?? 20_000;
  await createKafkaTopic(kafka.brokers, TOPIC, partitions);
  const prefill = await prefillTopic(kafka.brokers, {
    totalSamples: options.totalSamples ?? 20_000_000,
    budgetMs: options.prefillBudgetMs ?? 60_000,
    targets: options.targets ?? 20,
  });
  log(
    `writer: pre-filled ${TOPIC} (${partitions} partitions) with ${prefill.samples} samples of ${prefill.series} series in ${prefill.messages} messages, ` +
      `${Math.round(prefill.bytes / 2 ** 20)} MiB, in ${prefill.seconds.toFixed(1)} s`,
  );

  const sink: RunningSink = await startRemoteWriteSink({ logDir: dirs.logs });
  let writer: RingwatchNode | undefined;
  try {
    const port = await freePort();
    const name = 'bench-writer';
    let env = benchNodeEnv();
    if (options.profile === true) {
      const dir = join(dirs.profiles, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      env = benchNodeEnv({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` });
    }
    writer = await startRingwatchNode({
      kind: 'storage-writer',
      name,
      httpAddress: `127.0.0.1:${port}`,
      configDir: dirs.configs,
      logDir: dirs.logs,
      env,
      config: {
        node: { id: name, listen_address: `127.0.0.1:${port}` },
        kafka: { brokers: kafka.brokers, topic: TOPIC, partitions },
        // A fresh group each run: consume the topic from the beginning.
        consumer: { group_id: `bench-writer-${Date.now()}` },
        remote_write: [
          {
            name: 'sink',
            url: sink.writeUrl,
            queue_config: { max_samples_per_send: maxSamplesPerSend, batch_send_deadline: options.batchSendDeadline ?? '100ms' },
          },
        ],
      },
    });
    // The window starts once the group is joined; whatever the sink already counted is excluded.
    const meter = new CpuMeter({ writer: writer.process?.pid, kafka: kafka.process?.pid, sink: sink.process.pid });
    const before = (await sink.stats()).samples;
    meter.start();
    const began = performance.now();
    const deadline = began + (options.drainTimeoutMs ?? 240_000);
    let samples = before;
    let complete = false;
    let nextLog = began + 10_000;
    while (performance.now() < deadline) {
      samples = (await sink.stats()).samples;
      if (samples >= prefill.samples) {
        complete = true;
        break;
      }
      if (!writer.running) throw new Error(`the storage-writer died: see ${writer.logFile}`);
      if (performance.now() >= nextLog) {
        log(`  writer: ${samples} of ${prefill.samples} samples at the sink`);
        nextLog += 10_000;
      }
      await sleep(50);
    }
    const times = meter.readTimes();
    const cpuSeconds: Record<string, number> = {};
    for (const [p, t] of Object.entries(times)) cpuSeconds[p] = t.user + t.system;
    const wallSeconds = (performance.now() - began) / 1000;
    const writerPeakRssBytes = writer.process?.pid === undefined ? 0 : treePeakRssBytes(writer.process.pid);
    const writerReportedSamples = await fetchMetricSum(writer.url, 'ringwatch_writer_samples_sent_total');
    const figures: WriterFigures = {
      prefill,
      samples: samples - before,
      wallSeconds,
      cpuSeconds,
      writerPeakRssBytes,
      writerReportedSamples,
      complete,
      maxSamplesPerSend,
      partitions,
    };
    log(
      `  writer: ${figures.samples} samples in ${wallSeconds.toFixed(2)} s${complete ? '' : ' (TIMED OUT before the sink had everything)'}: ` +
        `${Math.round(figures.samples / wallSeconds)} samples/s, ${Math.round(figures.samples / (cpuSeconds['writer'] ?? Number.NaN))} samples per writer CPU-second; ` +
        `CPU-s: ${Object.entries(times).map(([p, t]) => `${p} ${(t.user + t.system).toFixed(2)} (sys ${t.system.toFixed(2)})`).join(', ')}; writer peak RSS ${Math.round(writerPeakRssBytes / 2 ** 20)} MiB; ` +
        `writer reports ${writerReportedSamples} samples sent (${before} before the window)`,
    );
    return figures;
  } finally {
    await writer?.stop();
    await sink.stop();
  }
}

/**
 * Produces scrape messages round-robin over the targets (scrape k of every target, then k + 1)
 * until totalSamples or the time budget is reached. Several sends in flight, each a few hundred
 * kB, under Kafka's default 1 MB record-batch limit per partition.
 */
async function prefillTopic(
  brokers: string[],
  opts: { totalSamples: number; budgetMs: number; targets: number },
): Promise<PrefillFigures> {
  const generator = new ScrapeMessageGenerator({
    bodyFile: NODE_EXPORTER_BODY,
    targets: opts.targets,
    startMs: Date.now() - 86_400_000,
    intervalMs: 15_000,
  });
  const kafka = new Kafka({ clientId: 'bench-prefill', brokers, logLevel: logLevel.NOTHING });
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const began = performance.now();
  const figures: PrefillFigures = { samples: 0, messages: 0, bytes: 0, seconds: 0, series: generator.seriesTotal };
  const messagesPerSend = opts.targets * 2;
  const inFlight = new Set<Promise<unknown>>();
  let scrape = 0;
  let target = 0;
  try {
    while (figures.samples < opts.totalSamples && performance.now() - began < opts.budgetMs) {
      const messages: { key: string; value: Buffer }[] = [];
      for (let i = 0; i < messagesPerSend && figures.samples < opts.totalSamples; i++) {
        const m = generator.message(target, scrape);
        messages.push(m);
        figures.samples += generator.samplesPerMessage;
        figures.bytes += m.value.length;
        if (++target === opts.targets) {
          target = 0;
          scrape++;
        }
      }
      figures.messages += messages.length;
      const send = producer.send({ topic: TOPIC, acks: 1, messages }).finally(() => inFlight.delete(send));
      inFlight.add(send);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  figures.seconds = (performance.now() - began) / 1000;
  return figures;
}

function writerResults(
  figures: Measured<WriterFigures>,
  peerCpu: WriterBenchOptions['peerCpuSecondsPerMillion'],
): BenchResult[] {
  if (!figures.ok) return [{ name: 'storage-writer', value: Number.NaN, unit: '', note: `writer run: ${figures.reason}` }];
  const f = figures.value;
  const writerCpu = f.cpuSeconds['writer'] ?? Number.NaN;
  const incomplete = f.complete ? '' : ' INCOMPLETE: the writer did not deliver everything before the timeout; figures cover what it did.';
  const peerNote =
    'Peer: the whole process\' CPU per 1M samples in the scrape pipeline run (scrape + parse + remote write): neither peer ' +
    'reads Kafka, so this is an upper bound of its remote-write cost, not a like-for-like figure.';
  const peers: PeerFigure[] = (['vmagent', 'prometheus-agent'] as const).map((peer) => {
    const m = peerCpu?.[peer];
    if (m === undefined) return { peer, value: null, note: `${peer}: no scrape pipeline figure in this run` };
    return m.ok ? { peer, value: roundSignificant(m.value, 4), note: peerNote } : { peer, value: null, note: `${peer}: ${m.reason}` };
  });
  return [
    {
      name: 'writer: samples in the topic (pre-filled)',
      value: f.prefill.samples,
      unit: 'samples',
      note: `${f.prefill.series} series (node_exporter scrapes of ${f.prefill.series / 512} targets), ${f.prefill.messages} messages of 512 samples, ${f.partitions} partitions, keyed per target; max_samples_per_send ${f.maxSamplesPerSend}.`,
    },
    {
      name: 'writer: throughput Kafka -> sink (wall)',
      value: Math.round(f.samples / f.wallSeconds),
      unit: 'samples/s',
      note: `From the writer's readiness (consumer group joined) until the sink counted every sample.${incomplete}`,
    },
    {
      name: 'writer: samples per CPU-second (per core)',
      value: Math.round(f.samples / writerCpu),
      unit: 'samples/s/core',
      note: `The storage-writer process' CPU time only (Kafka and the sink run apart). Goal (issue 4): >= ${WRITER_GOAL_SAMPLES_PER_CORE_SECOND.toLocaleString('en-US')}.`,
    },
    { name: 'writer: CPU per 1M samples', value: roundSignificant((writerCpu * 1e6) / f.samples, 4), unit: 'CPU-s', peers },
    { name: 'writer: peak RSS', value: Math.round(f.writerPeakRssBytes / 2 ** 20), unit: 'MiB' },
    {
      name: 'writer: Kafka broker CPU per 1M samples (fetches)',
      value: roundSignificant(((f.cpuSeconds['kafka'] ?? 0) * 1e6) / f.samples, 3),
      unit: 'CPU-s',
    },
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { samples: { type: 'string' }, 'max-samples-per-send': { type: 'string' }, 'cpu-prof': { type: 'boolean' } },
  });
  const dirs = benchDirs();
  const kafka = await startBenchKafka(dirs);
  try {
    const report = await runWriterBench({
      dirs,
      kafka,
      profile: values['cpu-prof'] === true,
      ...(values.samples !== undefined ? { totalSamples: Number(values.samples) } : {}),
      ...(values['max-samples-per-send'] !== undefined ? { maxSamplesPerSend: Number(values['max-samples-per-send']) } : {}),
    });
    console.log(formatBenchTable([{ title: 'storage-writer', results: report.results }]));
    if (values['cpu-prof'] === true) {
      for (const [file, summary] of summarizeProfileDirs(dirs)) if (file.startsWith('bench-writer/')) console.log(`\n${formatProfileSummary(file, summary)}`);
    }
  } finally {
    await stopBenchKafka(kafka, dirs);
  }
}
