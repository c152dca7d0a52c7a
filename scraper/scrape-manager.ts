// Owns the scrape loops of this node (Prometheus' scrape manager and pools in one, since targets
// arrive already built): starts a loop for each target it is given, stops the others, and
// restarts a loop whose target or job settings changed (Prometheus' scrapePool.reload) with the
// handoff discipline of a move: the old loop scrapes the ticks before a boundary, the new one the
// ticks from it on, so no tick is missed or scraped twice.
import type { Logger } from '../core/logger.ts';
import type { SampleSink } from './sample-sink.ts';
import { withoutCredentials, type JobScrapeOptions } from '../model/scrape-config.ts';
import { isRegisteredSource } from '../discovery/registered.ts';
import { nextTickAtOrAfter, ScrapeLoop, type ScrapeOutcome } from './scrape-loop.ts';
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
  /** Told after every scrape of a target's current loop (a scrape worker reports its health). */
  onScrape?: (targetId: string) => void;
  /** Told when a target's loop ended by itself or its ended loop was dropped (a scrape worker reports it). */
  onLoopEnded?: (targetId: string) => void;
}

/**
 * Where the loop that replaces `old` starts: the first tick of the new grid at least half a new
 * interval after the old loop's last tick before `boundaryMs`. On an unchanged grid that is the
 * boundary tick itself; a new interval or phase realigns to the new grid without a double.
 */
export function reloadStartMs(old: ScrapeTarget, boundaryMs: number, next: ScrapeTarget): number {
  const lastOldTick = nextTickAtOrAfter(old, boundaryMs) - old.intervalMs;
  return lastOldTick + Math.ceil(next.intervalMs / 2);
}

export class ScrapeManager {
  private readonly loops = new Map<string, ScrapeLoop>();
  /** Loops replaced by a reload that still scrape their last ticks before the boundary. */
  private readonly retiring = new Set<ScrapeLoop>();
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
    this.startLoop(target, job, fromMs, untilMs);
  }

  /**
   * The target's record or its job's settings changed: the running loop (if any) scrapes its ticks
   * before the boundary (the first of its ticks not yet due), a new loop with the new settings the
   * ticks from there on, within [fromMs, untilMs). Returns false when the job's new settings are
   * unusable: the old loop then keeps running unchanged.
   */
  reload(target: ScrapeTarget, fromMs: number, untilMs: number): boolean {
    const current = this.loops.get(target.id);
    if (current === undefined || current.ended) {
      this.scrapeWindow(target, fromMs, untilMs);
      return true;
    }
    const job = this.opts.jobOptions(target.job);
    if (job === undefined) {
      this.opts.logger.error({ target: target.url, job: target.job }, 'new settings of the job are unusable: the target keeps its current ones');
      return false;
    }
    const now = Date.now();
    let start = fromMs;
    if (current.window.fromMs > now) {
      // Not started yet (a takeover or an earlier reload still ahead): nothing of its own to hand
      // over; the loop it was to follow is still retiring, so start after that one.
      void current.stop({ staleMarkers: false });
      const previous = this.lastRetiring(target.id);
      if (previous !== undefined) start = Math.max(start, reloadStartMs(previous.target, previous.window.untilMs, target));
      else start = Math.max(start, current.window.fromMs);
    } else {
      const boundary = Math.min(nextTickAtOrAfter(current.target, now), current.window.untilMs);
      start = Math.max(start, reloadStartMs(current.target, boundary, target));
      this.retiring.add(current);
      current.setWindow(current.window.fromMs, boundary);
    }
    this.loops.delete(target.id);
    this.startLoop(target, job, start, untilMs);
    this.opts.logger.info({ target: target.url, job: target.job, fromMs: start }, 'settings changed: loop restarted at the next tick');
    return true;
  }

  private lastRetiring(targetId: string): ScrapeLoop | undefined {
    let last: ScrapeLoop | undefined;
    for (const l of this.retiring) {
      if (l.target.id === targetId && (last === undefined || l.window.untilMs > last.window.untilMs)) last = l;
    }
    return last;
  }

  private startLoop(target: ScrapeTarget, jobOptions: JobScrapeOptions, fromMs: number, untilMs: number): void {
    // A target registered through the API is at an address the operator did not vouch for: it gets
    // the job's credentials only if the job says so (send_credentials_to_registered_targets).
    const registered = isRegisteredSource((target as { source?: string }).source);
    const trusted = registered && !jobOptions.sendCredentialsToRegisteredTargets ? withoutCredentials(jobOptions) : jobOptions;
    const job: JobScrapeOptions = { ...trusted, onDroppedSeries: (reason) => this.opts.metrics.seriesDropped.inc({ job: target.job, reason }) };
    const loop = new ScrapeLoop({
      target,
      job,
      dispatcher: this.dispatchers.get(job.http),
      sink: this.opts.sink,
      logger: this.opts.logger,
      observer: {
        onScrape: (o) => {
          this.record(o);
          this.opts.onScrape?.(target.id);
        },
      },
      ...(this.opts.maxMessageBytes !== undefined ? { maxMessageBytes: this.opts.maxMessageBytes } : {}),
      externalLabels: Object.entries(this.opts.externalLabels ?? {}),
      onEnded: (ended) => {
        if (this.retiring.has(ended)) {
          // A reload's old loop reached its boundary: the new loop already owns the next tick.
          void ended.idle().then(() => this.retiring.delete(ended));
          return;
        }
        this.opts.onLoopEnded?.(target.id);
        void ended.idle().then(() => {
          if (this.loops.get(target.id) === ended) this.loops.delete(target.id);
          this.opts.onLoopEnded?.(target.id);
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
    const retiring = [...this.retiring].filter((l) => l.target.id === targetId);
    if (loop === undefined && retiring.length === 0) return;
    this.loops.delete(targetId);
    this.opts.metrics.targetsOwned.set(this.loops.size);
    // A loop retiring after a reload scraped the latest series: it ends them if the target left.
    for (const l of retiring) this.retiring.delete(l);
    await Promise.all([...(loop !== undefined ? [loop] : []), ...retiring].map((l) => l.stop(opts)));
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
    const ids = new Set([...this.loops.keys(), ...[...this.retiring].map((l) => l.target.id)]);
    await Promise.all([...ids].map((id) => this.stop(id, { staleMarkers: false })));
    await this.dispatchers.close();
  }

  private record(o: ScrapeOutcome): void {
    const m = this.opts.metrics;
    m.scrapes.inc({ job: o.job });
    m.scrapeDuration.observe({ job: o.job }, o.durationSeconds);
    if (o.error !== undefined) m.scrapeFailures.inc({ job: o.job, reason: o.error.reason });
    if (o.duplicates > 0) m.duplicateSamples.inc(o.duplicates);
    if (o.outOfBounds > 0) m.outOfBoundsSamples.inc(o.outOfBounds);
    for (const rule in o.violations) m.expositionViolations.inc({ job: o.job, rule }, o.violations[rule as keyof typeof o.violations]);
  }
}
