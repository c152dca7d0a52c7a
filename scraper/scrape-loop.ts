// One target's scrapes (Prometheus' scrapeLoop): phase-aligned ticks, scrape, parse, append,
// report, hand one message per scrape to the sink. A failed scrape never throws out of the loop.
import type { Dispatcher } from 'undici';
import type { Logger } from '../core/logger.ts';
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { encodeSampleMessage } from '../protocol/sample-message.ts';
import { splitWriteRequest } from '../protocol/remote-write-codec.ts';
import { SnappyBlockCompressor } from '../protocol/snappy.ts';
import { takeMessageBuffer } from './message-buffers.ts';
import { formatFromContentType, parseExposition, ExpositionParseError, ExpositionViolations, VIOLATION_RULES } from './exposition/parser.ts';
import type { ExpositionViolation, ViolationRule } from './exposition/parser.ts';
import type { SampleSink } from './sample-sink.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeError, type ScrapeFailureReason } from './scrape-error.ts';
import { ScrapeReportEncoder } from './scrape-report.ts';
import type { ScrapeTarget } from '../model/scrape-target.ts';
import { TargetScraper, type ScrapeResponse } from './target-scraper.ts';
import { WriteRequestAppender } from './write-request-appender.ts';

export interface ScrapeOutcome {
  target: ScrapeTarget;
  job: string;
  ok: boolean;
  startMs: number;
  durationSeconds: number;
  samples: number;
  seriesAdded: number;
  staleMarkers: number;
  /** Samples dropped because the series already had a sample at this timestamp in this scrape. */
  duplicates: number;
  /** Samples dropped for an out-of-bounds timestamp. */
  outOfBounds: number;
  /** Breaks of the exposition formats' semantic rules, by rule (nothing dropped for them). */
  violations: Readonly<Partial<Record<ViolationRule, number>>>;
  error?: ScrapeError;
}

export interface ScrapeLoopObserver {
  onScrape(outcome: ScrapeOutcome): void;
}

export interface TargetHealth {
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: number;
  lastScrapeDurationSeconds: number;
  /** Samples the last scrape kept after metric_relabel_configs (scrape_samples_post_metric_relabeling). */
  lastScrapeSamples: number;
  /**
   * The first break of the formats' semantic rules in the last scrape's body (a negative counter,
   * a histogram without +Inf...): stored anyway, so not an error and not "down", but the
   * exporter's owner should hear of it.
   */
  lastExpositionViolation: ExpositionViolation | undefined;
}

const NO_VIOLATIONS: Readonly<Partial<Record<ViolationRule, number>>> = Object.freeze({});

/** The instant in [0, interval) at which this target is scraped within every interval: the same on every node. */
export function scrapeOffsetMs(target: ScrapeTarget): number {
  return Number.parseInt(target.id.slice(0, 8), 16) % target.intervalMs;
}

/** The first tick of the target at or after fromMs. */
export function nextTickAtOrAfter(target: ScrapeTarget, fromMs: number): number {
  const offset = scrapeOffsetMs(target);
  const k = Math.ceil((fromMs - offset) / target.intervalMs);
  return k * target.intervalMs + offset;
}

// One compressor and one WriteRequest buffer for all loops of a node: a scrape fills the writer
// and compresses it in one synchronous run (parse, end, report, emit), so they are never shared
// mid-use, and a node holds one request buffer instead of one per target.
const compressor = new SnappyBlockCompressor();
const sharedWriter = new ProtoWriter(256 * 1024);

export interface ScrapeLoopOptions {
  target: ScrapeTarget;
  job: JobScrapeOptions;
  dispatcher: Dispatcher;
  sink: SampleSink;
  logger: Logger;
  observer: ScrapeLoopObserver;
  /** Called when the loop ended by itself at the end of its window. */
  onEnded?: (loop: ScrapeLoop) => void;
  /** Largest uncompressed WriteRequest in one Kafka message (compressed, it is never larger). */
  maxMessageBytes?: number;
  /** global.external_labels: added to every series that lacks them. */
  externalLabels?: ReadonlyArray<readonly [string, string]>;
}

/** Under Kafka's default message.max.bytes (1 MiB) even for incompressible data. */
export const DEFAULT_MAX_MESSAGE_BYTES = 900 * 1024;

export class ScrapeLoop {
  readonly target: ScrapeTarget;
  readonly health: TargetHealth = { health: 'unknown', lastError: '', lastScrape: 0, lastScrapeDurationSeconds: 0, lastScrapeSamples: 0, lastExpositionViolation: undefined };
  private readonly scraper: TargetScraper;
  private readonly appender: WriteRequestAppender;
  private readonly report: ScrapeReportEncoder;
  private readonly violations = new ExpositionViolations();
  private readonly sink: SampleSink;
  private readonly logger: Logger;
  private readonly observer: ScrapeLoopObserver;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private activeFromMs = Number.NEGATIVE_INFINITY;
  /** Ticks at or after this instant are not scraped (a handoff to another node at that tick). */
  private activeUntilMs = Number.POSITIVE_INFINITY;
  /** The tick time of the last scrape started (0 before the first). */
  private lastTickMs = 0;
  /** The earliest tick not yet scraped or skipped; a new loop never scrapes ticks before its creation. */
  private cursorMs = Date.now();
  private stopped = false;
  private readonly onEnded: ((loop: ScrapeLoop) => void) | undefined;
  private readonly maxMessageBytes: number;

  constructor(opts: ScrapeLoopOptions) {
    this.target = opts.target;

    this.sink = opts.sink;
    this.observer = opts.observer;
    this.onEnded = opts.onEnded;
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.logger = opts.logger.child({ target: opts.target.url, job: opts.target.job });
    this.scraper = new TargetScraper(opts.target, opts.job, opts.dispatcher);
    this.appender = new WriteRequestAppender(opts.target.labels, opts.job, opts.externalLabels, sharedWriter);
    this.report = new ScrapeReportEncoder(opts.target.labels, opts.externalLabels);
  }

  /**
   * The loop scrapes exactly the ticks in [fromMs, untilMs): a handoff ends one node's window at
   * the tick where the next node's begins, so no tick is scraped twice or missed. Once a tick at or
   * past untilMs comes up the loop ends (onEnded), writing no staleness markers.
   */
  setWindow(fromMs: number, untilMs: number): void {
    if (this.stopped) return;
    this.activeFromMs = fromMs;
    this.activeUntilMs = untilMs;
    // The cursor only moves forward through ticks handled or explicitly excluded, never by the
    // clock alone: a tick whose timer is due but has not fired yet (a busy event loop) still runs.
    this.cursorMs = Math.max(this.cursorMs, fromMs);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(nextTickAtOrAfter(this.target, this.cursorMs));
  }

  get window(): { fromMs: number; untilMs: number } {
    return { fromMs: this.activeFromMs, untilMs: this.activeUntilMs };
  }

  get ended(): boolean {
    return this.stopped;
  }

  /**
   * Stops the loop after an in-flight scrape finishes. With staleMarkers the target left the target
   * list, so its series are ended now; a handoff or shutdown writes none (someone else carries on).
   */
  async stop(opts: { staleMarkers: boolean }): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    // The loop is done for good: its target's connection goes now, not when the server drops it.
    this.scraper.close();
    if (opts.staleMarkers && this.lastTickMs > 0) {
      const now = Date.now();
      const n = this.appender.endOfTarget(now);
      this.report.appendStale(this.appender.writer, now);
      this.emit(n + this.report.seriesCount, n + this.report.seriesCount);
      this.logger.info({ series: n }, 'target removed: wrote staleness markers');
    }
  }

  /** Resolves when no scrape is in flight. */
  async idle(): Promise<void> {
    await this.inFlight;
  }

  private schedule(tickMs: number): void {
    if (this.stopped) return;
    if (tickMs >= this.activeUntilMs) {
      this.stopped = true;
      this.onEnded?.(this);
      void this.idle().then(() => this.scraper.close());
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cursorMs = tickMs + 1;
      if (this.inFlight !== undefined) {
        // The previous scrape still runs (a timeout as long as the interval, a stalled event loop):
        // skip this tick rather than run two scrapes of one target at once, as Prometheus does.
        this.logger.warn({ tick: new Date(tickMs).toISOString() }, 'previous scrape still running: tick skipped');
        this.schedule(tickMs + this.target.intervalMs);
        return;
      }
      this.lastTickMs = tickMs;
      this.inFlight = this.scrapeOnce().then(
        () => {
          this.inFlight = undefined;
        },
        (err: unknown) => {
          this.inFlight = undefined;
          this.logger.error({ err }, 'scrape loop failed');
        },
      );
      this.schedule(tickMs + this.target.intervalMs);
    }, Math.max(0, tickMs - Date.now()));
  }

  /** One scrape, end to end. Exposed for tests and benchmarks. */
  async scrapeOnce(): Promise<ScrapeOutcome> {
    const startMs = Date.now();
    const startNs = process.hrtime.bigint();
    let error: ScrapeError | undefined;
    let response: ScrapeResponse | undefined;
    try {
      response = await this.scraper.scrape();
    } catch (err) {
      error = toScrapeError(err);
    }
    // From here to emit() nothing awaits: the shared writer is this loop's until it is compressed.
    this.appender.begin(startMs);
    this.violations.reset();
    if (response !== undefined) {
      try {
        parseExposition(response.body, formatFromContentType(response.contentType), this.appender, this.violations);
      } catch (err) {
        error = toScrapeError(err);
      }
      // The appender copied what it keeps: the body buffer can serve another target's scrape.
      this.scraper.release();
    }
    const stats = this.appender.end(error !== undefined);
    const durationSeconds = Number(process.hrtime.bigint() - startNs) / 1e9;
    this.report.append(
      this.appender.writer,
      { up: error === undefined, durationSeconds, samplesScraped: stats.scraped, samplesPostRelabel: stats.postRelabel, seriesAdded: stats.seriesAdded },
      startMs,
    );
    const samples = stats.postRelabel + stats.staleMarkers + this.report.seriesCount;
    this.emit(samples, this.appender.cachedSeries + this.report.seriesCount);

    this.health.health = error === undefined ? 'up' : 'down';
    this.health.lastError = error?.message ?? '';
    this.health.lastScrape = startMs;
    this.health.lastScrapeDurationSeconds = durationSeconds;
    this.health.lastScrapeSamples = stats.postRelabel;
    this.health.lastExpositionViolation = this.violations.first;
    if (error !== undefined) {
      this.logger.warn({ reason: error.reason, err: error.message }, 'scrape failed');
    }
    const outcome: ScrapeOutcome = {
      target: this.target,
      job: this.target.job,
      ok: error === undefined,
      startMs,
      durationSeconds,
      samples,
      seriesAdded: stats.seriesAdded,
      staleMarkers: stats.staleMarkers,
      duplicates: stats.duplicates,
      outOfBounds: stats.outOfBounds,
      violations: this.violations.total === 0 ? NO_VIOLATIONS : violationCounts(this.violations),
      ...(error !== undefined ? { error } : {}),
    };
    this.observer.onScrape(outcome);
    return outcome;
  }

  private emit(samples: number, series: number): void {
    const bytes = this.appender.writer.bytes();
    if (bytes.length <= this.maxMessageBytes) {
      const block = compressor.compress(bytes);
      this.sink.send(this.target.id, encodeSampleMessage(samples, series, block, takeMessageBuffer), { target: this.target.url, samples });
      return;
    }
    // A huge scrape becomes several messages under the broker's size limit; same key, so they stay
    // in order in one partition. Every entry holds one sample.
    for (const part of splitWriteRequest(bytes, bytes.length, this.maxMessageBytes)) {
      const block = compressor.compress(bytes.subarray(part.start, part.end));
      this.sink.send(this.target.id, encodeSampleMessage(part.series, series, block, takeMessageBuffer), { target: this.target.url, samples: part.series });
    }
  }
}

function violationCounts(v: ExpositionViolations): Partial<Record<ViolationRule, number>> {
  const counts: Partial<Record<ViolationRule, number>> = {};
  for (const rule of VIOLATION_RULES) if (v.count(rule) > 0) counts[rule] = v.count(rule);
  return counts;
}

function toScrapeError(err: unknown): ScrapeError {
  if (err instanceof ScrapeError) return err;
  if (err instanceof ExpositionParseError) return new ScrapeError('parse', err.message);
  return new ScrapeError('parse' satisfies ScrapeFailureReason, (err as Error).message);
}
