// A scraper node on several cores (node.scrape_workers > 1): N worker threads, each running a real
// ScrapeManager over the targets whose id hashes to it, behind ScrapeManager's API. A target is
// always on the same worker, so all its messages come from one thread, in order, to the main
// thread's one producer (the SampleSink): per-target ordering in Kafka holds as with one thread.
// The facade keeps a mirror of each target's loop (window, ended, health) from the workers'
// reports, so the shard controller and /api/v1/targets read it synchronously as before.
import { Worker } from 'node:worker_threads';
import { AggregatorRegistry, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { hashString } from '../core/hash.ts';
import type { Logger } from '../core/logger.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';
import type { SampleSink } from './sample-sink.ts';
import type { TargetHealth } from './scrape-loop.ts';
import { portableJobOptions, type FromWorker, type PortableJobOptions, type TargetState, type ToWorker, type WorkerData } from './scrape-worker-protocol.ts';

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

/** What the shard controller, main.ts and /api/v1/targets read of a target's loop. */
export interface LoopView {
  readonly target: ScrapeTarget;
  readonly health: TargetHealth;
  readonly ended: boolean;
  readonly window: { fromMs: number; untilMs: number };
  idle(): Promise<void>;
}

/** ScrapeManager's API, as the shard controller and main.ts use it; ScrapeManager and ScrapeWorkers have it. */
export interface ScrapeLoops {
  start(target: ScrapeTarget, fromMs?: number): void;
  scrapeWindow(target: ScrapeTarget, fromMs: number, untilMs: number): void;
  reload(target: ScrapeTarget, fromMs: number, untilMs: number): boolean;
  stop(targetId: string, opts: { staleMarkers: boolean }): Promise<void>;
  sync(targets: readonly ScrapeTarget[]): Promise<void>;
  get(targetId: string): LoopView | undefined;
  all(): LoopView[];
  stopAll(): Promise<void>;
}

export interface ScrapeWorkersOptions {
  workers: number;
  sink: SampleSink;
  logger: Logger;
  /** The node's registry: /metrics serves it merged with the workers' (see registry). */
  registry: Registry;
  jobOptions: (job: string) => JobScrapeOptions | undefined;
  nodeId: string;
  maxMessageBytes?: number;
  externalLabels?: Record<string, string>;
}

/**
 * The worker a target belongs to: the node-wide string hash (core/hash.ts) of its id, seeded so
 * that it does not follow the ring's placement (a node's targets share hash ranges of the ring).
 */
export function workerOf(targetId: string, workers: number): number {
  return hashString(targetId, WORKER_HASH_SEED) % workers;
}

const WORKER_HASH_SEED = 0x5ca1ab1e;

const UNKNOWN_HEALTH: TargetHealth = { health: 'unknown', lastError: '', lastScrape: 0, lastScrapeDurationSeconds: 0, lastScrapeSamples: 0, lastExpositionViolation: undefined };

class RemoteLoop implements LoopView {
  target: ScrapeTarget;
  health: TargetHealth = { ...UNKNOWN_HEALTH };
  ended = false;
  window: { fromMs: number; untilMs: number };
  /** The last operation sent for this target; a report counts only once the worker has seen it. */
  seq = 0;
  readonly #owner: ScrapeWorkers;

  constructor(owner: ScrapeWorkers, target: ScrapeTarget, fromMs: number, untilMs: number) {
    this.#owner = owner;
    this.target = target;
    this.window = { fromMs, untilMs };
  }

  idle(): Promise<void> {
    return this.#owner.idleOf(this.target.id);
  }
}

interface WorkerSlot {
  index: number;
  worker: Worker;
  /** The job options last sent to this worker, by job name (identity: the caller caches them). */
  jobs: Map<string, JobScrapeOptions | undefined>;
  pending: Map<number, { resolve: (value: unknown) => void }>;
}

// Process-wide: a second facade (tests) must not collide on request numbers across workers anyway.
let nextRequest = 1;

export class ScrapeWorkers implements ScrapeLoops {
  readonly #opts: ScrapeWorkersOptions;
  readonly #slots: WorkerSlot[] = [];
  readonly #loops = new Map<string, RemoteLoop>();
  readonly #portable = new WeakMap<JobScrapeOptions, PortableJobOptions>();
  #seq = 0;
  #closed = false;
  /** How many times a worker was started again after it died (tests and logs). */
  restarts = 0;
  /** /metrics of the node: its own registry merged with every worker's at scrape time. */
  readonly registry: Registry;

  constructor(opts: ScrapeWorkersOptions) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`scrape workers: ${opts.workers} is not a positive integer`);
    this.#opts = opts;
    for (let i = 0; i < opts.workers; i++) this.#slots.push(this.#spawn(i));
    this.registry = new MergedRegistry(opts.registry, () => this.#workerMetrics());
  }

  get workers(): number {
    return this.#slots.length;
  }

  #spawn(index: number): WorkerSlot {
    const data: WorkerData = {
      index,
      nodeId: this.#opts.nodeId,
      logLevel: this.#opts.logger.level,
      ...(this.#opts.maxMessageBytes !== undefined ? { maxMessageBytes: this.#opts.maxMessageBytes } : {}),
      ...(this.#opts.externalLabels !== undefined ? { externalLabels: this.#opts.externalLabels } : {}),
    };
    // The V8 flags bin/ringwatch.ts sets are process-wide: a worker's isolate has them too.
    const worker = new Worker(new URL('./scrape-worker-thread.ts', import.meta.url), { workerData: data, name: `scrape-worker-${index}` });
    // The node's server and shutdown handler keep the process alive, not the workers.
    worker.unref();
    const slot: WorkerSlot = { index, worker, jobs: new Map(), pending: new Map() };
    worker.on('message', (msg: FromWorker) => this.#onMessage(msg, slot));
    worker.on('error', (err) => this.#opts.logger.error({ worker: index, err }, 'scrape worker failed'));
    worker.on('exit', (code) => this.#onExit(slot, code));
    return slot;
  }

  #onMessage(msg: FromWorker, slot: WorkerSlot): void {
    if (msg.op === 'reply') {
      const p = slot.pending.get(msg.request);
      slot.pending.delete(msg.request);
      p?.resolve(msg.value);
      return;
    }
    for (const m of msg.messages) {
      try {
        this.#opts.sink.send(m.key, Buffer.from(m.value, m.offset, m.length), { target: m.target, samples: m.samples });
      } catch (err) {
        // On one thread this would fail the scrape (logged by its loop); it must not end the node.
        this.#opts.logger.error({ err, target: m.target, worker: slot.index }, 'sample sink refused a message');
      }
    }
    for (const s of msg.states) this.#apply(s);
  }

  #apply(s: TargetState): void {
    const loop = this.#loops.get(s.id);
    // A report from before our last operation on the target: a later one will follow it.
    if (loop === undefined || loop.seq !== s.seq) return;
    if (!s.exists) {
      this.#loops.delete(s.id);
      loop.ended = true;
      return;
    }
    loop.ended = s.ended;
    loop.window = { fromMs: s.fromMs, untilMs: s.untilMs };
    if (s.health !== undefined) loop.health = s.health;
  }

  #onExit(slot: WorkerSlot, code: number): void {
    for (const p of slot.pending.values()) p.resolve(undefined);
    slot.pending.clear();
    if (this.#closed || this.#slots[slot.index] !== slot) return;
    // A worker died (an uncaught error, out of memory): a new one takes its targets from their next
    // tick; their series' state (staleness) starts afresh, the rest of the node carries on.
    this.restarts++;
    this.#opts.logger.error({ worker: slot.index, code }, 'scrape worker exited: restarting it with its targets');
    const next = this.#spawn(slot.index);
    this.#slots[slot.index] = next;
    const now = Date.now();
    for (const loop of this.#loops.values()) {
      if (workerOf(loop.target.id, this.#slots.length) !== slot.index || loop.ended) continue;
      this.#sendWindow(loop, Math.max(now, loop.window.fromMs), loop.window.untilMs);
    }
  }

  #slotOf(targetId: string): WorkerSlot {
    return this.#slots[workerOf(targetId, this.#slots.length)] as WorkerSlot;
  }

  #post(slot: WorkerSlot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  #request(slot: WorkerSlot, make: (request: number) => ToWorker): Promise<unknown> {
    const request = nextRequest++;
    return new Promise((resolve) => {
      slot.pending.set(request, { resolve });
      this.#post(slot, make(request));
    });
  }

  /** Sends the job's current options to the target's worker if they changed since; returns them. */
  #syncJob(slot: WorkerSlot, job: string): JobScrapeOptions | undefined {
    const options = this.#opts.jobOptions(job);
    if (slot.jobs.has(job) && slot.jobs.get(job) === options) return options;
    slot.jobs.set(job, options);
    let portable: PortableJobOptions | null = null;
    if (options !== undefined) {
      portable = this.#portable.get(options) ?? portableJobOptions(options);
      this.#portable.set(options, portable);
    }
    this.#post(slot, { op: 'job', name: job, options: portable });
    return options;
  }

  #sendWindow(loop: RemoteLoop, fromMs: number, untilMs: number): void {
    const slot = this.#slotOf(loop.target.id);
    this.#syncJob(slot, loop.target.job);
    loop.seq = ++this.#seq;
    this.#post(slot, { op: 'window', seq: loop.seq, target: loop.target, fromMs, untilMs });
  }

  start(target: ScrapeTarget, fromMs: number = Date.now()): void {
    this.scrapeWindow(target, fromMs, Number.POSITIVE_INFINITY);
  }

  scrapeWindow(target: ScrapeTarget, fromMs: number, untilMs: number): void {
    let loop = this.#loops.get(target.id);
    if (loop === undefined || loop.ended) {
      // As ScrapeManager: a target of an unknown job gets no loop.
      if (this.#syncJob(this.#slotOf(target.id), target.job) === undefined) {
        this.#opts.logger.error({ target: target.url, job: target.job }, 'target of unknown job ignored');
        return;
      }
      loop = new RemoteLoop(this, target, fromMs, untilMs);
      this.#loops.set(target.id, loop);
    } else {
      // A running loop keeps its target record (ScrapeManager.setWindow); a new one is a reload.
      loop.window = { fromMs, untilMs };
    }
    this.#sendWindow(loop, fromMs, untilMs);
  }

  reload(target: ScrapeTarget, fromMs: number, untilMs: number): boolean {
    const current = this.#loops.get(target.id);
    if (current === undefined || current.ended) {
      this.scrapeWindow(target, fromMs, untilMs);
      return true;
    }
    const slot = this.#slotOf(target.id);
    if (this.#syncJob(slot, target.job) === undefined) {
      this.#opts.logger.error({ target: target.url, job: target.job }, 'new settings of the job are unusable: the target keeps its current ones');
      return false;
    }
    current.target = target;
    current.window = { fromMs: Math.max(fromMs, current.window.fromMs), untilMs };
    current.seq = ++this.#seq;
    this.#post(slot, { op: 'reload', seq: current.seq, target, fromMs, untilMs });
    return true;
  }

  async stop(targetId: string, opts: { staleMarkers: boolean }): Promise<void> {
    const slot = this.#slotOf(targetId);
    this.#loops.delete(targetId);
    // Sent even without a mirror: a reload's retiring loop may still run in the worker.
    await this.#request(slot, (request) => ({ op: 'stop', seq: ++this.#seq, id: targetId, staleMarkers: opts.staleMarkers, request }));
  }

  async sync(targets: readonly ScrapeTarget[]): Promise<void> {
    const wanted = new Set(targets.map((t) => t.id));
    await Promise.all([...this.#loops.keys()].filter((id) => !wanted.has(id)).map((id) => this.stop(id, { staleMarkers: true })));
    for (const t of targets) this.start(t);
  }

  get(targetId: string): LoopView | undefined {
    return this.#loops.get(targetId);
  }

  all(): LoopView[] {
    return [...this.#loops.values()];
  }

  /** Resolves when the target's loop has no scrape in flight (ScrapeLoop.idle). */
  async idleOf(targetId: string): Promise<void> {
    await this.#request(this.#slotOf(targetId), (request) => ({ op: 'idle', id: targetId, request }));
  }

  async stopAll(): Promise<void> {
    this.#loops.clear();
    await Promise.all(this.#slots.map((slot) => this.#request(slot, (request) => ({ op: 'stopAll', request }))));
  }

  /** Stops every loop (no staleness markers) and ends the worker threads. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stopAll();
    this.#closed = true;
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  /**
   * Ends worker `index` as a crash would (for tests: a thread cannot be killed from outside the
   * process); the facade restarts it with its targets.
   */
  async crashWorkerForTest(index: number): Promise<void> {
    await (this.#slots[index] as WorkerSlot).worker.terminate();
  }

  /** ringwatch_scraper_targets_owned of each worker, by worker index (tests: where targets run). */
  async ownedPerWorker(): Promise<number[]> {
    const answers = await Promise.all(this.#slots.map((slot) => this.#request(slot, (request) => ({ op: 'metrics', request }))));
    return answers.map((a) => (a as MetricJson[] | undefined)?.find((m) => m.name === 'ringwatch_scraper_targets_owned')?.values[0]?.value ?? 0);
  }

  async #workerMetrics(): Promise<MetricJson[][]> {
    const answers = await Promise.all(this.#slots.map((slot) => this.#request(slot, (request) => ({ op: 'metrics', request }))));
    // A worker that died meanwhile answers nothing: its counts are gone with it, as a restarted process's.
    return answers.filter((a): a is MetricJson[] => Array.isArray(a));
  }
}

/**
 * The node's registry with the workers' metrics merged in at scrape time, summed per series as
 * prom-client's cluster mode does (counters, histograms, the owned-targets gauge). Metrics only
 * the main thread has (process, producer) pass through unchanged.
 */
class MergedRegistry extends Registry {
  readonly #main: Registry;
  readonly #workers: () => Promise<MetricJson[][]>;

  constructor(main: Registry, workers: () => Promise<MetricJson[][]>) {
    super();
    this.#main = main;
    this.#workers = workers;
  }

  override async metrics(): Promise<string> {
    const [main, workers] = await Promise.all([this.#main.getMetricsAsJSON(), this.#workers()]);
    const inWorkers = new Set(workers.flatMap((w) => w.map((m) => m.name)));
    // aggregate() applies each metric's aggregator; one source must come out as it went in.
    const mainOnly = main.map((m) => (inWorkers.has(m.name) ? m : { ...m, aggregator: 'first' as const }));
    return AggregatorRegistry.aggregate([mainOnly, ...workers]).metrics();
  }
}
