// One scrape worker (a worker thread): a real ScrapeManager over the share of the node's targets
// the facade (scrape-workers.ts) gives it, with its own loops, appenders, body pool, compressor
// and metrics registry. Finished Kafka values go to the main thread's one producer, transferred,
// in the order they were made, so a target's messages stay in order.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../core/logger.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { giveBackMessageBuffer } from './message-buffers.ts';
import { ScrapeManager } from './scrape-manager.ts';
import { ScraperMetrics } from './scraper-metrics.ts';
import { jobOptionsFromPortable, type FromWorker, type SentMessage, type TargetState, type ToWorker, type WorkerData } from './scrape-worker-protocol.ts';
import type { SampleSink } from './sample-sink.ts';

// Derived from the producer's state, which lives on the main thread: a worker's copy would add a
// wrong figure to the node's.
const MAIN_THREAD_ONLY = new Set(['ringwatch_scraper_kafka_seconds_since_last_produce']);

if (parentPort === null) throw new Error('scrape-worker-thread.ts runs as a worker thread');
const port = parentPort;
const data = workerData as WorkerData;
const logger = createLogger(`scraper/${data.nodeId}`, data.logLevel).child({ worker: data.index });
const metrics = new ScraperMetrics({ defaultMetrics: false });
const jobs = new Map<string, JobScrapeOptions>();
/** The last operation numbered for each target, echoed in its state reports. */
const seqs = new Map<string, number>();

let messages: SentMessage[] = [];
const dirty = new Set<string>();
let flushScheduled = false;

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}

function flush(): void {
  flushScheduled = false;
  const states: TargetState[] = [...dirty].map(stateOf);
  dirty.clear();
  if (messages.length === 0 && states.length === 0) return;
  const batch: FromWorker = { op: 'batch', messages, states };
  // A buffer can back several messages (a split scrape shares none, but be safe): transfer each once.
  port.postMessage(batch, [...new Set(messages.map((m) => m.value))]);
  messages = [];
}

function stateOf(id: string): TargetState {
  const loop = manager.get(id);
  const seq = seqs.get(id) ?? 0;
  if (loop === undefined) return { id, seq, exists: false, ended: true, fromMs: 0, untilMs: 0 };
  return { id, seq, exists: true, ended: loop.ended, ...loop.window, health: loop.health };
}

const sink: SampleSink = {
  send(key, value, info) {
    // A Buffer that owns its memory is transferred; a reused message buffer (or a slice of a shared
    // pool) is copied first, and the reused one is this thread's again.
    const own = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer;
    const buffer = own ? (value.buffer as ArrayBuffer) : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
    if (!own) giveBackMessageBuffer(value);
    messages.push({ key, value: buffer as ArrayBuffer, offset: 0, length: value.byteLength, target: info.target, samples: info.samples });
    scheduleFlush();
  },
};

const manager = new ScrapeManager({
  sink,
  logger,
  metrics,
  jobOptions: (job) => jobs.get(job),
  ...(data.maxMessageBytes !== undefined ? { maxMessageBytes: data.maxMessageBytes } : {}),
  ...(data.externalLabels !== undefined ? { externalLabels: data.externalLabels } : {}),
  onScrape: (id) => {
    dirty.add(id);
    scheduleFlush();
  },
  onLoopEnded: (id) => {
    dirty.add(id);
    scheduleFlush();
  },
});

function reply(request: number, value?: unknown): void {
  // After the states the operation changed, so the facade sees them first.
  flush();
  const msg: FromWorker = value === undefined ? { op: 'reply', request } : { op: 'reply', request, value };
  port.postMessage(msg);
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.op) {
    case 'job':
      if (msg.options === null) jobs.delete(msg.name);
      else jobs.set(msg.name, jobOptionsFromPortable(msg.options));
      return;
    case 'window':
      seqs.set(msg.target.id, msg.seq);
      manager.scrapeWindow(msg.target, msg.fromMs, msg.untilMs);
      dirty.add(msg.target.id);
      scheduleFlush();
      return;
    case 'reload':
      seqs.set(msg.target.id, msg.seq);
      manager.reload(msg.target, msg.fromMs, msg.untilMs);
      dirty.add(msg.target.id);
      scheduleFlush();
      return;
    case 'stop':
      seqs.set(msg.id, msg.seq);
      await manager.stop(msg.id, { staleMarkers: msg.staleMarkers });
      dirty.add(msg.id);
      reply(msg.request);
      return;
    case 'idle':
      await manager.get(msg.id)?.idle();
      reply(msg.request);
      return;
    case 'stopAll':
      await manager.stopAll();
      for (const id of seqs.keys()) dirty.add(id);
      reply(msg.request);
      return;
    case 'metrics': {
      const all = await metrics.registry.getMetricsAsJSON();
      reply(msg.request, all.filter((m) => !MAIN_THREAD_ONLY.has(m.name)));
      return;
    }
  }
}

port.on('message', (msg: ToWorker) => {
  handle(msg).catch((err: unknown) => logger.error({ err, op: msg.op }, 'scrape worker: operation failed'));
});
logger.info('scrape worker started');
