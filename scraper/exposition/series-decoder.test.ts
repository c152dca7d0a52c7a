import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSeries, type ExpositionFormat, type LabelSpans, type ParsedSeries, parseExposition, parseSeries } from './parser.ts';

const TESTDATA_DIR = path.resolve(import.meta.dirname, '../../test/fixtures/exposition');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** decodeSeries of every sample, taken inside onSample (the spans are only valid there). */
function decodeAll(input: string | Uint8Array, format: ExpositionFormat): ParsedSeries[] {
  const out: ParsedSeries[] = [];
  parseExposition(typeof input === 'string' ? encoder.encode(input) : input, format, {
    onSample(b, _start, _end, _value, _timestampMs, spans) {
      out.push(decodeSeries(b, spans));
    },
  });
  return out;
}

// An independent reading of the simple series of the real bodies (bare names, no quoted names).
function naiveDecode(series: string): ParsedSeries {
  const brace = series.indexOf('{');
  if (brace === -1) return { name: series, labelNames: [], labelValues: [] };
  const labelNames: string[] = [];
  const labelValues: string[] = [];
  for (const m of series.slice(brace).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labelNames.push(m[1]!);
    labelValues.push(m[2]!.replace(/\\(["\\n])/g, (_all, e: string) => (e === 'n' ? '\n' : e)));
  }
  return { name: series.slice(0, brace), labelNames, labelValues };
}

describe('decodeSeries', () => {
  it.each(['prometheus-2.42.txt', 'etcd-3.4.txt', 'node-exporter-1.5.txt', 'alertmanager-0.25.txt'])(
    'decodes every series of %s from the spans as a plain reading of the text does',
    (file) => {
      const body = readFileSync(path.join(TESTDATA_DIR, file));
      const series: string[] = [];
      const decoded: ParsedSeries[] = [];
      parseExposition(body, 'prometheus-text', {
        onSample(b, start, end, _value, _timestampMs, spans) {
          series.push(decoder.decode(b.subarray(start, end)));
          decoded.push(decodeSeries(b, spans));
        },
      });
      expect(decoded.length).toBeGreaterThan(100);
      expect(decoded).toEqual(series.map(naiveDecode));
      expect(decoded.some((d) => d.labelNames.length >= 3)).toBe(true);
    },
  );

  it('gives what parseSeries gives for the same range, in both formats', () => {
    const text = '{"a.b",c="1"} 1\nm{x="y\\"z",w="\\\\"} 2\nn 3\n';
    for (const format of ['prometheus-text', 'openmetrics'] as const) {
      const fromSpans: ParsedSeries[] = [];
      const fromRange: ParsedSeries[] = [];
      parseExposition(encoder.encode(format === 'openmetrics' ? `${text}# EOF\n` : text), format, {
        onSample(b, start, end, _v, _t, spans) {
          fromSpans.push(decodeSeries(b, spans));
          fromRange.push(parseSeries(b, start, end));
        },
      });
      expect(fromSpans).toEqual(fromRange);
      expect(fromSpans[1]).toEqual({ name: 'm', labelNames: ['x', 'w'], labelValues: ['y"z', '\\'] });
    }
  });

  it('records the spans of names and values as written, quotes stripped, escapes flagged', () => {
    const body = encoder.encode('m{a="1", "b.c"="x\\"y"} 1\n');
    const seen: Array<[string, string, boolean, boolean]> = [];
    let name = '';
    parseExposition(body, 'prometheus-text', {
      onSample(b, _s, _e, _v, _t, spans) {
        name = decoder.decode(b.subarray(spans.nameStart, spans.nameEnd));
        for (let k = 0; k < spans.count; k++) {
          seen.push([
            decoder.decode(b.subarray(spans.labelNameStart(k), spans.labelNameEnd(k))),
            decoder.decode(b.subarray(spans.labelValueStart(k), spans.labelValueEnd(k))),
            spans.labelNameEscaped(k),
            spans.labelValueEscaped(k),
          ]);
        }
      },
    });
    expect(name).toBe('m');
    expect(seen).toEqual([
      ['a', '1', false, false],
      ['b.c', 'x\\"y', false, true],
    ]);
  });

  it('keeps the series spans apart from an exemplar on the same line', () => {
    expect(decodeAll('a_total{x="1"} 1 # {trace_id="abc",span="d"} 2 3\n# EOF\n', 'openmetrics')).toEqual([
      { name: 'a_total', labelNames: ['x'], labelValues: ['1'] },
    ]);
  });

  it('handles series with more labels than the spans first have room for', () => {
    const names = Array.from({ length: 70 }, (_, k) => `l${k}`);
    const series = `m{${names.map((n, k) => `${n}="v${k}"`).join(',')}}`;
    const [decoded] = decodeAll(`${series} 1\nshort{a="b"} 2\n`, 'prometheus-text');
    expect(decoded).toEqual({ name: 'm', labelNames: names, labelValues: names.map((_, k) => `v${k}`) });
    expect(decodeAll(`${series} 1\nshort{a="b"} 2\n`, 'prometheus-text')[1]).toEqual({ name: 'short', labelNames: ['a'], labelValues: ['b'] });
  });

  it('leaves the spans of the outer parse alone when a visitor parses another body', () => {
    const outer = encoder.encode('outer_metric{a="1",b="2"} 1\n');
    const inner = encoder.encode('zz{yyyyyyyy="x"} 9\n');
    let decoded: ParsedSeries | undefined;
    parseExposition(outer, 'prometheus-text', {
      onSample(b, _s, _e, _v, _t, spans: LabelSpans) {
        parseExposition(inner, 'prometheus-text', { onSample() {} });
        decoded = decodeSeries(b, spans);
      },
    });
    expect(decoded).toEqual({ name: 'outer_metric', labelNames: ['a', 'b'], labelValues: ['1', '2'] });
  });
});

describe('Prometheus 3 UTF-8 metric and label names', () => {
  it('decodes {"http.server.duration", le="1"} in the text format', () => {
    expect(decodeAll('{"http.server.duration", le="1"} 3\n', 'prometheus-text')).toEqual([
      { name: 'http.server.duration', labelNames: ['le'], labelValues: ['1'] },
    ]);
  });

  it('decodes {"http.server.duration",le="1"} in OpenMetrics', () => {
    expect(decodeAll('{"http.server.duration",le="1"} 3\n# EOF\n', 'openmetrics')).toEqual([
      { name: 'http.server.duration', labelNames: ['le'], labelValues: ['1'] },
    ]);
  });

  it('decodes quoted label names, escapes and a name that is not first', () => {
    const text = '{"http.method"="GET","http.server.duration","url.path"="/a\\"b"} 1\n';
    expect(decodeAll(text, 'prometheus-text')).toEqual([
      { name: 'http.server.duration', labelNames: ['http.method', 'url.path'], labelValues: ['GET', '/a"b'] },
    ]);
    const escapedName = '{"say \\"hi\\"\\nnow"} 1\n';
    expect(decodeAll(escapedName, 'prometheus-text')[0]!.name).toBe('say "hi"\nnow');
  });

  it('parseSeries gives the same names from a bare range', () => {
    const body = encoder.encode('{"http.server.duration", le="1"}');
    expect(parseSeries(body, 0, body.length)).toEqual({ name: 'http.server.duration', labelNames: ['le'], labelValues: ['1'] });
  });
});

describe('parseSeries on a range that is not one series', () => {
  it.each(['a{b="c', 'a{b="c"} x', '', '1a', 'a{b="c",b="d"}'])('%j throws instead of reading past the range', (text) => {
    const body = encoder.encode(text);
    expect(() => parseSeries(body, 0, body.length)).toThrow();
  });
});
