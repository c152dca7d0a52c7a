// OpenMetrics 1.0 text, as Prometheus' openmetricsparse.go reads it: single spaces and no other
// whitespace, no blank lines, only HELP / TYPE / UNIT / EOF comments, a final "# EOF", timestamps
// in (possibly fractional) seconds, exemplars after " # ", commas between labels.

import * as bytes from './byte-classes.ts';
import { unescapeLabelValue } from './escapes.ts';
import * as floats from './float-parser.ts';
import { LabelSpans } from './label-spans.ts';
import * as metadata from './metadata-line.ts';
import { fail, failFloat } from './parse-error.ts';
import type { SampleVisitor } from './sample-visitor.ts';
import * as semantic from './semantic-checks.ts';
import type { FamilyChecks } from './semantic-checks.ts';
import * as seriesScanner from './series-scanner.ts';
import type { LabelSyntax } from './series-scanner.ts';
import * as tokens from './tokens.ts';
import { checkUtf8 } from './tokens.ts';
import { decodeUtf8, isAsciiOrValidUtf8 } from './utf8.ts';

// Module constants, not imported bindings, on the hot path: see byte-classes.ts.
const { BRACE_OPEN, CHAR_CLASS, HASH, METRIC_START, NEWLINE, QUOTE, SPACE, TAB, TWO_POW_63, UNDERSCORE } = bytes;
const { decimalPrefixEnd, FLOAT_OK, floatParseStatus, parseDecimalPrefix, parseGoFloat } = floats;
const {
  decodeFamilyName,
  failInvalidType,
  KEYWORD_HELP,
  KEYWORD_NONE,
  KEYWORD_TYPE,
  KEYWORD_UNIT,
  keywordAt,
  keywordName,
  scanMetadataName,
  typeEndingLine,
  typeWords,
} = metadata;
const { scanLabelBlock, scanSeries } = seriesScanner;
const { findNewline } = tokens;
const { KIND_COUNTER, KIND_PLAIN } = semantic;

const SERIES_LABEL_SYNTAX: LabelSyntax = { blanks: false, commas: true, exemplar: false };
const EXEMPLAR_LABEL_SYNTAX: LabelSyntax = { blanks: false, commas: true, exemplar: true };

const OPENMETRICS_TYPES = typeWords(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);
// OPENMETRICS_TYPES as semantic-checks.ts' TYPE_*.
const CHECKED_TYPES = [
  semantic.TYPE_COUNTER,
  semantic.TYPE_GAUGE,
  semantic.TYPE_HISTOGRAM,
  semantic.TYPE_GAUGEHISTOGRAM,
  semantic.TYPE_SUMMARY,
  semantic.TYPE_INFO,
  semantic.TYPE_STATESET,
  semantic.TYPE_UNKNOWN,
];

const INVALID_COMMENT = 'invalid comment: OpenMetrics allows only "# HELP", "# TYPE", "# UNIT" and "# EOF"';

// Exemplars are validated and dropped; their spans are never read, and a parse re-entered from a
// visitor cannot disturb them (onSample comes after the line's exemplar), so one set serves all.
const exemplarSpans = new LabelSpans();

/** Parses body (ending in a newline), calling the visitor; returns the number of samples. */
export function parseOpenMetrics(body: Uint8Array, visitor: SampleVisitor, spans: LabelSpans, checks: FamilyChecks): number {
  const n = body.length;
  let i = 0;
  let count = 0;
  while (i < n) {
    const c = body[i]!;
    if (c === HASH) {
      const next = parseComment(body, i, n, visitor, spans, checks);
      if (next < 0) return count; // # EOF, and nothing after it
      i = next;
      continue;
    }
    if ((CHAR_CLASS[c]! & METRIC_START) === 0 && c !== BRACE_OPEN) {
      if (c === NEWLINE) fail(body, i, 'blank lines are not allowed in OpenMetrics');
      if (c === SPACE || c === TAB) fail(body, i, 'whitespace at start of line is not allowed in OpenMetrics');
      fail(body, i, 'expected metric name, "{" or "#" at start of line');
    }

    const seriesStart = i;
    const seriesEnd = scanSeries(body, i, SERIES_LABEL_SYNTAX, spans);
    i = seriesEnd;
    if (body[i] !== SPACE) fail(body, i, 'expected a single space and value after metric');
    i++;
    const valueStart = i;
    let value = parseDecimalPrefix(body, i, n);
    i = decimalPrefixEnd();
    if (i < 0 || (body[i] !== SPACE && body[i] !== NEWLINE)) {
      i = tokenEnd(body, valueStart);
      if (i === valueStart) fail(body, i, 'expected value after metric');
      value = parseGoFloat(body, valueStart, i);
      if (value !== value && floatParseStatus() !== FLOAT_OK) failFloat(body, valueStart, i, 'value');
    }

    let timestampMs = NaN;
    if (i >= n) failMissingEof(body);
    if (body[i] === SPACE) {
      if (isExemplarStart(body, i, n)) {
        i = scanExemplar(body, i + 3, n);
      } else {
        const timestampStart = i + 1;
        i = tokenEnd(body, timestampStart);
        timestampMs = parseTimestamp(body, timestampStart, i, 'timestamp');
        if (i >= n) failMissingEof(body);
        if (body[i] === SPACE) {
          if (!isExemplarStart(body, i, n)) fail(body, i, 'unexpected text after timestamp');
          i = scanExemplar(body, i + 3, n);
        }
      }
    }
    // Here body[i] is the newline (tokens stop only at space or newline).
    i++;
    // Semantic rules (semantic-checks.ts): a counter's valid total (>= 0) needs no call.
    const kind = checks.kind;
    if (kind !== KIND_PLAIN && (kind !== KIND_COUNTER || !(value >= 0))) checks.sample(body, seriesStart, seriesEnd, value, spans);
    if (outsideInt64(timestampMs)) {
      // Valid OpenMetrics (the test suite's "timestamps" case has one) that no storage can hold.
      visitor.onDroppedSample?.('out_of_bounds', body, seriesStart, seriesEnd);
      continue;
    }
    visitor.onSample(body, seriesStart, seriesEnd, value, timestampMs, spans);
    count++;
  }
  return failMissingEof(body);
}

/** Returns the index after the line, or -1 after a valid final # EOF. */
function parseComment(body: Uint8Array, i: number, n: number, visitor: SampleVisitor, spans: LabelSpans, checks: FamilyChecks): number {
  if (i + 1 >= n || body[i + 1] !== SPACE) fail(body, i, INVALID_COMMENT);
  let j = i + 2;
  if (j + 3 <= n && body[j] === 0x45 && body[j + 1] === 0x4f && body[j + 2] === 0x46 /* EOF */) {
    let k = j + 3;
    if (k < n && body[k] === NEWLINE) k++;
    if (k !== n) fail(body, k, 'unexpected data after # EOF');
    return -1;
  }
  const keyword = j + 4 < n && body[j + 4] === SPACE ? keywordAt(body, j) : KEYWORD_NONE;
  if (keyword === KEYWORD_NONE) fail(body, i, INVALID_COMMENT);
  j += 5;
  const nameStart = j;
  const nameEnd = scanMetadataName(body, j, n, keyword);
  if (nameEnd >= n || body[nameEnd] !== SPACE) fail(body, nameEnd, `expected a space and text after the metric name in ${keywordName(keyword)}`);
  const textStart = nameEnd + 1;
  let eol: number;
  let checkedType = -1;
  if (keyword === KEYWORD_TYPE) {
    const type = typeEndingLine(body, textStart, n, OPENMETRICS_TYPES);
    if (type < 0) failInvalidType(body, textStart, findNewline(body, textStart, n));
    eol = textStart + OPENMETRICS_TYPES[type]!.length;
    checkedType = CHECKED_TYPES[type]!;
  } else {
    eol = findNewline(body, textStart, n);
  }
  if (keyword === KEYWORD_UNIT) {
    checkUnitSuffix(body, nameStart, nameEnd, textStart, eol);
  } else if (keyword === KEYWORD_HELP && checkUtf8 && !isAsciiOrValidUtf8(body, textStart, eol)) {
    fail(body, textStart, 'help text is not valid UTF-8');
  }
  checks.metadata(body, i, nameStart, nameEnd, checkedType, spans);
  if (visitor.onMetadata !== undefined) {
    const family = decodeFamilyName(body, nameStart, nameEnd);
    const text = decodeUtf8(body, textStart, eol);
    if (keyword === KEYWORD_TYPE) visitor.onMetadata('type', family, text);
    else if (keyword === KEYWORD_UNIT) visitor.onMetadata('unit', family, text);
    else visitor.onMetadata('help', family, unescapeLabelValue(text)); // escaped like label values
  }
  return eol + 1;
}

// A non-empty unit must be the metric family name's suffix, after an underscore.
function checkUnitSuffix(body: Uint8Array, nameStart: number, nameEnd: number, unitStart: number, unitEnd: number): void {
  if (unitStart === unitEnd) return;
  let start = nameStart;
  let end = nameEnd;
  if (body[start] === QUOTE) {
    start++;
    end--;
  }
  const unitLength = unitEnd - unitStart;
  let ok = end - start >= unitLength + 1 && body[end - unitLength - 1] === UNDERSCORE;
  for (let k = 0; ok && k < unitLength; k++) ok = body[end - unitLength + k] === body[unitStart + k];
  if (!ok) {
    fail(body, unitStart, `unit ${JSON.stringify(decodeUtf8(body, unitStart, unitEnd))} is not a suffix of metric ${JSON.stringify(decodeUtf8(body, start, end))}`, false);
  }
}

function isExemplarStart(body: Uint8Array, i: number, n: number): boolean {
  // " # {" after the value or timestamp.
  return i + 3 < n && body[i + 1] === HASH && body[i + 2] === SPACE && body[i + 3] === BRACE_OPEN;
}

// Exemplars are checked for syntax and dropped. i is at the "{"; returns the index of the newline.
function scanExemplar(body: Uint8Array, i: number, n: number): number {
  exemplarSpans.nameStart = -1;
  i = scanLabelBlock(body, i, EXEMPLAR_LABEL_SYNTAX, exemplarSpans);
  if (i >= n || body[i] !== SPACE) fail(body, i, 'expected a space and value after exemplar labels');
  const valueStart = i + 1;
  i = tokenEnd(body, valueStart);
  if (i === valueStart) fail(body, i, 'expected value after exemplar labels');
  const value = parseGoFloat(body, valueStart, i);
  if (value !== value && floatParseStatus() !== FLOAT_OK) failFloat(body, valueStart, i, 'exemplar value');
  if (i >= n) failMissingEof(body);
  if (body[i] === SPACE) {
    const timestampStart = i + 1;
    i = tokenEnd(body, timestampStart);
    if (outsideInt64(parseTimestamp(body, timestampStart, i, 'exemplar timestamp'))) fail(body, timestampStart, 'exemplar timestamp out of range');
    if (i >= n) failMissingEof(body);
    if (body[i] !== NEWLINE) fail(body, i, 'unexpected text after exemplar timestamp');
  }
  return i;
}

/** body[start, end) as seconds, returned as integer milliseconds (rounded; possibly beyond int64). */
function parseTimestamp(body: Uint8Array, start: number, end: number, what: string): number {
  if (start === end) fail(body, start, `expected ${what}`);
  const seconds = parseGoFloat(body, start, end);
  if (seconds !== seconds && floatParseStatus() !== FLOAT_OK) failFloat(body, start, end, what);
  if (seconds !== seconds || seconds === Infinity || seconds === -Infinity) fail(body, start, `invalid ${what} (NaN and Inf are not allowed)`);
  return Math.round(seconds * 1000);
}

/** Whether ms (NaN for none) is a timestamp no int64 holds. */
function outsideInt64(ms: number): boolean {
  return ms >= TWO_POW_63 || ms < -TWO_POW_63;
}

// OpenMetrics tokens run to the next space or newline.
function tokenEnd(body: Uint8Array, i: number): number {
  for (;;) {
    const c = body[i];
    if (c === SPACE || c === NEWLINE) return i;
    i++;
  }
}

function failMissingEof(body: Uint8Array): never {
  return fail(body, body.length, 'missing # EOF (OpenMetrics must end with "# EOF")', false);
}
