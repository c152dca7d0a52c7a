import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRuleFile, lintDuplicateRules, loadRuleFiles, parseRuleFile, RuleFileError, RuleFilesError } from './rule-file.ts';
import type { AlertingRuleDefinition, RecordingRuleDefinition } from './rule-file.ts';

function errorsOf(text: string, options = {}): string[] {
  return checkRuleFile('rules.yml', text, options).errors.map((e) => e.message);
}

function firstError(text: string, options = {}): RuleFileError {
  const errors = checkRuleFile('rules.yml', text, options).errors;
  expect(errors.length).toBeGreaterThan(0);
  return errors[0] as RuleFileError;
}

// Stands in for the template engine's parser: knows the variables Prometheus defines and a few
// syntax errors, which is enough to check that rule-file.ts asks and reports correctly.
function fakeTemplateCheck(text: string, name: string): string | undefined {
  const opens = text.split('{{').length - 1;
  const closes = text.split('}}').length - 1;
  if (opens !== closes) return `template: ${name}:1: unclosed action`;
  for (const m of text.matchAll(/\{\{(.*?)\}\}/g)) {
    const action = m[1] as string;
    for (const v of action.matchAll(/\$([a-zA-Z_]\w*)/g)) {
      if (!['labels', 'value', 'externalLabels', 'externalURL'].includes(v[1] as string)) return `template: ${name}:1: undefined variable "$${v[1]}"`;
    }
    if (action.includes('*')) return `template: ${name}:1: bad character U+002A '*'`;
  }
  return undefined;
}

const TEST_YAML = `groups:
  - name: my-group-name
    interval: 30s # defaults to global interval
    rules:
      - alert: HighErrors
        expr: |
          sum without(instance) (rate(errors_total[5m]))
          /
          sum without(instance) (rate(requests_total[5m]))
        for: 5m
        labels:
          severity: critical
        annotations:
          description: "stuff's happening with {{ $.labels.service }}"

      # Mix recording rules in the same list
      - record: "new_metric"
        expr: |
          sum without(instance) (rate(errors_total[5m]))
          /
          sum without(instance) (rate(requests_total[5m]))
        labels:
          abc: edf
          uvw: xyz

  - name: my-another-name
    interval: 30s
    rules:
      - alert: HighErrors
        expr: sum(up)
        for: 5m
`;

describe('parseRuleFile: well-formed files (rulefmt testdata)', () => {
  it('reads groups and rules with their fields (test.yaml)', () => {
    const groups = parseRuleFile('test.yaml', TEST_YAML);
    expect(groups.map((g) => [g.name, g.intervalMs, g.file, g.index])).toEqual([
      ['my-group-name', 30_000, 'test.yaml', 0],
      ['my-another-name', 30_000, 'test.yaml', 1],
    ]);
    const [alert, record] = groups[0]?.rules ?? [];
    expect(alert).toMatchObject({ kind: 'alerting', name: 'HighErrors', forMs: 300_000, keepFiringForMs: 0, labels: { severity: 'critical' }, line: 5 });
    expect((alert as AlertingRuleDefinition).expr).toBe(
      'sum without(instance) (rate(errors_total[5m]))\n/\nsum without(instance) (rate(requests_total[5m]))\n',
    );
    expect((alert as AlertingRuleDefinition).annotations).toEqual({ description: "stuff's happening with {{ $.labels.service }}" });
    expect(record).toMatchObject({ kind: 'recording', name: 'new_metric', labels: { abc: 'edf', uvw: 'xyz' }, index: 1 });
  });

  it('resolves anchors, aliases and merge keys (test_aliases.yaml)', () => {
    const text = `groups:
  - name: my-group-name
    interval: 30s
    rules:
      - &highalert
        alert: &alertname HighAlert
        expr: &expr |
          sum(rate(errors_total[5m]))
        for: 5m
        labels:
          severity: &severity critical
        annotations:
          description: &description "stuff's happening with {{ $.labels.service }}"
      - record: &recordname "new_metric"
        expr: *expr
      - alert: *alertname
        expr: *expr
        labels:
          severity: *severity
      - <<: *highalert
        alert: HighAlert2
`;
    const rules = parseRuleFile('aliases.yml', text)[0]?.rules ?? [];
    expect(rules.map((r) => [r.kind, r.name, r.expr])).toEqual([
      ['alerting', 'HighAlert', 'sum(rate(errors_total[5m]))\n'],
      ['recording', 'new_metric', 'sum(rate(errors_total[5m]))\n'],
      ['alerting', 'HighAlert', 'sum(rate(errors_total[5m]))\n'],
      ['alerting', 'HighAlert2', 'sum(rate(errors_total[5m]))\n'],
    ]);
    const merged = rules[3] as AlertingRuleDefinition;
    expect(merged.forMs).toBe(300_000);
    expect(merged.labels).toEqual({ severity: 'critical' });
    expect(merged.annotations).toEqual({ description: "stuff's happening with {{ $.labels.service }}" });
  });

  it('keeps scalars as written, as go-yaml does for string fields', () => {
    const text = `groups:
  - name: 123
    rules:
      - alert: true
        expr: 0x10
        labels: {x: 1.50, y: , z: yes}
`;
    const g = parseRuleFile('f.yml', text)[0];
    expect(g?.name).toBe('123');
    const r = g?.rules[0] as AlertingRuleDefinition;
    expect([r.name, r.expr]).toEqual(['true', '0x10']);
    expect(r.labels).toEqual({ x: '1.50', y: '', z: 'yes' });
  });

  it('reads limit, query_offset (0 kept apart from unset) and group labels', () => {
    const text = `groups:
  - name: a
    limit: 5.9
    query_offset: 0s
    interval: 0s
    labels: {team: storage}
    rules: []
  - name: b
    limit: -3
`;
    const [a, b] = parseRuleFile('f.yml', text);
    expect(a).toMatchObject({ limit: 5, queryOffsetMs: 0, intervalMs: undefined, labels: { team: 'storage' }, rules: [] });
    expect(b).toMatchObject({ limit: -3, queryOffsetMs: undefined });
  });

  it('accepts an empty file, `groups:` alone and a group without rules, as promtool', () => {
    expect(parseRuleFile('f.yml', '')).toEqual([]);
    expect(parseRuleFile('f.yml', 'groups:\n')).toEqual([]);
    expect(parseRuleFile('f.yml', '# nothing\n')).toEqual([]);
    expect(parseRuleFile('f.yml', 'groups:\n  - name: a\n')[0]?.rules).toEqual([]);
  });

  it('reads only the first YAML document and warns (TestMultiDocParse)', () => {
    const text = 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n---\ngroups:\n- name: example2\n  rules:\n  - alert: InstanceDown2\n    expr: (up\n';
    const result = checkRuleFile('f.yml', text);
    expect(result.errors).toEqual([]);
    expect(result.groups.map((g) => g.name)).toEqual(['example']);
    expect(result.warnings[0]).toMatch(/multiple document/);
    expect(checkRuleFile('f.yml', 'groups:\n- name: example\n').warnings).toEqual([]);
  });

  it('accepts the example fixtures that promtool 2.42 accepts (and the newer fields)', () => {
    const dir = new URL('./testdata/', import.meta.url);
    const example = parseRuleFile('example-rules.yml', readFileSync(new URL('example-rules.yml', dir), 'utf8'), { validateTemplate: fakeTemplateCheck });
    expect(example.flatMap((g) => g.rules.map((r) => r.name))).toEqual(['instance:node_cpu_utilisation:rate5m', 'InstanceDown', 'HighErrorRate']);
    const newer = parseRuleFile('newer-fields-rules.yml', readFileSync(new URL('newer-fields-rules.yml', dir), 'utf8'));
    expect(newer[0]).toMatchObject({ queryOffsetMs: 60_000, labels: { team: 'storage' } });
  });
});

describe('checkRuleFile: rulefmt TestParseFileFailure cases, with promtool 2.42 positions', () => {
  it.each([
    ['duplicate group', 'groups:\n  - name: yolo\n  - name: yolo\n', 'rules.yml:3:5: groups[1] (group "yolo"): groupname: "yolo" is repeated in the same file'],
    [
      'bad expression',
      'groups:\n  - name: yolo\n    rules:\n      - record: yolo\n        expr: rate(hi\n',
      'rules.yml:5:15: groups[0].rules[0].expr (group "yolo", rule "yolo"): could not parse expression: 1:8: parse error: unclosed left parenthesis',
    ],
    [
      'record and alert',
      'groups:\n  - name: yolo\n    rules:\n      - record: Hi\n        alert: Hello\n        expr: 1\n',
      `rules.yml:4:17: groups[0].rules[0] (group "yolo", rule "Hello"): only one of 'record' and 'alert' must be set`,
    ],
    ['neither record nor alert', 'groups:\n  - name: yolo\n    rules:\n      - expr: 1\n', `one of 'record' or 'alert' must be set`],
    ['no expr', 'groups:\n  - name: yolo\n    rules:\n      - record: ylo\n', `field 'expr' must be set in rule`],
    [
      'braces in record name',
      'groups:\n  - name: yolo\n    rules:\n      - record: strawberry{flavor="sweet"}\n        expr: 1\n',
      'rules.yml:4:17: groups[0].rules[0].record (group "yolo", rule "strawberry{flavor=\\"sweet\\"}"): invalid recording rule name: strawberry{flavor="sweet"}',
    ],
    [
      'unknown field',
      'groups:\n  - name: yolo\n    rules:\n      - alert: hola\n        expr: 1\n        annotation:\n          summary: x\n',
      'rules.yml:6:9: groups[0].rules[0].annotation: unknown field (allowed here: record, alert, expr, for, keep_firing_for, labels, annotations)',
    ],
    ['__name__ label', 'groups:\n  - name: yolo\n    rules:\n      - record: hola\n        expr: 1\n        labels:\n          __name__: anything\n', 'invalid label name: __name__'],
    ['record with for', 'groups:\n  - name: yolo\n    rules:\n      - record: Hello\n        expr: 1\n        for: 1m\n', `rules.yml:4:17: groups[0].rules[0].for (group "yolo", rule "Hello"): invalid field 'for' in recording rule`],
    ['record with keep_firing_for', 'groups:\n  - name: yolo\n    rules:\n      - record: Hello\n        expr: 1\n        keep_firing_for: 1m\n', `invalid field 'keep_firing_for' in recording rule`],
    ['record with annotations', 'groups:\n  - name: yolo\n    rules:\n      - record: Hello\n        expr: 1\n        annotations: {a: b}\n', `invalid field 'annotations' in recording rule`],
    ['legacy annotation name', 'groups:\n  - name: yolo\n    rules:\n      - alert: hola\n        expr: 1\n        annotations:\n          ins-tance: localhost\n', 'invalid annotation name: ins-tance'],
    ['legacy label name', 'groups:\n  - name: yolo\n    rules:\n      - record: hola\n        expr: 1\n        labels:\n          ins-tance: localhost\n', 'invalid label name: ins-tance'],
  ])('%s', (_name, text, expected) => {
    const message = firstError(text).message;
    if (expected.startsWith('rules.yml:')) expect(message).toBe(expected);
    else expect(message).toContain(expected);
  });

  it('accepts UTF-8 label and annotation names under utf8 validation (utf-8_*.good.yaml)', () => {
    const text = 'groups:\n  - name: yolo\n    rules:\n      - alert: hola\n        expr: 1\n        labels:\n          ins-tance: x\n        annotations:\n          ins-tance: localhost\n';
    expect(errorsOf(text, { nameValidation: 'utf8' })).toEqual([]);
    expect(errorsOf(text)).toHaveLength(2);
  });

  it('reports one error per bad rule, each at its own expression (TestUniqueErrorNodes)', () => {
    const text = `groups:
- name: example
  rules:
  - alert: InstanceDown
    expr: up ===== 0 $
  - alert: InstanceUp
    expr: up ===== 1 $
`;
    const errors = checkRuleFile('rules.yml', text).errors;
    expect(errors.map((e) => [e.line, e.column, e.ruleIndex, e.ruleName])).toEqual([
      [5, 11, 0, 'InstanceDown'],
      [7, 11, 1, 'InstanceUp'],
    ]);
  });

  it('carries the parts of the error as fields', () => {
    const e = firstError('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n      - record: b\n        expr: up\n        for: 1m\n');
    expect([e.file, e.groupIndex, e.groupName, e.ruleIndex, e.ruleName, e.field, e.line, e.column]).toEqual([
      'rules.yml',
      0,
      'g',
      1,
      'b',
      'groups[0].rules[1].for',
      6,
      17,
    ]);
    expect(e.reason).toBe("invalid field 'for' in recording rule");
  });
});

describe('template checks (TestTemplateParsing), through the injected validator', () => {
  const rule = (labels: string, annotations: string) => `groups:
- name: example
  labels:
    team: myteam
  rules:
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: ${labels}
    annotations:
      summary: "Instance {{ $labels.instance }} down"
      description: ${annotations}
`;
  it.each([
    ['"page"', '"ok"', undefined],
    ['"page"', '"Instance {{ $label.instance }} down"', 'annotation "description": template: __alert_InstanceDown:1: undefined variable "$label"'],
    ['"{{$this_is_wrong}}"', '"ok"', 'label "severity": template: __alert_InstanceDown:1: undefined variable "$this_is_wrong"'],
    ['"page"', '"{{$labels.quantile * 100}}"', 'annotation "description": template: __alert_InstanceDown:1: bad character'],
    ['"page"', '"{{ $labels.foo "', 'annotation "description": template: __alert_InstanceDown:1: unclosed action'],
  ])('labels %s, annotation %s', (labels, annotations, expected) => {
    const errors = checkRuleFile('rules.yml', rule(labels, annotations), { validateTemplate: fakeTemplateCheck }).errors;
    if (expected === undefined) expect(errors).toEqual([]);
    else expect(errors[0]?.reason).toContain(expected);
  });

  it('does not check templates of recording rules, nor without a validator', () => {
    const record = 'groups:\n- name: a\n  rules:\n  - record: x\n    expr: up\n    labels: {a: "{{ $oops "}\n';
    expect(errorsOf(record, { validateTemplate: fakeTemplateCheck })).toEqual([]);
    expect(errorsOf(rule('"{{$this_is_wrong}}"', '"x"'))).toEqual([]);
  });
});

// Each case was run through `promtool check rules` (2.42): same verdict, and where promtool names
// a position or a reason, ours agrees (YAML syntax errors come from another YAML library, so only
// the verdict is compared for those).
describe('verdicts compared with promtool 2.42', () => {
  const group = (body: string) => `groups:\n  - name: a\n${body}`;
  it.each([
    ['unknown group field', group('    intervl: 1m\n    rules: []\n'), 'rules.yml:3:5: groups[0].intervl: unknown field'],
    ['unknown top-level field', 'groups: []\nrules: []\n', 'rules.yml:2:1: rules: unknown field (allowed here: groups)'],
    ['duplicate key', group('    rules:\n      - alert: A\n        expr: up\n        expr: down\n'), 'rules.yml:6:9: groups[0].rules[0].expr: mapping key "expr" already defined at line 5'],
    ['for without unit', group('    rules:\n      - alert: A\n        expr: up\n        for: 5\n'), 'rules.yml:6:14: groups[0].rules[0].for: not a valid duration string: "5"'],
    ['negative for', group('    rules:\n      - alert: A\n        expr: up\n        for: -1m\n'), 'not a valid duration string: "-1m"'],
    ['empty for string', group('    rules:\n      - alert: A\n        expr: up\n        for: ""\n'), 'empty duration string'],
    ['for as a list', group('    rules:\n      - alert: A\n        expr: up\n        for: [1m]\n'), 'groups[0].rules[0].for: expected a string, got a list'],
    ['limit as a string', group('    limit: "5"\n'), 'rules.yml:3:12: groups[0].limit: expected an integer, got string "5"'],
    ['limit as a boolean', group('    limit: true\n'), 'expected an integer, got boolean "true"'],
    ['bad interval', group('    interval: 1x\n'), 'groups[0].interval: not a valid duration string: "1x"'],
    ['label value a mapping', group('    rules:\n      - alert: A\n        expr: up\n        labels:\n          x: {a: b}\n'), 'rules.yml:7:14: groups[0].rules[0].labels.x: expected a string, got a mapping'],
    ['groups a mapping', 'groups:\n  name: a\n', 'rules.yml:2:3: groups: expected a list, got a mapping'],
    ['group name empty', 'groups:\n  - name: ""\n    rules: []\n', 'rules.yml:2:5: groups[0]: Groupname must not be empty'],
    ['group name null', 'groups:\n  - name: ~\n', 'Groupname must not be empty'],
    ['group name a list', 'groups:\n  - name: [a]\n', 'groups[0].name: expected a string, got a list'],
    ['record name starting with a digit', group('    rules:\n      - record: 1abc\n        expr: up\n'), 'rules.yml:4:17: groups[0].rules[0].record (group "a", rule "1abc"): invalid recording rule name: 1abc'],
    ['YAML syntax error', group('    rules:\n    - alert: A\n      expr: "up\n'), 'rules.yml:\\d+:\\d+: yaml:'],
    ['tab indentation', 'groups:\n\t- name: a\n', 'rules.yml:2:1: yaml:'],
    ['query_offset is unknown to 2.42 but valid in newer Prometheus', group('    query_offset: 1m\n    labels: {team: x}\n'), undefined],
    ['limit 1.5 is truncated, as go-yaml does', group('    limit: 1.5\n'), undefined],
    ['limit in hex', group('    limit: 0x10\n'), undefined],
    ['null for', group('    rules:\n      - alert: A\n        expr: up\n        for: ~\n'), undefined],
  ])('%s', (_name, text, expected) => {
    const errors = errorsOf(text);
    if (expected === undefined) expect(errors).toEqual([]);
    else if (expected.endsWith('yaml:')) expect(errors[0]).toMatch(new RegExp(`^${expected}`));
    else if (expected.startsWith('rules.yml:')) expect(errors[0]?.startsWith(expected)).toBe(true);
    else expect(errors[0]).toContain(expected);
  });

  it('reports every expression problem of a file at once, as promtool (unbalanced.yaml)', () => {
    const text = `groups:
  - name: a
    rules:
      - alert: A
        expr: sum(rate(x[5m])
      - alert: B
        expr: up{job="a}
      - alert: C
        expr: up $ 1
      - alert: D
        expr: "# only comment"
      - record: "a:b"
        expr: up ! 1
`;
    expect(checkRuleFile('unbalanced.yaml', text).errors.map((e) => `${e.line}:${e.column}: ${e.reason}`)).toEqual([
      '5:15: could not parse expression: 1:16: parse error: unclosed left parenthesis',
      '7:15: could not parse expression: 1:8: parse error: unterminated quoted string',
      "9:15: could not parse expression: 1:4: parse error: unexpected character: '$'",
      '11:15: could not parse expression: 1:1: parse error: no expression found in input',
      "13:15: could not parse expression: 1:4: parse error: unexpected character after '!': ' '",
    ]);
  });

  it('reports decoding errors only, like rulefmt, when the file does not decode', () => {
    const text = group('    rules:\n      - record: 1abc\n        expr: up\n        lables: {}\n');
    expect(errorsOf(text)).toHaveLength(1);
    expect(errorsOf(text)[0]).toContain('lables: unknown field');
  });
});

describe('lintDuplicateRules (promtool duplicate-rules lint)', () => {
  it('finds rules with the same name and labels across the file, group labels included', () => {
    const result = checkRuleFile('test.yaml', `${TEST_YAML}      - alert: HighErrors\n        expr: up\n        labels:\n          severity: critical\n      - alert: HighErrors\n        expr: up\n        labels:\n          severity: critical\n`);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('3 rules named "HighErrors" with labels {severity="critical"}');
  });

  it('tells rules apart by group labels', () => {
    const groups = parseRuleFile('f.yml', 'groups:\n- name: a\n  labels: {team: x}\n  rules:\n  - record: r\n    expr: up\n- name: b\n  rules:\n  - record: r\n    expr: up\n');
    expect(lintDuplicateRules(groups)).toEqual([]);
  });
});

describe('loadRuleFiles', () => {
  it('returns the groups of every file with their source file', () => {
    const groups = loadRuleFiles([
      { path: 'a.yml', text: 'groups:\n- name: same\n  rules:\n  - record: r\n    expr: up\n' },
      { path: 'b.yml', text: 'groups:\n- name: same\n' },
    ]);
    expect(groups.map((g) => [g.file, g.name])).toEqual([
      ['a.yml', 'same'],
      ['b.yml', 'same'],
    ]);
    expect((groups[0]?.rules[0] as RecordingRuleDefinition).kind).toBe('recording');
  });

  it('throws the errors of all files together', () => {
    let caught: unknown;
    try {
      loadRuleFiles([
        { path: 'a.yml', text: 'groups:\n- name: x\n  rules:\n  - record: r\n' },
        { path: 'b.yml', text: 'groups:\n- nme: y\n' },
      ]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuleFilesError);
    const errors = (caught as RuleFilesError).errors;
    expect(errors.map((e) => e.file)).toEqual(['a.yml', 'b.yml']);
    expect((caught as Error).message.split('\n')).toHaveLength(2);
  });
});
