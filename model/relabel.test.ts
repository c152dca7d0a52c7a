import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { NameValidationScheme } from './labels.ts';
import {
  hashMod,
  relabel,
  validateRelabelConfig,
  type RelabelConfig,
} from './relabel.ts';

function rules(raw: unknown[], scheme: NameValidationScheme = 'utf8'): RelabelConfig[] {
  return raw.map((r, i) => validateRelabelConfig(r, `relabel_configs[${i}]`, { nameValidationScheme: scheme }));
}

function labels(obj: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(obj));
}

function run(input: Record<string, string>, raw: unknown[], scheme: NameValidationScheme = 'utf8'): Record<string, string> | null {
  const out = relabel(labels(input), rules(raw, scheme));
  return out === null ? null : Object.fromEntries(out);
}

function validationError(raw: unknown, scheme: NameValidationScheme = 'legacy'): string {
  try {
    validateRelabelConfig(raw, 'scrape_configs[0].relabel_configs[2]', { nameValidationScheme: scheme });
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

// Cases ported from Prometheus' model/relabel/relabel_test.go (TestRelabel). Like that test, the
// configs run with UTF-8 name validation; omitted fields take the defaults.
describe('relabel: Prometheus TestRelabel cases', () => {
  const cases: { name: string; input: Record<string, string>; relabel: unknown[]; output: Record<string, string> | null }[] = [
    {
      name: 'replace with ${1} twice',
      input: { a: 'foo', b: 'bar', c: 'baz' },
      relabel: [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', separator: ';', replacement: 'ch${1}-ch${1}', action: 'replace' }],
      output: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
    },
    {
      name: 'chained replaces with several groups',
      input: { a: 'foo', b: 'bar', c: 'baz' },
      relabel: [
        { source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', separator: ';', replacement: 'b${1}${2}m', action: 'replace' },
        { source_labels: ['c', 'a'], regex: '(b).*b(.*)ba(.*)', target_label: 'd', separator: ';', replacement: '$1$2$2$3', action: 'replace' },
      ],
      output: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
    },
    {
      name: 'drop stops processing',
      input: { a: 'foo' },
      relabel: [
        { source_labels: ['a'], regex: '.*o.*', action: 'drop' },
        { source_labels: ['a'], regex: 'f(.*)', target_label: 'd', separator: ';', replacement: 'ch$1-ch$1', action: 'replace' },
      ],
      output: null,
    },
    {
      name: 'drop on match',
      input: { a: 'foo', b: 'bar' },
      relabel: [{ source_labels: ['a'], regex: '.*o.*', action: 'drop' }],
      output: null,
    },
    {
      name: 'replace with a group in the middle',
      input: { a: 'abc' },
      relabel: [{ source_labels: ['a'], regex: '.*(b).*', target_label: 'd', separator: ';', replacement: '$1', action: 'replace' }],
      output: { a: 'abc', d: 'b' },
    },
    {
      name: 'drop without match keeps',
      input: { a: 'foo' },
      relabel: [{ source_labels: ['a'], regex: 'no-match', action: 'drop' }],
      output: { a: 'foo' },
    },
    {
      name: 'drop regex is anchored (f|o does not match foo)',
      input: { a: 'foo' },
      relabel: [{ source_labels: ['a'], regex: 'f|o', action: 'drop' }],
      output: { a: 'foo' },
    },
    {
      name: 'keep without match drops',
      input: { a: 'foo' },
      relabel: [{ source_labels: ['a'], regex: 'no-match', action: 'keep' }],
      output: null,
    },
    {
      name: 'keep on match',
      input: { a: 'foo' },
      relabel: [{ source_labels: ['a'], regex: 'f.*', action: 'keep' }],
      output: { a: 'foo' },
    },
    {
      name: 'no replacement if there is no match',
      input: { a: 'boo' },
      relabel: [{ source_labels: ['a'], regex: 'f', target_label: 'b', replacement: 'bar', action: 'replace' }],
      output: { a: 'boo' },
    },
    {
      name: 'blank replacement deletes the label',
      input: { a: 'foo', f: 'baz' },
      relabel: [{ source_labels: ['a'], regex: '(f).*', target_label: '$1', replacement: '$2', action: 'replace' }],
      output: { a: 'foo' },
    },
    {
      name: 'hashmod',
      input: { a: 'foo', b: 'bar', c: 'baz' },
      relabel: [{ source_labels: ['c'], target_label: 'd', separator: ';', action: 'hashmod', modulus: 1000 }],
      output: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
    },
    {
      name: 'hashmod of a value with a newline',
      input: { a: 'foo\nbar' },
      relabel: [{ source_labels: ['a'], target_label: 'b', separator: ';', action: 'hashmod', modulus: 1000 }],
      output: { a: 'foo\nbar', b: '734' },
    },
    {
      name: 'labelmap with replacement',
      input: { a: 'foo', b1: 'bar', b2: 'baz' },
      relabel: [{ regex: '(b.*)', replacement: 'bar_${1}', action: 'labelmap' }],
      output: { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
    },
    {
      name: 'labelmap of meta labels',
      input: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
      relabel: [{ regex: '__meta_(my.*)', replacement: '${1}', action: 'labelmap' }],
      output: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc', my_bar: 'aaa', my_baz: 'bbb' },
    },
    {
      name: 'templated target label',
      input: { a: 'some-name-value' },
      relabel: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${2}', target_label: '${1}' }],
      output: { a: 'some-name-value', name: 'value' },
    },
    {
      name: 'templated target label, replacement expands to ""',
      input: { a: 'some-name-value' },
      relabel: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${3}', target_label: '${1}' }],
      output: { a: 'some-name-value' },
    },
    {
      name: 'templated target label expanding to "" is skipped',
      input: { a: 'some-name-0' },
      relabel: [
        { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${1}', target_label: '${3}' },
        { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${1}', target_label: '${3}' },
        { source_labels: ['a'], regex: 'some-([^-]+)(-[^,]+)', action: 'replace', replacement: '${1}', target_label: '${3}' },
      ],
      output: { a: 'some-name-0' },
    },
    {
      name: 'real-life service discovery tags',
      input: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar' },
      relabel: [
        { source_labels: ['__meta_sd_tags'], regex: '(?:.+,|^)path:(/[^,]+).*', action: 'replace', replacement: '${1}', target_label: '__metrics_path__' },
        { source_labels: ['__meta_sd_tags'], regex: '(?:.+,|^)job:([^,]+).*', action: 'replace', replacement: '${1}', target_label: 'job' },
        { source_labels: ['__meta_sd_tags'], regex: '(?:.+,|^)label:([^=]+)=([^,]+).*', action: 'replace', replacement: '${2}', target_label: '${1}' },
      ],
      output: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar', __metrics_path__: '/secret', job: 'some-job', foo: 'bar' },
    },
    {
      name: 'prometheus#12283: labeldrop then set again then keep',
      input: { __meta_kubernetes_pod_container_port_name: 'foo', __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091' },
      relabel: [
        { regex: '^__meta_kubernetes_pod_container_port_name$', action: 'labeldrop' },
        {
          source_labels: ['__meta_kubernetes_pod_annotation_XXX_metrics_port'],
          regex: '(.+)',
          action: 'replace',
          replacement: 'metrics',
          target_label: '__meta_kubernetes_pod_container_port_name',
        },
        { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: '^metrics$', action: 'keep' },
      ],
      output: { __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091', __meta_kubernetes_pod_container_port_name: 'metrics' },
    },
    {
      name: 'labelkeep',
      input: { a: 'foo', b1: 'bar', b2: 'baz' },
      relabel: [{ regex: '(b.*)', action: 'labelkeep' }],
      output: { b1: 'bar', b2: 'baz' },
    },
    {
      name: 'labeldrop',
      input: { a: 'foo', b1: 'bar', b2: 'baz' },
      relabel: [{ regex: '(b.*)', action: 'labeldrop' }],
      output: { a: 'foo' },
    },
    {
      name: 'uppercase and lowercase',
      input: { foo: 'bAr123Foo' },
      relabel: [
        { source_labels: ['foo'], action: 'uppercase', target_label: 'foo_uppercase' },
        { source_labels: ['foo'], action: 'lowercase', target_label: 'foo_lowercase' },
      ],
      output: { foo: 'bAr123Foo', foo_lowercase: 'bar123foo', foo_uppercase: 'BAR123FOO' },
    },
    {
      name: 'keepequal keeps on equal',
      input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
      relabel: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port1' }],
      output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    },
    {
      name: 'dropequal drops on equal',
      input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
      relabel: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port1' }],
      output: null,
    },
    {
      name: 'dropequal keeps on different',
      input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
      relabel: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port2' }],
      output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    },
    {
      name: 'keepequal drops on different',
      input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
      relabel: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port2' }],
      output: null,
    },
    {
      name: '. matches a newline; a missing group expands to ""',
      input: { a: 'line1\nline2', b: 'bar', c: 'baz' },
      relabel: [{ source_labels: ['a'], regex: 'line1.*line2', target_label: 'd', separator: ';', replacement: 'match${1}', action: 'replace' }],
      output: { a: 'line1\nline2', b: 'bar', c: 'baz', d: 'match' },
    },
    {
      name: 'UTF-8 source label',
      input: { 'utf-8.label': 'line1\nline2', b: 'bar', c: 'baz' },
      relabel: [{ source_labels: ['utf-8.label'], regex: 'line1.*line2', target_label: 'd', separator: ';', replacement: 'match${1}', action: 'replace' }],
      output: { 'utf-8.label': 'line1\nline2', b: 'bar', c: 'baz', d: 'match' },
    },
    {
      name: 'UTF-8 target label',
      input: { a: 'line1\nline2', b: 'bar', c: 'baz' },
      relabel: [{ source_labels: ['a'], regex: 'line1.*line2', target_label: 'utf-8.label', separator: ';', replacement: 'match${1}', action: 'replace' }],
      output: { a: 'line1\nline2', b: 'bar', c: 'baz', 'utf-8.label': 'match' },
    },
    {
      name: 'UTF-8 target label with a $variable',
      input: { a: 'line1\nline2', b: 'bar', c: 'baz' },
      relabel: [{ source_labels: ['a'], regex: 'line1.*line2', target_label: 'utf-8.label${1}', separator: ';', replacement: 'match${1}', action: 'replace' }],
      output: { a: 'line1\nline2', b: 'bar', c: 'baz', 'utf-8.label': 'match' },
    },
    {
      name: 'named groups in ${name} and $name forms',
      input: { a: 'line1\nline2', b: 'bar', c: 'baz' },
      relabel: [
        { source_labels: ['a'], regex: '(line1).*(?<second>line2)', target_label: 'label1_${1}', separator: ';', replacement: 'val_${second}', action: 'replace' },
        { source_labels: ['a'], regex: '(line1).*(?<second>line2)', target_label: 'label2_$1', separator: ';', replacement: 'val_$second', action: 'replace' },
      ],
      output: { a: 'line1\nline2', b: 'bar', c: 'baz', label1_line1: 'val_line2', label2_line1: 'val_line2' },
    },
    {
      name: '$ inside the anchored regex',
      input: { __name__: 'http_requests_total' },
      relabel: [{ source_labels: ['__name__'], regex: '.*_total$', target_label: '__type__', replacement: 'counter', action: 'replace' }],
      output: { __name__: 'http_requests_total', __type__: 'counter' },
    },
    {
      name: '$ inside the anchored regex (unit)',
      input: { __name__: 'disk_usage_bytes' },
      relabel: [{ source_labels: ['__name__'], regex: '.*_bytes$', target_label: '__unit__', replacement: 'bytes', action: 'replace' }],
      output: { __name__: 'disk_usage_bytes', __unit__: 'bytes' },
    },
  ];

  it.each(cases)('$name', ({ input, relabel: raw, output }) => {
    expect(run(input, raw)).toEqual(output);
  });
});

// Configs from Prometheus' BenchmarkRelabel, with the outcome worked out by hand.
describe('relabel: Prometheus BenchmarkRelabel configs (YAML)', () => {
  function fromYaml(text: string): RelabelConfig[] {
    const raw = parseYaml(text) as unknown[];
    return raw.map((r, i) => validateRelabelConfig(r, `relabel_configs[${i}]`));
  }

  it('example: regex with a class, copy, static value, and `regex:` with no value (empty regex)', () => {
    const cfgs = fromYaml(`
- source_labels: [job, __meta_dns_name]
  regex: "(.*)some-[regex]"
  target_label: job
  replacement: foo-\${1}
  # action defaults to 'replace'
- source_labels: [abc]
  target_label: cde
- replacement: static
  target_label: abc
- regex:
  replacement: static
  target_label: abc`);
    expect(cfgs[3]?.regex.source).toBe('');
    const out = relabel(labels({ __meta_dns_name: 'example-some-x.com', abc: 'def', job: 'foo' }), cfgs);
    expect(out && Object.fromEntries(out)).toEqual({ __meta_dns_name: 'example-some-x.com', abc: 'static', cde: 'def', job: 'foo' });
    // The first rule does match when the value ends with one character of [regex].
    const out2 = relabel(labels({ __meta_dns_name: 'example-some-x', job: 'foo' }), cfgs);
    expect(out2?.get('job')).toBe('foo-foo;example-');
  });

  const kubernetesYaml = `
- source_labels: [__meta_kubernetes_pod_container_port_name]
  regex: .*-metrics
  action: keep
- source_labels: [__meta_kubernetes_pod_label_name]
  action: drop
  regex: ""
- source_labels: [__meta_kubernetes_pod_phase]
  regex: Succeeded|Failed
  action: drop
- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
  regex: "false"
  action: drop
- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scheme]
  target_label: __scheme__
  regex: (https?)
  replacement: $1
  action: replace
- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
  target_label: __metrics_path__
  regex: (.+)
  replacement: $1
  action: replace
- source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
  target_label: __address__
  regex: (.+?)(\\:\\d+)?;(\\d+)
  replacement: $1:$3
  action: replace
- regex: __meta_kubernetes_pod_annotation_prometheus_io_param_(.+)
  replacement: __param_$1
  action: labelmap
- regex: __meta_kubernetes_pod_label_prometheus_io_label_(.+)
  action: labelmap
- regex: __meta_kubernetes_pod_annotation_prometheus_io_label_(.+)
  action: labelmap
- source_labels: [__meta_kubernetes_namespace, __meta_kubernetes_pod_label_name]
  separator: /
  target_label: job
  replacement: $1
  action: replace
- source_labels: [__meta_kubernetes_namespace]
  target_label: namespace
  action: replace
- source_labels: [__meta_kubernetes_pod_name]
  target_label: pod
  action: replace
- source_labels: [__meta_kubernetes_pod_container_name]
  target_label: container
  action: replace
- source_labels: [__meta_kubernetes_pod_name, __meta_kubernetes_pod_container_name, __meta_kubernetes_pod_container_port_name]
  separator: ':'
  target_label: instance
  action: replace
- target_label: cluster
  replacement: dev-us-central-0
- source_labels: [__meta_kubernetes_namespace]
  regex: hosted-grafana
  action: drop
- source_labels: [__address__]
  target_label: __tmp_hash
  modulus: 3
  action: hashmod
- source_labels: [__tmp_hash]
  regex: ^0$
  action: keep
- regex: __tmp_hash
  action: labeldrop`;

  const kubernetesLabels = {
    __address__: '10.132.183.40:80',
    __meta_kubernetes_namespace: 'loki-boltdb-shipper',
    __meta_kubernetes_pod_annotation_promtail_loki_boltdb_shipper_hash: '50523b9759094a144adcec2eae0aa4ad',
    __meta_kubernetes_pod_container_name: 'promtail',
    __meta_kubernetes_pod_container_port_name: 'http-metrics',
    __meta_kubernetes_pod_label_name: 'promtail-loki-boltdb-shipper',
    __meta_kubernetes_pod_name: 'promtail-loki-boltdb-shipper-jgtr7',
    __meta_kubernetes_pod_phase: 'Running',
    __metrics_path__: '/metrics',
    __scheme__: 'http',
    job: 'kubernetes-pods',
  };

  it('kubernetes: md5("10.132.183.40:80") mod 3 = 1, so the shard-0 keep drops the target', () => {
    const cfgs = fromYaml(kubernetesYaml);
    expect(cfgs).toHaveLength(20);
    expect(relabel(labels(kubernetesLabels), cfgs)).toBeNull();
    const upToHash = relabel(labels(kubernetesLabels), cfgs.slice(0, 18));
    expect(upToHash && Object.fromEntries(upToHash)).toEqual({
      ...kubernetesLabels,
      job: 'loki-boltdb-shipper/promtail-loki-boltdb-shipper',
      namespace: 'loki-boltdb-shipper',
      pod: 'promtail-loki-boltdb-shipper-jgtr7',
      container: 'promtail',
      instance: 'promtail-loki-boltdb-shipper-jgtr7:promtail:http-metrics',
      cluster: 'dev-us-central-0',
      __tmp_hash: '1',
    });
  });

  it('kubernetes: annotations drive scheme, path, port and params', () => {
    // Without the shard keep (rule 18): the hash now depends on the rewritten address.
    const cfgs = fromYaml(kubernetesYaml).filter((_, i) => i !== 18);
    const out = relabel(
      labels({
        ...kubernetesLabels,
        __meta_kubernetes_pod_annotation_prometheus_io_scheme: 'https',
        __meta_kubernetes_pod_annotation_prometheus_io_path: '/custom',
        __meta_kubernetes_pod_annotation_prometheus_io_port: '9102',
        __meta_kubernetes_pod_annotation_prometheus_io_param_format: 'prometheus',
        __meta_kubernetes_pod_label_prometheus_io_label_team: 'infra',
      }),
      cfgs,
    );
    expect(out?.get('__scheme__')).toBe('https');
    expect(out?.get('__metrics_path__')).toBe('/custom');
    expect(out?.get('__address__')).toBe('10.132.183.40:9102');
    expect(out?.get('__param_format')).toBe('prometheus');
    expect(out?.get('team')).toBe('infra');
    expect(out?.has('__tmp_hash')).toBe(false);
  });

  it('static label pairs, and ${0} targets/replacements that expand to ""', () => {
    const cfgs = fromYaml(`
- replacement: wwwwww
  target_label: wwwwww
- replacement: yyyyyyyyyyyy
  target_label: xxxxxxxxx
- replacement: xxxxxxxxx
  target_label: yyyyyyyyyyyy
- source_labels: ["something"]
  target_label: with_source_labels
  replacement: value
- replacement: dropped
  target_label: \${0}
- replacement: \${0}
  target_label: dropped`);
    const input = { abcdefg01: 'hijklmn1', abcdefg02: 'hijklmn2', job: 'foo', dropped: 'x' };
    const out = relabel(labels(input), cfgs);
    expect(out && Object.fromEntries(out)).toEqual({
      abcdefg01: 'hijklmn1',
      abcdefg02: 'hijklmn2',
      job: 'foo',
      wwwwww: 'wwwwww',
      xxxxxxxxx: 'yyyyyyyyyyyy',
      yyyyyyyyyyyy: 'xxxxxxxxx',
      with_source_labels: 'value',
    });
  });

  it('keeps explicit empty separator, regex and replacement (prometheus#18652)', () => {
    const [cfg] = fromYaml(`
- source_labels: [namespace, k8s_app]
  separator: ""
  regex: ""
  target_label: target_cluster
  replacement: ""
  action: replace`);
    expect(cfg?.separator).toBe('');
    expect(cfg?.replacement).toBe('');
    expect(cfg?.regex.source).toBe('');
    // Empty regex matches only "": both labels missing → match → empty replacement deletes the target.
    expect(Object.fromEntries(relabel(labels({ target_cluster: 'x' }), cfg ? [cfg] : []) ?? [])).toEqual({});
    expect(Object.fromEntries(relabel(labels({ namespace: 'n', target_cluster: 'x' }), cfg ? [cfg] : []) ?? [])).toEqual({ namespace: 'n', target_cluster: 'x' });
  });
});

describe('validateRelabelConfig', () => {
  it('applies the defaults', () => {
    const cfg = validateRelabelConfig({ target_label: 'x' }, 'p');
    expect(cfg.action).toBe('replace');
    expect(cfg.separator).toBe(';');
    expect(cfg.regex.source).toBe('(.*)');
    expect(cfg.replacement).toBe('$1');
    expect(cfg.source_labels).toEqual([]);
    expect(cfg.modulus).toBe(0n);
    expect(cfg.name_validation_scheme).toBe('legacy');
    expect(cfg.regexIsDefault).toBe(true);
  });

  it('names the field path in every error', () => {
    expect(validationError({ action: 'repalce', target_label: 'x' })).toBe(
      'scrape_configs[0].relabel_configs[2].action: unknown action "repalce" (expected one of replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase)',
    );
    expect(validationError({ action: 'replace' })).toBe(
      "scrape_configs[0].relabel_configs[2].target_label: relabel configuration for replace action requires 'target_label' value",
    );
    expect(validationError({ action: 'hashmod', target_label: 'x', source_labels: ['a'] })).toBe(
      'scrape_configs[0].relabel_configs[2].modulus: relabel configuration for hashmod requires non-zero modulus',
    );
    expect(validationError({ regex: '(?=x)', target_label: 'x' })).toBe(
      'scrape_configs[0].relabel_configs[2].regex: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    );
    expect(validationError({ target_label: 'x', tagret_label: 'y' })).toMatch(/^scrape_configs\[0\]\.relabel_configs\[2\]\.tagret_label: unknown field/);
    expect(validationError(null)).toBe('scrape_configs[0].relabel_configs[2]: empty or null relabeling rule');
    expect(validationError(['x'])).toMatch(/relabel_configs\[2\]: expected a mapping/);
    expect(validationError({ source_labels: 'a', target_label: 'x' })).toMatch(/relabel_configs\[2\]\.source_labels: expected a list/);
    expect(validationError({ source_labels: ['a', ''], target_label: 'x' })).toBe('scrape_configs[0].relabel_configs[2].source_labels[1]: "" is not a valid label name');
    expect(validationError({ source_labels: ['a'], target_label: 'x', action: 'hashmod', modulus: '3' })).toMatch(/\.modulus: expected a non-negative integer/);
    expect(validationError({ source_labels: ['a'], target_label: 'x', action: 'hashmod', modulus: -3 })).toMatch(/\.modulus: must be between 0 and 2\^64-1/);
    expect(validationError({ action: null })).toBe('scrape_configs[0].relabel_configs[2].action: relabel action cannot be empty');
  });

  it('accepts action names in any case, as Prometheus lowercases them', () => {
    expect(validateRelabelConfig({ action: 'LabelDrop', regex: 'x' }, 'p').action).toBe('labeldrop');
  });

  it('validates target_label by the name validation scheme, allowing $-templates for replace', () => {
    expect(validationError({ target_label: 'foo.bar' }, 'legacy')).toMatch(/target_label: "foo\.bar" is invalid 'target_label' for replace action/);
    expect(validationError({ target_label: 'foo.bar' }, 'utf8')).toBe('');
    expect(validationError({ target_label: '0abc' }, 'legacy')).toMatch(/is invalid 'target_label'/);
    expect(validationError({ target_label: '${1}' }, 'legacy')).toBe('');
    expect(validationError({ target_label: 'a_${name}_$2' }, 'legacy')).toBe('');
    expect(validationError({ action: 'hashmod', modulus: 2, target_label: '${1}' }, 'legacy')).toMatch(/"\$\{1\}" is invalid 'target_label' for hashmod action/);
    expect(validationError({ action: 'lowercase', target_label: '${3}' }, 'legacy')).toMatch(/"\$\{3\}" is invalid 'target_label' for lowercase action/);
    // With UTF-8 naming, "${3}", "0${3}" and "-${3}" are legal (Prometheus TestRelabelValidate).
    expect(validationError({ action: 'lowercase', target_label: '${3}' }, 'utf8')).toBe('');
    expect(validationError({ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '0${3}' }, 'utf8')).toBe('');
    expect(validationError({ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '-${3}' }, 'utf8')).toBe('');
  });

  // Prometheus TestTargetLabelLegacyValidity, through the replace action's target_label check.
  it.each([
    ['-label', false],
    ['label', true],
    ['label${1}', true],
    ['${1}label', true],
    ['${1}', true],
    ['${', false],
    ['$', false],
    ['${}', false],
    ['foo${', false],
    ['$1', true],
    ['asd$2asd', true],
    ['-foo${1}bar-', false],
    ['bar.foo${1}bar', false],
    ['_${1}_', true],
    ['foo${bar}foo', true],
  ] as const)('legacy target label %j valid: %s', (target, valid) => {
    expect(validationError({ target_label: target }, 'legacy') === '').toBe(valid);
  });

  it('rejects the legacy template check in linear time (no catastrophic backtracking)', () => {
    const started = performance.now();
    expect(validationError({ target_label: `$${'a'.repeat(5000)}-` }, 'legacy')).toMatch(/is invalid/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('validates labelmap replacements (Prometheus TestRelabelValidate)', () => {
    expect(validationError({ regex: '__meta_kubernetes_pod_label_(strimzi_io_.+)', action: 'labelmap', replacement: '$1' }, 'legacy')).toBe('');
    expect(validationError({ regex: '__meta_(.+)', action: 'labelmap', replacement: '${1}' }, 'legacy')).toBe('');
    expect(validationError({ regex: '__meta_(.+)', action: 'labelmap', replacement: 'a.${1}' }, 'legacy')).toMatch(/replacement: "a\.\$\{1\}" is invalid 'replacement' for labelmap action/);
    expect(validationError({ regex: '__meta_(.+)', action: 'labelmap', replacement: '' }, 'utf8')).toMatch(/is invalid 'replacement'/);
  });

  it('refuses replacement for lowercase/uppercase/keepequal/dropequal', () => {
    for (const action of ['lowercase', 'uppercase', 'keepequal', 'dropequal']) {
      expect(validationError({ action, target_label: 'x', replacement: 'y' })).toMatch(new RegExp(`\\.replacement: 'replacement' can not be set for ${action} action`));
      expect(validationError({ action, target_label: 'x', replacement: '$1' })).toBe('');
    }
  });

  it('keepequal/dropequal take only source_labels and target_label', () => {
    for (const action of ['keepequal', 'dropequal']) {
      expect(validationError({ action, source_labels: ['a'], target_label: 'x' })).toBe('');
      // Any explicit regex, even the default one, is refused (Prometheus compares by identity).
      expect(validationError({ action, source_labels: ['a'], target_label: 'x', regex: '(.*)' })).toMatch(
        new RegExp(`\\.regex: ${action} action requires only 'source_labels' and 'target_label', and no other fields`),
      );
      expect(validationError({ action, source_labels: ['a'], target_label: 'x', separator: ',' })).toMatch(/\.separator: .* requires only/);
      expect(validationError({ action, source_labels: ['a'], target_label: 'x', modulus: 3 })).toMatch(/\.modulus: .* requires only/);
      expect(validationError({ action, source_labels: ['a'], target_label: 'x', separator: ';' })).toBe('');
      expect(validationError({ action, source_labels: ['a'] })).toMatch(/target_label: .*requires 'target_label' value/);
    }
  });

  it('labeldrop/labelkeep take only regex', () => {
    for (const action of ['labeldrop', 'labelkeep']) {
      expect(validationError({ action, regex: 'x' })).toBe('');
      expect(validationError({ action, regex: 'x', source_labels: [] })).toMatch(new RegExp(`\\.source_labels: ${action} action requires only 'regex', and no other fields`));
      expect(validationError({ action, regex: 'x', source_labels: null })).toBe('');
      expect(validationError({ action, regex: 'x', target_label: 'y' })).toMatch(/\.target_label: .* requires only 'regex'/);
      expect(validationError({ action, regex: 'x', replacement: 'y' })).toMatch(/\.replacement: .* requires only 'regex'/);
      expect(validationError({ action, regex: 'x', separator: ',' })).toMatch(/\.separator: .* requires only 'regex'/);
      expect(validationError({ action, regex: 'x', modulus: 1 })).toMatch(/\.modulus: .* requires only 'regex'/);
    }
  });

  it('reads YAML scalars into string fields and modulus as bigint', () => {
    const cfg = validateRelabelConfig({ source_labels: ['a', 5], regex: 200, target_label: 'x', replacement: 7 }, 'p');
    expect(cfg.source_labels).toEqual(['a', '5']);
    expect(cfg.regex.source).toBe('200');
    expect(cfg.replacement).toBe('7');
    expect(validateRelabelConfig({ action: 'hashmod', target_label: 'x', modulus: 2n ** 64n - 1n }, 'p').modulus).toBe(2n ** 64n - 1n);
    expect(validationError({ target_label: 'x', separator: { a: 1 } })).toMatch(/\.separator: expected a string, got a mapping/);
  });
});

describe('relabel semantics', () => {
  it('treats an empty input value as absent and removes labels set to ""', () => {
    expect(run({ a: '', b: 'x' }, [{ source_labels: ['a'], target_label: 'c', regex: '(.+)' }])).toEqual({ b: 'x' });
    expect(run({ a: 'x' }, [{ target_label: 'a', replacement: '' }])).toEqual({});
    expect(run({ a: 'x' }, [{ source_labels: ['missing'], target_label: 'a' }])).toEqual({});
  });

  it('joins missing source labels as empty strings with the separator', () => {
    expect(run({ a: '1', c: '3' }, [{ source_labels: ['a', 'b', 'c'], target_label: 'j' }])).toEqual({ a: '1', c: '3', j: '1;;3' });
    expect(run({ a: '1', c: '3' }, [{ source_labels: ['a', 'b', 'c'], separator: '', target_label: 'j' }])).toEqual({ a: '1', c: '3', j: '13' });
  });

  it('anchors the regex on both ends', () => {
    expect(run({ a: 'foo' }, [{ source_labels: ['a'], regex: 'f', action: 'keep' }])).toBeNull();
    expect(run({ a: 'foo' }, [{ source_labels: ['a'], regex: 'o+', action: 'drop' }])).toEqual({ a: 'foo' });
    expect(run({ a: 'afoo' }, [{ source_labels: ['a'], regex: 'foo|afoo', action: 'keep' }])).toEqual({ a: 'afoo' });
  });

  it('keepequal/dropequal compare with a missing target label as ""', () => {
    expect(run({ a: 'x' }, [{ source_labels: ['missing'], action: 'keepequal', target_label: 'other' }])).toEqual({ a: 'x' });
    expect(run({ a: 'x' }, [{ source_labels: ['missing'], action: 'dropequal', target_label: 'other' }])).toBeNull();
  });

  it('expands templates like Go: $$, malformed $, ${name}, and "$1x" naming a group "1x"', () => {
    const r = (replacement: string): string | undefined =>
      relabel(labels({ a: 'foo-bar' }), rules([{ source_labels: ['a'], regex: '(?P<first>[a-z]+)-([a-z]+)', target_label: 'r', replacement }]))?.get('r');
    expect(r('$1/$2')).toBe('foo/bar');
    expect(r('${first}_${2}')).toBe('foo_bar');
    expect(r('$first$2')).toBe('foobar');
    expect(r('$$1')).toBe('$1');
    expect(r('cost: $')).toBe('cost: $');
    expect(r('${1')).toBe('${1');
    expect(r('$1x')).toBeUndefined(); // "" → label removed
    expect(r('$1x-$2')).toBe('-bar');
    expect(r('$01')).toBeUndefined(); // leading zero: a name, not group 1
    expect(r('$0')).toBe('foo-bar');
    expect(r('$9')).toBeUndefined();
    expect(r('$nosuch-$2')).toBe('-bar');
  });

  it('uses the first participating group of a duplicated name', () => {
    const cfgs = rules([{ source_labels: ['a'], regex: '(?P<v>x\\d)|(?P<v>y\\d)', target_label: 'r', replacement: '$v' }]);
    expect(relabel(labels({ a: 'y2' }), cfgs)?.get('r')).toBe('y2');
    expect(relabel(labels({ a: 'x1' }), cfgs)?.get('r')).toBe('x1');
  });

  it('skips a replace whose expanded target is not a valid name under the scheme', () => {
    const raw = [{ source_labels: ['a'], regex: '(.*)', target_label: '${1}', replacement: 'v' }];
    expect(run({ a: 'ok_name' }, raw, 'legacy')).toEqual({ a: 'ok_name', ok_name: 'v' });
    expect(run({ a: 'bad.name' }, raw, 'legacy')).toEqual({ a: 'bad.name' });
    expect(run({ a: 'bad.name' }, raw, 'utf8')).toEqual({ a: 'bad.name', 'bad.name': 'v' });
  });

  it('labelmap visits base labels sorted by name, then labels set by earlier rules (later wins)', () => {
    // Both map to "x": b_x sorts after a_x, so its value wins, whatever the input Map order.
    const raw = [{ regex: '[ab]_(x)', action: 'labelmap', replacement: '$1' }];
    expect(run({ b_x: '2', a_x: '1' }, raw)?.x).toBe('2');
    expect(run({ a_x: '1', b_x: '2' }, raw)?.x).toBe('2');
    // A label set by an earlier rule comes after the base labels, even though it sorts first.
    const withAdded = [{ target_label: 'a_x', replacement: '0' }, { source_labels: [], target_label: 'b_x', replacement: 'B' }, { regex: '[ab]_(x)', action: 'labelmap', replacement: '$1' }];
    // Added in order a_x (0), b_x (B): b_x is visited last.
    expect(run({}, withAdded)?.x).toBe('B');
    expect(run({ b_x: 'base' }, withAdded)?.x).toBe('B');
  });

  it('labelmap works on a snapshot: new labels are not revisited', () => {
    expect(run({ a: '1', b: '2' }, [{ regex: '(.*)', action: 'labelmap', replacement: 'copy_$1' }])).toEqual({ a: '1', b: '2', copy_a: '1', copy_b: '2' });
  });

  it('labeldrop/labelkeep see labels added by earlier rules', () => {
    expect(run({ a: '1' }, [{ target_label: 'tmp_x', replacement: 'v' }, { regex: 'tmp_.*', action: 'labeldrop' }])).toEqual({ a: '1' });
    expect(run({ a: '1', keep_me: '2' }, [{ target_label: 'keep_too', replacement: 'v' }, { regex: 'keep_.*', action: 'labelkeep' }])).toEqual({ keep_me: '2', keep_too: 'v' });
  });

  it('hashmod matches Prometheus bit for bit, including moduli above 2^53', () => {
    // Expected values: md5 digest bytes 8..15 as a big-endian uint64 (computed independently with Python's hashlib).
    expect(hashMod('baz', 1000n)).toBe(976n);
    expect(hashMod('foo\nbar', 1000n)).toBe(734n);
    expect(hashMod('10.132.183.40:80', 3n)).toBe(1n);
    expect(hashMod('héllo', 1000n)).toBe(216n);
    expect(hashMod('baz', 2n ** 64n - 1n)).toBe(16450797887570275976n);
    expect(run({ a: 'a', b: 'b' }, [{ source_labels: ['a', 'b'], action: 'hashmod', modulus: 1000, target_label: 'h' }])?.h).toBe('74');
  });

  it('lowercase/uppercase map each code point like Go (simple case mapping)', () => {
    expect(run({ v: 'MiXed' }, [{ source_labels: ['v'], action: 'lowercase', target_label: 'v' }])).toEqual({ v: 'mixed' });
    expect(run({ v: 'straße' }, [{ source_labels: ['v'], action: 'uppercase', target_label: 'v' }])).toEqual({ v: 'STRAßE' });
  });


  it('returns a new Map sorted by code point and leaves the input alone', () => {
    const input = labels({ zeta: '1', alpha: '2', '\u{1F600}': '3', '\uFF21': '4' });
    const out = relabel(input, rules([{ target_label: 'mid', replacement: 'x' }]));
    expect([...(out ?? new Map()).keys()]).toEqual(['alpha', 'mid', 'zeta', '\uFF21', '\u{1F600}']);
    expect(input.has('mid')).toBe(false);
    expect(out).not.toBe(input);
    const unchanged = relabel(input, []);
    expect([...(unchanged ?? new Map()).keys()]).toEqual(['alpha', 'zeta', '\uFF21', '\u{1F600}']);
  });
});
