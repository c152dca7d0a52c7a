import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ExpositionParseError,
  formatFromContentType,
  parseExposition,
  parseSeries,
  SCRAPE_ACCEPT_HEADER,
  type ExpositionFormat,
  type ParsedSeries,
  type SampleVisitor,
} from './parser.ts';

// Real /metrics bodies captured from Debian-packaged programs (see its README.md).
const TESTDATA_DIR = path.resolve(import.meta.dirname, '../../test/fixtures/exposition');

interface Sample {
  series: string;
  value: number;
  timestampMs: number;
}

interface Metadata {
  kind: 'type' | 'help' | 'unit';
  family: string;
  text: string;
}

interface Parsed {
  count: number;
  samples: Sample[];
  metadata: Metadata[];
  decoded: ParsedSeries[];
}

const decoder = new TextDecoder();

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Each char of text is one byte, for inputs holding invalid UTF-8 on purpose. */
function rawBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

function parse(input: string | Uint8Array, format: ExpositionFormat): Parsed {
  const body = typeof input === 'string' ? utf8(input) : input;
  const samples: Sample[] = [];
  const metadata: Metadata[] = [];
  const decoded: ParsedSeries[] = [];
  const count = parseExposition(body, format, {
    onSample(b, start, end, value, timestampMs) {
      samples.push({ series: decoder.decode(b.subarray(start, end)), value, timestampMs });
      decoded.push(parseSeries(b, start, end));
    },
    onMetadata(kind, family, text) {
      metadata.push({ kind, family, text });
    },
  });
  return { count, samples, metadata, decoded };
}

function parseError(input: string | Uint8Array, format: ExpositionFormat): ExpositionParseError {
  try {
    parse(input, format);
  } catch (err) {
    if (err instanceof ExpositionParseError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(typeof input === 'string' ? input : decoder.decode(input))} to be rejected`);
}

describe('formatFromContentType', () => {
  it.each([
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1', 'openmetrics'],
    ['Application/OpenMetrics-Text', 'openmetrics'],
    ['text/plain; version=0.0.4; charset=utf-8', 'prometheus-text'],
    ['text/plain', 'prometheus-text'],
    ['application/json', 'prometheus-text'],
    ['', 'prometheus-text'],
    [undefined, 'prometheus-text'],
    [null, 'prometheus-text'],
  ] as const)('%j -> %s', (contentType, format) => {
    expect(formatFromContentType(contentType)).toBe(format);
  });

  it('exposes the Accept header Prometheus 2.42 sends', () => {
    expect(SCRAPE_ACCEPT_HEADER).toBe(
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    );
  });
});

describe('real /metrics bodies', () => {
  const files = ['prometheus-2.42.txt', 'etcd-3.4.txt', 'node-exporter-1.5.txt', 'alertmanager-0.25.txt'];

  it.each(files)('%s parses with one sample per non-comment line, series and values as written', (file) => {
    const body = readFileSync(path.join(TESTDATA_DIR, file));
    const lines = body.toString('utf8').split('\n');
    const sampleLines = lines.filter((l) => l !== '' && !l.startsWith('#'));
    const { count, samples, metadata, decoded } = parse(body, 'prometheus-text');
    expect(count).toBe(sampleLines.length);
    expect(samples).toHaveLength(sampleLines.length);
    for (let k = 0; k < sampleLines.length; k++) {
      // These bodies have no timestamps and single spaces: "series value".
      const line = sampleLines[k]!;
      const space = line.lastIndexOf(' ');
      const sample = samples[k]!;
      expect(sample.series).toBe(line.slice(0, space));
      const text = line.slice(space + 1);
      const expected = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
      expect(Object.is(sample.value, expected), `${line}: ${sample.value}`).toBe(true);
      expect(sample.timestampMs).toBeNaN();
      // parseSeries agrees with a naive split of the label block.
      const brace = line.indexOf('{');
      expect(decoded[k]!.name).toBe(brace === -1 ? line.slice(0, space) : line.slice(0, brace));
    }
    const helpLines = lines.filter((l) => l.startsWith('# HELP ')).length;
    const typeLines = lines.filter((l) => l.startsWith('# TYPE ')).length;
    expect(metadata.filter((m) => m.kind === 'help')).toHaveLength(helpLines);
    expect(metadata.filter((m) => m.kind === 'type')).toHaveLength(typeLines);
  });

  it('decodes histograms and summaries from the Prometheus body', () => {
    const { samples, decoded, metadata } = parse(readFileSync(path.join(TESTDATA_DIR, 'prometheus-2.42.txt')), 'prometheus-text');
    expect(metadata).toContainEqual({ kind: 'type', family: 'go_gc_duration_seconds', text: 'summary' });
    expect(metadata).toContainEqual({ kind: 'type', family: 'prometheus_http_request_duration_seconds', text: 'histogram' });
    const quantiles = decoded.filter((d) => d.name === 'go_gc_duration_seconds');
    expect(quantiles.map((d) => d.labelValues[0])).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    const k = samples.findIndex((s) => s.series.startsWith('prometheus_http_request_duration_seconds_bucket{') && s.series.includes('le="+Inf"'));
    expect(k).toBeGreaterThanOrEqual(0);
    expect(decoded[k]!.labelNames).toEqual(['handler', 'le']);
    expect(decoded[k]!.labelValues[1]).toBe('+Inf');
  });

  it('gives the same results when the body sits at any alignment inside a larger buffer', () => {
    const original = readFileSync(path.join(TESTDATA_DIR, 'node-exporter-1.5.txt'));
    const reference = parse(original, 'prometheus-text');
    for (let offset = 0; offset < 8; offset++) {
      const backing = new Uint8Array(original.length + 16).fill(0x7a);
      backing.set(original, offset);
      const body = backing.subarray(offset, offset + original.length);
      expect(parse(body, 'prometheus-text').samples).toEqual(reference.samples);
    }
  });
});

describe('Prometheus text format (cases from Prometheus promparse_test.go)', () => {
  const input = `# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# 	TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
# HELP prometheus_http_request_duration_seconds Histogram of latencies for HTTP requests.
# TYPE prometheus_http_request_duration_seconds histogram
prometheus_http_request_duration_seconds_bucket{handler="/",le="1"} 423
prometheus_http_request_duration_seconds_bucket{handler="/",le="2"} 1423
prometheus_http_request_duration_seconds_bucket{handler="/",le="+Inf"} 1423
prometheus_http_request_duration_seconds_sum{handler="/"} 2000
prometheus_http_request_duration_seconds_count{handler="/"} 1423
# Hrandom comment starting with prefix of HELP
#
wind_speed{A="2",c="3"} 12345
# comment with escaped \\n newline
# comment with escaped \\ escape character
# HELP nohelp1
# HELP nohelp2 
go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05
go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05
go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"}	1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33  	123123
# TYPE some_counter_total counter
# HELP some_counter_total Help after type.
some_counter_total 12
# HELP nohelp3
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\\"bar\\""} 1
testmetric{le="10"} 1
# HELP metric foo\x00bar
null_byte_metric{a="abc\x00"} 1`;

  it('yields the samples, values and timestamps Prometheus does', () => {
    const { count, samples } = parse(input, 'prometheus-text');
    expect(samples.map((s) => [s.series, s.value])).toEqual([
      ['go_gc_duration_seconds{quantile="0"}', 4.9351e-5],
      ['go_gc_duration_seconds{quantile="0.25",}', 7.424100000000001e-5],
      ['go_gc_duration_seconds{quantile="0.5",a="b"}', 8.3835e-5],
      ['go_gc_duration_seconds{quantile="0.8", a="b"}', 8.3835e-5],
      ['go_gc_duration_seconds{ quantile="0.9", a="b"}', 8.3835e-5],
      ['prometheus_http_request_duration_seconds_bucket{handler="/",le="1"}', 423],
      ['prometheus_http_request_duration_seconds_bucket{handler="/",le="2"}', 1423],
      ['prometheus_http_request_duration_seconds_bucket{handler="/",le="+Inf"}', 1423],
      ['prometheus_http_request_duration_seconds_sum{handler="/"}', 2000],
      ['prometheus_http_request_duration_seconds_count{handler="/"}', 1423],
      ['wind_speed{A="2",c="3"}', 12345],
      ['go_gc_duration_seconds{ quantile="1.0", a="b" }', 8.3835e-5],
      ['go_gc_duration_seconds { quantile="1.0", a="b" }', 8.3835e-5],
      ['go_gc_duration_seconds { quantile= "1.0", a= "b", }', 8.3835e-5],
      ['go_gc_duration_seconds { quantile = "1.0", a = "b" }', 8.3835e-5],
      ['go_gc_duration_seconds { quantile = "2.0" a = "b" }', 8.3835e-5],
      ['go_gc_duration_seconds_count', 99],
      ['some:aggregate:rate5m{a_b="c"}', 1],
      ['go_goroutines', 33],
      ['some_counter_total', 12],
      ['_metric_starting_with_underscore', 1],
      ['testmetric{_label_starting_with_underscore="foo"}', 1],
      ['testmetric{label="\\"bar\\""}', 1],
      ['testmetric{le="10"}', 1],
      ['null_byte_metric{a="abc\x00"}', 1],
    ]);
    expect(count).toBe(samples.length);
    expect(samples.find((s) => s.series === 'go_goroutines')!.timestampMs).toBe(123123);
    expect(samples.filter((s) => !Number.isNaN(s.timestampMs))).toHaveLength(1);
  });

  it('decodes the label sets, whatever the whitespace and commas', () => {
    const { decoded } = parse(input, 'prometheus-text');
    const spaced = { name: 'go_gc_duration_seconds', labelNames: ['quantile', 'a'], labelValues: ['1.0', 'b'] };
    expect(decoded.slice(11, 15)).toEqual([spaced, spaced, spaced, spaced]);
    expect(decoded[15]).toEqual({ name: 'go_gc_duration_seconds', labelNames: ['quantile', 'a'], labelValues: ['2.0', 'b'] });
    expect(decoded[22]).toEqual({ name: 'testmetric', labelNames: ['label'], labelValues: ['"bar"'] });
    expect(decoded[24]).toEqual({ name: 'null_byte_metric', labelNames: ['a'], labelValues: ['abc\x00'] });
    expect(decoded[16]).toEqual({ name: 'go_gc_duration_seconds_count', labelNames: [], labelValues: [] });
  });

  it('reports HELP and TYPE lines, and only those', () => {
    const { metadata } = parse(input, 'prometheus-text');
    expect(metadata).toEqual([
      { kind: 'help', family: 'go_gc_duration_seconds', text: 'A summary of the GC invocation durations.' },
      { kind: 'type', family: 'go_gc_duration_seconds', text: 'summary' },
      { kind: 'help', family: 'prometheus_http_request_duration_seconds', text: 'Histogram of latencies for HTTP requests.' },
      { kind: 'type', family: 'prometheus_http_request_duration_seconds', text: 'histogram' },
      { kind: 'help', family: 'nohelp1', text: '' },
      { kind: 'help', family: 'nohelp2', text: '' },
      { kind: 'help', family: 'go_goroutines', text: 'Number of goroutines that currently exist.' },
      { kind: 'type', family: 'go_goroutines', text: 'gauge' },
      { kind: 'type', family: 'some_counter_total', text: 'counter' },
      { kind: 'help', family: 'some_counter_total', text: 'Help after type.' },
      { kind: 'help', family: 'nohelp3', text: '' },
      { kind: 'help', family: 'metric', text: 'foo\x00bar' },
    ]);
  });

  it('accepts Prometheus 3 quoted UTF-8 metric and label names', () => {
    const utf8Input = `# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# 	TYPE "go.gc_duration_seconds" summary
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25",} 7.424100000000001e-05
{"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
{"go.gc_duration_seconds", quantile="0.9", a="b"} 8.3835e-05
{ "go.gc_duration_seconds", quantile= "1.0", a= "b", } 8.3835e-05
{"go.gc_duration_seconds_count"} 99
{"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"} 10.0
`;
    const { samples, decoded, metadata } = parse(utf8Input, 'prometheus-text');
    expect(metadata).toEqual([
      { kind: 'help', family: 'go.gc_duration_seconds', text: 'A summary of the GC invocation durations.' },
      { kind: 'type', family: 'go.gc_duration_seconds', text: 'summary' },
    ]);
    expect(samples.map((s) => s.value)).toEqual([4.9351e-5, 7.424100000000001e-5, 8.3835e-5, 8.3835e-5, 8.3835e-5, 99, 10]);
    expect(decoded[0]).toEqual({ name: 'go.gc_duration_seconds', labelNames: ['quantile'], labelValues: ['0'] });
    expect(decoded[4]).toEqual({ name: 'go.gc_duration_seconds', labelNames: ['quantile', 'a'], labelValues: ['1.0', 'b'] });
    expect(decoded[5]).toEqual({ name: 'go.gc_duration_seconds_count', labelNames: [], labelValues: [] });
    expect(decoded[6]).toEqual({
      name: 'Heizölrückstoßabdämpfung 10€ metric with "interesting" {character\nchoices}',
      labelNames: ["strange©™\n'quoted' \"name\""],
      labelValues: ['6'],
    });
    expect(samples[6]!.series).toBe(
      '{"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n\'quoted\' \\"name\\""="6"}',
    );
  });

  it('allows the quoted metric name anywhere in the braces', () => {
    const { decoded } = parse('{q="0.9","http.status",a="b"} 1\n', 'prometheus-text');
    expect(decoded[0]).toEqual({ name: 'http.status', labelNames: ['q', 'a'], labelValues: ['0.9', 'b'] });
  });
});

describe('text format details', () => {
  it('decodes label value escapes and keeps unknown escapes as written', () => {
    const { decoded } = parse('m{a="x\\\\y",b="say \\"hi\\"",c="line1\\nline2",d="tab\\tstays",e="\\\\n"} 1\n', 'prometheus-text');
    expect(decoded[0]!.labelValues).toEqual(['x\\y', 'say "hi"', 'line1\nline2', 'tab\\tstays', '\\n']);
  });

  it('unescapes HELP text with the text format rules (only \\\\ and \\n)', () => {
    const { metadata } = parse('# HELP m a \\\\ b \\n c \\" d \\x\n', 'prometheus-text');
    expect(metadata).toEqual([{ kind: 'help', family: 'm', text: 'a \\ b \n c \\" d \\x' }]);
  });

  it.each([
    ['NaN', NaN],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['Inf', Infinity],
    ['inf', Infinity],
    ['1e3', 1000],
    ['-1.5E-3', -0.0015],
    ['.5', 0.5],
    ['-0', -0],
    ['1.7976931348623157e+308', 1.7976931348623157e308],
    ['123456789012345678901234567890', 1.2345678901234568e29],
  ])('value %s', (text, expected) => {
    const { samples } = parse(`m ${text}\n`, 'prometheus-text');
    expect(Object.is(samples[0]!.value, expected)).toBe(true);
  });

  it('reads integer millisecond timestamps, negative ones too', () => {
    const { samples } = parse('a 1 1520879607789\nb 2 -1000\nc 3 0\nd 4\t 17  \n', 'prometheus-text');
    expect(samples.map((s) => s.timestampMs)).toEqual([1520879607789, -1000, 0, 17]);
  });

  it('takes whitespace-only lines as blank, leading whitespace, and a last line without newline', () => {
    const { samples } = parse('\n  \t\n  a 1\n\n\tb{c="d"} 2', 'prometheus-text');
    expect(samples.map((s) => [s.series, s.value])).toEqual([
      ['a', 1],
      ['b{c="d"}', 2],
    ]);
  });

  it('accepts a value right after the closing brace, as Prometheus does', () => {
    expect(parse('a{b="c"}1\n', 'prometheus-text').samples[0]).toEqual({ series: 'a{b="c"}', value: 1, timestampMs: NaN });
  });

  it('accepts an empty label set and an empty body', () => {
    expect(parse('a{} 1\n', 'prometheus-text').decoded[0]).toEqual({ name: 'a', labelNames: [], labelValues: [] });
    expect(parse('', 'prometheus-text').count).toBe(0);
    expect(parse('# just a comment', 'prometheus-text').count).toBe(0);
  });

  it('ignores comments, including invalid UTF-8 in them and "# EOF"', () => {
    const body = rawBytes('# \xff\xfe not utf-8\n#no space\n# EOF\na 1\n');
    expect(parse(body, 'prometheus-text').count).toBe(1);
  });

  it.each([
    ['\xc0\xaf', 'an overlong form'],
    ['\xed\xa0\x80', 'a surrogate'],
    ['\xf4\x90\x80\x80', 'a code point above U+10FFFF'],
    ['\xe2\x82', 'a truncated sequence'],
    ['\x80', 'a lone continuation byte'],
    ['\xf8\x88\x80\x80\x80', 'a 5-byte form'],
  ])('rejects a label value with %j (%s), also when a comment already holds invalid UTF-8', (bytes) => {
    for (const prefix of ['', '# \xff\n']) {
      const err = parseError(rawBytes(`${prefix}m{a="x${bytes}y"} 1\n`), 'prometheus-text');
      expect(err.reason).toMatch(/label value is not valid UTF-8/);
    }
  });

  it('checks label values one by one when a comment holds invalid UTF-8', () => {
    const body = rawBytes('# \xff\nm{a="\xc3\xbc\xe2\x98\x83\xf0\x9f\x8e\x89"} 1\n');
    expect(parse(body, 'prometheus-text').decoded[0]!.labelValues).toEqual(['ü☃🎉']);
  });

  it('accepts valid UTF-8 in label values and HELP text', () => {
    const { decoded, metadata } = parse('# HELP m Grüße ☃ 🎉\nm{a="ünïcödé ☃ 🎉"} 1\n', 'prometheus-text');
    expect(decoded[0]!.labelValues).toEqual(['ünïcödé ☃ 🎉']);
    expect(metadata[0]!.text).toBe('Grüße ☃ 🎉');
  });

  it('passes the same body to the visitor when it ends in a newline', () => {
    const body = utf8('a 1\n');
    let seen: Uint8Array | undefined;
    parseExposition(body, 'prometheus-text', {
      onSample(b) {
        seen = b;
      },
    });
    expect(seen).toBe(body);
  });

  it('works without onMetadata', () => {
    const visitor: SampleVisitor = { onSample() {} };
    expect(parseExposition(utf8('# HELP a x\n# TYPE a gauge\na 1\n'), 'prometheus-text', visitor)).toBe(1);
  });

  it('survives a visitor that parses another body from inside onSample', () => {
    const outer = utf8('first_metric{a="1"} 1\nfirst_metric{a="2"} 2\nthird 3\n');
    const inner = utf8('zz 9\nyyyyyyyyyyyy{b="c"} 8\n');
    const seen: string[] = [];
    parseExposition(outer, 'prometheus-text', {
      onSample(b, s, e) {
        seen.push(decoder.decode(b.subarray(s, e)));
        if (seen.length === 1) parseExposition(inner, 'prometheus-text', { onSample() {} });
      },
    });
    expect(seen).toEqual(['first_metric{a="1"}', 'first_metric{a="2"}', 'third']);
  });

  it('counts lines from 1 across blank lines and comments', () => {
    const err = parseError('# HELP a x\n\na 1\n  \nb{c="d"} 2\nc{d=} 3\n', 'prometheus-text');
    expect(err.line).toBe(6);
    expect(err.message).toBe(`line 6: ${err.reason}`);
  });
});

// [input, line, reason pattern]
type ErrorCase = [string, number, RegExp];

describe('text format errors', () => {
  const cases: ErrorCase[] = [
    // From Prometheus' TestPromParseErrors.
    ['a', 1, /expected value after metric, got end of line in "a"/],
    ["a{b='c'} 1\n", 1, /expected label value in double quotes, got "'c'} 1"/],
    ['a{b=\n', 1, /expected label value in double quotes, got end of line/],
    ['a{\xff="foo"} 1\n', 1, /expected label name/],
    ['a{b="\xff"} 1\n', 1, /label value is not valid UTF-8/],
    ['{"a", "b = "c"}', 1, /expected "=" after label name, got "c\\"}"/],
    ['{"a",b\\nc="d"} 1', 1, /expected "=" after label name, got "\\\\nc/],
    ['a true\n', 1, /invalid float as value "true"/],
    ['something_weird{problem="', 1, /unterminated quoted string/],
    ['empty_label_name{=""} 0', 1, /expected label name, got "=\\"\\"} 0"/],
    ['{A}0', 1, /expected "=" after label name, got "}0"/],
    ['foo 1_2\n', 1, /unsupported character in float .* as value "1_2"/],
    ['foo 0x1p-3\n', 1, /unsupported character in float/],
    ['foo 0x1P-3\n', 1, /unsupported character in float/],
    ['foo 0 1_2\n', 1, /unexpected text after timestamp, got "_2"/],
    ['{a="ok"} 1', 1, /metric name not set/],
    ['# TYPE #\n#EOF\n', 1, /expected metric name after TYPE, got "#"/],
    ['# HELP #\n#EOF\n', 1, /expected metric name after HELP, got "#"/],
    // From Prometheus' TestPromNullByteHandling.
    ['a{b=\x00"ssss"} 1\n', 1, /expected label value in double quotes/],
    ['a{b="\x00', 1, /unterminated quoted string/],
    ['a{b\x00="hiih"}\t1', 1, /expected "=" after label name/],
    ['a\x00{b="ddd"} 1', 1, /invalid character in metric name/],
    ['a 0 1\x00', 1, /unexpected text after timestamp/],
    // More.
    ['ok 1\nok 2\n# TYPE x summary\nx{a="b"} NaN\nbad{a="b} 1\n', 5, /unterminated quoted string/],
    ['a 1\nb', 2, /expected value after metric/],
    ['a{b="c"', 1, /expected "=" after label name|expected label name/],
    ['a{b="c"} \n', 1, /expected value after metric, got end of line/],
    ['a 1 2 3\n', 1, /unexpected text after timestamp, got "3"/],
    ['a 1 1.5\n', 1, /unexpected text after timestamp, got ".5"/],
    ['a 1 abc\n', 1, /expected integer timestamp or end of line after value, got "abc"/],
    ['a 1 -\n', 1, /expected integer timestamp/],
    ['a 1 99999999999999999999\n', 1, /timestamp out of range/],
    ['a 1e400\n', 1, /value out of range "1e400"/],
    ['a 0x10\n', 1, /invalid float as value "0x10"/],
    ['a +NaN\n', 1, /invalid float as value/],
    ['1a 1\n', 1, /expected metric name, "{" or "#" at start of line, got "1a 1"/],
    ['"a" 1\n', 1, /expected metric name/],
    ['http.requests 1\n', 1, /invalid character in metric name, got ".requests 1"/],
    ['a{1b="c"} 1\n', 1, /expected label name, got "1b/],
    ['a{b:c="d"} 1\n', 1, /expected "=" after label name, got ":c/],
    ['a{b="c",,d="e"} 1\n', 1, /expected label name, got ",d/],
    ['a{b="c"}{d="e"} 1\n', 1, /expected value after metric, got "{d=/],
    ['a{b="c",b="d"} 1\n', 1, /duplicate label name "b"/],
    ['a{b="c",x="y",b="d"} 1\n', 1, /duplicate label name "b"/],
    ['a{b="c","b"="d"} 1\n', 1, /duplicate label name "b"/],
    ['a{"x\\ty"="1","x\\\\ty"="2"} 1\n', 1, /duplicate label name/],
    ['a{__name__="b"} 1\n', 1, /duplicate label name "__name__"/],
    ['{"a",__name__="b"} 1\n', 1, /duplicate label name "__name__"/],
    ['{__name__="b"} 1\n', 1, /metric name not set/],
    ['a{"b"} 1\n', 1, /metric name set twice/],
    ['{"a","b"} 1\n', 1, /metric name set twice/],
    ['{""} 1\n', 1, /empty metric name/],
    ['a{""="x"} 1\n', 1, /empty label name/],
    ['a{b="line\nbreak"} 1\n', 1, /unterminated quoted string/],
    ['a{b="trailing backslash\\\n"} 1\n', 1, /unterminated quoted string/],
    ['a{b="c"} 1\r\n', 1, /invalid float as value "1\\r".*CRLF line endings are not accepted/],
    ['# TYPE a counter\r\na 1\r\n', 1, /invalid metric type "counter\\r".*CRLF/],
    ['# TYPE a foo\n', 1, /invalid metric type "foo"/],
    ['# TYPE a counter \n', 1, /invalid metric type "counter "/],
    ['# TYPE a  counter\n', 1, /invalid metric type " counter"/],
    ['# TYPE a gaugehistogram\n', 1, /invalid metric type "gaugehistogram"/],
    ['# TYPE a\n', 1, /invalid metric type ""/],
    ['# HELP a \xff\n', 1, /help text is not valid UTF-8/],
    ['# HELP "a\n', 1, /unterminated quoted string/],
  ];

  it.each(cases)('rejects %j at line %i', (input, line, reason) => {
    const err = parseError(rawBytes(input), 'prometheus-text');
    expect(err).toBeInstanceOf(ExpositionParseError);
    expect(err.line).toBe(line);
    expect(err.reason).toMatch(reason);
    expect(err.message).toBe(`line ${line}: ${err.reason}`);
  });

  it('quotes a short excerpt of a long offending line', () => {
    const err = parseError(`m{${'a'.repeat(300)}=oops} 1\n`, 'prometheus-text');
    expect(err.reason).toMatch(/expected label value in double quotes, got "oops} 1" in …"a+=oops} 1"/);
    expect(err.reason.length).toBeLessThan(150);
  });
});

describe('OpenMetrics (cases from Prometheus openmetricsparse_test.go)', () => {
  const input = `# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
# UNIT go_gc_duration_seconds seconds
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
# HELP nohelp1 
# HELP help2 escape \\ \\n \\\\ \\" \\x chars
# UNIT nounit 
go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"} 1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33 123.123
# TYPE hh histogram
hh_bucket{le="+Inf"} 1
# TYPE gh gaugehistogram
gh_bucket{le="+Inf"} 1
# TYPE hhh histogram
hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4
hhh_count 1 # {id="histogram-count-test"} 4
# TYPE ggh gaugehistogram
ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123
ggh_count 1 # {id="gaugehistogram-count-test",xx="yy"} 4 123.123
# TYPE smr_seconds summary
smr_seconds_count 2.0 # {id="summary-count-test"} 1 123.321
smr_seconds_sum 42.0 # {id="summary-sum-test"} 1 123.321
# TYPE ii info
ii{foo="bar"} 1
# TYPE ss stateset
ss{ss="foo"} 1
ss{ss="bar"} 0
ss{A="a"} 0
# TYPE un unknown
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\\"bar\\""} 1
# HELP foo Counter with and without labels to certify ST is parsed for both cases
# TYPE foo counter
foo_total 17.0 1520879607.789 # {id="counter-test"} 5
foo_created 1520872607.123
foo_total{a="b"} 17.0 1520879607.789 # {id="counter-test"} 5
foo_created{a="b"} 1520872607.123
# HELP bar Summary with ST at the end, making sure we find ST even if it's multiple lines a far
# TYPE bar summary
bar_count 17.0
bar_sum 324789.3
bar{quantile="0.95"} 123.7
bar{quantile="0.99"} 150.0
bar_created 1520872608.124
# HELP nansum Summary with NaN value
# TYPE nansum summary
nansum_count 0
nansum_sum 0.0
nansum{quantile="0.95"} nan
nansum{quantile="0.99"} NaN
# HELP metric foo\x00bar
null_byte_metric{a="abc\x00"} 1
# EOF
`;

  it('yields every sample line, _created included, with exemplars dropped', () => {
    const { count, samples } = parse(input, 'openmetrics');
    const sampleLines = input.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(count).toBe(sampleLines.length);
    const seriesOf = (line: string): string => {
      const brace = line.indexOf('{');
      const space = line.indexOf(' ');
      return line.slice(0, brace !== -1 && brace < space ? line.indexOf('}') + 1 : space);
    };
    expect(samples.map((s) => s.series)).toEqual(sampleLines.map(seriesOf));
    const byseries = new Map(samples.map((s) => [s.series, s]));
    expect(byseries.get('hhh_bucket{le="+Inf"}')).toEqual({ series: 'hhh_bucket{le="+Inf"}', value: 1, timestampMs: NaN });
    expect(byseries.get('ggh_count')!.value).toBe(1);
    expect(byseries.get('smr_seconds_sum')!.value).toBe(42);
    expect(byseries.get('foo_created')).toEqual({ series: 'foo_created', value: 1520872607.123, timestampMs: NaN });
    expect(byseries.get('nansum{quantile="0.95"}')!.value).toBeNaN();
  });

  it('converts fractional-second timestamps to integer milliseconds', () => {
    const { samples } = parse(input, 'openmetrics');
    expect(samples.find((s) => s.series === 'go_goroutines')!.timestampMs).toBe(123123);
    expect(samples.find((s) => s.series === 'foo_total')!.timestampMs).toBe(1520879607789);
    expect(samples.find((s) => s.series === 'foo_total{a="b"}')!.timestampMs).toBe(1520879607789);
  });

  it('reports HELP, TYPE and UNIT, HELP unescaped like label values', () => {
    const { metadata } = parse(input, 'openmetrics');
    expect(metadata.slice(0, 6)).toEqual([
      { kind: 'help', family: 'go_gc_duration_seconds', text: 'A summary of the GC invocation durations.' },
      { kind: 'type', family: 'go_gc_duration_seconds', text: 'summary' },
      { kind: 'unit', family: 'go_gc_duration_seconds', text: 'seconds' },
      { kind: 'help', family: 'nohelp1', text: '' },
      { kind: 'help', family: 'help2', text: 'escape \\ \n \\ " \\x chars' },
      { kind: 'unit', family: 'nounit', text: '' },
    ]);
    const types = metadata.filter((m) => m.kind === 'type').map((m) => m.text);
    expect(types).toEqual(expect.arrayContaining(['gaugehistogram', 'info', 'stateset', 'unknown', 'histogram', 'counter']));
  });

  it('accepts quoted UTF-8 names, in series and in exemplars', () => {
    const utf8Input = `# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# TYPE "go.gc_duration_seconds" summary
# UNIT "go.gc_duration_seconds" seconds
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds_created"} 1520872607.123
{q="0.9","http.status",a="b"} 8.3835e-05
{"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"} 10.0
quotedexemplar_count 1 # {"id.thing"="histogram-count-test"} 4
quotedexemplar2_count 1 # {"id.thing"="histogram-count-test",other="hello"} 4
# EOF
`;
    const { decoded, metadata, count } = parse(utf8Input, 'openmetrics');
    expect(count).toBe(6);
    expect(metadata[2]).toEqual({ kind: 'unit', family: 'go.gc_duration_seconds', text: 'seconds' });
    expect(decoded[0]).toEqual({ name: 'go.gc_duration_seconds', labelNames: ['quantile'], labelValues: ['0'] });
    expect(decoded[2]).toEqual({ name: 'http.status', labelNames: ['q', 'a'], labelValues: ['0.9', 'b'] });
    expect(decoded[3]!.name).toBe('Heizölrückstoßabdämpfung 10€ metric with "interesting" {character\nchoices}');
    expect(decoded[5]).toEqual({ name: 'quotedexemplar2_count', labelNames: [], labelValues: [] });
  });

  it('accepts "# EOF" without a final newline, and a body of only "# EOF"', () => {
    expect(parse('a 1\n# EOF', 'openmetrics').count).toBe(1);
    expect(parse('# EOF', 'openmetrics').count).toBe(0);
    expect(parse('# EOF\n', 'openmetrics').count).toBe(0);
  });

  it('reads exemplars with and without timestamps after a sample timestamp', () => {
    const { samples } = parse('a_total 1 2.5 # {t="x"} 1.0 1520879607.789\nb_total 2 3 # {} 7\n# EOF\n', 'openmetrics');
    expect(samples).toEqual([
      { series: 'a_total', value: 1, timestampMs: 2500 },
      { series: 'b_total', value: 2, timestampMs: 3000 },
    ]);
  });

  it('rounds timestamps to the nearest millisecond, negative ones too', () => {
    const { samples } = parse('a 1 0.0015\nb 1 -1.25\nc 1 1e3\n# EOF\n', 'openmetrics');
    expect(samples.map((s) => s.timestampMs)).toEqual([2, -1250, 1000000]);
  });
});

describe('OpenMetrics errors', () => {
  const cases: ErrorCase[] = [
    // From Prometheus' TestOpenMetricsParseErrors.
    ['', 1, /missing # EOF/],
    ['\n', 1, /blank lines are not allowed in OpenMetrics/],
    ['metric', 1, /expected a single space and value after metric, got end of line/],
    ['metric 1', 2, /missing # EOF/],
    ['metric 1\n', 2, /missing # EOF/],
    ['metric_total 1 # {aa="bb"} 4', 2, /missing # EOF/],
    ['a\n#EOF\n', 1, /expected a single space and value after metric/],
    ['\n\n#EOF\n', 1, /blank lines are not allowed/],
    [' a 1\n#EOF\n', 1, /whitespace at start of line is not allowed/],
    ['9\n#EOF\n', 1, /expected metric name, "{" or "#" at start of line, got "9"/],
    ['# TYPE u untyped\n#EOF\n', 1, /invalid metric type "untyped"/],
    ['# TYPE c counter \n#EOF\n', 1, /invalid metric type "counter "/],
    ['#  TYPE c counter\n#EOF\n', 1, /invalid comment: OpenMetrics allows only/],
    ['# TYPE \n#EOF\n', 1, /expected metric name after TYPE, got end of line/],
    ['# TYPE m\n#EOF\n', 1, /expected a space and text after the metric name in TYPE/],
    ['# UNIT metric suffix\n#EOF\n', 1, /unit "suffix" is not a suffix of metric "metric"/],
    ['# UNIT metricsuffix suffix\n#EOF\n', 1, /unit "suffix" is not a suffix of metric "metricsuffix"/],
    ['# UNIT m suffix\n#EOF\n', 1, /unit "suffix" is not a suffix of metric "m"/],
    ['# UNIT \n#EOF\n', 1, /expected metric name after UNIT/],
    ['# UNIT m\n#EOF\n', 1, /expected a space and text after the metric name in UNIT/],
    ['# HELP \n#EOF\n', 1, /expected metric name after HELP/],
    ['# HELP m\n#EOF\n', 1, /expected a space and text after the metric name in HELP/],
    ['a\t1\n#EOF\n', 1, /expected a single space and value after metric, got "\\t1"/],
    ['a 1\t2\n#EOF\n', 1, /invalid float as value "1\\t2"/],
    ['a 1 2 \n#EOF\n', 1, /unexpected text after timestamp/],
    ['a 1 2 #\n#EOF\n', 1, /unexpected text after timestamp/],
    ['a 1 1z\n#EOF\n', 1, /invalid float as timestamp "1z"/],
    [' # EOF\n', 1, /whitespace at start of line/],
    ['# EOF\na 1', 2, /unexpected data after # EOF/],
    ['# EOF\n\n', 2, /unexpected data after # EOF/],
    ['# EOFa 1', 1, /unexpected data after # EOF, got "a 1"/],
    ['#\tTYPE c counter\n', 1, /invalid comment/],
    ['# TYPE c  counter\n', 1, /invalid metric type " counter"/],
    ['a 1 1 1\n# EOF\n', 1, /unexpected text after timestamp, got " 1"/],
    ["a{b='c'} 1\n# EOF\n", 1, /expected label value in double quotes/],
    ['a{,b="c"} 1\n# EOF\n', 1, /expected label name, got ",b/],
    ['a{b="c"d="e"} 1\n# EOF\n', 1, /expected "," or "}" after label value, got "d=/],
    ['a{b="c",,d="e"} 1\n# EOF\n', 1, /expected label name, got ",d/],
    ['a{b=\n# EOF\n', 1, /expected label value in double quotes, got end of line/],
    ['a{\xff="foo"} 1\n# EOF\n', 1, /expected label name/],
    ['a{b="\xff"} 1\n# EOF\n', 1, /label value is not valid UTF-8/],
    ['{"a","b = "c"}\n# EOF\n', 1, /expected "=" after label name/],
    ['{"a",b\\nc="d"} 1\n# EOF\n', 1, /expected "=" after label name/],
    ['a true\n', 1, /invalid float as value "true"/],
    ['something_weird{problem="\n# EOF\n', 1, /unterminated quoted string/],
    ['empty_label_name{=""} 0\n# EOF\n', 1, /expected label name/],
    ['{A}0\n# EOF\n', 1, /expected "=" after label name/],
    ['foo 1_2\n\n# EOF\n', 1, /unsupported character in float/],
    ['foo 0x1p-3\n\n# EOF\n', 1, /unsupported character in float/],
    ['foo 0 1_2\n\n# EOF\n', 1, /unsupported character in float .* as timestamp "1_2"/],
    ['custom_metric_total 1 # {aa=bb}\n# EOF\n', 1, /expected label value in double quotes, got "bb}"/],
    ['custom_metric_total 1 # {aa="bb"}\n# EOF\n', 1, /expected a space and value after exemplar labels/],
    ['custom_metric_total 1 # {aa="bb"}', 1, /expected a space and value after exemplar labels/],
    ['custom_metric_total 1 # {bb}', 1, /expected "=" after label name/],
    ['custom_metric_total 1 # {bb, a="dd"}', 1, /expected "=" after label name/],
    ['custom_metric_total 1 # {aa="bb",,cc="dd"} 1', 1, /expected label name/],
    ['custom_metric_total 1 # {aa="bb"} 1_2', 1, /unsupported character in float .* as exemplar value/],
    ['custom_metric_total 1 # {aa="bb"} 0x1p-3', 1, /unsupported character in float/],
    ['custom_metric_total 1 # {aa="bb"} true', 1, /invalid float as exemplar value "true"/],
    ['custom_metric_total 1 # {aa="bb",cc=}', 1, /expected label value in double quotes/],
    ['custom_metric_total 1 # {aa=\\"\xff\\"} 9.0', 1, /expected label value in double quotes/],
    ['{b="c",} 1', 1, /metric name not set/],
    ['a 1 NaN', 1, /invalid timestamp \(NaN and Inf are not allowed\)/],
    ['a 1 -Inf', 1, /invalid timestamp/],
    ['a 1 Inf', 1, /invalid timestamp/],
    ['# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 NaN', 2, /invalid exemplar timestamp/],
    ['# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 -Inf', 2, /invalid exemplar timestamp/],
    // From Prometheus' TestOMNullByteHandling.
    ['a{b=\x00"ssss"} 1\n# EOF\n', 1, /expected label value in double quotes/],
    ['a{b="\x00', 1, /unterminated quoted string/],
    ['a{b\x00="hiih"}\t1', 1, /expected "=" after label name/],
    ['a\x00{b="ddd"} 1', 1, /expected a single space and value after metric/],
    ['#', 1, /invalid comment/],
    ['# H', 1, /invalid comment/],
    ['custom_metric_total 1 # {b=\x00"ssss"} 1\n', 1, /expected label value in double quotes/],
    // More.
    ['a 1\n# EOF\n# EOF\n', 3, /unexpected data after # EOF/],
    ['a 1\n# random comment\n# EOF\n', 2, /invalid comment: OpenMetrics allows only "# HELP", "# TYPE", "# UNIT" and "# EOF"/],
    ['a  1\n# EOF\n', 1, /expected value after metric/],
    ['a { b="c"} 1\n# EOF\n', 1, /invalid float as value "\{"/],
    ['a{ b="c"} 1\n# EOF\n', 1, /expected label name, got " b=/],
    ['a{b = "c"} 1\n# EOF\n', 1, /expected "=" after label name, got " = /],
    ['a{b="c" } 1\n# EOF\n', 1, /expected "," or "}" after label value/],
    ['a{b="c",b="d"} 1\n# EOF\n', 1, /duplicate label name "b"/],
    ['a{b="line\nbreak"} 1\n# EOF\n', 1, /unterminated quoted string/],
    ['a 1 # {"x"} 1\n# EOF\n', 1, /expected "=" after exemplar label name/],
    ['a 1 # {x="y"} 1 2 3\n# EOF\n', 1, /unexpected text after exemplar timestamp/],
    ['a 1 1e400\n# EOF\n', 1, /timestamp out of range/],
    ['a 1\r\n# EOF\r\n', 1, /invalid float as value "1\\r".*CRLF/],
    ['# TYPE a untyped\n# EOF\n', 1, /invalid metric type "untyped"/],
  ];

  it.each(cases)('rejects %j at line %i', (input, line, reason) => {
    const err = parseError(rawBytes(input), 'openmetrics');
    expect(err.line).toBe(line);
    expect(err.reason).toMatch(reason);
  });
});

describe('parseSeries', () => {
  it.each([
    ['a', { name: 'a', labelNames: [], labelValues: [] }],
    ['a{}', { name: 'a', labelNames: [], labelValues: [] }],
    ['a { b = "c" , }', { name: 'a', labelNames: ['b'], labelValues: ['c'] }],
    ['a{b="c",d="e"}', { name: 'a', labelNames: ['b', 'd'], labelValues: ['c', 'e'] }],
    ['a{ b="1" c="2" }', { name: 'a', labelNames: ['b', 'c'], labelValues: ['1', '2'] }],
    ['{"my.metric",a="b"}', { name: 'my.metric', labelNames: ['a'], labelValues: ['b'] }],
    ['{a="b","my.metric"}', { name: 'my.metric', labelNames: ['a'], labelValues: ['b'] }],
    ['m{"label.with.dots"="v"}', { name: 'm', labelNames: ['label.with.dots'], labelValues: ['v'] }],
    ['m{a="\\"\\\\\\n"}', { name: 'm', labelNames: ['a'], labelValues: ['"\\\n'] }],
    ['m{a="ü☃"}', { name: 'm', labelNames: ['a'], labelValues: ['ü☃'] }],
  ])('%s', (series, expected) => {
    const body = utf8(`xx ${series} yy`);
    expect(parseSeries(body, 3, body.length - 3)).toEqual(expected);
  });
});
