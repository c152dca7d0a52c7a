// Prometheus rule files, read and validated as model/rulefmt (Parse + Validate) and
// `promtool check rules` do, with the YAML position of every error.
//
// Decoding follows go-yaml v3 with KnownFields: unknown fields and duplicate keys are errors,
// anchors, aliases and `<<` merge keys work, and a scalar read into a string field keeps its text
// as written (`expr: 0x10` is the expression "0x10"). As in Prometheus, when decoding fails only
// the decoding errors are reported; semantic validation runs on a file that decoded.
//
// What differs from upstream, on purpose: expressions go through a cheap syntax guard instead of
// the PromQL parser (see promql-syntax-guard.ts), template syntax is checked by a function the
// caller injects (the template engine is another module), and several errors are reported at
// once with the field path as well as the line.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { parseDuration } from '../core/duration.ts';
import { compareStrings, isValidLabelName, orderLabels, isValidLabelValue, isValidMetricName, METRIC_NAME_LABEL } from './labels.ts';
import type { Labels, NameValidation } from './labels.ts';
import { checkPromQLSyntax } from './promql-syntax-guard.ts';

export interface RecordingRuleDefinition {
  readonly kind: 'recording';
  readonly name: string;
  readonly expr: string;
  /** As written in the file (keys in Prometheus order, empty values kept). */
  readonly labels: Labels;
  readonly index: number;
  readonly line: number;
}

export interface AlertingRuleDefinition {
  readonly kind: 'alerting';
  readonly name: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly index: number;
  readonly line: number;
}

export type RuleDefinition = RecordingRuleDefinition | AlertingRuleDefinition;

export interface RuleGroupDefinition {
  readonly file: string;
  readonly name: string;
  readonly index: number;
  readonly line: number;
  /** undefined: the global evaluation_interval applies (Prometheus treats `interval: 0s` the same way). */
  readonly intervalMs: number | undefined;
  /** undefined: the global rule_query_offset applies; 0 set explicitly is kept as 0. */
  readonly queryOffsetMs: number | undefined;
  /** 0 or negative: no limit. */
  readonly limit: number;
  /** Group labels (newer Prometheus): added to every rule of the group, rule labels win. */
  readonly labels: Labels;
  readonly rules: readonly RuleDefinition[];
}

export interface RuleFileOptions {
  /** 'legacy' (default) as Prometheus 2.x and promtool 2.42; 'utf8' as Prometheus 3.x. */
  readonly nameValidation?: NameValidation;
  /**
   * Checks one label or annotation template of an alerting rule; returns an error message or
   * undefined. templateName is Prometheus' `__alert_<rule name>`. Without it templates are not checked.
   */
  readonly validateTemplate?: (text: string, templateName: string) => string | undefined;
  /** Replaces the expression check (default: checkPromQLSyntax); returns an error message or undefined. */
  readonly checkExpression?: (expr: string) => string | undefined;
}

export interface RuleFileErrorDetails {
  readonly file: string;
  readonly reason: string;
  /** Dotted path of the offending field, e.g. `groups[0].rules[2].for`. */
  readonly field?: string;
  readonly line?: number;
  readonly column?: number;
  readonly groupIndex?: number;
  readonly groupName?: string;
  readonly ruleIndex?: number;
  readonly ruleName?: string;
}

export class RuleFileError extends Error {
  readonly file: string;
  readonly reason: string;
  readonly field: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly groupIndex: number | undefined;
  readonly groupName: string | undefined;
  readonly ruleIndex: number | undefined;
  readonly ruleName: string | undefined;

  constructor(d: RuleFileErrorDetails) {
    const where = d.line === undefined ? d.file : `${d.file}:${d.line}:${d.column ?? 1}`;
    const names: string[] = [];
    if (d.groupName !== undefined) names.push(`group ${JSON.stringify(d.groupName)}`);
    if (d.ruleName !== undefined) names.push(`rule ${JSON.stringify(d.ruleName)}`);
    const context = d.field === undefined ? '' : ` ${d.field}${names.length > 0 ? ` (${names.join(', ')})` : ''}:`;
    super(`${where}:${context} ${d.reason}`);
    this.name = 'RuleFileError';
    this.file = d.file;
    this.reason = d.reason;
    this.field = d.field;
    this.line = d.line;
    this.column = d.column;
    this.groupIndex = d.groupIndex;
    this.groupName = d.groupName;
    this.ruleIndex = d.ruleIndex;
    this.ruleName = d.ruleName;
  }
}

/** Every error of one or more rule files; the message lists them one per line. */
export class RuleFilesError extends Error {
  readonly errors: readonly RuleFileError[];
  constructor(errors: readonly RuleFileError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'RuleFilesError';
    this.errors = errors;
  }
}

export interface RuleFileCheck {
  readonly file: string;
  /** Empty when errors is not. */
  readonly groups: readonly RuleGroupDefinition[];
  readonly errors: readonly RuleFileError[];
  /** Not fatal, as promtool: a second YAML document (ignored), duplicate rules. */
  readonly warnings: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// YAML access with positions, aliases and merge keys.

interface Position {
  line: number;
  column: number;
}

interface Entry {
  readonly key: string;
  readonly keyNode: YamlNode;
  readonly value: YamlNode | null;
}

const GROUP_FIELDS = ['name', 'interval', 'query_offset', 'limit', 'rules', 'labels'] as const;
const RULE_FIELDS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'] as const;

class Decoder {
  readonly errors: RuleFileError[] = [];
  private readonly file: string;
  private readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  constructor(file: string, doc: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  position(node: YamlNode | null | undefined): Position | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  error(node: YamlNode | null | undefined, field: string, reason: string): void {
    this.errors.push(new RuleFileError({ file: this.file, field, reason, ...this.position(node) }));
  }

  resolve(node: YamlNode | null | undefined): YamlNode | null {
    let current: unknown = node ?? null;
    for (let depth = 0; isAlias(current); depth++) {
      if (depth > 100) return null;
      current = current.resolve(this.doc) ?? null;
    }
    return current as YamlNode | null;
  }

  private describe(node: YamlNode | null): string {
    if (node === null) return 'null';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) return `${typeof node.value} ${JSON.stringify(typeof node.value === 'string' ? node.value : String(node.value))}`;
    return 'an unsupported node';
  }

  isNull(node: YamlNode | null): boolean {
    return node === null || (isScalar(node) && node.value === null);
  }

  /** A scalar as go-yaml v3 puts it into a string field: its text as written; null reads as "". */
  string(raw: YamlNode | null, field: string): string | undefined {
    const node = this.resolve(raw);
    if (this.isNull(node)) return '';
    if (node !== null && isScalar(node)) {
      if (typeof node.value === 'string') return node.value;
      return node.source ?? String(node.value);
    }
    this.error(raw, field, `expected a string, got ${this.describe(node)}`);
    return undefined;
  }

  /** go-yaml v3 into an int: integers and floats (truncated) are accepted, strings and booleans are not. */
  integer(raw: YamlNode | null, field: string): number | undefined {
    const node = this.resolve(raw);
    if (this.isNull(node)) return 0;
    if (node !== null && isScalar(node) && typeof node.value === 'number' && Number.isFinite(node.value)) return Math.trunc(node.value);
    if (node !== null && isScalar(node) && typeof node.value === 'bigint') return Number(node.value);
    this.error(raw, field, `expected an integer, got ${this.describe(node)}`);
    return undefined;
  }

  /** model.Duration: read as a string, then parsed; null leaves it at zero. */
  duration(raw: YamlNode | null, field: string): number | undefined {
    const node = this.resolve(raw);
    if (this.isNull(node)) return undefined;
    const text = this.string(raw, field);
    if (text === undefined) return undefined;
    if (text === '') {
      this.error(raw, field, 'empty duration string');
      return undefined;
    }
    try {
      return parseDuration(text);
    } catch (err) {
      this.error(raw, field, (err as Error).message);
      return undefined;
    }
  }

  /**
   * The entries of a mapping with merge keys applied (explicit keys win, then earlier merges),
   * duplicate explicit keys and, when allowed is given, unknown keys reported.
   */
  entries(raw: YamlNode | null, field: string, allowed?: readonly string[]): Entry[] | undefined {
    const node = this.resolve(raw);
    if (this.isNull(node)) return [];
    if (node === null || !isMap(node)) {
      this.error(raw, field, `expected a mapping, got ${this.describe(node)}`);
      return undefined;
    }
    const explicit = new Map<string, Entry>();
    const merged: Entry[][] = [];
    for (const pair of (node as YAMLMap<unknown, unknown>).items as Pair<unknown, unknown>[]) {
      const keyNode = pair.key as YamlNode;
      if (isScalar(keyNode) && (typeof keyNode.value === 'symbol' || (keyNode.value === '<<' && keyNode.type === 'PLAIN'))) {
        merged.push(...this.mergeSources(pair.value as YamlNode | null, field));
        continue;
      }
      const key = this.string(keyNode, field);
      if (key === undefined) continue;
      const previous = explicit.get(key);
      if (previous !== undefined) {
        const at = this.position(previous.keyNode);
        this.error(keyNode, `${field}.${key}`, `mapping key "${key}" already defined${at === undefined ? '' : ` at line ${at.line}`}`);
        continue;
      }
      explicit.set(key, { key, keyNode, value: (pair.value as YamlNode | null) ?? null });
    }
    const out = new Map(explicit);
    for (const source of merged) {
      for (const entry of source) if (!out.has(entry.key)) out.set(entry.key, entry);
    }
    if (allowed !== undefined) {
      for (const entry of out.values()) {
        if (!allowed.includes(entry.key)) this.error(entry.keyNode, field === '' ? entry.key : `${field}.${entry.key}`, `unknown field (allowed here: ${allowed.join(', ')})`);
      }
    }
    // Keep the order of the file for explicit keys, merged ones after them.
    return [...out.values()];
  }

  private mergeSources(raw: YamlNode | null, field: string): Entry[][] {
    const node = this.resolve(raw);
    if (node !== null && isSeq(node)) return node.items.map((item) => this.entries(item as YamlNode, field) ?? []);
    return [this.entries(raw, field) ?? []];
  }

  list(raw: YamlNode | null, field: string): (YamlNode | null)[] | undefined {
    const node = this.resolve(raw);
    if (this.isNull(node)) return [];
    if (node === null || !isSeq(node)) {
      this.error(raw, field, `expected a list, got ${this.describe(node)}`);
      return undefined;
    }
    return node.items.map((item) => (item as YamlNode | null) ?? null);
  }

  /** map[string]string: every value a scalar; keys and values in file order. */
  stringMap(raw: YamlNode | null, field: string): { map: Map<string, string>; keyNodes: Map<string, YamlNode> } {
    const map = new Map<string, string>();
    const keyNodes = new Map<string, YamlNode>();
    for (const entry of this.entries(raw, field) ?? []) {
      const value = this.string(entry.value, `${field}.${entry.key}`);
      if (value === undefined) continue;
      map.set(entry.key, value);
      keyNodes.set(entry.key, entry.keyNode);
    }
    return { map, keyNodes };
  }
}

function orderedLabels(map: Map<string, string>): Labels {
  return orderLabels(Object.fromEntries(map));
}

// ---------------------------------------------------------------------------------------------
// Decoding and validation.

interface DecodedRule {
  index: number;
  node: YamlNode | null;
  fields: Map<string, Entry>;
  record: string;
  alert: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Map<string, string>;
  labelNodes: Map<string, YamlNode>;
  annotations: Map<string, string>;
  annotationNodes: Map<string, YamlNode>;
}

interface DecodedGroup {
  index: number;
  node: YamlNode | null;
  name: string;
  intervalMs: number | undefined;
  queryOffsetMs: number | undefined;
  limit: number;
  labels: Map<string, string>;
  labelNodes: Map<string, YamlNode>;
  rules: DecodedRule[];
}

function decodeRule(d: Decoder, raw: YamlNode | null, index: number, field: string): DecodedRule {
  const fields = new Map((d.entries(raw, field, RULE_FIELDS) ?? []).map((e) => [e.key, e]));
  const value = (key: string): YamlNode | null => fields.get(key)?.value ?? null;
  const labels = d.stringMap(value('labels'), `${field}.labels`);
  const annotations = d.stringMap(value('annotations'), `${field}.annotations`);
  return {
    index,
    node: d.resolve(raw),
    fields,
    record: d.string(value('record'), `${field}.record`) ?? '',
    alert: d.string(value('alert'), `${field}.alert`) ?? '',
    expr: d.string(value('expr'), `${field}.expr`) ?? '',
    forMs: d.duration(value('for'), `${field}.for`) ?? 0,
    keepFiringForMs: d.duration(value('keep_firing_for'), `${field}.keep_firing_for`) ?? 0,
    labels: labels.map,
    labelNodes: labels.keyNodes,
    annotations: annotations.map,
    annotationNodes: annotations.keyNodes,
  };
}

function decodeGroup(d: Decoder, raw: YamlNode | null, index: number, field: string): DecodedGroup {
  const fields = new Map((d.entries(raw, field, GROUP_FIELDS) ?? []).map((e) => [e.key, e]));
  const value = (key: string): YamlNode | null => fields.get(key)?.value ?? null;
  const interval = d.duration(value('interval'), `${field}.interval`);
  const labels = d.stringMap(value('labels'), `${field}.labels`);
  const ruleNodes = d.list(value('rules'), `${field}.rules`) ?? [];
  return {
    index,
    node: d.resolve(raw),
    name: d.string(value('name'), `${field}.name`) ?? '',
    intervalMs: interval === 0 ? undefined : interval,
    queryOffsetMs: d.duration(value('query_offset'), `${field}.query_offset`),
    limit: d.integer(value('limit'), `${field}.limit`) ?? 0,
    labels: labels.map,
    labelNodes: labels.keyNodes,
    rules: ruleNodes.map((node, i) => decodeRule(d, node, i, `${field}.rules[${i}]`)),
  };
}

interface Validation {
  readonly file: string;
  readonly d: Decoder;
  readonly scheme: NameValidation;
  readonly options: RuleFileOptions;
  readonly errors: RuleFileError[];
}

function checkLabels(
  v: Validation,
  labels: Map<string, string>,
  nodes: Map<string, YamlNode>,
  field: string,
  context: Partial<RuleFileErrorDetails>,
): void {
  for (const [name, value] of labels) {
    const at = v.d.position(nodes.get(name));
    const push = (reason: string): void => {
      v.errors.push(new RuleFileError({ file: v.file, field: `${field}.${name}`, reason, ...at, ...context }));
    };
    if (!isValidLabelName(name, v.scheme) || name === METRIC_NAME_LABEL) push(`invalid label name: ${name}`);
    if (!isValidLabelValue(value)) push(`invalid label value: ${value}`);
  }
}

function validateRule(v: Validation, g: DecodedGroup, r: DecodedRule): void {
  const ruleField = `groups[${g.index}].rules[${r.index}]`;
  const ruleName = r.alert !== '' ? r.alert : r.record;
  const context = { groupIndex: g.index, groupName: g.name, ruleIndex: r.index, ruleName };
  const at = (key?: string): Position | undefined => v.d.position(key === undefined ? r.node : (r.fields.get(key)?.value ?? r.node));
  const push = (field: string, reason: string, pos: Position | undefined): void => {
    v.errors.push(new RuleFileError({ file: v.file, field, reason, ...pos, ...context }));
  };

  if (r.record !== '' && r.alert !== '') push(ruleField, "only one of 'record' and 'alert' must be set", at('record'));
  if (r.record === '' && r.alert === '') push(ruleField, "one of 'record' or 'alert' must be set", at());

  if (r.expr === '') {
    push(`${ruleField}.expr`, "field 'expr' must be set in rule", at());
  } else {
    const problem = (v.options.checkExpression ?? checkPromQLSyntax)(r.expr);
    if (problem !== undefined) push(`${ruleField}.expr`, `could not parse expression: ${problem}`, at('expr'));
  }

  if (r.record !== '') {
    const pos = at('record');
    if (r.annotations.size > 0) push(`${ruleField}.annotations`, "invalid field 'annotations' in recording rule", pos);
    if (r.forMs !== 0) push(`${ruleField}.for`, "invalid field 'for' in recording rule", pos);
    if (r.keepFiringForMs !== 0) push(`${ruleField}.keep_firing_for`, "invalid field 'keep_firing_for' in recording rule", pos);
    if (!isValidMetricName(r.record, v.scheme)) push(`${ruleField}.record`, `invalid recording rule name: ${r.record}`, pos);
    // A common mistake is a PromQL selector in the name; newer Prometheus says so explicitly.
    if (r.record.includes('{') || r.record.includes('}')) {
      push(`${ruleField}.record`, `braces present in the recording rule name; should it be in expr?: ${r.record}`, pos);
    }
  }

  checkLabels(v, r.labels, r.labelNodes, `${ruleField}.labels`, context);
  for (const name of r.annotations.keys()) {
    if (!isValidLabelName(name, v.scheme)) {
      push(`${ruleField}.annotations.${name}`, `invalid annotation name: ${name}`, v.d.position(r.annotationNodes.get(name)));
    }
  }

  // Prometheus parses label and annotation templates of alerting rules only.
  const validateTemplate = v.options.validateTemplate;
  if (r.alert !== '' && validateTemplate !== undefined) {
    const templateName = `__alert_${r.alert}`;
    for (const [kind, map, nodes] of [
      ['label', r.labels, r.labelNodes],
      ['annotation', r.annotations, r.annotationNodes],
    ] as const) {
      for (const [name, text] of map) {
        const problem = validateTemplate(text, templateName);
        if (problem !== undefined) {
          push(`${ruleField}.${kind}s.${name}`, `${kind} ${JSON.stringify(name)}: ${problem}`, v.d.position(nodes.get(name)));
        }
      }
    }
  }
}

function validate(v: Validation, groups: DecodedGroup[]): void {
  const seen = new Set<string>();
  for (const g of groups) {
    const field = `groups[${g.index}]`;
    const pos = v.d.position(g.node);
    if (g.name === '') v.errors.push(new RuleFileError({ file: v.file, field, reason: 'Groupname must not be empty', ...pos, groupIndex: g.index }));
    if (seen.has(g.name)) {
      v.errors.push(
        new RuleFileError({
          file: v.file,
          field,
          reason: `groupname: ${JSON.stringify(g.name)} is repeated in the same file`,
          ...pos,
          groupIndex: g.index,
          groupName: g.name,
        }),
      );
    }
    seen.add(g.name);
    checkLabels(v, g.labels, g.labelNodes, `${field}.labels`, { groupIndex: g.index, groupName: g.name });
    for (const r of g.rules) validateRule(v, g, r);
  }
}

function toDefinitions(file: string, d: Decoder, groups: DecodedGroup[]): RuleGroupDefinition[] {
  return groups.map((g) => ({
    file,
    name: g.name,
    index: g.index,
    line: d.position(g.node)?.line ?? 0,
    intervalMs: g.intervalMs,
    queryOffsetMs: g.queryOffsetMs,
    limit: g.limit,
    labels: orderedLabels(g.labels),
    rules: g.rules.map((r): RuleDefinition => {
      const line = d.position(r.node)?.line ?? 0;
      if (r.alert !== '') {
        return {
          kind: 'alerting',
          name: r.alert,
          expr: r.expr,
          forMs: r.forMs,
          keepFiringForMs: r.keepFiringForMs,
          labels: orderedLabels(r.labels),
          annotations: orderedLabels(r.annotations),
          index: r.index,
          line,
        };
      }
      return { kind: 'recording', name: r.record, expr: r.expr, labels: orderedLabels(r.labels), index: r.index, line };
    }),
  }));
}

/**
 * promtool's duplicate-rules lint: rules with the same name and the same labels (group labels
 * included) anywhere in the file. A warning, not an error, as promtool without --lint-fatal.
 */
export function lintDuplicateRules(groups: readonly RuleGroupDefinition[]): string[] {
  const seen = new Map<string, number>();
  for (const g of groups) {
    for (const r of g.rules) {
      const labels: Record<string, string> = { ...g.labels, ...r.labels };
      const key = JSON.stringify([r.name, Object.keys(labels).sort(compareStrings).map((k) => [k, labels[k]])]);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  const warnings: string[] = [];
  for (const [key, count] of seen) {
    if (count < 2) continue;
    const [name, labels] = JSON.parse(key) as [string, [string, string][]];
    const shown = labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    warnings.push(`duplicate rule: ${count} rules named ${JSON.stringify(name)} with labels {${shown}}; might cause inconsistency while recording expressions`);
  }
  return warnings;
}

/** Parses and validates one rule file without throwing: what `promtool check rules` reports. */
export function checkRuleFile(file: string, text: string, options: RuleFileOptions = {}): RuleFileCheck {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, merge: true, uniqueKeys: false, prettyErrors: false });
  const warnings: string[] = [];
  const yamlErrors = docs.flatMap((doc) => doc.errors);
  if (yamlErrors.length > 0) {
    const errors = yamlErrors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return new RuleFileError({ file, reason: `yaml: ${e.message.split('\n')[0]}`, line, column: col });
    });
    return { file, groups: [], errors, warnings };
  }
  if (docs.length > 1) warnings.push('multiple document yaml rules files are not supported, only the first document is processed');
  const doc = docs[0];
  if (doc === undefined) return { file, groups: [], errors: [], warnings };

  const d = new Decoder(file, doc, lines);
  const top = d.entries(doc.contents as YamlNode | null, '', ['groups']);
  const groupsEntry = top?.find((e) => e.key === 'groups');
  const groupNodes = d.list(groupsEntry?.value ?? null, 'groups') ?? [];
  const decoded = groupNodes.map((node, i) => decodeGroup(d, node, i, `groups[${i}]`));
  if (d.errors.length > 0) return { file, groups: [], errors: d.errors, warnings };

  const v: Validation = { file, d, scheme: options.nameValidation ?? 'legacy', options, errors: [] };
  validate(v, decoded);
  if (v.errors.length > 0) return { file, groups: [], errors: v.errors, warnings };
  const groups = toDefinitions(file, d, decoded);
  warnings.push(...lintDuplicateRules(groups));
  return { file, groups, errors: [], warnings };
}

/** The groups of one rule file; throws RuleFilesError listing every problem. */
export function parseRuleFile(file: string, text: string, options: RuleFileOptions = {}): RuleGroupDefinition[] {
  const result = checkRuleFile(file, text, options);
  if (result.errors.length > 0) throw new RuleFilesError(result.errors);
  return [...result.groups];
}

/**
 * All groups of several rule files, in file order (the caller globs and reads the files). Group
 * names must be unique within a file only; groups are identified by (file, name) everywhere else.
 * Throws RuleFilesError with the errors of every file.
 */
export function loadRuleFiles(files: readonly { path: string; text: string }[], options: RuleFileOptions = {}): RuleGroupDefinition[] {
  const errors: RuleFileError[] = [];
  const groups: RuleGroupDefinition[] = [];
  for (const f of files) {
    const result = checkRuleFile(f.path, f.text, options);
    errors.push(...result.errors);
    groups.push(...result.groups);
  }
  if (errors.length > 0) throw new RuleFilesError(errors);
  return groups;
}
