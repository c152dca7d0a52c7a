// Owns the scrape loops of this node (Prometheus' scrape manager and pools in one, since targets
// arrive already built): starts a loop for each target it is given, stops the others.
import type { Logger } from '../core/logger.ts';
import type { SampleSink } from './sample-sink.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeLoop, type ScrapeOutcome } from './scrape-loop.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';
import type { ScraperMetrics } from './scraper-metrics.ts';
import { DispatcherPool } from './target-scraper.ts';

export interface ScrapeManagerOptions {
  sink: SampleSink;
  logger: Logger;
  metrics: ScraperMetrics;
  /** Resolves a target's job options (relabel, limits, auth...). */
  jobOptions: (job: string) => JobScrapeOptions | undefined;
  /** See ScrapeLoopOptions.maxMessageBytes. */
  maxMessageBytes?: number;
  /** global.external_labels of this node. */
  externalLabels?: Record<string, string>;
}

export class ScrapeManager {
  private readonly loops = new Map<string, ScrapeLoop>();
  private readonly dispatchers = new DispatcherPool();
  private readonly opts: ScrapeManagerOptions;

  constructor(opts: ScrapeManagerOptions) {
    this.opts = opts;
  }

  /** Starts scraping the target from the first tick at or after fromMs, unless it already runs. */
  start(target: ScrapeTarget, fromMs: number = Date.now()): void {
    this.scrapeWindow(target, fromMs, Number.POSITIVE_INFINITY);
  }

  /** Scrapes the target's ticks in [fromMs, untilMs) (see ScrapeLoop.setWindow), starting a loop if needed. */
  scrapeWindow(target: ScrapeTarget, fromMs: number, untilMs: number): void {
    const existing = this.loops.get(target.id);
    if (existing !== undefined && !existing.ended) {
      existing.setWindow(fromMs, untilMs);
      return;
    }
    const job = this.opts.jobOptions(target.job);
    if (job === undefined) {
      this.opts.logger.error({ target: target.url, job: target.job }, 'target of unknown job ignored');
      return;
    }
    const loop = new ScrapeLoop({
      target,
      job,
      dispatcher: this.dispatchers.get(job.http),
      sink: this.opts.sink,
      logger: this.opts.logger,
      observer: { onScrape: (o) => this.record(o) },
      ...(this.opts.maxMessageBytes !== undefined ? { maxMessageBytes: this.opts.maxMessageBytes } : {}),
      externalLabels: Object.entries(this.opts.externalLabels ?? {}),
      onEnded: (ended) => {
        void ended.idle().then(() => {
          if (this.loops.get(target.id) === ended) this.loops.delete(target.id);
          this.opts.metrics.targetsOwned.set(this.loops.size);
          this.opts.metrics.handoffs.inc({ direction: 'out' });
          this.opts.logger.info({ target: target.url, job: target.job }, 'handed off');
        });
      },
    });
    this.loops.set(target.id, loop);
    loop.setWindow(fromMs, untilMs);
    this.opts.metrics.targetsOwned.set(this.loops.size);
  }

  /** Stops a target's loop: with staleMarkers when the target left the list, without on a handoff. */
  async stop(targetId: string, opts: { staleMarkers: boolean }): Promise<void> {
    const loop = this.loops.get(targetId);
    if (loop === undefined) return;
    this.loops.delete(targetId);
    this.opts.metrics.targetsOwned.set(this.loops.size);
    await loop.stop(opts);
  }

  /** Makes the running set exactly `targets`; targets no longer wanted are ended with staleness markers. */
  async sync(targets: readonly ScrapeTarget[]): Promise<void> {
    const wanted = new Set(targets.map((t) => t.id));
    await Promise.all([...this.loops.keys()].filter((id) => !wanted.has(id)).map((id) => this.stop(id, { staleMarkers: true })));
    for (const t of targets) this.start(t);
  }

  get(targetId: string): ScrapeLoop | undefined {
    return this.loops.get(targetId);
  }

  all(): ScrapeLoop[] {
    return [...this.loops.values()];
  }

  /** Stops every loop after its in-flight scrape, writing no staleness markers (shutdown or handoff). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.loops.keys()].map((id) => this.stop(id, { staleMarkers: false })));
    await this.dispatchers.close();
  }

  private record(o: ScrapeOutcome): void {
    const m = this.opts.metrics;
    m.scrapes.inc({ job: o.job });
    m.scrapeDuration.observe({ job: o.job }, o.durationSeconds);
    if (o.error !== undefined) m.scrapeFailures.inc({ job: o.job, reason: o.error.reason });
    if (o.duplicates > 0) m.duplicateSamples.inc(o.duplicates);
    if (o.outOfBounds > 0) m.outOfBoundsSamples.inc(o.outOfBounds);
  }
}
