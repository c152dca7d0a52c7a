// Cases of prometheus/alertmanager template/template_test.go, expected outputs verbatim, plus
// the default.tmpl outputs Alertmanager's notifier tests expect (notify/jira/jira_test.go).
import { describe, expect, it } from 'vitest';
import {
  Alert,
  AlertmanagerTemplate,
  Data,
  KV,
  Pair,
  alerts,
  alertmanagerTemplateData,
  defaultTemplateFiles,
  labelSetFingerprint,
  markRouteLabelsRendered,
  pairs,
} from './alertmanager-functions.ts';
import { GoTime, UTC, parseTime } from './go-time.ts';
import { withSignature } from './functions.ts';
import { TemplateError } from './template.ts';

describe('template_test.go data types', () => {
  it('TestPairNames / TestPairValues / TestPairsString', () => {
    const ps = pairs([new Pair('name1', 'value1'), new Pair('name2', 'value2'), new Pair('name3', 'value3')]);
    const names = (ps as unknown as { Names(): string[] }).Names();
    const values = (ps as unknown as { Values(): string[] }).Values();
    expect([...names]).toEqual(['name1', 'name2', 'name3']);
    expect([...values]).toEqual(['value1', 'value2', 'value3']);
    const one = pairs([new Pair('name1', 'value1')]);
    expect((one as unknown as { String(): string }).String()).toBe('name1=value1');
    const two = pairs([new Pair('name1', 'value1'), new Pair('name2', 'value2')]);
    expect((two as unknown as { String(): string }).String()).toBe('name1=value1, name2=value2');
  });

  it('TestKVSortedPairs: sorted, alertname always first', () => {
    const kv = new KV({ d: 'dVal', b: 'bVal', c: 'cVal' });
    expect(kv.SortedPairs().map((p) => [p.Name, p.Value])).toEqual([
      ['b', 'bVal'],
      ['c', 'cVal'],
      ['d', 'dVal'],
    ]);
    const withName = new KV({ d: 'dVal', b: 'bVal', c: 'cVal', alertname: 'alert', a: 'aVal' });
    expect(withName.SortedPairs().map((p) => [p.Name, p.Value])).toEqual([
      ['alertname', 'alert'],
      ['a', 'aVal'],
      ['b', 'bVal'],
      ['c', 'cVal'],
      ['d', 'dVal'],
    ]);
  });

  it('TestKVRemove', () => {
    const kv = new KV({ key1: 'val1', key2: 'val2', key3: 'val3', key4: 'val4' }).Remove(['key2', 'key4']);
    expect([...kv.Names()]).toEqual(['key1', 'key3']);
  });

  it('TestAlertsFiring / TestAlertsResolved', () => {
    const list = alerts(['firing', 'resolved', 'firing', 'resolved', 'resolved'].map((Status) => new Alert({ Status })));
    const firing = (list as unknown as { Firing(): Alert[] }).Firing();
    const resolved = (list as unknown as { Resolved(): Alert[] }).Resolved();
    expect(firing.map((a) => a.Status)).toEqual(['firing', 'firing']);
    expect(resolved.map((a) => a.Status)).toEqual(['resolved', 'resolved', 'resolved']);
  });
});

describe('template_test.go TestData', () => {
  const startTime = GoTime.zero().Add(1000000000n);
  const endTime = GoTime.zero().Add(2000000000n);
  const externalURL = 'http://example.com/';

  it('no alerts', () => {
    const got = alertmanagerTemplateData({ receiver: 'webhook', externalURL, alerts: [], notificationReason: 'first notification' });
    expect(got.Receiver).toBe('webhook');
    expect(got.Status).toBe('resolved');
    expect(got.Alerts).toEqual([]);
    expect(got.NotificationReason).toBe('first notification');
    expect(got.GroupLabels.entries.size + got.CommonLabels.entries.size + got.CommonAnnotations.entries.size + got.RouteLabels.entries.size).toBe(0);
    expect(got.ExternalURL).toBe('http://example.com/');
  });

  it('common labels and annotations, fingerprints, statuses', () => {
    const got = alertmanagerTemplateData({
      receiver: 'webhook',
      externalURL,
      groupLabels: { job: 'foo' },
      alerts: [
        { startsAt: startTime, labels: { severity: 'warning', job: 'foo' }, annotations: { description: 'something happened', runbook: 'foo' } },
        { startsAt: startTime, endsAt: endTime, labels: { severity: 'critical', job: 'foo' }, annotations: { description: 'something else happened', runbook: 'foo' } },
      ],
    });
    expect(got.Status).toBe('firing');
    expect(got.Alerts.map((a) => [a.Status, a.Fingerprint])).toEqual([
      ['firing', '9266ef3da838ad95'],
      ['resolved', '3b15fd163d36582e'],
    ]);
    expect(got.Alerts[1]?.EndsAt.equalsForTemplate(endTime)).toBe(true);
    expect(Object.fromEntries(got.GroupLabels.entries)).toEqual({ job: 'foo' });
    expect(Object.fromEntries(got.CommonLabels.entries)).toEqual({ job: 'foo' });
    expect(Object.fromEntries(got.CommonAnnotations.entries)).toEqual({ runbook: 'foo' });
  });

  it('nothing in common', () => {
    const got = alertmanagerTemplateData({
      receiver: 'webhook',
      externalURL,
      groupLabels: {},
      alerts: [
        { startsAt: startTime, labels: { severity: 'warning', job: 'foo' }, annotations: { description: 'something happened', runbook: 'foo' } },
        { startsAt: startTime, endsAt: endTime, labels: { severity: 'critical', job: 'bar' }, annotations: { description: 'something else happened', runbook: 'bar' } },
      ],
    });
    expect(got.Alerts.map((a) => a.Fingerprint)).toEqual(['9266ef3da838ad95', 'c7e68cb08e3e67f9']);
    expect(got.CommonLabels.entries.size + got.CommonAnnotations.entries.size).toBe(0);
  });

  it('route labels are passed through', () => {
    const got = alertmanagerTemplateData({ receiver: '', externalURL, groupLabels: { label_a: 'a', label_b: 'b' }, routeLabels: { rlabel_a: 'rvalue a', rlabel_plain: 'plain {}' }, alerts: [] });
    expect(Object.fromEntries(got.RouteLabels.entries)).toEqual({ rlabel_a: 'rvalue a', rlabel_plain: 'plain {}' });
  });

  it('quotes the receiver name and fingerprints an empty label set', () => {
    expect(alertmanagerTemplateData({ receiver: 'team.a+b', externalURL, alerts: [] }).Receiver).toBe('team\\.a\\+b');
    expect(labelSetFingerprint({})).toBe('cbf29ce484222325');
  });
});

type ExpansionCase = { title: string; in: string; data?: unknown; html?: boolean; exp?: string; fail?: boolean };

const kvData = (d: ConstructorParameters<typeof Data>[0]) => new Data(d);

describe('template_test.go TestTemplateExpansion', () => {
  const tmpl = new AlertmanagerTemplate();
  const cases: ExpansionCase[] = [
    { title: 'Template without action', in: `abc`, exp: 'abc' },
    { title: 'Template with simple action', in: `{{ "abc" }}`, exp: 'abc' },
    { title: 'Template with invalid syntax', in: `{{ `, fail: true },
    { title: 'Template using toUpper', in: `{{ "abc" | toUpper }}`, exp: 'ABC' },
    { title: 'Template using toLower', in: `{{ "ABC" | toLower }}`, exp: 'abc' },
    { title: 'Template using title', in: `{{ "abc" | title }}`, exp: 'Abc' },
    { title: 'Template using TrimSpace', in: `{{ " a b c " | trimSpace }}`, exp: 'a b c' },
    { title: 'Template using positive match', in: `{{ if match "^a" "abc"}}abc{{ end }}`, exp: 'abc' },
    { title: 'Template using negative match', in: `{{ if match "abcd" "abc" }}abc{{ end }}`, exp: '' },
    { title: 'Template using join', in: `{{ . | join "," }}`, data: ['a', 'b', 'c'], exp: 'a,b,c' },
    { title: 'Text template without HTML escaping', in: `{{ "<b>" }}`, exp: '<b>' },
    { title: 'HTML template with escaping', in: `{{ "<b>" }}`, html: true, exp: '&lt;b&gt;' },
    { title: 'HTML template using safeHTML', in: `{{ "<b>" | safeHtml }}`, html: true, exp: '<b>' },
    { title: 'URL template with escaping', in: `<a href="/search?{{ "q=test%20foo" }}"></a>`, html: true, exp: `<a href="/search?q%3dtest%2520foo"></a>` },
    { title: 'URL template using safeUrl', in: `<a href="/search?{{ "q=test%20foo" | safeUrl }}"></a>`, html: true, exp: `<a href="/search?q=test%20foo"></a>` },
    { title: 'Template using reReplaceAll', in: `{{ reReplaceAll "ab" "AB" "abcdabcda"}}`, exp: 'ABcdABcda' },
    { title: 'Template using urlUnescape', in: `{{ "search?q=test%20foo" | urlUnescape }}`, exp: 'search?q=test foo' },
    {
      title: 'Template using stringSlice',
      in: `{{ with .GroupLabels }}{{ with .Remove (stringSlice "key1" "key3") }}{{ .SortedPairs.Values }}{{ end }}{{ end }}`,
      data: kvData({ GroupLabels: new KV({ key1: 'key1', key2: 'key2', key3: 'key3', key4: 'key4' }) }),
      exp: '[key2 key4]',
    },
    { title: 'Template using toJson with string', in: `{{ "test" | toJson }}`, exp: `"test"` },
    { title: 'Template using toJson with number', in: `{{ 42 | toJson }}`, exp: `42` },
    { title: 'Template using toJson with boolean', in: `{{ true | toJson }}`, exp: `true` },
    { title: 'Template using toJson with map', in: `{{ . | toJson }}`, data: { key: 'value', number: 123n }, exp: `{"key":"value","number":123}` },
    { title: 'Template using toJson with slice', in: `{{ . | toJson }}`, data: ['a', 'b', 'c'], exp: `["a","b","c"]` },
    { title: 'Template using toJson with KV', in: `{{ .CommonLabels | toJson }}`, data: kvData({ CommonLabels: new KV({ severity: 'critical', job: 'foo' }) }), exp: `{"job":"foo","severity":"critical"}` },
    {
      title: 'Template using toJson with Alerts',
      in: `{{ .Alerts | toJson }}`,
      data: kvData({ Alerts: [new Alert({ Status: 'firing', Labels: new KV({ alertname: 'test' }) })] }),
      exp: `[{"status":"firing","labels":{"alertname":"test"},"annotations":null,"startsAt":"0001-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":""}]`,
    },
    {
      title: 'Template using toJson with Alerts.Firing()',
      in: `{{ .Alerts.Firing | toJson }}`,
      data: kvData({ Alerts: [new Alert({ Status: 'firing' }), new Alert({ Status: 'resolved' })] }),
      exp: `[{"status":"firing","labels":null,"annotations":null,"startsAt":"0001-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":""}]`,
    },
    { title: 'Template using base64encode', in: `{{ "test" | base64encode }}`, exp: 'dGVzdA==' },
    { title: 'Template using base64encode produces a URL-safe alphabet', in: `{{ "flush>>" | base64encode }}`, exp: 'Zmx1c2g-Pg==' },
    { title: 'Template using base64decode', in: `{{ "dGVzdA==" | base64decode }}`, exp: 'test' },
    { title: 'Template using base64decode with invalid input', in: `{{ "not-valid-base64!" | base64decode }}`, fail: true },
    { title: 'Template creates empty dict when using dict on nil', in: `{{- $test := dict -}}{{ $test }}`, exp: 'map[]' },
    { title: 'Template creates dict with args', in: `{{- $test := dict "a" 1 "b" 2 "c" 3 -}}{{ $test }}`, exp: 'map[a:1 b:2 c:3]' },
    { title: 'Template using dict with odd number of arguments', in: `{{ dict "a" }}`, fail: true },
    { title: 'Template using dict with non-string key', in: `{{ dict 1 "value" }}`, fail: true },
    { title: 'Template creates empty list when using list on nil', in: `{{- $test := list -}}{{ $test }}`, exp: '[]' },
    { title: 'Template creates list with args', in: `{{- $test := list "a" "b" "c" -}}{{ $test }}`, exp: '[a b c]' },
    { title: 'Template appends to list', in: `{{- $test := list "a" "b" -}}{{ $test = append $test "c" "d" -}}{{ $test }}`, exp: '[a b c d]' },
    {
      title: 'Compose json array using list and append',
      data: kvData({ Alerts: [new Alert({ Status: 'firing' }), new Alert({ Status: 'resolved' })] }),
      in: `{{- $newList := list -}}{{ range .Alerts }}{{ $m := dict "status" .Status "labels" .Labels }}{{ $newList = append $newList $m }}{{ end }}{{ toJson $newList }}`,
      exp: `[{"labels":null,"status":"firing"},{"labels":null,"status":"resolved"}]`,
    },
    {
      title: 'Template using routeLabels',
      in: `Simple: {{ routeLabels "rl1" }} - Templated: {{ routeLabels "rl2" }} - Recursive: {{ routeLabels "rl3" }}`,
      data: kvData({
        GroupLabels: new KV({ key1: 'key1', key2: 'key2', key3: 'key3', key4: 'key4' }),
        RouteLabels: new KV({ rl1: 'rl1', rl2: `{{ .GroupLabels.key1 }}`, rl3: `{{ routeLabels "rl2" }} recursive` }),
      }),
      exp: 'Simple: rl1 - Templated: key1 - Recursive: key1 recursive',
    },
    { title: 'routeLabels unknown name renders empty', in: `[{{ routeLabels "nope" }}]`, data: kvData({ RouteLabels: new KV({ rl1: 'rl1' }) }), exp: '[]' },
    {
      title: 'routeLabels direct cycle is detected, not a stack overflow',
      in: `{{ routeLabels "rl1" }}`,
      data: kvData({ RouteLabels: new KV({ rl1: `{{ routeLabels "rl2" }}`, rl2: `{{ routeLabels "rl1" }}` }) }),
      fail: true,
    },
    { title: 'routeLabels self cycle is detected', in: `{{ routeLabels "rl1" }}`, data: kvData({ RouteLabels: new KV({ rl1: `{{ routeLabels "rl1" }}` }) }), fail: true },
    {
      title: 'routeLabels diamond reference renders once per branch',
      in: `{{ routeLabels "top" }}`,
      data: kvData({
        GroupLabels: new KV({ x: 'v' }),
        RouteLabels: new KV({ top: `{{ routeLabels "a" }}-{{ routeLabels "b" }}`, a: `{{ routeLabels "leaf" }}`, b: `{{ routeLabels "leaf" }}`, leaf: `{{ .GroupLabels.x }}` }),
      }),
      exp: 'v-v',
    },
  ];
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_, tc) => {
    const f = () => (tc.html ? tmpl.executeHTMLString(tc.in, tc.data) : tmpl.executeTextString(tc.in, tc.data));
    if (tc.fail) {
      expect(f).toThrow(TemplateError);
      return;
    }
    expect(f()).toBe(tc.exp);
  });

  it('the cycle error names the path', () => {
    const data = kvData({ RouteLabels: new KV({ rl1: `{{ routeLabels "rl2" }}`, rl2: `{{ routeLabels "rl1" }}` }) });
    expect(() => tmpl.executeTextString(`{{ routeLabels "rl1" }}`, data)).toThrow('route label cycle detected: rl1 -> rl2 -> rl1');
  });
});

describe('template_test.go route labels', () => {
  it('TestRouteLabelsRenderedNotReExecuted', () => {
    const tmpl = new AlertmanagerTemplate({ defaults: false });
    const data = markRouteLabelsRendered(new Data({ RouteLabels: new KV({ desc: `disk usage is {{ $value | humanize }}` }) }));
    expect(tmpl.executeTextString(`[{{ routeLabels "desc" }}]`, data)).toBe(`[disk usage is {{ $value | humanize }}]`);
  });

  it('TestRouteLabelsUnrenderedExecuted', () => {
    const tmpl = new AlertmanagerTemplate({ defaults: false });
    const data = new Data({ GroupLabels: new KV({ x: 'v' }), RouteLabels: new KV({ desc: `{{ .GroupLabels.x }}` }) });
    expect(tmpl.executeTextString(`[{{ routeLabels "desc" }}]`, data)).toBe(`[v]`);
  });

  it('TestRouteLabelRendererSharesResolver', () => {
    let leafRenders = 0;
    const countLeaf = withSignature(() => {
      leafRenders++;
      return 'leaf';
    }, []);
    const tmpl = new AlertmanagerTemplate({ defaults: false, funcs: { countLeaf } });
    const data = new Data({ RouteLabels: new KV({ a: `{{ routeLabels "leaf" }}`, b: `{{ routeLabels "leaf" }}`, leaf: `{{ countLeaf }}` }) });
    const render = tmpl.routeLabelRenderer(data);
    const out: Record<string, string> = {};
    for (const name of data.RouteLabels.entries.keys()) out[name as string] = render(name as string);
    expect(out).toEqual({ a: 'leaf', b: 'leaf', leaf: 'leaf' });
    expect(leafRenders).toBe(1);
  });
});

describe('template_test.go TestTemplateExpansionWithOptions', () => {
  const printFoo = withSignature(() => 'foo', []);
  it('Test custom function', () => {
    expect(new AlertmanagerTemplate({ funcs: { printFoo } }).executeTextString(`{{ printFoo }}`, undefined)).toBe('foo');
  });
  it('Test Default function with additional function added', () => {
    expect(new AlertmanagerTemplate({ funcs: { printFoo } }).executeTextString(`{{ toUpper "test" }}`, undefined)).toBe('TEST');
  });
  it('Test custom function is overridden by the DefaultFuncs', () => {
    const toUpper = withSignature(() => 'foo', ['string']);
    expect(new AlertmanagerTemplate({ funcs: { toUpper } }).executeTextString(`{{ toUpper "test" }}`, undefined)).toBe('TEST');
  });
  it('Test later Option overrides the previous', () => {
    const funcs = { ...{ printFoo }, ...{ printFoo: withSignature(() => 'bar', []) } };
    expect(new AlertmanagerTemplate({ funcs }).executeTextString(`{{ printFoo }}`, undefined)).toBe('bar');
  });
});

describe('template_test.go TestTemplateFuncs', () => {
  const tmpl = new AlertmanagerTemplate();
  const at = GoTime.date(2024, 1, 1, 8, 15, 30, 0, UTC);
  // dataAt: data made right before execution (a time relative to now would age while the table waits).
  const cases: Array<{ title: string; in: string; data?: unknown; dataAt?: () => unknown; exp?: string; expErr?: string }> = [
    { title: 'Template using toUpper', in: `{{ "abc" | toUpper }}`, exp: 'ABC' },
    { title: 'Template using toLower', in: `{{ "ABC" | toLower }}`, exp: 'abc' },
    { title: 'Template using title', in: `{{ "abc" | title }}`, exp: 'Abc' },
    { title: 'Template using trimSpace', in: `{{ " abc " | trimSpace }}`, exp: 'abc' },
    { title: 'Template using join', in: `{{ . | join "," }}`, data: ['abc', 'def'], exp: 'abc,def' },
    { title: 'Template using match', in: `{{ match "[a-z]+" "abc" }}`, exp: 'true' },
    { title: 'Template using reReplaceAll', in: `{{ reReplaceAll "ab" "AB" "abc" }}`, exp: 'ABc' },
    { title: 'Template using date', in: `{{ . | date "2006-01-02" }}`, data: at, exp: '2024-01-01' },
    { title: 'Template using tz', in: `{{ . | tz "Europe/Paris" }}`, data: at, exp: '2024-01-01 09:15:30 +0100 CET' },
    {
      title: 'Template using invalid tz',
      in: `{{ . | tz "Invalid/Timezone" }}`,
      data: at,
      expErr: 'template: :1:7: executing "" at <tz "Invalid/Timezone">: error calling tz: unknown time zone Invalid/Timezone',
    },
    {
      title: 'Template using HumanizeDuration - seconds - float64',
      in: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
      data: [0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99],
      exp: '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:',
    },
    { title: 'Template using HumanizeDuration - seconds - string.', in: '{{ range . }}{{ humanizeDuration . }}:{{ end }}', data: ['0', '1', '60', '3600', '86400'], exp: '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:' },
    {
      title: 'Template using HumanizeDuration - subsecond and fractional seconds - float64.',
      in: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
      data: [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345],
      exp: '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
    },
    {
      title: 'Template using HumanizeDuration - subsecond and fractional seconds - string.',
      in: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
      data: ['.1', '.0001', '.12345', '60.1', '60.5', '1.2345', '12.345'],
      exp: '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
    },
    {
      title: 'Template using HumanizeDuration - string with error.',
      in: `{{ humanizeDuration "one" }}`,
      expErr: 'template: :1:3: executing "" at <humanizeDuration "one">: error calling humanizeDuration: strconv.ParseFloat: parsing "one": invalid syntax',
    },
    { title: 'Template using HumanizeDuration - int.', in: '{{ range . }}{{ humanizeDuration . }}:{{ end }}', data: [0n, -1n, 1n, 1234567n], exp: '0s:-1s:1s:14d 6h 56m 7s:' },
    { title: 'Template using HumanizeDuration - uint.', in: '{{ range . }}{{ humanizeDuration . }}:{{ end }}', data: [0n, 1n, 1234567n], exp: '0s:1s:14d 6h 56m 7s:' },
    { title: 'Template using since', in: '{{ . | since | humanizeDuration }}', dataAt: () => new Date(Date.now() - 3600 * 1000), exp: '1h 0m 0s' },
    { title: 'Template using toJson with string', in: `{{ "hello" | toJson }}`, exp: `"hello"` },
    { title: 'Template using toJson with map', in: `{{ . | toJson }}`, data: { key: 'value' }, exp: `{"key":"value"}` },
    {
      title: 'Template using toJson with Alerts.Firing()',
      in: `{{ .Alerts.Firing | toJson }}`,
      data: kvData({ Alerts: [new Alert({ Status: 'firing', Labels: new KV({ alertname: 'test' }) }), new Alert({ Status: 'resolved' })] }),
      exp: `[{"status":"firing","labels":{"alertname":"test"},"annotations":null,"startsAt":"0001-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":""}]`,
    },
    { title: 'Template using toDate with valid input', in: `{{ toDate "2006-01-02" "2024-03-15" | date "02 Jan 2006" }}`, exp: '15 Mar 2024' },
    { title: 'Template using toDate with invalid input returns zero time', in: `{{ toDate "2006-01-02" "not-a-date" | date "2006" }}`, exp: '0001' },
    { title: 'Template using mustToDate with valid input', in: `{{ mustToDate "2006-01-02" "2024-03-15" | date "02 Jan 2006" }}`, exp: '15 Mar 2024' },
    {
      title: 'Template using mustToDate with invalid input returns error',
      in: `{{ mustToDate "2006-01-02" "not-a-date" }}`,
      expErr: `template: :1:3: executing "" at <mustToDate "2006-01-02" "not-a-date">: error calling mustToDate: parsing time "not-a-date" as "2006-01-02": cannot parse "not-a-date" as "2006"`,
    },
  ];
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_, tc) => {
    if (tc.expErr) {
      expect(() => tmpl.executeTextString(tc.in, tc.data)).toThrow(new TemplateError('exec', '', tc.expErr));
      return;
    }
    expect(tmpl.executeTextString(tc.in, tc.dataAt !== undefined ? tc.dataAt() : tc.data)).toBe(tc.exp);
  });

  it('TestTemplateNow', () => {
    const before = Date.now();
    const got = tmpl.executeTextString(`{{ now | date "2006-01-02T15:04:05-0700" }}`, undefined);
    const parsed = Number(parseTime('2006-01-02T15:04:05-0700', got).UnixMilli());
    expect(parsed).toBeGreaterThanOrEqual(before - 1000);
    expect(parsed).toBeLessThanOrEqual(before + 3000);
  });
});

describe("Alertmanager's default.tmpl and email.tmpl", () => {
  it('parses the shipped files (copied verbatim) and defines their templates', () => {
    const files = defaultTemplateFiles();
    expect(files.map(([n]) => n)).toEqual(['default.tmpl', 'email.tmpl']);
    const tmpl = new AlertmanagerTemplate();
    for (const name of ['__subject', '__text_alert_list', 'slack.default.title', 'email.default.subject', 'email.default.html', 'jira.default.priority', 'msteams.default.text']) {
      expect(tmpl.names()).toContain(name);
    }
  });

  // notify/jira/jira_test.go: group labels {alertname: test}, one firing alert.
  const jiraData = (labels: Record<string, string>, resolved = false) =>
    alertmanagerTemplateData({
      receiver: 'jira',
      externalURL: 'http://am.example.com',
      groupLabels: { alertname: 'test' },
      alerts: [{ labels, startsAt: new Date(Date.now() - 60000), endsAt: new Date(Date.now() + (resolved ? -1000 : 3600000)) }],
    });

  it('jira.default.summary / description / priority (jira_test.go TestJiraNotify)', () => {
    const tmpl = new AlertmanagerTemplate();
    const critical = jiraData({ alertname: 'test', instance: 'vm1', severity: 'critical' });
    expect(tmpl.executeTextString(`{{ template "jira.default.summary" . }}`, critical)).toBe('[FIRING:1] test (vm1 critical)');
    expect(tmpl.executeTextString(`{{ template "jira.default.description" . }}`, critical)).toBe(
      '\n\n# Alerts Firing:\n\nLabels:\n  - alertname = test\n  - instance = vm1\n  - severity = critical\n\nAnnotations:\n\nSource: \n\n\n\n\n',
    );
    expect(tmpl.executeTextString(`{{ template "jira.default.priority" . }}`, critical)).toBe('High');

    const minor = jiraData({ alertname: 'test', instance: 'vm1', severity: 'critical', project: 'MONITORING', issue_type: 'MINOR' });
    expect(tmpl.executeTextString(`{{ template "jira.default.summary" . }}`, minor)).toBe('[FIRING:1] test (vm1 MINOR MONITORING critical)');
    expect(tmpl.executeTextString(`{{ template "jira.default.description" . }}`, minor)).toBe(
      '\n\n# Alerts Firing:\n\nLabels:\n  - alertname = test\n  - instance = vm1\n  - issue_type = MINOR\n  - project = MONITORING\n  - severity = critical\n\nAnnotations:\n\nSource: \n\n\n\n\n',
    );
    expect(tmpl.executeTextString('{{ .CommonLabels.issue_type }}', minor)).toBe('MINOR');

    const plain = jiraData({ alertname: 'test', instance: 'vm1' });
    expect(tmpl.executeTextString(`{{ template "jira.default.summary" . }}`, plain)).toBe('[FIRING:1] test (vm1)');
    expect(tmpl.executeTextString(`{{ template "jira.default.priority" . }}`, plain)).toBe('');
    const resolved = jiraData({ alertname: 'test', instance: 'vm1' }, true);
    expect(tmpl.executeTextString(`{{ template "jira.default.description" . }}`, resolved)).toBe(
      '\n\n\n# Alerts Resolved:\n\nLabels:\n  - alertname = test\n  - instance = vm1\n\nAnnotations:\n\nSource: \n\n\n\n',
    );
  });

  const sample = () =>
    alertmanagerTemplateData({
      receiver: 'team-X',
      externalURL: 'http://am.example.com',
      groupLabels: { alertname: 'HighLatency' },
      alerts: [
        {
          labels: { alertname: 'HighLatency', instance: 'a:9090', severity: 'page' },
          annotations: { summary: 'latency > 1s & rising', runbook: 'http://runbooks/x?a=1&b=2' },
          startsAt: new Date('2024-01-01T08:00:00Z'),
          generatorURL: 'http://prom:9090/graph?g0.expr=up+%3D%3D+0',
        },
        {
          labels: { alertname: 'HighLatency', instance: 'b:9090', severity: 'page' },
          annotations: { summary: 'latency > 1s & rising' },
          startsAt: new Date('2024-01-01T08:00:00Z'),
          endsAt: new Date('2024-01-01T08:05:00Z'),
          generatorURL: 'http://prom:9090/graph',
        },
      ],
    });

  it('__subject, slack.default.title and email.default.subject', () => {
    const tmpl = new AlertmanagerTemplate();
    const data = sample();
    const subject = '[FIRING:1] HighLatency (page)';
    expect(tmpl.executeTextString('{{ template "__subject" . }}', data)).toBe(subject);
    expect(tmpl.executeTextString('{{ template "slack.default.title" . }}', data)).toBe(subject);
    expect(tmpl.executeTextString('{{ template "email.default.subject" . }}', data)).toBe(subject);
    expect(tmpl.executeTextString('{{ template "slack.default.titlelink" . }}', data)).toBe('http://am.example.com/#/alerts?receiver=team-X');
    expect(tmpl.executeTextString('{{ template "slack.default.color" . }}', data)).toBe('danger');
  });

  it('__text_alert_list', () => {
    const tmpl = new AlertmanagerTemplate();
    expect(tmpl.executeTextString('{{ template "__text_alert_list" .Alerts.Firing }}', sample())).toBe(
      'Labels:\n - alertname = HighLatency\n - instance = a:9090\n - severity = page\nAnnotations:\n - runbook = http://runbooks/x?a=1&b=2\n - summary = latency > 1s & rising\nSource: http://prom:9090/graph?g0.expr=up+%3D%3D+0\n',
    );
  });

  it('email.default.html: comments removed, text and attributes escaped by context', () => {
    const tmpl = new AlertmanagerTemplate();
    const html = tmpl.executeHTMLString('{{ template "email.default.html" . }}', sample());
    // html/template drops the license comment and keeps the doctype.
    expect(html.startsWith('\n\n<!DOCTYPE html PUBLIC')).toBe(true);
    expect(html).not.toContain('<!--');
    expect(html).not.toContain('Mailgun');
    // <title> is RCDATA: the subject is escaped there.
    expect(html).toContain('<title>[FIRING:1] HighLatency (page)</title>');
    // HTML text: & and > are escaped; + becomes &#43;.
    expect(html).toContain('summary = latency &gt; 1s &amp; rising<br');
    expect(html).toContain('runbook = http://runbooks/x?a=1&amp;b=2<br');
    // URL attributes: normalized, then attribute-escaped; urlquery merged with the URL escaper.
    expect(html).toContain('<a href="http://am.example.com/#/alerts?receiver=team-X" class="btn-primary"');
    expect(html).toContain('<a href="http://prom:9090/graph?g0.expr=up&#43;%3D%3D&#43;0" style=');
    expect(html).toContain('<a href="http://am.example.com" style=');
    expect(html).toContain('[1] Firing</strong>');
    expect(html).toContain('[1] Resolved</strong>');
    expect(html).toContain('2 alerts for');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('email.default.html filters unsafe URLs as html/template does', () => {
    const tmpl = new AlertmanagerTemplate();
    const data = alertmanagerTemplateData({
      receiver: 'r',
      externalURL: 'javascript:alert(1)',
      alerts: [{ labels: { alertname: 'A', x: '<script>' }, generatorURL: 'http://p/a b' }],
    });
    const html = tmpl.executeHTMLString('{{ template "email.default.html" . }}', data);
    expect(html).toContain('href="#ZgotmplZ/#/alerts?receiver=r"');
    expect(html).toContain('x = &lt;script&gt;<br');
    expect(html).toContain('href="http://p/a%20b"');
  });
});
