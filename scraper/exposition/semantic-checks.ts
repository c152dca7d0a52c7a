// Semantic rules of the exposition formats that Prometheus does not enforce either: a violating
// exposition is still parsed and stored in full (as Prometheus does), but the violations are
// counted by rule, with the first one's line, so the exporter's owner can learn of them.
//
// Rules, and the formats they apply to (the text format's docs state the histogram rules too):
// - counter_nan, counter_negative (both formats): a counter's total (the family's own name, or
//   the name plus `_total`) is NaN or below 0;
// - counter_missing_total (OpenMetrics only; text 0.0.4 has no suffix rule): an OpenMetrics
//   counter family whose first sample is named exactly as the family (no `_total`);
// - histogram_no_inf_bucket, histogram_bucket_decreasing (both; histogram and OpenMetrics
//   gaugehistogram): a run of `_bucket` samples ends without le="+Inf", or a bucket count is lower
//   than the one before it (lower le);
// - histogram_count_mismatch (both; histogram `_count`, OpenMetrics gaugehistogram `_gcount`): the
//   count differs from the value of the series' le="+Inf" bucket (OpenMetrics: they MUST be equal);
// - metadata_after_samples (both): a # TYPE / # HELP / # UNIT line for a family whose samples
//   came just before it.
//
// Cheap on purpose: only what the parser already holds is compared, and nothing is allocated for
// a valid body. Hence the limits: a bucket run ends where le stops increasing, the series' other
// labels change length, or a sample other than a bucket comes (both formats require buckets in
// increasing le order); metadata is checked against the last sample only (the common mistake:
// samples, then their # TYPE); families with escaped quoted names (`"a\"b"`) are not checked.

import type { LabelSpans } from './label-spans.ts';
import { parseGoFloat } from './float-parser.ts';
import { QUOTE, BACKSLASH, NEWLINE } from './byte-classes.ts';

export const VIOLATION_RULES = [
  'counter_nan',
  'counter_negative',
  'counter_missing_total',
  'histogram_no_inf_bucket',
  'histogram_bucket_decreasing',
  'metadata_after_samples',
  'histogram_count_mismatch',
] as const;
export type ViolationRule = (typeof VIOLATION_RULES)[number];

const COUNTER_NAN = 0;
const COUNTER_NEGATIVE = 1;
const COUNTER_MISSING_TOTAL = 2;
const HISTOGRAM_NO_INF_BUCKET = 3;
const HISTOGRAM_BUCKET_DECREASING = 4;
const METADATA_AFTER_SAMPLES = 5;
const HISTOGRAM_COUNT_MISMATCH = 6;

/** The first violation of a parse: its rule, the 1-based line, and the metric family's name. */
export interface ExpositionViolation {
  readonly rule: ViolationRule;
  readonly line: number;
  readonly family: string;
}

/** What a parse found: violations per rule (VIOLATION_RULES order) and the first one. */
export class ExpositionViolations {
  readonly counts = new Uint32Array(VIOLATION_RULES.length);
  total = 0;
  first: ExpositionViolation | undefined;

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.first = undefined;
  }

  count(rule: ViolationRule): number {
    return this.counts[VIOLATION_RULES.indexOf(rule)]!;
  }
}

// Metric types, whichever format declared them.
export const TYPE_UNKNOWN = 0;
export const TYPE_COUNTER = 1;
export const TYPE_GAUGE = 2;
export const TYPE_HISTOGRAM = 3;
export const TYPE_GAUGEHISTOGRAM = 4;
export const TYPE_SUMMARY = 5;
export const TYPE_INFO = 6;
export const TYPE_STATESET = 7;

/** What the per-sample hook must look at (FamilyChecks.kind). */
export const KIND_PLAIN = 0;
export const KIND_COUNTER = 1;
export const KIND_HISTOGRAM = 2;
/** An OpenMetrics counter before its first sample (counter_missing_total looks at that one). */
export const KIND_FIRST_COUNTER = 3;

const ascii = new TextEncoder();
const nameDecoder = new TextDecoder();
const SUFFIX_TOTAL = 0;
const SUFFIX_CREATED = 1;
const SUFFIX_BUCKET = 2;
const SUFFIX_COUNT = 3;
const SUFFIX_SUM = 4;
const SUFFIX_GCOUNT = 5;
const SUFFIX_GSUM = 6;
const SUFFIX_INFO = 7;
const SUFFIXES = ['_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'].map((s) => ascii.encode(s));
/** memberSuffix: the name is the family's own. */
const EXACT = -1;
/** memberSuffix: the name is not of the family. */
const OTHER = -2;

// The suffixes each type's samples may carry (bit per SUFFIX_*).
const TYPE_SUFFIXES = [
  0,
  (1 << SUFFIX_TOTAL) | (1 << SUFFIX_CREATED),
  0,
  (1 << SUFFIX_BUCKET) | (1 << SUFFIX_COUNT) | (1 << SUFFIX_SUM) | (1 << SUFFIX_CREATED),
  (1 << SUFFIX_BUCKET) | (1 << SUFFIX_GCOUNT) | (1 << SUFFIX_GSUM),
  (1 << SUFFIX_COUNT) | (1 << SUFFIX_SUM) | (1 << SUFFIX_CREATED),
  1 << SUFFIX_INFO,
  0,
];

/** One parse's state for the rules: the current family and the current run of buckets. */
export class FamilyChecks {
  /** KIND_*: whether and how the parser's per-sample hook must call sample(). */
  kind = KIND_PLAIN;
  private openMetrics = false;
  private violations: ExpositionViolations = new ExpositionViolations();
  private firstOffset = -1;
  private firstRule = 0;
  private firstFamilyStart = 0;
  private firstFamilyEnd = 0;
  /** The current family's name in the body (quotes stripped); famStart -1: none or not comparable. */
  private famStart = -1;
  private famEnd = -1;
  private famType = TYPE_UNKNOWN;
  /** The name on the last # TYPE line, whose type famType is (until another family's line). */
  private typeStart = -1;
  private typeEnd = -1;
  // The current run of buckets.
  private inRun = false;
  private prevLe = 0;
  private prevCount = 0;
  private prevBucketStart = 0;
  private runOtherLength = 0;
  // The last le="+Inf" bucket of the family, for its `_count` / `_gcount`: its value and its other
  // labels' spans (in the body; le left out), in a reused array.
  private infPending = false;
  private infCount = 0;
  private infLabels = 0;
  private infBounds = new Int32Array(4 * 16);
  // The last sample metadata_after_samples looked at (its name's position), what it found, and
  // whether it was reported: a family's later metadata lines need not look again.
  private judgedSampleAt = -1;
  private judgedSuffix = OTHER;
  private judgedFlagged = false;

  begin(openMetrics: boolean, violations: ExpositionViolations): void {
    this.openMetrics = openMetrics;
    this.violations = violations;
    violations.reset();
    this.firstOffset = -1;
    this.kind = KIND_PLAIN;
    this.famStart = -1;
    this.famEnd = -1;
    this.famType = TYPE_UNKNOWN;
    this.inRun = false;
    this.infPending = false;
    this.typeStart = -1;
    this.judgedSampleAt = -1;
    this.judgedSuffix = OTHER;
  }

  /**
   * A # TYPE / # HELP / # UNIT line at hashAt for the family body[nameStart, nameEnd) (as
   * written, maybe quoted); type is the declared TYPE_* for a # TYPE line, else -1. lastSample
   * holds the spans of the last sample's series when the body had one before this line.
   */
  metadata(body: Uint8Array, hashAt: number, nameStart: number, nameEnd: number, type: number, lastSample: LabelSpans | undefined): void {
    if (body[nameStart] === QUOTE) {
      nameStart++;
      nameEnd--;
      for (let k = nameStart; k < nameEnd; k++) {
        if (body[k] === BACKSLASH) {
          this.leaveFamily();
          this.typeStart = -1;
          return;
        }
      }
    }
    if (lastSample !== undefined && lastSample.nameStart >= 0 && !lastSample.nameEscaped && lastSample.nameStart !== this.judgedSampleAt) {
      // A sample came since the last metadata line: is it this family's? Its own name, or a
      // suffix the family's type (declared on this line, or before) gives its samples.
      const suffix = memberSuffix(body, lastSample.nameStart, lastSample.nameEnd, nameStart, nameEnd);
      this.judgedSampleAt = lastSample.nameStart;
      this.judgedSuffix = suffix;
      this.judgedFlagged = false;
      if (suffix === EXACT || (suffix >= 0 && this.typeAllows(body, type, suffix, nameStart, nameEnd))) {
        this.judgedFlagged = true;
        this.violation(METADATA_AFTER_SAMPLES, hashAt, nameStart, nameEnd);
      }
    } else if (
      this.judgedSuffix >= 0 &&
      !this.judgedFlagged &&
      type >= 0 &&
      (TYPE_SUFFIXES[type]! & (1 << this.judgedSuffix)) !== 0 &&
      equalBytes(body, nameStart, nameEnd, this.famStart, this.famEnd)
    ) {
      // Rare: the family's earlier line (# HELP) came after the sample, its # TYPE now says the
      // sample's suffix is the family's.
      this.judgedFlagged = true;
      this.violation(METADATA_AFTER_SAMPLES, hashAt, nameStart, nameEnd);
    }
    // Family tracking, comparing names only when a checked family could be left (a valid body's
    // # HELP and # TYPE lines cost no comparison).
    if (type >= 0) {
      if (this.inRun) this.endRun();
      this.famStart = this.typeStart = nameStart;
      this.famEnd = this.typeEnd = nameEnd;
      this.famType = type;
      this.kind =
        type === TYPE_COUNTER ? (this.openMetrics ? KIND_FIRST_COUNTER : KIND_COUNTER) : type === TYPE_HISTOGRAM || type === TYPE_GAUGEHISTOGRAM ? KIND_HISTOGRAM : KIND_PLAIN;
      return;
    }
    if ((this.kind !== KIND_PLAIN || this.inRun) && !equalBytes(body, nameStart, nameEnd, this.famStart, this.famEnd)) this.leaveFamily();
    this.famStart = nameStart;
    this.famEnd = nameEnd;
  }

  /** Whether the family body[nameStart, nameEnd)'s type (declared now: type >= 0, else by its last # TYPE) gives its samples suffix. */
  private typeAllows(body: Uint8Array, type: number, suffix: number, nameStart: number, nameEnd: number): boolean {
    if (type < 0) {
      if (this.typeStart < 0 || !equalBytes(body, nameStart, nameEnd, this.typeStart, this.typeEnd)) return false;
      type = this.famType;
    }
    return (TYPE_SUFFIXES[type]! & (1 << suffix)) !== 0;
  }

  /**
   * A sample of a series while kind is not KIND_PLAIN (for KIND_COUNTER, only when the value is
   * not >= 0): spans are the series', seriesStart where its line starts.
   */
  sample(body: Uint8Array, seriesStart: number, seriesEnd: number, value: number, spans: LabelSpans): void {
    const suffix = spans.nameEscaped ? OTHER : memberSuffix(body, spans.nameStart, spans.nameEnd, this.famStart, this.famEnd);
    if (this.kind !== KIND_HISTOGRAM) {
      if (suffix !== EXACT && suffix !== SUFFIX_TOTAL) return;
      if (this.kind === KIND_FIRST_COUNTER) {
        this.kind = KIND_COUNTER;
        if (suffix === EXACT) this.violation(COUNTER_MISSING_TOTAL, seriesStart, this.famStart, this.famEnd);
      }
      if (value !== value) this.violation(COUNTER_NAN, seriesStart, this.famStart, this.famEnd);
      else if (value < 0) this.violation(COUNTER_NEGATIVE, seriesStart, this.famStart, this.famEnd);
      return;
    }
    if (suffix !== SUFFIX_BUCKET) {
      if (this.inRun) this.endRun();
      if (this.infPending && suffix === (this.famType === TYPE_GAUGEHISTOGRAM ? SUFFIX_GCOUNT : SUFFIX_COUNT) && this.sameAsInf(body, spans)) {
        this.infPending = false;
        if (value !== this.infCount && !(value !== value && this.infCount !== this.infCount)) this.violation(HISTOGRAM_COUNT_MISMATCH, seriesStart, this.famStart, this.famEnd);
      }
      return;
    }
    const bounds = spans.bounds;
    let le = -1;
    for (let k = 0; k < spans.count; k++) {
      const start = bounds[4 * k]!;
      if (bounds[4 * k + 1]! - start === 2 && body[start] === 0x6c && body[start + 1] === 0x65 /* le */) {
        le = k;
        break;
      }
    }
    if (le < 0) {
      if (this.inRun) this.endRun();
      return;
    }
    const valueStart = bounds[4 * le + 2]!;
    const valueEnd = bounds[4 * le + 3]!;
    const bound = parseGoFloat(body, valueStart, valueEnd);
    if (bound !== bound) return; // not a number (or NaN): nothing to order by
    // The series' length without its le label: the same for every bucket of one run (cheap proxy
    // for "the same other labels").
    const otherLength = seriesEnd - seriesStart - (valueEnd - bounds[4 * le]!);
    if (this.inRun && bound > this.prevLe && otherLength === this.runOtherLength) {
      if (value < this.prevCount) this.violation(HISTOGRAM_BUCKET_DECREASING, seriesStart, this.famStart, this.famEnd);
    } else {
      if (this.inRun) this.endRun();
      this.inRun = true;
      this.runOtherLength = otherLength;
    }
    this.prevLe = bound;
    this.prevCount = value;
    this.prevBucketStart = seriesStart;
    if (bound === Number.POSITIVE_INFINITY) this.rememberInf(value, spans, le);
  }

  /** Keeps the +Inf bucket's value and other labels (a few stores per label; grows only for many labels). */
  private rememberInf(value: number, spans: LabelSpans, le: number): void {
    if (this.infBounds.length < 4 * spans.count) this.infBounds = new Int32Array(4 * spans.count);
    const from = spans.bounds;
    const to = this.infBounds;
    let n = 0;
    for (let k = 0; k < spans.count; k++) {
      if (k === le) continue;
      to[4 * n] = from[4 * k]!;
      to[4 * n + 1] = from[4 * k + 1]!;
      to[4 * n + 2] = from[4 * k + 2]!;
      to[4 * n + 3] = from[4 * k + 3]!;
      n++;
    }
    this.infLabels = n;
    this.infCount = value;
    this.infPending = true;
  }

  /** Whether the series' labels are the last +Inf bucket's without le (same order, as written). */
  private sameAsInf(body: Uint8Array, spans: LabelSpans): boolean {
    if (spans.count !== this.infLabels) return false;
    const a = spans.bounds;
    const b = this.infBounds;
    for (let k = 0; k < 4 * spans.count; k += 2) {
      if (!equalBytes(body, a[k]!, a[k + 1]!, b[k]!, b[k + 1]!)) return false;
    }
    return true;
  }

  /** The body has ended: settles the last family. */
  end(body: Uint8Array): void {
    this.leaveFamily();
    if (this.firstOffset >= 0) {
      let line = 1;
      for (let k = 0; k < this.firstOffset; k++) if (body[k] === NEWLINE) line++;
      const family = nameDecoder.decode(body.subarray(this.firstFamilyStart, this.firstFamilyEnd));
      this.violations.first = { rule: VIOLATION_RULES[this.firstRule]!, line, family };
    }
  }

  private leaveFamily(): void {
    if (this.inRun) this.endRun();
    this.infPending = false;
    this.famStart = -1;
    this.famEnd = -1;
    this.famType = TYPE_UNKNOWN;
    this.kind = KIND_PLAIN;
  }

  private endRun(): void {
    this.inRun = false;
    if (this.prevLe !== Number.POSITIVE_INFINITY) this.violation(HISTOGRAM_NO_INF_BUCKET, this.prevBucketStart, this.famStart, this.famEnd);
  }

  private violation(rule: number, at: number, familyStart: number, familyEnd: number): void {
    const v = this.violations;
    v.counts[rule]!++;
    v.total++;
    if (this.firstOffset < 0) {
      this.firstOffset = at;
      this.firstRule = rule;
      this.firstFamilyStart = familyStart;
      this.firstFamilyEnd = familyEnd;
    }
  }
}

/**
 * How body[nameStart, nameEnd) belongs to the family body[famStart, famEnd): EXACT, a SUFFIX_*,
 * or OTHER (famStart -1: no family).
 */
function memberSuffix(body: Uint8Array, nameStart: number, nameEnd: number, famStart: number, famEnd: number): number {
  if (famStart < 0) return OTHER;
  const famLength = famEnd - famStart;
  const rest = nameEnd - nameStart - famLength;
  let suffix = EXACT;
  if (rest !== 0) {
    // The suffix first, by its length and second byte: it tells most names of other families
    // apart in a comparison or two.
    if (rest < 4 || rest > 8) return OTHER;
    const at = nameStart + famLength;
    if (body[at] !== 0x5f /* _ */) return OTHER;
    const c = body[at + 1];
    if (rest === 6) suffix = c === 0x74 ? SUFFIX_TOTAL : c === 0x63 ? SUFFIX_COUNT : OTHER;
    else if (rest === 7) suffix = c === 0x62 ? SUFFIX_BUCKET : c === 0x67 ? SUFFIX_GCOUNT : OTHER;
    else if (rest === 4) suffix = c === 0x73 ? SUFFIX_SUM : OTHER;
    else if (rest === 5) suffix = c === 0x67 ? SUFFIX_GSUM : c === 0x69 ? SUFFIX_INFO : OTHER;
    else suffix = c === 0x63 ? SUFFIX_CREATED : OTHER;
    if (suffix === OTHER) return OTHER;
    const bytes = SUFFIXES[suffix]!;
    for (let k = 2; k < rest; k++) if (body[at + k] !== bytes[k]) return OTHER;
  }
  for (let k = 0; k < famLength; k++) if (body[nameStart + k] !== body[famStart + k]) return OTHER;
  return suffix;
}

function equalBytes(body: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let k = 0; aStart + k < aEnd; k++) if (body[aStart + k] !== body[bStart + k]) return false;
  return true;
}
