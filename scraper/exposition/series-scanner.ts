// Validates a series (metric name and label block) where it stands in the body, and records the
// spans of its name and labels into a LabelSpans (see there) as it goes: the only reading of the
// label syntax, whether the series is then found in the scrape cache or decoded into strings.
// How the formats differ in writing a label block comes in as a LabelSyntax that each format's
// file defines.

import * as bytes from './byte-classes.ts';
import { decodedEquals, unescapeLabelValue } from './escapes.ts';
import * as spanFlags from './label-spans.ts';
import type { LabelSpans } from './label-spans.ts';
import { fail } from './parse-error.ts';
import * as tokens from './tokens.ts';
import { checkUtf8 } from './tokens.ts';
import { decodeUtf8, isValidUtf8 } from './utf8.ts';

// Module constants, not imported bindings, on the hot path: see byte-classes.ts.
const { BRACE_CLOSE, BRACE_OPEN, CHAR_CLASS, COMMA, EQUALS, LABEL_CONTINUE, LABEL_START, METRIC_CONTINUE, QUOTE, SPACE, TAB, UNDERSCORE } = bytes;
const { NAME_ESCAPED, VALUE_ESCAPED } = spanFlags;
const { QUOTED_ESCAPED, QUOTED_NON_ASCII, quotedStringFlags, scanName, scanQuotedInLine } = tokens;

/** How a format writes a label block. */
export interface LabelSyntax {
  /** Blanks may surround every token, and separate the metric name from "{" (text 0.0.4). */
  readonly blanks: boolean;
  /** Labels must be separated by commas (OpenMetrics); text 0.0.4 makes them optional. A trailing one is fine in both. */
  readonly commas: boolean;
  /**
   * The block is an exemplar's: it cannot hold the metric name, and its names are not checked
   * for uniqueness (Prometheus does not either).
   */
  readonly exemplar: boolean;
}

/**
 * Scans the series at i, whose first byte the caller has checked to start a metric name or be
 * "{", into spans; returns the index after the series (after the name, or after the "}").
 */
export function scanSeries(body: Uint8Array, i: number, syntax: LabelSyntax, spans: LabelSpans): number {
  if (body[i] === BRACE_OPEN) {
    spans.nameStart = -1;
    const end = scanLabelBlock(body, i, syntax, spans);
    if (spans.nameStart < 0) fail(body, i, 'metric name not set');
    return end;
  }
  const nameEnd = scanName(body, i, METRIC_CONTINUE);
  spans.nameStart = i;
  spans.nameEnd = nameEnd;
  spans.nameEscaped = false;
  let j = nameEnd;
  if (syntax.blanks) while (body[j] === SPACE || body[j] === TAB) j++;
  if (body[j] === BRACE_OPEN) return scanLabelBlock(body, j, syntax, spans);
  spans.count = 0;
  return nameEnd;
}

/**
 * Scans the label block whose "{" is at i into spans and returns the index after the "}". A
 * metric name already in spans (written before the block) may not be set again inside it.
 */
export function scanLabelBlock(body: Uint8Array, i: number, syntax: LabelSyntax, spans: LabelSpans): number {
  const blanks = syntax.blanks;
  const commas = syntax.commas;
  const exemplar = syntax.exemplar;
  let bounds = spans.bounds;
  let escapes = spans.escapes;
  let count = 0;
  // Label names are checked (unique, no __name__ beside a metric name) after the loop, and only
  // when some name could fail: one starts with "__", is escaped, or has the same length as an
  // earlier one (bit min(length, 31) of nameLengths). An escaped name decodes to a backslash,
  // quote or newline, which no unescaped name holds, so it can only equal another escaped one.
  // That keeps the loop lean: nearly every series needs no check at all.
  let nameLengths = 0;
  let checkNames = false;
  i++;
  for (;;) {
    if (blanks) while (body[i] === SPACE || body[i] === TAB) i++;
    let c = body[i]!;
    if (c === BRACE_CLOSE) {
      i++;
      break;
    }

    let nameStart: number;
    let nameEnd: number;
    let quoted = false;
    let nameEscaped = false;
    if ((CHAR_CLASS[c]! & LABEL_START) !== 0) {
      nameStart = i;
      i = scanName(body, i, LABEL_CONTINUE);
      nameEnd = i;
    } else if (c === QUOTE) {
      quoted = true;
      nameStart = i + 1;
      i = scanQuotedInLine(body, i);
      nameEnd = i - 1;
      const nameFlags = quotedStringFlags();
      nameEscaped = (nameFlags & QUOTED_ESCAPED) !== 0;
      if ((nameFlags & QUOTED_NON_ASCII) !== 0 && checkUtf8 && !isValidUtf8(body, nameStart, nameEnd)) {
        fail(body, nameStart - 1, 'quoted name is not valid UTF-8');
      }
    } else {
      fail(body, i, 'expected label name');
    }

    if (blanks) while (body[i] === SPACE || body[i] === TAB) i++;
    c = body[i]!;
    if (quoted && (c === COMMA || c === BRACE_CLOSE)) {
      // A lone quoted string is the metric name (Prometheus 3 UTF-8 syntax).
      if (exemplar) fail(body, i, 'expected "=" after exemplar label name');
      if (spans.nameStart >= 0) fail(body, nameStart - 1, 'metric name set twice');
      if (nameStart === nameEnd) fail(body, nameStart - 1, 'empty metric name');
      spans.nameStart = nameStart;
      spans.nameEnd = nameEnd;
      spans.nameEscaped = nameEscaped;
      i++;
      if (c === BRACE_CLOSE) break;
      continue;
    }
    if (nameStart === nameEnd) fail(body, nameStart - 1, 'empty label name');
    if (c !== EQUALS) fail(body, i, 'expected "=" after label name');
    i++;
    if (blanks) while (body[i] === SPACE || body[i] === TAB) i++;
    if (body[i] !== QUOTE) fail(body, i, 'expected label value in double quotes');
    const valueStart = i + 1;
    i = scanQuotedInLine(body, i);
    const valueEnd = i - 1;
    const valueFlags = quotedStringFlags();
    if ((valueFlags & QUOTED_NON_ASCII) !== 0 && checkUtf8 && !isValidUtf8(body, valueStart, valueEnd)) {
      fail(body, valueStart - 1, 'label value is not valid UTF-8');
    }

    if (4 * count + 4 > bounds.length) {
      bounds = spans.grow();
      escapes = spans.escapes;
    }
    const at = 4 * count;
    bounds[at] = nameStart;
    bounds[at + 1] = nameEnd;
    bounds[at + 2] = valueStart;
    bounds[at + 3] = valueEnd;
    escapes[count] = (nameEscaped ? NAME_ESCAPED : 0) | ((valueFlags & QUOTED_ESCAPED) !== 0 ? VALUE_ESCAPED : 0);
    count++;
    const lengthBit = 1 << Math.min(nameEnd - nameStart, 31);
    if ((nameLengths & lengthBit) !== 0 || nameEscaped || (body[nameStart] === UNDERSCORE && body[nameStart + 1] === UNDERSCORE)) checkNames = true;
    nameLengths |= lengthBit;

    if (blanks) while (body[i] === SPACE || body[i] === TAB) i++;
    if (body[i] === COMMA) i++;
    else if (commas && body[i] !== BRACE_CLOSE) fail(body, i, 'expected "," or "}" after label value');
  }
  spans.count = count;
  if (checkNames && !exemplar) checkLabelNames(body, spans, count);
  return i;
}

/**
 * Label names must be unique, and __name__ is not allowed next to a metric name (Prometheus'
 * scrape loop rejects both after parsing; here they are parse errors).
 */
function checkLabelNames(body: Uint8Array, spans: LabelSpans, count: number): void {
  const bounds = spans.bounds;
  const escapes = spans.escapes;
  for (let k = 1; k < count; k++) {
    const start = bounds[4 * k]!;
    const end = bounds[4 * k + 1]!;
    const length = end - start;
    const escaped = (escapes[k]! & NAME_ESCAPED) !== 0;
    for (let other = 0; other < k; other++) {
      const otherStart = bounds[4 * other]!;
      const otherEnd = bounds[4 * other + 1]!;
      let same: boolean;
      if (escaped || (escapes[other]! & NAME_ESCAPED) !== 0) {
        same = decodedEquals(body, start, end, otherStart, otherEnd);
      } else {
        same = otherEnd - otherStart === length;
        for (let m = 0; same && m < length; m++) same = body[start + m] === body[otherStart + m];
      }
      if (same) fail(body, start, `duplicate label name ${JSON.stringify(unescapeLabelValue(decodeUtf8(body, start, end)))}`, false);
    }
  }
  if (spans.nameStart < 0) return;
  for (let k = 0; k < count; k++) {
    const start = bounds[4 * k]!;
    if (isMetricNameLabel(body, start, bounds[4 * k + 1]!, (escapes[k]! & NAME_ESCAPED) !== 0)) {
      fail(body, start, 'duplicate label name "__name__" (the metric name is already set)');
    }
  }
}

const METRIC_NAME_LABEL = '__name__';

function isMetricNameLabel(body: Uint8Array, start: number, end: number, escaped: boolean): boolean {
  if (escaped) return unescapeLabelValue(decodeUtf8(body, start, end)) === METRIC_NAME_LABEL;
  if (end - start !== 8) return false;
  for (let k = 0; k < 8; k++) if (body[start + k] !== METRIC_NAME_LABEL.charCodeAt(k)) return false;
  return true;
}
