// All cases of prometheus/template/template_test.go (TestTemplateExpansion, Test_floatToTime),
// expected outputs verbatim. The query function is a stub returning fixed samples, as upstream's.
// Go data map to values.ts: []float64 -> number[], []int64 / []uint64 / []int / []uint -> bigint[].
import { describe, expect, it } from 'vitest';
import { floatToTime } from './common-templates.ts';
import { GoTime } from './go-time.ts';
import {
  ALERT_TEMPLATE_PREAMBLE,
  Expander,
  Sample,
  expandAlertTemplate,
  expandAlertTemplateOrError,
  expandAlertTemplateSync,
  type QuerySample,
} from './prometheus-functions.ts';
import { TemplateError } from './template.ts';
import { stringMap } from './values.ts';

/** Stands in for histogram.FloatHistogram, whose String() upstream compares against. */
class FloatHistogram {
  Count: number;
  Sum: number;
  constructor(count: number, sum: number) {
    this.Count = count;
    this.Sum = sum;
  }
  String(): string {
    return `{count:${this.Count}, sum:${this.Sum}}`;
  }
}

interface Scenario {
  text: string;
  output?: string;
  input?: unknown;
  options?: 'zero' | 'default' | 'error';
  queryResult?: QuerySample[];
  shouldFail?: boolean;
  html?: boolean;
  errorMsg?: string;
}

const MaxInt64 = 9223372036854775807n;
const MinInt64 = -9223372036854775808n;
const MaxUint64 = 18446744073709551615n;

const metric = (labels: Record<string, string>, value: unknown): QuerySample => ({ labels, value });

const scenarios: Scenario[] = [
  // No template.
  { text: 'plain text', output: 'plain text' },
  // Simple value.
  { text: '{{ 1 }}', output: '1' },
  // Native histogram value.
  { text: '{{ . | value }}', input: new Sample(stringMap({}), new FloatHistogram(3, 10)), output: new FloatHistogram(3, 10).String() },
  // Non-ASCII space (not allowed in text/template, see https://github.com/golang/go/blob/master/src/text/template/parse/lex.go#L98)
  { text: '{{\u00a0}}', shouldFail: true, errorMsg: 'error parsing template test: template: test:1: unrecognized character in action: U+00A0' },
  // HTML escaping.
  { text: '{{ "<b>" }}', output: '&lt;b&gt;', html: true },
  // Disabling HTML escaping.
  { text: '{{ "<b>" | safeHtml }}', output: '<b>', html: true },
  // HTML escaping doesn't apply to non-html.
  { text: '{{ "<b>" }}', output: '<b>' },
  // Pass multiple arguments to templates.
  { text: '{{define "x"}}{{.arg0}} {{.arg1}}{{end}}{{template "x" (args 1 "2")}}', output: '1 2' },
  { text: '{{ query "1.5" | first | value }}', output: '1.5', queryResult: [metric({}, 1.5)] },
  // Get value from query.
  { text: '{{ query "metric{instance=\'a\'}" | first | value }}', queryResult: [metric({ __name__: 'metric', instance: 'a' }, 11)], output: '11' },
  // Get value of a native histogram from query.
  {
    text: '{{ query "metric{instance=\'a\'}" | first | value }}',
    queryResult: [metric({ __name__: 'metric', instance: 'a' }, new FloatHistogram(3, 10))],
    output: new FloatHistogram(3, 10).String(),
  },
  // Get label from query.
  { text: '{{ query "metric{instance=\'a\'}" | first | label "instance" }}', queryResult: [metric({ __name__: 'metric', instance: 'a' }, 11)], output: 'a' },
  // Get label "__value__" from query.
  { text: '{{ query "metric{__value__=\'a\'}" | first | strvalue }}', queryResult: [metric({ __name__: 'metric', __value__: 'a' }, 11)], output: 'a' },
  // Missing label is empty when using label function.
  { text: '{{ query "metric{instance=\'a\'}" | first | label "foo" }}', queryResult: [metric({ __name__: 'metric', instance: 'a' }, 11)], output: '' },
  // Missing label is empty when not using label function.
  { text: '{{ $x := query "metric" | first }}{{ $x.Labels.foo }}', queryResult: [metric({ __name__: 'metric', instance: 'a' }, 11)], output: '' },
  { text: '{{ $x := query "metric" | first }}{{ $x.Labels.foo }}', queryResult: [metric({ __name__: 'metric', instance: 'a' }, 11)], output: '', html: true },
  // Range over query and sort by label.
  {
    text: '{{ range query "metric" | sortByLabel "instance" }}{{.Labels.instance}}:{{.Value}}: {{end}}',
    queryResult: [metric({ __name__: 'metric', instance: 'b' }, 21), metric({ __name__: 'metric', instance: 'a' }, 11)],
    output: 'a:11: b:21: ',
  },
  // Simple hostname.
  { text: '{{ "foo.example.com" | stripPort }}', output: 'foo.example.com' },
  // Hostname with port.
  { text: '{{ "foo.example.com:12345" | stripPort }}', output: 'foo.example.com' },
  // Simple IPv4 address.
  { text: '{{ "192.0.2.1" | stripPort }}', output: '192.0.2.1' },
  // IPv4 address with port.
  { text: '{{ "192.0.2.1:12345" | stripPort }}', output: '192.0.2.1' },
  // Simple IPv6 address.
  { text: '{{ "2001:0DB8::1" | stripPort }}', output: '2001:0DB8::1' },
  // IPv6 address with port.
  { text: '{{ "[2001:0DB8::1]:12345" | stripPort }}', output: '2001:0DB8::1' },
  // Value can't be split into host and port.
  { text: '{{ "[2001:0DB8::1]::12345" | stripPort }}', output: '[2001:0DB8::1]::12345' },
  // Missing value is no value for nil options.
  { text: '{{ .Foo }}', output: '<no value>' },
  // Missing value is no value for no options.
  { text: '{{ .Foo }}', options: 'default', output: '<no value>' },
  // Assert that missing value returns error with missingkey=error.
  { text: '{{ .Foo }}', options: 'error', shouldFail: true, errorMsg: `error executing template test: template: test:1:3: executing "test" at <.Foo>: nil data; no entry for key "Foo"` },
  // Missing value is "" for nil options in ExpandHTML.
  { text: '{{ .Foo }}', output: '', html: true },
  // Missing value is "" for no options in ExpandHTML.
  { text: '{{ .Foo }}', options: 'default', output: '', html: true },
  // Assert that missing value returns error with missingkey=error in ExpandHTML.
  {
    text: '{{ .Foo }}',
    options: 'error',
    shouldFail: true,
    errorMsg: `error executing template test: template: test:1:3: executing "test" at <.Foo>: nil data; no entry for key "Foo"`,
    html: true,
  },
  // Unparsable template.
  { text: '{{', shouldFail: true, errorMsg: 'error parsing template test: template: test:1: unclosed action' },
  // Error in function.
  {
    text: '{{ query "missing" | first }}',
    queryResult: [],
    shouldFail: true,
    errorMsg: 'error executing template test: template: test:1:21: executing "test" at <first>: error calling first: first() called on vector with no elements',
  },
  // Panic.
  {
    text: '{{ (query "missing").banana }}',
    queryResult: [],
    shouldFail: true,
    errorMsg: 'error executing template test: template: test:1:10: executing "test" at <"missing">: can\'t evaluate field banana in type template.queryResult',
  },
  // Regex replacement.
  { text: '{{ reReplaceAll "(a)b" "x$1" "ab" }}', output: 'xa' },
  // Humanize - float64.
  { text: '{{ range . }}{{ humanize . }}:{{ end }}', input: [0.0, 1.0, 1234567.0, 0.12], output: '0:1:1.235M:120m:' },
  // Humanize - string.
  { text: '{{ range . }}{{ humanize . }}:{{ end }}', input: ['0.0', '1.0', '1234567.0', '.12'], output: '0:1:1.235M:120m:' },
  // Humanize - string with error.
  {
    text: `{{ humanize "one" }}`,
    shouldFail: true,
    errorMsg: `error executing template test: template: test:1:3: executing "test" at <humanize "one">: error calling humanize: strconv.ParseFloat: parsing "one": invalid syntax`,
  },
  // Humanize - int.
  { text: '{{ range . }}{{ humanize . }}:{{ end }}', input: [0n, -1n, 1n, 1234567n, MaxInt64], output: '0:-1:1:1.235M:9.223E:' },
  // Humanize - uint.
  { text: '{{ range . }}{{ humanize . }}:{{ end }}', input: [0n, 1n, 1234567n, MaxUint64], output: '0:1:1.235M:18.45E:' },
  // Humanize1024 - float64.
  { text: '{{ range . }}{{ humanize1024 . }}:{{ end }}', input: [0.0, 1.0, 1048576.0, 0.12], output: '0:1:1Mi:0.12:' },
  // Humanize1024 - string.
  { text: '{{ range . }}{{ humanize1024 . }}:{{ end }}', input: ['0.0', '1.0', '1048576.0', '.12'], output: '0:1:1Mi:0.12:' },
  // Humanize1024 - string with error.
  {
    text: `{{ humanize1024 "one" }}`,
    shouldFail: true,
    errorMsg: `error executing template test: template: test:1:3: executing "test" at <humanize1024 "one">: error calling humanize1024: strconv.ParseFloat: parsing "one": invalid syntax`,
  },
  // Humanize1024 - int.
  { text: '{{ range . }}{{ humanize1024 . }}:{{ end }}', input: [0n, -1n, 1n, 1234567n, MaxInt64], output: '0:-1:1:1.177Mi:8Ei:' },
  // Humanize1024 - uint.
  { text: '{{ range . }}{{ humanize1024 . }}:{{ end }}', input: [0n, 1n, 1234567n, MaxUint64], output: '0:1:1.177Mi:16Ei:' },
  // HumanizeDuration - seconds - float64.
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: [0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99],
    output: '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:',
  },
  // HumanizeDuration - seconds - string.
  { text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}', input: ['0', '1', '60', '3600', '86400'], output: '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:' },
  // HumanizeDuration - subsecond and fractional seconds - float64.
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345],
    output: '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
  },
  // HumanizeDuration - subsecond and fractional seconds - string.
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: ['.1', '.0001', '.12345', '60.1', '60.5', '1.2345', '12.345'],
    output: '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
  },
  // HumanizeDuration - string with error.
  {
    text: `{{ humanizeDuration "one" }}`,
    shouldFail: true,
    errorMsg: `error executing template test: template: test:1:3: executing "test" at <humanizeDuration "one">: error calling humanizeDuration: strconv.ParseFloat: parsing "one": invalid syntax`,
  },
  // HumanizeDuration - int.
  { text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}', input: [0n, -1n, 1n, 1234567n], output: '0s:-1s:1s:14d 6h 56m 7s:' },
  // HumanizeDuration - uint.
  { text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}', input: [0n, 1n, 1234567n], output: '0s:1s:14d 6h 56m 7s:' },
  // Humanize* Inf and NaN - float64.
  {
    text: '{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}',
    input: [Infinity, -Infinity, NaN],
    output: '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:',
  },
  // Humanize* Inf and NaN - string.
  {
    text: '{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}',
    input: ['+Inf', '-Inf', 'NaN'],
    output: '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:',
  },
  // HumanizePercentage - model.SampleValue input - float64.
  {
    text: '{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}',
    output: '-22.22%:0%:12.35%:123.5%',
  },
  // HumanizePercentage - int.
  { text: '{{ range . }}{{ humanizePercentage . }}:{{ end }}', input: [0n, -1n, 1n, 1234567n, MaxInt64], output: '0%:-100%:100%:1.235e+08%:9.223e+20%:' },
  // HumanizePercentage - uint.
  { text: '{{ range . }}{{ humanizePercentage . }}:{{ end }}', input: [0n, 1n, 1234567n, MaxUint64], output: '0%:100%:1.235e+08%:1.845e+21%:' },
  // HumanizePercentage - model.SampleValue input - string.
  {
    text: `{{ "-0.22222" | humanizePercentage }}:{{ "0.0" | humanizePercentage }}:{{ "0.1234567" | humanizePercentage }}:{{ "1.23456" | humanizePercentage }}`,
    output: '-22.22%:0%:12.35%:123.5%',
  },
  // HumanizePercentage - model.SampleValue input - string with error.
  {
    text: `{{ "one" | humanizePercentage }}`,
    shouldFail: true,
    errorMsg: `error executing template test: template: test:1:11: executing "test" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing "one": invalid syntax`,
  },
  // HumanizeTimestamp - int.
  {
    text: '{{ range . }}{{ humanizeTimestamp . }}:{{ end }}',
    input: [0n, -1n, 1n, 1234567n, 9223372036n],
    output: '1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:',
  },
  // HumanizeTimestamp - uint.
  {
    text: '{{ range . }}{{ humanizeTimestamp . }}:{{ end }}',
    input: [0n, 1n, 1234567n, 9223372036n],
    output: '1970-01-01 00:00:00 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:',
  },
  // HumanizeTimestamp - int with error.
  {
    text: '{{ range . }}{{ humanizeTimestamp . }}:{{ end }}',
    input: [MinInt64, MaxInt64],
    shouldFail: true,
    errorMsg: `error executing template test: template: test:1:16: executing "test" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64`,
  },
  // HumanizeTimestamp - uint with error.
  {
    text: '{{ range . }}{{ humanizeTimestamp . }}:{{ end }}',
    input: [MaxUint64],
    shouldFail: true,
    errorMsg: `error executing template test: template: test:1:16: executing "test" at <humanizeTimestamp .>: error calling humanizeTimestamp: 1.8446744073709552e+19 cannot be represented as a nanoseconds timestamp since it overflows int64`,
  },
  // HumanizeTimestamp - model.SampleValue input - float64.
  { text: '{{ 1435065584.128 | humanizeTimestamp }}', output: '2015-06-23 13:19:44.128 +0000 UTC' },
  // HumanizeTimestamp - model.SampleValue input - string.
  { text: `{{ "1435065584.128" | humanizeTimestamp }}`, output: '2015-06-23 13:19:44.128 +0000 UTC' },
  // ToTime - model.SampleValue input - float64.
  { text: `{{ (1435065584.128 | toTime).Format "2006" }}`, output: '2015' },
  // ToTime - model.SampleValue input - string.
  { text: `{{ ("1435065584.128" | toTime).Format "2006" }}`, output: '2015' },
  // toDuration - input as float64 seconds, returns *time.Duration.
  { text: `{{ (1800 | toDuration).String }}`, output: '30m0s' },
  // toDuration - input as string seconds, returns *time.Duration.
  { text: `{{ ("1800" | toDuration).String }}`, output: '30m0s' },
  // now - returns fixed timestamp as float64 seconds.
  { text: `{{ now }}`, output: '1.353755652e+09' },
  // now - returns fixed timestamp converted to formatted time string.
  { text: `{{ (now | toTime).Format "Mon Jan 2 15:04:05 2006" }}`, output: 'Sat Nov 24 11:14:12 2012' },
  // returns Unix milliseconds timestamp for 30 minutes ago.
  { text: `{{ ("-30m" | parseDuration | toDuration | (now | toTime).Add).UnixMilli }}`, output: '1353753852000' },
  // Title.
  { text: '{{ "aa bb CC" | title }}', output: 'Aa Bb CC' },
  // toUpper.
  { text: '{{ "aa bb CC" | toUpper }}', output: 'AA BB CC' },
  // toLower.
  { text: '{{ "aA bB CC" | toLower }}', output: 'aa bb cc' },
  // Match.
  { text: '{{ match "a+" "aa" }} {{ match "a+" "b" }}', output: 'true false' },
  // graphLink.
  { text: '{{ graphLink "up" }}', output: '/graph?g0.expr=up&g0.tab=0' },
  // tableLink.
  { text: '{{ tableLink "up" }}', output: '/graph?g0.expr=up&g0.tab=1' },
  // tmpl.
  { text: '{{ define "a" }}x{{ end }}{{ $name := "a"}}{{ tmpl $name . }}', output: 'x', html: true },
  // pathPrefix.
  { text: '{{ pathPrefix }}', output: '/path/prefix' },
  // externalURL.
  { text: '{{ externalURL }}', output: 'http://testhost:9090/path/prefix' },
  // parseDuration with positive duration (using printf to ensure the return is a string).
  { text: '{{ printf "%0.2f" (parseDuration "1h2m10ms") }}', output: '3720.01' },
  // parseDuration with negative duration (using printf to ensure the return is a string).
  { text: '{{ printf "%0.2f" (parseDuration "-1h2m10ms") }}', output: '-3720.01' },
  // Simple hostname.
  { text: '{{ "foo.example.com" | stripDomain }}', output: 'foo' },
  // Hostname with port.
  { text: '{{ "foo.example.com:12345" | stripDomain }}', output: 'foo:12345' },
  // Simple IPv4 address.
  { text: '{{ "192.0.2.1" | stripDomain }}', output: '192.0.2.1' },
  // IPv4 address with port.
  { text: '{{ "192.0.2.1:12345" | stripDomain }}', output: '192.0.2.1:12345' },
  // Simple IPv6 address.
  { text: '{{ "2001:0DB8::1" | stripDomain }}', output: '2001:0DB8::1' },
  // IPv6 address with port.
  { text: '{{ "[2001:0DB8::1]:12345" | stripDomain }}', output: '[2001:0DB8::1]:12345' },
  // Value can't be split into host and port.
  { text: '{{ "[2001:0DB8::1]::12345" | stripDomain }}', output: '[2001:0DB8::1]::12345' },
];

describe('prometheus template_test.go TestTemplateExpansion', () => {
  it.each(scenarios.map((s, i) => [`${i} ${s.text}`, s] as const))('%s', async (_, s) => {
    const expander = new Expander(s.text, 'test', s.input, {
      timestampMs: 1353755652000,
      query: () => s.queryResult ?? [],
      externalURL: 'http://testhost:9090/path/prefix',
      ...(s.options ? { missingKey: s.options } : {}),
    });
    const run = () => (s.html ? expander.expandHTML() : expander.expand());
    if (s.shouldFail) {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as Error).message).toBe(s.errorMsg);
      return;
    }
    await expect(run()).resolves.toBe(s.output);
  });
});

describe('prometheus template_test.go Test_floatToTime', () => {
  it('happy path', () => {
    const t = floatToTime(1657155181);
    expect(t.equalsForTemplate(GoTime.date(2022, 7, 7, 0, 53, 1, 0, t.loc))).toBe(true);
    expect(t.String()).toBe('2022-07-07 00:53:01 +0000 UTC');
  });
  it('more than math.MaxInt64', () => {
    expect(() => floatToTime(1.7976931348623157e300)).toThrow();
  });
  it('less than math.MinInt64', () => {
    expect(() => floatToTime(-1.7976931348623157e300)).toThrow();
  });
});

describe('alerting rule templates (rules/alerting.go)', () => {
  const input = {
    labels: { alertname: 'HighLatency', instance: 'a:9090', job: 'api' },
    externalLabels: { cluster: 'eu1' },
    externalURL: 'http://prom.example.com',
    value: 1234567,
    timestampMs: 1353755652000,
  };

  it('defines $labels, $externalLabels, $externalURL and $value', async () => {
    const text = '{{ $labels.instance }} of {{ $labels.job }} in {{ $externalLabels.cluster }}: {{ $value }} ({{ $value | humanize }}) {{ $externalURL }}';
    await expect(expandAlertTemplate('__alert_HighLatency', text, input)).resolves.toBe(
      'a:9090 of api in eu1: 1.234567e+06 (1.235M) http://prom.example.com',
    );
  });

  it('prints a float64 $value as Go does', () => {
    for (const [value, out] of [
      [1, '1'],
      [1e21, '1e+21'],
      [0.00001, '1e-05'],
      [100000, '100000'],
      [0.5, '0.5'],
    ] as const) {
      expect(expandAlertTemplateSync('a', '{{ $value }}', { ...input, value })).toBe(out);
    }
  });

  it('gives "" for a missing label (map[string]string with missingkey=zero)', () => {
    expect(expandAlertTemplateSync('a', '[{{ $labels.missing }}]', input)).toBe('[]');
    expect(expandAlertTemplateSync('a', '[{{ index $labels "missing" }}]', input)).toBe('[]');
  });

  it('compares $value with a float literal; an int literal is an error as in Go', () => {
    expect(expandAlertTemplateSync('a', '{{ if gt $value 1000.0 }}big{{ end }}', input)).toBe('big');
    expect(() => expandAlertTemplateSync('a', '{{ if gt $value 1000 }}big{{ end }}', input)).toThrow(
      `error executing template a: template: a:1:${ALERT_TEMPLATE_PREAMBLE.length + 6}: executing "a" at <gt $value 1000>: error calling gt: incompatible types for comparison: float64 and int`,
    );
  });

  it('runs queries through the injected (async) query function', async () => {
    const seen: Array<[string, number]> = [];
    const query = async (q: string, ts: number) => {
      seen.push([q, ts]);
      return [{ labels: { __name__: 'up', instance: 'x' }, value: 0 }];
    };
    const text = '{{ with query "up == 0" }}{{ (first .).Labels.instance }} is down{{ end }}';
    await expect(expandAlertTemplate('a', text, { ...input, query })).resolves.toBe('x is down');
    expect(seen).toEqual([['up == 0', 1353755652000]]);
  });

  it('reports errors like Prometheus, with the preamble counted in the column', async () => {
    // Go positions a field chain at its last element (.x here), as the parser builds the node there.
    const err = await expandAlertTemplate('__alert_X', '{{ .Nope.x }}', input).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `error executing template __alert_X: template: __alert_X:1:${ALERT_TEMPLATE_PREAMBLE.length + 8}: executing "__alert_X" at <.Nope.x>: can't evaluate field Nope in type struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }`,
    );
    await expect(expandAlertTemplateOrError('__alert_X', '{{', input)).resolves.toBe(
      '<error expanding template: error parsing template __alert_X: template: __alert_X:1: unclosed action>',
    );
  });
});
