// Parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text, working on
// the raw response bytes. It follows Prometheus' own parsers (model/textparse promparse.go and
// openmetricsparse.go) in what it accepts and rejects, including Prometheus 3's quoted UTF-8
// metric and label names. The hot path hands each sample to a visitor as a byte range plus
// value and timestamp, without allocating; decoding a series into strings (parseSeries) is
// meant for cache misses only.
//
// Deliberate differences from Prometheus, all on malformed input:
// - a raw newline inside a quoted label value or name is an error (Prometheus' text lexer lets
//   it through and fails later, somewhere confusing; prometheus/common's parser rejects it);
// - text-format timestamps may be negative (the format says int64; Prometheus' lexer takes
//   digits only);
// - a duplicate label name within one series (including __name__ next to a metric name) is
//   rejected here rather than after parsing, as Prometheus' scrape loop does;
// - OpenMetrics timestamps are rounded to the nearest millisecond (Prometheus truncates).

import { isUtf8 } from 'node:buffer';
import {
  decimalPrefixEnd,
  FLOAT_OK,
  FLOAT_OUT_OF_RANGE,
  floatParseStatus,
  floatStatusReason,
  parseDecimalPrefix,
  parseGoFloat,
} from './float-parser.ts';

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

export class ExpositionParseError extends Error {
  /** 1-based line of the body where parsing failed. */
  readonly line: number;
  /** What is wrong, quoting a short excerpt of the offending text. */
  readonly reason: string;

  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionParseError';
    this.line = line;
    this.reason = reason;
  }
}

export interface SampleVisitor {
  /**
   * Called once per sample, in body order. body[seriesStart, seriesEnd) is the series exactly as
   * written (metric name plus the `{...}` label block if any, no surrounding whitespace).
   * timestampMs is NaN when the line has no timestamp; OpenMetrics timestamps (seconds, may be
   * fractional) are converted to integer ms (Math.round). Must not allocate per sample.
   */
  onSample(body: Uint8Array, seriesStart: number, seriesEnd: number, value: number, timestampMs: number): void;
  /** Optional, low rate: # TYPE / # HELP / # UNIT lines (HELP text unescaped). */
  onMetadata?(kind: 'type' | 'help' | 'unit', family: string, text: string): void;
}

export interface ParsedSeries {
  name: string;
  labelNames: string[];
  labelValues: string[];
}

/**
 * Parses the whole body, calling the visitor; throws ExpositionParseError (1-based line) on the
 * first bad line. Returns the number of samples.
 */
export function parseExposition(body: Uint8Array, format: ExpositionFormat, visitor: SampleVisitor): number {
  // Every line, the last included, then ends in a newline, which stops every scanning loop: the
  // hot loops need no bounds checks. Prometheus appends the newline the same way.
  if (body.length > 0 && body[body.length - 1] !== NEWLINE) body = withTrailingNewline(body);
  // One native (SIMD) pass settles UTF-8 validity for the whole body, which is nearly always
  // valid; only otherwise are label values and HELP texts checked one by one (comments may
  // legitimately hold invalid UTF-8). Saved and restored in case a visitor re-enters.
  const outerCheckUtf8 = checkUtf8;
  const outerWords = bodyWords;
  const outerWordBase = wordBase;
  checkUtf8 = !isUtf8(body);
  // A 32-bit view of the body's aligned middle, for scanning to the end of long lines.
  const alignedOffset = (body.byteOffset + 3) & ~3;
  wordBase = alignedOffset - body.byteOffset;
  bodyWords = new Uint32Array(body.buffer, alignedOffset, Math.max(0, (body.length - wordBase) >> 2));
  try {
    return format === 'openmetrics' ? parseOpenMetrics(body, visitor) : parsePrometheusText(body, visitor);
  } finally {
    checkUtf8 = outerCheckUtf8;
    bodyWords = outerWords;
    wordBase = outerWordBase;
  }
}

/** Only for a body missing its final newline (rare): copies it with one added. */
function withTrailingNewline(body: Uint8Array): Uint8Array {
  const copy = new Uint8Array(body.length + 1);
  copy.set(body);
  copy[body.length] = NEWLINE;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Byte classes.

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const HASH = 0x23;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const MINUS = 0x2d;

const METRIC_START = 1; // [a-zA-Z_:]
const METRIC_CONTINUE = 2; // [a-zA-Z0-9_:]
const LABEL_START = 4; // [a-zA-Z_]
const LABEL_CONTINUE = 8; // [a-zA-Z0-9_]

const CHAR_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  let cls = 0;
  if (letter || c === 0x3a) cls |= METRIC_START | METRIC_CONTINUE;
  if (digit) cls |= METRIC_CONTINUE | LABEL_CONTINUE;
  if (letter) cls |= LABEL_START | LABEL_CONTINUE;
  CHAR_CLASS[c] = cls;
}

const TWO_POW_63 = 9223372036854775807; // rounds to 2^63; the int64 limit as a double

// ---------------------------------------------------------------------------------------------
// Scratch state shared by the scanning helpers. Module variables rather than result objects so
// that the per-sample path allocates nothing; they are only read right after the call that set
// them, so a visitor that re-enters the parser cannot disturb them.

/** Whether label values, quoted names and HELP texts need their own UTF-8 check. */
let checkUtf8 = true;
/** The body as 32-bit words from body index wordBase on (see findNewline). */
let bodyWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
let wordBase = 0;
/** Flags of the last scanned quoted string: bit 0x80 = contains non-ASCII, QUOTED_ESCAPED = has a backslash. */
let quotedFlags = 0;
const QUOTED_ESCAPED = 0x100;
/** Whether the last label block held a quoted metric name (`{"name", ...}`). */
let blockSetName = false;
/** [start, end) of each label name in the current block, plus whether it held an escape. */
let labelNameBounds = new Int32Array(64);
let labelNameEscaped = new Uint8Array(32);

// ---------------------------------------------------------------------------------------------
// Prometheus text format 0.0.4.
//
// The parsing functions rely on the body ending in a newline (see parseExposition): loops that
// stop at a newline have no "i < n" test.

function parsePrometheusText(body: Uint8Array, visitor: SampleVisitor): number {
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
      i = parseTextComment(body, i, n, visitor);
      continue;
    }

    const seriesStart = i;
    let seriesEnd: number;
    let valueAbutsName = false;
    if ((CHAR_CLASS[c]! & METRIC_START) !== 0) {
      i = scanName(body, i, METRIC_CONTINUE);
      seriesEnd = i;
      let j = i;
      while (body[j] === SPACE || body[j] === TAB) j++;
      if (body[j] === BRACE_OPEN) {
        i = scanLabelBlock(body, j, false, true, false);
        seriesEnd = i;
      } else {
        valueAbutsName = j === i;
        i = j;
      }
    } else if (c === BRACE_OPEN) {
      i = scanLabelBlock(body, i, false, false, false);
      if (!blockSetName) fail(body, seriesStart, 'metric name not set');
      seriesEnd = i;
    } else {
      fail(body, i, 'expected metric name, "{" or "#" at start of line');
    }

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
        if (valueAbutsName) fail(body, valueStart, 'invalid character in metric name');
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
    visitor.onSample(body, seriesStart, seriesEnd, value, timestampMs);
    count++;
  }
  return count;
}

const KEYWORD_NONE = 0;
const KEYWORD_HELP = 1;
const KEYWORD_TYPE = 2;
const KEYWORD_UNIT = 3;

const asciiEncoder = new TextEncoder();
const TEXT_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'].map((t) => asciiEncoder.encode(t));
const OPENMETRICS_TYPES = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown'].map((t) =>
  asciiEncoder.encode(t),
);

// "#" then whitespace then HELP or TYPE then whitespace is metadata; any other "#" line is a
// comment. Returns the index after the line.
function parseTextComment(body: Uint8Array, i: number, n: number, visitor: SampleVisitor): number {
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
  if (keyword === KEYWORD_TYPE) {
    // The type must fill the rest of the line exactly, so no need to search for its end.
    const type = keywordEndingLine(body, textStart, n, TEXT_TYPES);
    if (type < 0) failInvalidType(body, textStart, findNewline(body, textStart, n));
    eol = textStart + TEXT_TYPES[type]!.length;
  } else {
    eol = findNewline(body, textStart, n);
    if (checkUtf8 && !isAsciiOrValidUtf8(body, textStart, eol)) fail(body, textStart, 'help text is not valid UTF-8');
  }
  if (visitor.onMetadata !== undefined) {
    const family = decodeName(body, nameStart, nameEnd);
    const text = decodeUtf8(body, textStart, eol);
    if (keyword === KEYWORD_TYPE) visitor.onMetadata('type', family, text);
    else visitor.onMetadata('help', family, unescapeTextHelp(text));
  }
  return eol + 1;
}

// ---------------------------------------------------------------------------------------------
// OpenMetrics 1.0.

function parseOpenMetrics(body: Uint8Array, visitor: SampleVisitor): number {
  const n = body.length;
  let i = 0;
  let count = 0;
  while (i < n) {
    let c = body[i]!;
    if (c === HASH) {
      const next = parseOpenMetricsComment(body, i, n, visitor);
      if (next < 0) return count; // # EOF, and nothing after it
      i = next;
      continue;
    }

    const seriesStart = i;
    if ((CHAR_CLASS[c]! & METRIC_START) !== 0) {
      i = scanName(body, i, METRIC_CONTINUE);
      if (body[i] === BRACE_OPEN) i = scanLabelBlock(body, i, true, true, false);
    } else if (c === BRACE_OPEN) {
      i = scanLabelBlock(body, i, true, false, false);
      if (!blockSetName) fail(body, seriesStart, 'metric name not set');
    } else if (c === NEWLINE) {
      fail(body, i, 'blank lines are not allowed in OpenMetrics');
    } else if (c === SPACE || c === TAB) {
      fail(body, i, 'whitespace at start of line is not allowed in OpenMetrics');
    } else {
      fail(body, i, 'expected metric name, "{" or "#" at start of line');
    }
    const seriesEnd = i;

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
        timestampMs = parseOpenMetricsTimestamp(body, timestampStart, i, 'timestamp');
        if (i >= n) failMissingEof(body);
        if (body[i] === SPACE) {
          if (!isExemplarStart(body, i, n)) fail(body, i, 'unexpected text after timestamp');
          i = scanExemplar(body, i + 3, n);
        }
      }
    }
    // Here body[i] is the newline (tokens stop only at space or newline).
    i++;
    visitor.onSample(body, seriesStart, seriesEnd, value, timestampMs);
    count++;
  }
  failMissingEof(body);
}

/** Returns the index after the line, or -1 after a valid final # EOF. */
function parseOpenMetricsComment(body: Uint8Array, i: number, n: number, visitor: SampleVisitor): number {
  if (i + 1 >= n || body[i + 1] !== SPACE) fail(body, i, 'invalid comment: OpenMetrics allows only "# HELP", "# TYPE", "# UNIT" and "# EOF"');
  let j = i + 2;
  if (j + 3 <= n && body[j] === 0x45 && body[j + 1] === 0x4f && body[j + 2] === 0x46 /* EOF */) {
    let k = j + 3;
    if (k < n && body[k] === NEWLINE) k++;
    if (k !== n) fail(body, k, 'unexpected data after # EOF');
    return -1;
  }
  const keyword = j + 4 < n && body[j + 4] === SPACE ? keywordAt(body, j) : KEYWORD_NONE;
  if (keyword === KEYWORD_NONE) fail(body, i, 'invalid comment: OpenMetrics allows only "# HELP", "# TYPE", "# UNIT" and "# EOF"');
  j += 5;
  const nameStart = j;
  const nameEnd = scanMetadataName(body, j, n, keyword);
  if (nameEnd >= n || body[nameEnd] !== SPACE) fail(body, nameEnd, `expected a space and text after the metric name in ${keywordName(keyword)}`);
  const textStart = nameEnd + 1;
  let eol: number;
  if (keyword === KEYWORD_TYPE) {
    const type = keywordEndingLine(body, textStart, n, OPENMETRICS_TYPES);
    if (type < 0) failInvalidType(body, textStart, findNewline(body, textStart, n));
    eol = textStart + OPENMETRICS_TYPES[type]!.length;
  } else {
    eol = findNewline(body, textStart, n);
  }
  if (keyword === KEYWORD_UNIT) {
    checkUnitSuffix(body, nameStart, nameEnd, textStart, eol);
  } else if (keyword === KEYWORD_HELP && checkUtf8 && !isAsciiOrValidUtf8(body, textStart, eol)) {
    fail(body, textStart, 'help text is not valid UTF-8');
  }
  if (visitor.onMetadata !== undefined) {
    const family = decodeName(body, nameStart, nameEnd);
    const text = decodeUtf8(body, textStart, eol);
    if (keyword === KEYWORD_TYPE) visitor.onMetadata('type', family, text);
    else if (keyword === KEYWORD_UNIT) visitor.onMetadata('unit', family, text);
    else visitor.onMetadata('help', family, unescapeLabelValue(text));
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
  let ok = end - start >= unitLength + 1 && body[end - unitLength - 1] === 0x5f;
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
  i = scanLabelBlock(body, i, true, false, true);
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
    parseOpenMetricsTimestamp(body, timestampStart, i, 'exemplar timestamp');
    if (i >= n) failMissingEof(body);
    if (body[i] !== NEWLINE) fail(body, i, 'unexpected text after exemplar timestamp');
  }
  return i;
}

function parseOpenMetricsTimestamp(body: Uint8Array, start: number, end: number, what: string): number {
  if (start === end) fail(body, start, `expected ${what}`);
  const seconds = parseGoFloat(body, start, end);
  if (seconds !== seconds && floatParseStatus() !== FLOAT_OK) failFloat(body, start, end, what);
  if (seconds !== seconds || seconds === Infinity || seconds === -Infinity) fail(body, start, `invalid ${what} (NaN and Inf are not allowed)`);
  const ms = Math.round(seconds * 1000);
  if (ms > TWO_POW_63 || ms < -TWO_POW_63) fail(body, start, `${what} out of range`);
  return ms;
}

// OpenMetrics tokens run to the next space or newline.
function tokenEnd(body: Uint8Array, i: number): number {
  for (;;) {
    const c = body[i];
    if (c === SPACE || c === NEWLINE) return i;
    i++;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces.

/**
 * Scans a label block starting at the "{" at i and returns the index after the "}". Sets
 * blockSetName when a quoted metric name appears inside. The text format allows whitespace
 * between all tokens and makes the comma optional; OpenMetrics allows no whitespace and needs
 * commas (a trailing one is fine in both).
 */
function scanLabelBlock(body: Uint8Array, i: number, openMetrics: boolean, nameSet: boolean, exemplar: boolean): number {
  i++;
  let labelCount = 0;
  let metricNameLabelAt = -1;
  for (;;) {
    if (!openMetrics) while (body[i] === SPACE || body[i] === TAB) i++;
    let c = body[i]!;
    if (c === BRACE_CLOSE) {
      i++;
      break;
    }

    let nameStart: number;
    let nameEnd: number;
    let quoted = false;
    let escaped = false;
    if ((CHAR_CLASS[c]! & LABEL_START) !== 0) {
      nameStart = i;
      i = scanName(body, i, LABEL_CONTINUE);
      nameEnd = i;
    } else if (c === QUOTE) {
      quoted = true;
      nameStart = i + 1;
      i = scanQuotedInLine(body, i);
      nameEnd = i - 1;
      escaped = (quotedFlags & QUOTED_ESCAPED) !== 0;
      if (checkUtf8 && (quotedFlags & 0x80) !== 0 && !isValidUtf8(body, nameStart, nameEnd)) fail(body, nameStart - 1, 'quoted name is not valid UTF-8');
    } else {
      fail(body, i, 'expected label name');
    }

    if (!openMetrics) while (body[i] === SPACE || body[i] === TAB) i++;
    c = body[i]!;
    if (quoted && (c === COMMA || c === BRACE_CLOSE)) {
      // A lone quoted string is the metric name (Prometheus 3 UTF-8 syntax).
      if (exemplar) fail(body, i, 'expected "=" after exemplar label name');
      if (nameSet) fail(body, nameStart - 1, 'metric name set twice');
      if (nameStart === nameEnd) fail(body, nameStart - 1, 'empty metric name');
      nameSet = true;
      blockSetName = true;
      i++;
      if (c === BRACE_CLOSE) break;
      continue;
    }
    if (nameStart === nameEnd) fail(body, nameStart - 1, 'empty label name');
    if (c !== EQUALS) fail(body, i, 'expected "=" after label name');
    i++;
    if (!openMetrics) while (body[i] === SPACE || body[i] === TAB) i++;
    if (body[i] !== QUOTE) fail(body, i, 'expected label value in double quotes');
    const valueStart = i + 1;
    i = scanQuotedInLine(body, i);
    if (checkUtf8 && (quotedFlags & 0x80) !== 0 && !isValidUtf8(body, valueStart, i - 1)) fail(body, valueStart - 1, 'label value is not valid UTF-8');

    if (!exemplar) {
      if (isMetricNameLabel(body, nameStart, nameEnd, escaped)) metricNameLabelAt = nameStart;
      checkDuplicateLabel(body, labelCount, nameStart, nameEnd, escaped);
      labelCount++;
    }

    if (!openMetrics) while (body[i] === SPACE || body[i] === TAB) i++;
    if (body[i] === COMMA) i++;
    else if (openMetrics && body[i] !== BRACE_CLOSE) fail(body, i, 'expected "," or "}" after label value');
  }
  blockSetName = nameSet && !exemplar;
  if (metricNameLabelAt >= 0 && nameSet) fail(body, metricNameLabelAt, 'duplicate label name "__name__" (the metric name is already set)');
  return i;
}

/** Scans a double-quoted string starting at the quote at i; returns the index after the closing quote. */
function scanQuoted(body: Uint8Array, i: number, n: number): number {
  const start = i;
  i++;
  let flags = 0;
  while (i < n) {
    const c = body[i]!;
    if (c === QUOTE) {
      quotedFlags = flags;
      return i + 1;
    }
    if (c === BACKSLASH) {
      flags |= QUOTED_ESCAPED;
      i++;
      if (i >= n || body[i] === NEWLINE) break;
      flags |= body[i]!;
      i++;
      continue;
    }
    if (c === NEWLINE) break;
    flags |= c;
    i++;
  }
  return fail(body, i >= n ? start : i, 'unterminated quoted string (a label value must close on its line; newlines are written as \\n)');
}

/** scanQuoted for a body that ends in a newline, which stops the loop. */
function scanQuotedInLine(body: Uint8Array, i: number): number {
  let flags = 0;
  for (;;) {
    const c = body[++i]!;
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      flags |= QUOTED_ESCAPED;
      const escapedByte = body[++i]!;
      if (escapedByte === NEWLINE) break;
      flags |= escapedByte;
    } else {
      if (c === NEWLINE) break;
      flags |= c;
    }
  }
  if (body[i] !== QUOTE) fail(body, i, 'unterminated quoted string (a label value must close on its line; newlines are written as \\n)');
  quotedFlags = flags;
  return i + 1;
}

/**
 * End of the name at i (a metric name with METRIC_CONTINUE, a label name with LABEL_CONTINUE),
 * whose first byte the caller has checked. (Reading 4 bytes at a time measured no faster here.)
 */
function scanName(body: Uint8Array, i: number, classBit: number): number {
  i++;
  while ((CHAR_CLASS[body[i]!]! & classBit) !== 0) i++;
  return i;
}

function skipBlanks(body: Uint8Array, i: number, n: number): number {
  while (i < n && (body[i] === SPACE || body[i] === TAB)) i++;
  return i;
}

function checkDuplicateLabel(body: Uint8Array, count: number, start: number, end: number, escaped: boolean): void {
  if (count * 2 + 2 > labelNameBounds.length) {
    const grownBounds = new Int32Array(labelNameBounds.length * 2);
    grownBounds.set(labelNameBounds);
    labelNameBounds = grownBounds;
    const grownEscaped = new Uint8Array(labelNameEscaped.length * 2);
    grownEscaped.set(labelNameEscaped);
    labelNameEscaped = grownEscaped;
  }
  const length = end - start;
  for (let k = 0; k < count; k++) {
    const otherStart = labelNameBounds[2 * k]!;
    const otherEnd = labelNameBounds[2 * k + 1]!;
    let same: boolean;
    if (escaped || labelNameEscaped[k] === 1) {
      same = decodedEquals(body, start, end, otherStart, otherEnd);
    } else {
      same = otherEnd - otherStart === length;
      for (let m = 0; same && m < length; m++) same = body[start + m] === body[otherStart + m];
    }
    if (same) fail(body, start, `duplicate label name ${JSON.stringify(unescapeLabelValue(decodeUtf8(body, start, end)))}`, false);
  }
  labelNameBounds[2 * count] = start;
  labelNameBounds[2 * count + 1] = end;
  labelNameEscaped[count] = escaped ? 1 : 0;
}

const METRIC_NAME_LABEL = '__name__';

function isMetricNameLabel(body: Uint8Array, start: number, end: number, escaped: boolean): boolean {
  if (escaped) return unescapeLabelValue(decodeUtf8(body, start, end)) === METRIC_NAME_LABEL;
  if (end - start !== 8) return false;
  for (let k = 0; k < 8; k++) if (body[start + k] !== METRIC_NAME_LABEL.charCodeAt(k)) return false;
  return true;
}

// Compares two escaped byte ranges by their decoded bytes (\\ \" \n decoded, any other
// backslash kept), without allocating.
function decodedEquals(body: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  while (a < aEnd && b < bEnd) {
    let ca = body[a++]!;
    if (ca === BACKSLASH && a < aEnd) {
      const e = body[a]!;
      if (e === BACKSLASH || e === QUOTE) {
        ca = e;
        a++;
      } else if (e === 0x6e) {
        ca = NEWLINE;
        a++;
      }
    }
    let cb = body[b++]!;
    if (cb === BACKSLASH && b < bEnd) {
      const e = body[b]!;
      if (e === BACKSLASH || e === QUOTE) {
        cb = e;
        b++;
      } else if (e === 0x6e) {
        cb = NEWLINE;
        b++;
      }
    }
    if (ca !== cb) return false;
  }
  return a === aEnd && b === bEnd;
}

// HELP / TYPE / UNIT keyword at j (4 bytes, caller checks the separator after it).
function keywordAt(body: Uint8Array, j: number): number {
  const a = body[j];
  const b = body[j + 1];
  const c = body[j + 2];
  const d = body[j + 3];
  if (a === 0x48 && b === 0x45 && c === 0x4c && d === 0x50) return KEYWORD_HELP;
  if (a === 0x54 && b === 0x59 && c === 0x50 && d === 0x45) return KEYWORD_TYPE;
  if (a === 0x55 && b === 0x4e && c === 0x49 && d === 0x54) return KEYWORD_UNIT;
  return KEYWORD_NONE;
}

function keywordName(keyword: number): string {
  return keyword === KEYWORD_HELP ? 'HELP' : keyword === KEYWORD_TYPE ? 'TYPE' : 'UNIT';
}

// The metric family name of a HELP / TYPE / UNIT line: bare or quoted. Returns its end.
function scanMetadataName(body: Uint8Array, j: number, eol: number, keyword: number): number {
  // eol bounds the quoted form only: a bare name always stops at the body's final newline.
  const c = j < eol ? body[j]! : NEWLINE;
  if ((CHAR_CLASS[c]! & METRIC_START) !== 0) return scanName(body, j, METRIC_CONTINUE);
  if (c === QUOTE) {
    const end = scanQuoted(body, j, eol);
    if (end - j === 2) fail(body, j, `empty metric name after ${keywordName(keyword)}`);
    if (checkUtf8 && (quotedFlags & 0x80) !== 0 && !isValidUtf8(body, j + 1, end - 1)) fail(body, j, 'quoted name is not valid UTF-8');
    return end;
  }
  return fail(body, j, `expected metric name after ${keywordName(keyword)}`);
}

// Which of words fills body from start to the end of the line, or -1.
function keywordEndingLine(body: Uint8Array, start: number, n: number, words: readonly Uint8Array[]): number {
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    const length = word.length;
    const end = start + length;
    if (end > n || (end < n && body[end] !== NEWLINE)) continue;
    let k = 0;
    while (k < length && body[start + k] === word[k]) k++;
    if (k === length) return w;
  }
  return -1;
}

function failInvalidType(body: Uint8Array, start: number, end: number): never {
  return fail(body, start, `invalid metric type ${JSON.stringify(decodeUtf8(body, start, end))}`, false);
}

/** Index of the next newline at or after i, or n. Reads 4 bytes at a time over long stretches. */
function findNewline(body: Uint8Array, i: number, n: number): number {
  while (((i - wordBase) & 3) !== 0) {
    if (i >= n || body[i] === NEWLINE) return i;
    i++;
  }
  const words = bodyWords;
  const wordCount = words.length;
  let w = (i - wordBase) >> 2;
  while (w < wordCount) {
    const x = words[w]! ^ 0x0a0a0a0a;
    // Nonzero exactly when some byte of x is zero, i.e. some byte of the word is a newline.
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    w++;
  }
  i = wordBase + (w << 2);
  while (i < n && body[i] !== NEWLINE) i++;
  return i;
}

function lineEnd(body: Uint8Array, i: number, n: number): number {
  const eol = body.indexOf(NEWLINE, i);
  return eol === -1 ? n : eol;
}

function isAsciiOrValidUtf8(body: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    if (body[k]! >= 0x80) return isValidUtf8(body, k, end);
  }
  return true;
}

/** Go's utf8.Valid: rejects overlong forms, surrogates and code points above U+10FFFF. */
function isValidUtf8(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
    } else if (c < 0xc2) {
      return false;
    } else if (c < 0xe0) {
      if (i + 1 >= end || (b[i + 1]! & 0xc0) !== 0x80) return false;
      i += 2;
    } else if (c < 0xf0) {
      if (i + 2 >= end) return false;
      const c1 = b[i + 1]!;
      if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80) return false;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return false;
      i += 3;
    } else if (c < 0xf5) {
      if (i + 3 >= end) return false;
      const c1 = b[i + 1]!;
      if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80 || (b[i + 3]! & 0xc0) !== 0x80) return false;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Decoding (slow path: cache misses and metadata).

const utf8Decoder = new TextDecoder('utf-8');

function decodeUtf8(body: Uint8Array, start: number, end: number): string {
  if (end - start < 32) {
    let ascii = '';
    for (let k = start; k < end; k++) {
      const c = body[k]!;
      if (c >= 0x80) return utf8Decoder.decode(body.subarray(start, end));
      ascii += String.fromCharCode(c);
    }
    return ascii;
  }
  return utf8Decoder.decode(body.subarray(start, end));
}

/** Decodes \\ \" and \n, leaving any other backslash as written (as Prometheus' replacer). */
function unescapeLabelValue(s: string): string {
  return s.indexOf('\\') === -1 ? s : s.replace(/\\(["\\n])/g, (_match, e: string) => (e === 'n' ? '\n' : e));
}

/** Text-format HELP escapes are only \\ and \n. */
function unescapeTextHelp(s: string): string {
  return s.indexOf('\\') === -1 ? s : s.replace(/\\([\\n])/g, (_match, e: string) => (e === 'n' ? '\n' : e));
}

/** A bare name, or a quoted one (quotes stripped, escapes decoded). */
function decodeName(body: Uint8Array, start: number, end: number): string {
  if (body[start] === QUOTE) return unescapeLabelValue(decodeUtf8(body, start + 1, end - 1));
  return decodeUtf8(body, start, end);
}

/** Slow path, used once per new series (cache miss): decodes a series range already validated by parseExposition. */
export function parseSeries(body: Uint8Array, start: number, end: number): ParsedSeries {
  const labelNames: string[] = [];
  const labelValues: string[] = [];
  let name = '';
  let i = skipBlanks(body, start, end);
  if (i < end && (CHAR_CLASS[body[i]!]! & METRIC_START) !== 0) {
    const nameStart = i;
    while (i < end && (CHAR_CLASS[body[i]!]! & METRIC_CONTINUE) !== 0) i++;
    name = decodeUtf8(body, nameStart, i);
    i = skipBlanks(body, i, end);
  }
  if (i < end && body[i] === BRACE_OPEN) {
    i++;
    for (;;) {
      i = skipBlanks(body, i, end);
      if (i >= end) throw new Error('parseSeries: unterminated label set');
      if (body[i] === BRACE_CLOSE) {
        i++;
        break;
      }
      let labelName: string;
      if (body[i] === QUOTE) {
        const quotedEnd = scanQuoted(body, i, end);
        labelName = unescapeLabelValue(decodeUtf8(body, i + 1, quotedEnd - 1));
        i = quotedEnd;
      } else {
        const nameStart = i;
        while (i < end && (CHAR_CLASS[body[i]!]! & LABEL_CONTINUE) !== 0) i++;
        if (i === nameStart) throw new Error('parseSeries: expected label name');
        labelName = decodeUtf8(body, nameStart, i);
      }
      i = skipBlanks(body, i, end);
      const c = body[i];
      if (c === COMMA || c === BRACE_CLOSE) {
        name = labelName;
        if (c === COMMA) i++;
        continue;
      }
      if (c !== EQUALS) throw new Error('parseSeries: expected "="');
      i = skipBlanks(body, i + 1, end);
      if (body[i] !== QUOTE) throw new Error('parseSeries: expected label value');
      const valueEnd = scanQuoted(body, i, end);
      labelNames.push(labelName);
      labelValues.push(unescapeLabelValue(decodeUtf8(body, i + 1, valueEnd - 1)));
      i = skipBlanks(body, valueEnd, end);
      if (i < end && body[i] === COMMA) i++;
    }
  }
  if (skipBlanks(body, i, end) !== end) throw new Error('parseSeries: trailing bytes after series');
  return { name, labelNames, labelValues };
}

// ---------------------------------------------------------------------------------------------
// Errors.

function failFloat(body: Uint8Array, start: number, end: number, what: string): never {
  const status = floatParseStatus();
  const reason = status === FLOAT_OUT_OF_RANGE ? `${what} out of range` : `${floatStatusReason(status)} as ${what}`;
  return fail(body, start, `${reason} ${JSON.stringify(decodeForMessage(body, start, Math.min(end, start + 40)))}`, false);
}

function failMissingEof(body: Uint8Array): never {
  return fail(body, body.length, 'missing # EOF (OpenMetrics must end with "# EOF")', false);
}

/**
 * Throws an ExpositionParseError for the line holding byte pos, quoting the text from pos on
 * ("got ...", unless what already quotes it) and the line around it.
 */
function fail(body: Uint8Array, pos: number, what: string, quoteToken = true): never {
  const n = body.length;
  let line = 1;
  for (let k = 0; k < pos && k < n; k++) if (body[k] === NEWLINE) line++;
  const start = pos > 0 ? body.lastIndexOf(NEWLINE, Math.min(pos, n) - 1) + 1 : 0;
  const end = lineEnd(body, Math.min(pos, n), n);
  let got: string;
  if (pos >= n) got = 'end of input';
  else if (body[pos] === NEWLINE) got = 'end of line';
  else got = JSON.stringify(decodeForMessage(body, pos, Math.min(end, pos + 16)));
  const excerptStart = Math.max(start, pos - 60);
  const excerptEnd = Math.min(end, Math.max(pos, excerptStart) + 20);
  let reason = quoteToken ? `${what}, got ${got}` : what;
  if (excerptEnd > excerptStart) {
    const excerpt = decodeForMessage(body, excerptStart, excerptEnd);
    reason += ` in ${excerptStart > start ? '…' : ''}${JSON.stringify(excerpt)}${excerptEnd < end ? '…' : ''}`;
  }
  if (end > start && body[end - 1] === 0x0d) reason += ' (the line ends with \\r: CRLF line endings are not accepted)';
  throw new ExpositionParseError(line, reason);
}

function decodeForMessage(body: Uint8Array, start: number, end: number): string {
  return utf8Decoder.decode(body.subarray(start, end));
}
