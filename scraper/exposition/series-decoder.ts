// Turns a series into strings: the slow path, taken once per series the scrape cache has not seen.
// decodeSeries reads the spans the scanner recorded while validating the series, so the label
// syntax is not parsed a second time.

import { BRACE_OPEN, CHAR_CLASS, METRIC_START, NEWLINE, SPACE, TAB } from './byte-classes.ts';
import { unescapeLabelValue } from './escapes.ts';
import { LabelSpans, NAME_ESCAPED, VALUE_ESCAPED } from './label-spans.ts';
import { TEXT_LABEL_SYNTAX } from './prometheus-text.ts';
import { scanSeries } from './series-scanner.ts';
import { enterBody, leaveBody } from './tokens.ts';
import { decodeUtf8 } from './utf8.ts';

export interface ParsedSeries {
  name: string;
  labelNames: string[];
  labelValues: string[];
}

/** The series whose spans are recorded in spans, as strings (quotes stripped, escapes decoded). */
export function decodeSeries(body: Uint8Array, spans: LabelSpans): ParsedSeries {
  const name = spans.nameStart < 0 ? '' : decodeQuotable(body, spans.nameStart, spans.nameEnd, spans.nameEscaped);
  const labelNames: string[] = [];
  const labelValues: string[] = [];
  const bounds = spans.bounds;
  const escapes = spans.escapes;
  for (let k = 0; k < spans.count; k++) {
    const flags = escapes[k]!;
    labelNames.push(decodeQuotable(body, bounds[4 * k]!, bounds[4 * k + 1]!, (flags & NAME_ESCAPED) !== 0));
    labelValues.push(decodeQuotable(body, bounds[4 * k + 2]!, bounds[4 * k + 3]!, (flags & VALUE_ESCAPED) !== 0));
  }
  return { name, labelNames, labelValues };
}

function decodeQuotable(body: Uint8Array, start: number, end: number, escaped: boolean): string {
  const text = decodeUtf8(body, start, end);
  return escaped ? unescapeLabelValue(text) : text;
}

/**
 * Decodes the series body[start, end) for a caller that holds no spans (tools, tests): scans it
 * with the text format's syntax, which takes any OpenMetrics series too, then decodes it. Throws
 * when the range is not exactly one series (blanks around it aside).
 */
export function parseSeries(body: Uint8Array, start: number, end: number): ParsedSeries {
  // The scanner relies on a newline after the text (see tokens.ts); a copy gets one.
  const length = end - start;
  const text = new Uint8Array(length + 1);
  text.set(body.subarray(start, end));
  text[length] = NEWLINE;
  const outer = enterBody(text);
  try {
    let i = 0;
    while (text[i] === SPACE || text[i] === TAB) i++;
    const c = text[i]!;
    if (c !== BRACE_OPEN && (CHAR_CLASS[c]! & METRIC_START) === 0) throw new Error('parseSeries: expected a metric name or "{"');
    const spans = new LabelSpans();
    i = scanSeries(text, i, TEXT_LABEL_SYNTAX, spans);
    while (text[i] === SPACE || text[i] === TAB) i++;
    if (i !== length) throw new Error('parseSeries: trailing bytes after series');
    return decodeSeries(text, spans);
  } finally {
    leaveBody(outer);
  }
}
