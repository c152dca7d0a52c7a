// What a parse hands its caller.

import type { LabelSpans } from './label-spans.ts';

/** Why a well-formed sample was left out: 'out_of_bounds' = its timestamp does not fit int64 milliseconds. */
export type DropReason = 'out_of_bounds';

export interface SampleVisitor {
  /**
   * Called once per sample, in body order. body[seriesStart, seriesEnd) is the series exactly as
   * written (metric name plus the `{...}` label block if any, no surrounding whitespace); labels
   * holds where its name and labels sit in body (decodeSeries turns them into strings), valid only
   * during this call. timestampMs is NaN when the line has no timestamp; OpenMetrics timestamps
   * (seconds, may be fractional) are converted to integer ms (Math.round). Must not allocate per
   * sample.
   */
  onSample(body: Uint8Array, seriesStart: number, seriesEnd: number, value: number, timestampMs: number, labels: LabelSpans): void;
  /** Optional, low rate: # TYPE / # HELP / # UNIT lines (HELP text unescaped). */
  onMetadata?(kind: 'type' | 'help' | 'unit', family: string, text: string): void;
  /**
   * Optional, low rate: a well-formed sample that cannot be stored, skipped rather than failing
   * the scrape, as Prometheus' scrape loop does (it counts 'out_of_bounds' ones in
   * prometheus_target_scrapes_sample_out_of_bounds_total). Such a sample gets no onSample call and
   * is not in parseExposition's count.
   */
  onDroppedSample?(reason: DropReason, body: Uint8Array, seriesStart: number, seriesEnd: number): void;
}
