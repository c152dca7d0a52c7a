// The Prometheus text format 0.0.4, as Prometheus' promparse.go reads it: whitespace may lead a
// line and surround every token, blank lines are fine, "#" lines other than HELP and TYPE are
// comments, timestamps are integer milliseconds, commas between labels are optional.

import * as bytes from './byte-classes.ts';
import { unescapeTextHelp } from './escapes.ts';
import * as floats from './float-parser.ts';
import type { LabelSpans } from './label-spans.ts';
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
const { BRACE_CLOSE, BRACE_OPEN, CHAR_CLASS, HASH, METRIC_START, MINUS, NEWLINE, SPACE, TAB, TWO_POW_63 } = bytes;
const { decimalPrefixEnd, FLOAT_OK, floatParseStatus, parseDecimalPrefix, parseGoFloat } = floats;
const { decodeFamilyName, failInvalidType, KEYWORD_HELP, KEYWORD_NONE, KEYWORD_TYPE, keywordAt, scanMetadataName, typeEndingLine, typeWords } = metadata;
const { scanSeries } = seriesScanner;
const { findNewline } = tokens;
const { KIND_COUNTER, KIND_PLAIN } = semantic;

export const TEXT_LABEL_SYNTAX: LabelSyntax = { blanks: true, commas: false, exemplar: false };

const TEXT_TYPES = typeWords(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
// TEXT_TYPES as semantic-checks.ts' TYPE_*.
const CHECKED_TYPES = [semantic.TYPE_COUNTER, semantic.TYPE_GAUGE, semantic.TYPE_HISTOGRAM, semantic.TYPE_SUMMARY, semantic.TYPE_UNKNOWN];

/** Parses body (ending in a newline), calling the visitor; returns the number of samples. */
export function parsePrometheusText(body: Uint8Array, visitor: SampleVisitor, spans: LabelSpans, checks: FamilyChecks): number {
  const n = body.length;
  let i = 0;
  let count = 0;
  while (i < n) {
    let c = body[i]!;
    // Whitespace may precede anything; a line of only whitespace is blank.
    while (c === SPACE || c === TAB) c = body[++i]!;
    if (c === NEWLINE) {
      i++;
      continue;
    }
    if (c === HASH) {
      i = parseComment(body, i, n, visitor, spans, checks);
      continue;
    }
    if ((CHAR_CLASS[c]! & METRIC_START) === 0 && c !== BRACE_OPEN) fail(body, i, 'expected metric name, "{" or "#" at start of line');

    const seriesStart = i;
    const seriesEnd = scanSeries(body, i, TEXT_LABEL_SYNTAX, spans);
    i = seriesEnd;
    while (body[i] === SPACE || body[i] === TAB) i++;
    const valueStart = i;
    let value = parseDecimalPrefix(body, i, n);
    i = decimalPrefixEnd();
    if (i < 0 || ((c = body[i]!) !== SPACE && c !== TAB && c !== NEWLINE && c !== BRACE_OPEN)) {
      // Not a plain decimal: the value runs to the next whitespace, newline or "{" (as
      // Prometheus' lexer) and gets the full treatment.
      i = valueStart;
      for (;;) {
        c = body[i]!;
        if (c === SPACE || c === TAB || c === NEWLINE || c === BRACE_OPEN) break;
        i++;
      }
      if (i === valueStart) fail(body, i, 'expected value after metric');
      value = parseGoFloat(body, valueStart, i);
      if (value !== value && floatParseStatus() !== FLOAT_OK) {
        // A bare name running straight into a byte no name may hold (`a\x00{`, `http.requests`).
        if (valueStart === seriesEnd && body[seriesEnd - 1] !== BRACE_CLOSE) fail(body, valueStart, 'invalid character in metric name');
        failFloat(body, valueStart, i, 'value');
      }
    }

    while (body[i] === SPACE || body[i] === TAB) i++;
    let timestampMs = NaN;
    if (body[i] !== NEWLINE) {
      const timestampStart = i;
      const negative = body[i] === MINUS;
      if (negative) i++;
      const digitsStart = i;
      let t = 0;
      for (;;) {
        const d = body[i]! - 0x30;
        if (d < 0 || d > 9) break;
        t = t * 10 + d;
        i++;
      }
      if (i === digitsStart) fail(body, timestampStart, 'expected integer timestamp or end of line after value');
      if (i - digitsStart > 19 || t > TWO_POW_63) fail(body, timestampStart, 'timestamp out of range');
      timestampMs = negative ? 0 - t : t;
      while (body[i] === SPACE || body[i] === TAB) i++;
      if (body[i] !== NEWLINE) fail(body, i, 'unexpected text after timestamp');
    }
    i++; // past the newline
    // Semantic rules (semantic-checks.ts): a counter's valid total (>= 0) needs no call.
    const kind = checks.kind;
    if (kind !== KIND_PLAIN && (kind !== KIND_COUNTER || !(value >= 0))) checks.sample(body, seriesStart, seriesEnd, value, spans);
    visitor.onSample(body, seriesStart, seriesEnd, value, timestampMs, spans);
    count++;
  }
  return count;
}

// "#" then whitespace then HELP or TYPE then whitespace is metadata; any other "#" line is a
// comment. Returns the index after the line.
function parseComment(body: Uint8Array, i: number, n: number, visitor: SampleVisitor, spans: LabelSpans, checks: FamilyChecks): number {
  let j = i + 1;
  if (j >= n || (body[j] !== SPACE && body[j] !== TAB)) return findNewline(body, j, n) + 1;
  while (j < n && (body[j] === SPACE || body[j] === TAB)) j++;
  const keyword = j + 4 < n && (body[j + 4] === SPACE || body[j + 4] === TAB) ? keywordAt(body, j) : KEYWORD_NONE;
  if (keyword !== KEYWORD_HELP && keyword !== KEYWORD_TYPE) return findNewline(body, j, n) + 1;
  j += 5;
  while (j < n && (body[j] === SPACE || body[j] === TAB)) j++;

  const nameStart = j;
  const nameEnd = scanMetadataName(body, j, n, keyword);
  // Prometheus' lexer takes the rest of the line as text and drops its first character (the
  // separating whitespace).
  const textStart = nameEnd < n && body[nameEnd] !== NEWLINE ? nameEnd + 1 : nameEnd;
  let eol: number;
  let checkedType = -1;
  if (keyword === KEYWORD_TYPE) {
    // The type must fill the rest of the line exactly, so no need to search for its end.
    const type = typeEndingLine(body, textStart, n, TEXT_TYPES);
    if (type < 0) failInvalidType(body, textStart, findNewline(body, textStart, n));
    eol = textStart + TEXT_TYPES[type]!.length;
    checkedType = CHECKED_TYPES[type]!;
  } else {
    eol = findNewline(body, textStart, n);
    if (checkUtf8 && !isAsciiOrValidUtf8(body, textStart, eol)) fail(body, textStart, 'help text is not valid UTF-8');
  }
  checks.metadata(body, i, nameStart, nameEnd, checkedType, spans);
  if (visitor.onMetadata !== undefined) {
    const family = decodeFamilyName(body, nameStart, nameEnd);
    const text = decodeUtf8(body, textStart, eol);
    if (keyword === KEYWORD_TYPE) visitor.onMetadata('type', family, text);
    else visitor.onMetadata('help', family, unescapeTextHelp(text));
  }
  return eol + 1;
}
