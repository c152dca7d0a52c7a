// Turns one scrape's parsed samples into a remote-write WriteRequest (Prometheus' scrape loop
// append + scrape cache). The hot path for a series seen before is: compare its raw text with the
// previous scrape's series at the same position, write its cached label bytes, value and
// timestamp. Series that vanish get staleness markers.
//
// The cache is a per-target arena (after VictoriaMetrics' lib/promscrape and Prometheus' scrape
// cache): raw series texts and encoded label sets are packed into two byte buffers, with their
// offsets and state in typed arrays, and found by open addressing over typed arrays keyed by a
// hash of the bytes. So a target's cache is a dozen objects however many series it has: nothing
// per series for the garbage collector to trace, and nothing allocated on the hot path.
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { appendTimeSeriesAt, writeStaleMarkerAt } from '../protocol/remote-write-codec.ts';
import { decodeSeries, type LabelSpans, type SampleVisitor } from './exposition/parser.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeError } from './scrape-error.ts';
import { encodeLabels, seriesLabels } from './series-labels.ts';

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

/** rawSeries value of a raw text that metric relabeling drops. */
const DROPPED = -1;
const INITIAL_ENTRIES = 64;

/**
 * Byte strings packed into one growable buffer, each with a hash, found by open addressing.
 * Entries are only appended; compact() keeps the ones a predicate marks and rebuilds the table.
 */
class ByteArena {
  bytes: Uint8Array = new Uint8Array(4096);
  used = 0;
  count = 0;
  start: Int32Array = new Int32Array(INITIAL_ENTRIES);
  length: Int32Array = new Int32Array(INITIAL_ENTRIES);
  hash: Int32Array = new Int32Array(INITIAL_ENTRIES);
  /** Open addressing: entry index + 1, 0 for an empty slot; at most half full. */
  private table: Int32Array = new Int32Array(2 * INITIAL_ENTRIES);

  /** The entry holding src[start, end) with the given hash, or -1. */
  find(src: Uint8Array, start: number, end: number, h: number): number {
    const table = this.table;
    const mask = table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = table[slot]! - 1;
      if (e < 0) return -1;
      if (this.hash[e] === h && sameBytes(this.bytes, this.start[e]!, this.length[e]!, src, start, end)) return e;
    }
  }

  /** Appends src[start, end) (not already present) and returns its entry index. */
  add(src: Uint8Array, start: number, end: number, h: number): number {
    const n = end - start;
    if (this.used + n > this.bytes.length) this.bytes = grownBytes(this.bytes, this.used, this.used + n);
    this.bytes.set(src.subarray(start, end), this.used);
    const e = this.count++;
    if (e === this.start.length) this.growEntries();
    this.start[e] = this.used;
    this.length[e] = n;
    this.hash[e] = h;
    this.used += n;
    if (2 * this.count > this.table.length) this.rebuildTable(2 * this.table.length);
    else this.insert(e);
    return e;
  }

  /** Entries grow in parallel arrays; owners with arrays of their own grow them on the same signal. */
  protected growEntries(): void {
    this.start = grownInt32(this.start);
    this.length = grownInt32(this.length);
    this.hash = grownInt32(this.hash);
  }

  private insert(e: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let slot = this.hash[e]! & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = e + 1;
  }

  private rebuildTable(size: number): void {
    if (size !== this.table.length) this.table = new Int32Array(size);
    else this.table.fill(0);
    for (let e = 0; e < this.count; e++) this.insert(e);
  }

  /**
   * Keeps the entries with keep[e] !== -1, in order, writing each one's new index into keep[e];
   * the caller moves its own per-entry arrays the same way (newIndex <= oldIndex, so in place).
   */
  compact(keep: Int32Array): void {
    let n = 0;
    let used = 0;
    for (let e = 0; e < this.count; e++) {
      if (keep[e] === -1) continue;
      const s = this.start[e]!;
      const len = this.length[e]!;
      if (s !== used) this.bytes.copyWithin(used, s, s + len);
      this.start[n] = used;
      this.length[n] = len;
      this.hash[n] = this.hash[e]!;
      keep[e] = n++;
      used += len;
    }
    this.count = n;
    this.used = used;
    let size = 2 * INITIAL_ENTRIES;
    while (size < 2 * n) size *= 2;
    this.rebuildTable(size);
  }

  clear(): void {
    this.count = 0;
    this.used = 0;
    this.rebuildTable(this.table.length);
  }

  /**
   * Gives back the slack of the bytes' last doubling (up to half of them) once the target's series
   * stopped changing; a new series later grows them again. Slack under an eighth is kept.
   */
  trim(): void {
    const slack = this.bytes.length - this.used;
    if (this.bytes.length <= 4096 || 8 * slack <= this.used) return;
    const next = new Uint8Array(Math.max(4096, this.used + (this.used >> 4)));
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }

  /** Bytes held: the packed bytes and the per-entry arrays. */
  get heldBytes(): number {
    return this.bytes.byteLength + this.start.byteLength + this.length.byteLength + this.hash.byteLength + this.table.byteLength;
  }
}

export class WriteRequestAppender implements SampleVisitor {
  /** Where the WriteRequest goes; a node's scrape loops may share one (see ScrapeLoop). */
  readonly writer: ProtoWriter;
  /** Raw series texts as the body spells them: the hot-path lookup. */
  private readonly raw = new ByteArena();
  /** Per raw text: its series (index into `series`) or DROPPED, and the scrape that last reported it. */
  private rawSeries: Int32Array = new Int32Array(INITIAL_ENTRIES);
  private rawLastSeen: Int32Array = new Int32Array(INITIAL_ENTRIES);
  /**
   * The actual series, by encoded labels, however many raw spellings map to each. Two raw texts
   * can be one series (labels in another order, or metric relabeling made them equal); writing
   * both would put two samples with one timestamp into the request, which the store rejects.
   */
  private readonly series = new ByteArena();
  /** The scrape (sequence number) that last reported the series. */
  private seriesLastSeen: Int32Array = new Int32Array(INITIAL_ENTRIES);
  /** lastSeen before the current scrape, so a failed scrape still knows what the previous one had. */
  private seriesPrevSeen: Int32Array = new Int32Array(INITIAL_ENTRIES);
  /** 0 when first seen with its own timestamp: Prometheus writes no staleness markers for it. */
  private seriesTrack: Uint8Array = new Uint8Array(INITIAL_ENTRIES);
  /** Series of the last finished scrape. */
  private liveSeries = 0;
  private readonly targetLabels: ReadonlyArray<readonly [string, string]>;
  private readonly job: JobScrapeOptions;
  /**
   * The raw entries of the previous scrape in body order, and this scrape's so far. A target mostly
   * serves the same series in the same order, so the series at position k is first compared with
   * the previous scrape's k-th: equal bytes mean a hit with nothing hashed.
   */
  private previousOrder: Int32Array = new Int32Array(INITIAL_ENTRIES);
  private previousLength = 0;
  private currentOrder: Int32Array = new Int32Array(INITIAL_ENTRIES);
  private position = 0;
  private seq = 0;
  private timestampMs = 0;
  private stats: AppendStats = emptyStats();

  private readonly externalLabels: ReadonlyArray<readonly [string, string]>;

  /**
   * externalLabels are added to every series that lacks them, as Prometheus' global.external_labels.
   * writer: where the WriteRequest is written (default: one of its own).
   */
  constructor(targetLabels: ReadonlyArray<readonly [string, string]>, job: JobScrapeOptions, externalLabels: ReadonlyArray<readonly [string, string]> = [], writer?: ProtoWriter) {
    this.targetLabels = targetLabels;
    this.job = job;
    this.externalLabels = externalLabels;
    this.writer = writer ?? new ProtoWriter(64 * 1024);
  }

  /** Starts a new scrape; samples without their own timestamp get timestampMs. */
  begin(timestampMs: number): void {
    this.seq++;
    this.timestampMs = timestampMs;
    const order = this.previousOrder;
    this.previousOrder = this.currentOrder;
    this.previousLength = this.position;
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
    const stats = this.stats;
    stats.scraped++;
    const raw = this.raw;
    const position = this.position;
    let r = -1;
    if (position < this.previousLength) {
      const candidate = this.previousOrder[position]!;
      if (sameBytes(raw.bytes, raw.start[candidate]!, raw.length[candidate]!, body, seriesStart, seriesEnd)) r = candidate;
    }
    if (r < 0) r = this.lookUpRaw(body, seriesStart, seriesEnd, spans, timestampMs);
    if (position === this.currentOrder.length) this.currentOrder = grownInt32(this.currentOrder);
    this.currentOrder[position] = r;
    this.position = position + 1;
    const seq = this.seq;
    if (this.rawLastSeen[r] === seq) {
      stats.duplicates++;
      return;
    }
    this.rawLastSeen[r] = seq; // also for a duplicate below, so that the raw text stays cached
    const s = this.rawSeries[r]!;
    if (s === DROPPED) return;
    const lastSeen = this.seriesLastSeen[s]!;
    if (lastSeen === seq) {
      stats.duplicates++;
      return;
    }
    this.seriesPrevSeen[s] = lastSeen;
    this.seriesLastSeen[s] = seq;
    stats.postRelabel++;
    if (this.job.sampleLimit > 0 && stats.postRelabel > this.job.sampleLimit) {
      throw new ScrapeError('sample_limit', `sample_limit exceeded (limit ${this.job.sampleLimit})`);
    }
    const ts = this.job.honorTimestamps && timestampMs === timestampMs ? timestampMs : this.timestampMs;
    const series = this.series;
    appendTimeSeriesAt(this.writer, series.bytes, series.start[s]!, series.length[s]!, value, ts);
  }

  /**
   * Positional miss: the raw entry by hash, added when new. An entry that missed a scrape is dead
   * (the map-based cache deleted it then) and is looked up afresh, as a new one would be.
   */
  private lookUpRaw(body: Uint8Array, start: number, end: number, spans: LabelSpans, timestampMs: number): number {
    const raw = this.raw;
    const h = hashBytes(body, start, end);
    let r = raw.find(body, start, end, h);
    if (r >= 0 && this.rawLastSeen[r]! >= this.seq - 1) return r;
    const s = this.lookUpSeries(body, spans, timestampMs);
    if (r < 0) {
      r = raw.add(body, start, end, h);
      if (r === this.rawSeries.length) {
        this.rawSeries = grownInt32(this.rawSeries);
        this.rawLastSeen = grownInt32(this.rawLastSeen);
      }
      this.rawLastSeen[r] = 0;
    }
    this.rawSeries[r] = s;
    return r;
  }

  /** Cache miss (slow path): the series a raw text stands for, or DROPPED when relabeling drops it. */
  private lookUpSeries(body: Uint8Array, spans: LabelSpans, timestampMs: number): number {
    // The parser's spans of this series: decoded, not parsed again.
    const labelSet = seriesLabels(decodeSeries(body, spans), this.targetLabels, this.job);
    if (labelSet === null) return DROPPED;
    for (const [name, value] of this.externalLabels) if (!labelSet.has(name)) labelSet.set(name, value);
    const labels = encodeLabels(labelSet);
    const series = this.series;
    const h = hashBytes(labels, 0, labels.length);
    let s = series.find(labels, 0, labels.length, h);
    if (s >= 0 && this.seriesLastSeen[s]! >= this.seq - 1) return s;
    if (s < 0) {
      s = series.add(labels, 0, labels.length, h);
      if (s === this.seriesLastSeen.length) {
        this.seriesLastSeen = grownInt32(this.seriesLastSeen);
        this.seriesPrevSeen = grownInt32(this.seriesPrevSeen);
        const track = new Uint8Array(2 * this.seriesTrack.length);
        track.set(this.seriesTrack);
        this.seriesTrack = track;
      }
    }
    // New, or dead since it missed a scrape: starts over as a new series.
    const explicitTimestamp = this.job.honorTimestamps && timestampMs === timestampMs;
    this.seriesLastSeen[s] = 0;
    this.seriesPrevSeen[s] = 0;
    this.seriesTrack[s] = explicitTimestamp ? 0 : 1;
    this.stats.seriesAdded++;
    return s;
  }

  /**
   * Ends the scrape: writes staleness markers for series the previous scrape had and this one did not,
   * and forgets series older than that. A failed scrape is ended with failed=true: its samples are
   * discarded and every series of the previous scrape goes stale, as in Prometheus.
   */
  end(failed: boolean): AppendStats {
    const seq = this.seq;
    const previous = seq - 1;
    const lastSeen = this.seriesLastSeen;
    const track = this.seriesTrack;
    const count = this.series.count;
    if (failed) {
      this.writer.reset();
      this.stats.postRelabel = 0;
      this.stats.seriesAdded = 0;
      const prevSeen = this.seriesPrevSeen;
      for (let s = 0; s < count; s++) {
        const inPrevious = lastSeen[s] === previous || (lastSeen[s] === seq && prevSeen[s] === previous);
        if (inPrevious && track[s] === 1) this.appendStale(s);
      }
      this.forgetAll();
      return this.stats;
    }
    let live = 0;
    for (let s = 0; s < count; s++) {
      const seen = lastSeen[s]!;
      if (seen === seq) live++;
      else if (seen === previous && track[s] === 1) this.appendStale(s);
    }
    this.liveSeries = live;
    let liveRaw = 0;
    const rawLastSeen = this.rawLastSeen;
    for (let r = 0; r < this.raw.count; r++) if (rawLastSeen[r] === seq) liveRaw++;
    // Entries that missed this scrape stay, dead, until they are a third of the arena: then the
    // arena is compacted, so a target whose series churn costs memory in proportion to its size.
    const dead = this.raw.count - liveRaw + count - live;
    if (dead > 0 && 3 * dead > this.raw.count + count) this.compact();
    if (this.stats.seriesAdded === 0) {
      this.raw.trim();
      this.series.trim();
    }
    return this.stats;
  }

  /** Bytes the cache holds (its arenas and per-entry arrays; not the shared writer). */
  get cacheBytes(): number {
    const arrays = [this.rawSeries, this.rawLastSeen, this.seriesLastSeen, this.seriesPrevSeen, this.seriesTrack, this.previousOrder, this.currentOrder];
    return this.raw.heldBytes + this.series.heldBytes + arrays.reduce((n, a) => n + a.byteLength, 0);
  }

  /** Drops every entry this scrape did not report, renumbering the rest. */
  private compact(): void {
    const seq = this.seq;
    const seriesKeep = new Int32Array(this.series.count);
    for (let s = 0; s < seriesKeep.length; s++) seriesKeep[s] = this.seriesLastSeen[s] === seq ? 0 : -1;
    this.series.compact(seriesKeep);
    for (let s = 0; s < seriesKeep.length; s++) {
      const n = seriesKeep[s]!;
      if (n === -1) continue;
      this.seriesLastSeen[n] = this.seriesLastSeen[s]!;
      this.seriesPrevSeen[n] = this.seriesPrevSeen[s]!;
      this.seriesTrack[n] = this.seriesTrack[s]!;
    }
    const rawKeep = new Int32Array(this.raw.count);
    for (let r = 0; r < rawKeep.length; r++) rawKeep[r] = this.rawLastSeen[r] === seq ? 0 : -1;
    this.raw.compact(rawKeep);
    for (let r = 0; r < rawKeep.length; r++) {
      const n = rawKeep[r]!;
      if (n === -1) continue;
      const s = this.rawSeries[r]!;
      // A raw text reported in this scrape maps to a series reported in it (or is dropped).
      this.rawSeries[n] = s === DROPPED ? DROPPED : seriesKeep[s]!;
      this.rawLastSeen[n] = seq;
    }
    // This scrape's order (the next one's positional reference) holds reported entries only.
    for (let k = 0; k < this.position; k++) this.currentOrder[k] = rawKeep[this.currentOrder[k]!]!;
  }

  private appendStale(s: number): void {
    const series = this.series;
    writeStaleMarkerAt(this.writer, series.bytes, series.start[s]!, series.length[s]!, this.timestampMs);
    this.stats.staleMarkers++;
  }

  /** Stale markers for every series of the last scrape: the target is gone from the target list. */
  endOfTarget(timestampMs: number): number {
    this.writer.reset();
    let n = 0;
    const series = this.series;
    for (let s = 0; s < series.count; s++) {
      if (this.seriesLastSeen[s] === this.seq && this.seriesTrack[s] === 1) {
        writeStaleMarkerAt(this.writer, series.bytes, series.start[s]!, series.length[s]!, timestampMs);
        n++;
      }
    }
    this.forgetAll();
    return n;
  }

  private forgetAll(): void {
    this.raw.clear();
    this.series.clear();
    this.liveSeries = 0;
    this.previousLength = 0;
    this.position = 0;
  }

  /** Distinct series (after relabeling) of the last scrape. */
  get cachedSeries(): number {
    return this.liveSeries;
  }
}

/** a[aStart, aStart + aLength) equals b[start, end): a byte loop, cheaper than a native call for series-sized runs. */
function sameBytes(a: Uint8Array, aStart: number, aLength: number, b: Uint8Array, start: number, end: number): boolean {
  if (aLength !== end - start) return false;
  for (let i = aLength - 1; i >= 0; i--) {
    if (a[aStart + i] !== b[start + i]) return false;
  }
  return true;
}

/** FNV-1a over the bytes: only on a positional miss. */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h & 0x7fffffff;
}

function grownInt32(a: Int32Array): Int32Array {
  const next = new Int32Array(2 * a.length);
  next.set(a);
  return next;
}

function grownBytes(a: Uint8Array, used: number, needed: number): Uint8Array {
  let size = 2 * a.length;
  while (size < needed) size *= 2;
  const next = new Uint8Array(size);
  next.set(a.subarray(0, used));
  return next;
}

function emptyStats(): AppendStats {
  return { scraped: 0, postRelabel: 0, seriesAdded: 0, staleMarkers: 0, duplicates: 0, outOfBounds: 0 };
}
