// Parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text, working on
// the raw response bytes. It follows Prometheus' own parsers (model/textparse promparse.go and
// openmetricsparse.go) in what it accepts and rejects, including Prometheus 3's quoted UTF-8
// metric and label names. The hot path hands each sample to a visitor as a byte range plus the
// spans of its labels, value and timestamp, without allocating; decoding a series into strings
// (decodeSeries, from those spans) is meant for cache misses only.
//
// Where things are: prometheus-text.ts and openmetrics.ts hold each format's rules and walk the
// body line by line; series-scanner.ts validates a series and records its label spans
// (label-spans.ts), which series-decoder.ts turns into strings; tokens.ts, metadata-line.ts,
// float-parser.ts and utf8.ts are the shared token-level pieces; semantic-checks.ts counts what
// breaks the formats' semantic rules (a negative counter, a histogram without +Inf...) without
// failing or dropping anything, as Prometheus neither does.
//
// Deliberate differences from Prometheus, all on malformed input:
// - a raw newline inside a quoted label value or name is an error (Prometheus' text lexer lets
//   it through and fails later, somewhere confusing; prometheus/common's parser rejects it);
// - text-format timestamps may be negative (the format says int64; Prometheus' lexer takes
//   digits only);
// - a duplicate label name within one series (including __name__ next to a metric name) is
//   rejected here rather than after parsing, as Prometheus' scrape loop does;
// - OpenMetrics timestamps are rounded to the nearest millisecond (Prometheus truncates).
// An OpenMetrics timestamp beyond int64 milliseconds drops its sample (onDroppedSample,
// 'out_of_bounds'), as Prometheus' scrape loop does, rather than failing the scrape.

import { NEWLINE } from './byte-classes.ts';
import { LabelSpans } from './label-spans.ts';
import { parseOpenMetrics } from './openmetrics.ts';
import { parsePrometheusText } from './prometheus-text.ts';
import type { SampleVisitor } from './sample-visitor.ts';
import { ExpositionViolations, FamilyChecks } from './semantic-checks.ts';
import { enterBody, leaveBody } from './tokens.ts';

export { ExpositionParseError } from './parse-error.ts';
export { LabelSpans } from './label-spans.ts';
export type { DropReason, SampleVisitor } from './sample-visitor.ts';
export { decodeSeries, parseSeries, type ParsedSeries } from './series-decoder.ts';
export { ExpositionViolations, VIOLATION_RULES, type ExpositionViolation, type ViolationRule } from './semantic-checks.ts';

export type ExpositionFormat = 'prometheus-text' | 'openmetrics';

/**
 * Picks the parser from a response Content-Type as Prometheus does:
 * application/openmetrics-text -> openmetrics, anything else (text/plain, missing) -> prometheus-text.
 */
export function formatFromContentType(contentType: string | undefined | null): ExpositionFormat {
  if (!contentType) return 'prometheus-text';
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return mediaType === 'application/openmetrics-text' ? 'openmetrics' : 'prometheus-text';
}

/** The Accept header Prometheus 2.42 sends, so targets can negotiate OpenMetrics. */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

// The spans object of a parse that is not running; a visitor that parses another body from
// inside onSample gets a fresh one, so the outer parse's spans stay as they were.
let idleSpans: LabelSpans | undefined;
let idleChecks: FamilyChecks | undefined;
// Where the violations of a parse go when its caller does not ask for them.
const unreadViolations = new ExpositionViolations();

/**
 * Parses the whole body, calling the visitor; throws ExpositionParseError (1-based line) on the
 * first bad line. Returns the number of samples passed to onSample. violations, if given, is
 * reset and then holds what the body breaks of the formats' semantic rules (semantic-checks.ts),
 * which fail nothing: every sample is still passed on. After a parse error it holds those found
 * before the bad line.
 */
export function parseExposition(body: Uint8Array, format: ExpositionFormat, visitor: SampleVisitor, violations?: ExpositionViolations): number {
  // Every line, the last included, then ends in a newline, which stops every scanning loop: the
  // hot loops need no bounds checks. Prometheus appends the newline the same way.
  if (body.length > 0 && body[body.length - 1] !== NEWLINE) body = withTrailingNewline(body);
  const spans = idleSpans ?? new LabelSpans();
  idleSpans = undefined;
  const checks = idleChecks ?? new FamilyChecks();
  idleChecks = undefined;
  // No series scanned yet in this body (the semantic checks look at the last one).
  spans.nameStart = -1;
  const openMetrics = format === 'openmetrics';
  checks.begin(openMetrics, violations ?? unreadViolations);
  const outer = enterBody(body);
  try {
    return openMetrics ? parseOpenMetrics(body, visitor, spans, checks) : parsePrometheusText(body, visitor, spans, checks);
  } finally {
    checks.end(body);
    leaveBody(outer);
    idleSpans = spans;
    idleChecks = checks;
  }
}

/** Only for a body missing its final newline (rare): copies it with one added. */
function withTrailingNewline(body: Uint8Array): Uint8Array {
  const copy = new Uint8Array(body.length + 1);
  copy.set(body);
  copy[body.length] = NEWLINE;
  return copy;
}
