// Turns one scrape's parsed samples into a remote-write WriteRequest (Prometheus' scrape loop
// append + scrape cache). The hot path for a series seen before is: look the raw series text up,
// write its cached label bytes, value and timestamp. Series that vanish get staleness markers.
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { appendTimeSeries, writeStaleMarker } from '../protocol/remote-write-codec.ts';
import { decodeSeries, type LabelSpans, type SampleVisitor } from './exposition/parser.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeError } from './scrape-error.ts';
import { encodeLabels, seriesLabels } from './series-labels.ts';

/** One series after target labels and metric relabeling, however many raw spellings map to it. */
interface SeriesState {
  /** Encoded remote-write labels. */
  labels: Uint8Array;
  /** The scrape (sequence number) that last reported this series. */
  lastSeen: number;
  /** lastSeen before the current scrape, so a failed scrape still knows what the previous one had. */
  prevSeen: number;
  /** False when first seen with its own timestamp: Prometheus writes no staleness markers for it. */
  trackStaleness: boolean;
}

/** One raw series text of the body. */
interface CachedSeries {
  /** The raw series text (a copy), for the positional match. */
  raw: Uint8Array;
  /** null when metric relabeling drops the series. */
  series: SeriesState | null;
  /** The scrape that last reported this raw text. */
  lastSeen: number;
}

export interface AppendStats {
  /** Samples in the body, as scrape_samples_scraped. */
  scraped: number;
  /** Samples kept after metric relabeling, as scrape_samples_post_metric_relabeling. */
  postRelabel: number;
  /** Series not in the cache before this scrape, as scrape_series_added. */
  seriesAdded: number;
  /** Series written as stale because they vanished. */
  staleMarkers: number;
  duplicates: number;
  /** Samples dropped for a timestamp beyond int64 milliseconds (Prometheus: out of bounds). */
  outOfBounds: number;
}

export class WriteRequestAppender implements SampleVisitor {
  readonly writer = new ProtoWriter(64 * 1024);
  /** By raw series text: the hot-path lookup. */
  private readonly cache = new Map<string, CachedSeries>();
  /**
   * By encoded labels: the actual series. Two raw texts can be one series (labels in another order,
   * or metric relabeling made them equal); writing both would put two samples with one timestamp
   * into the request, which the store rejects as a whole.
   */
  private readonly series = new Map<string, SeriesState>();
  private readonly targetLabels: ReadonlyArray<readonly [string, string]>;
  private readonly job: JobScrapeOptions;
  /**
   * The raw series of the previous scrape in body order, and this scrape's so far. A target mostly
   * serves the same series in the same order, so the series at position k is first compared with
   * the previous scrape's k-th: equal bytes mean a hit with no string built and nothing hashed.
   */
  private previousOrder: CachedSeries[] = [];
  private currentOrder: CachedSeries[] = [];
  private position = 0;
  private seq = 0;
  private timestampMs = 0;
  private stats: AppendStats = emptyStats();

  private readonly externalLabels: ReadonlyArray<readonly [string, string]>;

  /** externalLabels are added to every series that lacks them, as Prometheus' global.external_labels. */
  constructor(targetLabels: ReadonlyArray<readonly [string, string]>, job: JobScrapeOptions, externalLabels: ReadonlyArray<readonly [string, string]> = []) {
    this.targetLabels = targetLabels;
    this.job = job;
    this.externalLabels = externalLabels;
  }

  /** Starts a new scrape; samples without their own timestamp get timestampMs. */
  begin(timestampMs: number): void {
    this.seq++;
    this.timestampMs = timestampMs;
    const order = this.previousOrder;
    this.previousOrder = this.currentOrder;
    this.previousOrder.length = this.position;
    this.currentOrder = order;
    this.position = 0;
    this.writer.reset();
    this.stats = emptyStats();
  }

  onDroppedSample(): void {
    // Scraped, but never appended: counted as Prometheus' appender counts out-of-bounds samples.
    this.stats.scraped++;
    this.stats.outOfBounds++;
  }

  onSample(body: Uint8Array, seriesStart: number, seriesEnd: number, value: number, timestampMs: number, spans: LabelSpans): void {
    this.stats.scraped++;
    let entry = this.previousOrder[this.position];
    if (entry === undefined || !sameBytes(entry.raw, body, seriesStart, seriesEnd)) {
      // latin1 maps bytes 1:1 to a string key, the cheapest exact key for the raw series text.
      const key = Buffer.prototype.latin1Slice.call(body, seriesStart, seriesEnd) as string;
      entry = this.cache.get(key);
      if (entry === undefined) {
        entry = { raw: copyOf(body, seriesStart, seriesEnd), series: this.lookUpSeries(body, spans, timestampMs), lastSeen: 0 };
        this.cache.set(key, entry);
      }
    }
    this.currentOrder[this.position++] = entry;
    if (entry.lastSeen === this.seq) {
      this.stats.duplicates++;
      return;
    }
    entry.lastSeen = this.seq; // also for a duplicate below, so that the raw text stays cached
    const series = entry.series;
    if (series === null) return;
    if (series.lastSeen === this.seq) {
      this.stats.duplicates++;
      return;
    }
    series.prevSeen = series.lastSeen;
    series.lastSeen = this.seq;
    this.stats.postRelabel++;
    if (this.job.sampleLimit > 0 && this.stats.postRelabel > this.job.sampleLimit) {
      throw new ScrapeError('sample_limit', `sample_limit exceeded (limit ${this.job.sampleLimit})`);
    }
    const ts = this.job.honorTimestamps && timestampMs === timestampMs ? timestampMs : this.timestampMs;
    appendTimeSeries(this.writer, series.labels, value, ts);
  }

  /** Cache miss (slow path): the series a raw text stands for, or null when relabeling drops it. */
  private lookUpSeries(body: Uint8Array, spans: LabelSpans, timestampMs: number): SeriesState | null {
    // The parser's spans of this series: decoded, not parsed again.
    const labelSet = seriesLabels(decodeSeries(body, spans), this.targetLabels, this.job);
    if (labelSet === null) return null;
    for (const [name, value] of this.externalLabels) if (!labelSet.has(name)) labelSet.set(name, value);
    const labels = encodeLabels(labelSet);
    const labelsKey = Buffer.prototype.latin1Slice.call(labels, 0, labels.length) as string;
    let series = this.series.get(labelsKey);
    if (series === undefined) {
      const explicitTimestamp = this.job.honorTimestamps && timestampMs === timestampMs;
      series = { labels, lastSeen: 0, prevSeen: 0, trackStaleness: !explicitTimestamp };
      this.series.set(labelsKey, series);
      this.stats.seriesAdded++;
    }
    return series;
  }

  /**
   * Ends the scrape: writes staleness markers for series the previous scrape had and this one did not,
   * and forgets series older than that. A failed scrape is ended with failed=true: its samples are
   * discarded and every series of the previous scrape goes stale, as in Prometheus.
   */
  end(failed: boolean): AppendStats {
    const previous = this.seq - 1;
    if (failed) {
      this.writer.reset();
      this.stats.postRelabel = 0;
      this.stats.seriesAdded = 0;
      for (const series of this.series.values()) {
        const inPrevious = series.lastSeen === previous || (series.lastSeen === this.seq && series.prevSeen === previous);
        if (inPrevious && series.trackStaleness) this.appendStale(series.labels);
      }
      this.forgetAll();
      return this.stats;
    }
    for (const [key, series] of this.series) {
      if (series.lastSeen === this.seq) continue;
      if (series.lastSeen === previous && series.trackStaleness) this.appendStale(series.labels);
      this.series.delete(key);
    }
    for (const [key, entry] of this.cache) {
      if (entry.lastSeen !== this.seq) this.cache.delete(key);
    }
    return this.stats;
  }

  private appendStale(labels: Uint8Array): void {
    writeStaleMarker(this.writer, labels, this.timestampMs);
    this.stats.staleMarkers++;
  }

  /** Stale markers for every series of the last scrape: the target is gone from the target list. */
  endOfTarget(timestampMs: number): number {
    this.writer.reset();
    let n = 0;
    for (const series of this.series.values()) {
      if (series.lastSeen === this.seq && series.trackStaleness) {
        writeStaleMarker(this.writer, series.labels, timestampMs);
        n++;
      }
    }
    this.forgetAll();
    return n;
  }

  private forgetAll(): void {
    this.cache.clear();
    this.series.clear();
    this.previousOrder.length = 0;
    this.currentOrder.length = 0;
    this.position = 0;
  }

  /** Distinct series (after relabeling) of the last scrape. */
  get cachedSeries(): number {
    return this.series.size;
  }
}

/** A copy: the body buffer is reused by the next scrape, so a view of it would change under us. */
function copyOf(body: Uint8Array, start: number, end: number): Uint8Array {
  // Pooled (see ProtoWriter.copyBytes): one ArrayBuffer per few hundred series, not one each.
  const raw = Buffer.allocUnsafe(end - start);
  raw.set(body.subarray(start, end));
  return raw;
}

/** a equals b[start, end): a byte loop, cheaper than a native call for series-sized runs. */
function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i] !== b[start + i]) return false;
  }
  return true;
}

function emptyStats(): AppendStats {
  return { scraped: 0, postRelabel: 0, seriesAdded: 0, staleMarkers: 0, duplicates: 0, outOfBounds: 0 };
}
