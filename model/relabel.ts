// Prometheus relabeling (relabel_configs, metric_relabel_configs) with Prometheus' exact semantics,
// following model/relabel/relabel.go (v2.42+ / v3) and the labels.Builder it runs on:
//   - defaults: separator ";", regex "(.*)", replacement "$1", action "replace"; the regex is
//     anchored as Prometheus anchors it, `^(?s:<regex>)$` (so "." also matches "\n");
//   - a label set to "" is removed; a replace whose regex does not match changes nothing; a replace
//     whose expanded target is not a valid label name is skipped;
//   - replacement/target templates expand `$1`, `${1}`, `$name`, `${name}`, `$$` like Go's
//     Regexp.Expand (including its quirk that "$1x" names a group "1x" and so expands to "");
//   - hashmod: md5 of the joined value, last 8 bytes as a big-endian uint64, modulo `modulus`;
//   - labelmap/labeldrop/labelkeep visit labels in labels.Builder.Range order (base labels sorted by
//     name, then labels set by earlier rules in the order they were first set), on a snapshot.
//
// Label sets: `LabelSet` is a Map<string, string>. Input order does not matter (Prometheus label sets
// are sorted); input labels whose value is "" count as absent. The result is a new Map whose keys are
// in sorted order (by code point, i.e. UTF-8 byte order, like Prometheus), so it can be encoded as is.
//
// Regexes are Go RE2 syntax and semantics (./go-regexp.ts, linear-time matching).
import { createHash } from 'node:crypto';
import { compareCodePoints } from '../core/code-point-order.ts';
import { ConfigError, join } from '../core/config-schema.ts';
import { goToLower, goToUpper } from './go-case.ts';
import { GoRegexp } from './go-regexp.ts';
import { isValidLabelName, type LabelSet, type NameValidationScheme } from './labels.ts';


export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** A validated relabel rule: defaults applied, regex compiled. Produced by validateRelabelConfig. */
export interface RelabelConfig {
  readonly source_labels: readonly string[];
  readonly separator: string;
  readonly target_label: string;
  /** The regex as written, compiled anchored (`^(?s:…)$`) as Prometheus does. */
  readonly regex: GoRegexp;
  /** 0n unless set; hashmod requires it non-zero. */
  readonly modulus: bigint;
  readonly replacement: string;
  readonly action: RelabelAction;
  readonly name_validation_scheme: NameValidationScheme;
  /** Precomputed for the replace fast path: the regex is the default `(.*)` (not set in YAML). */
  readonly regexIsDefault: boolean;
  readonly targetHasTemplate: boolean;
  readonly replacementHasTemplate: boolean;
}

export interface RelabelValidationOptions {
  /** Default 'legacy'; see NameValidationScheme. */
  nameValidationScheme?: NameValidationScheme;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const CONFIG_KEYS = ['source_labels', 'separator', 'target_label', 'regex', 'modulus', 'replacement', 'action'] as const;
const DEFAULT_SEPARATOR = ';';
const DEFAULT_REGEX = '(.*)';
const DEFAULT_REPLACEMENT = '$1';
const MAX_UINT64 = 2n ** 64n - 1n;

// Prometheus' relabelTargetLegacy `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`, rewritten to the same
// language without nested quantifiers (a backtracking engine would be exponential on the original).
const LEGACY_LABEL_NAME_WITH_TEMPLATE = /^(?:[a-zA-Z_]|\$(?:\{\w+\}|\w))(?:\w|\$(?:\{\w+\}|\w))*$/;

function isValidLabelNameWithTemplate(name: string, scheme: NameValidationScheme): boolean {
  if (scheme === 'legacy') return LEGACY_LABEL_NAME_WITH_TEMPLATE.test(name);
  return name.length > 0 && name.isWellFormed();
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${typeof value === 'bigint' ? String(value) : JSON.stringify(value)}`;
}

/** A YAML scalar read into a Go string field: numbers and booleans keep their text, as yaml.v2 does. */
function readScalarString(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new ConfigError(field, `expected a string, got ${describe(value)}`);
}

/**
 * Validates one relabel rule as Prometheus does when it loads its configuration, and returns it
 * normalized (defaults applied, regex compiled). Errors name the offending field under `path`,
 * e.g. `scrape_configs[0].relabel_configs[2].action: unknown action "repalce"`.
 *
 * A key given as YAML null takes Go's zero value, as Prometheus' YAML decoder does: `regex:` with no
 * value is the empty regex (matches only ""), `separator:`/`replacement:` are "".
 */
export function validateRelabelConfig(raw: unknown, path: string, options: RelabelValidationOptions = {}): RelabelConfig {
  const scheme = options.nameValidationScheme ?? 'legacy';
  if (raw === undefined || raw === null) throw new ConfigError(path, 'empty or null relabeling rule');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, `expected a mapping, got ${describe(raw)}`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(join(path, key), `unknown field (allowed here: ${CONFIG_KEYS.join(', ')})`);
    }
  }
  const has = (key: string): boolean => Object.hasOwn(obj, key) && obj[key] !== undefined;

  // source_labels
  let sourceLabels: string[] = [];
  const sourceLabelsSet = has('source_labels') && obj.source_labels !== null;
  if (sourceLabelsSet) {
    const field = join(path, 'source_labels');
    if (!Array.isArray(obj.source_labels)) throw new ConfigError(field, `expected a list of label names, got ${describe(obj.source_labels)}`);
    sourceLabels = obj.source_labels.map((item: unknown, i: number) => {
      const name = readScalarString(item, join(field, i));
      // Source label names are validated with Prometheus' global (UTF-8) scheme when YAML is read.
      if (!isValidLabelName(name, 'utf8')) throw new ConfigError(join(field, i), `${JSON.stringify(name)} is not a valid label name`);
      return name;
    });
  }

  const stringField = (key: string, fallback: string): string => {
    if (!has(key)) return fallback;
    if (obj[key] === null) return '';
    return readScalarString(obj[key], join(path, key));
  };
  const separator = stringField('separator', DEFAULT_SEPARATOR);
  const targetLabel = stringField('target_label', '');
  const replacement = stringField('replacement', DEFAULT_REPLACEMENT);

  // regex
  const regexSet = has('regex');
  const regexSource = regexSet ? stringField('regex', '') : DEFAULT_REGEX;
  let regex: GoRegexp;
  try {
    regex = GoRegexp.anchored(regexSource);
  } catch (err) {
    throw new ConfigError(join(path, 'regex'), (err as Error).message);
  }

  // modulus
  let modulus = 0n;
  if (has('modulus') && obj.modulus !== null) {
    const value = obj.modulus;
    const field = join(path, 'modulus');
    if (typeof value === 'bigint') modulus = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) modulus = BigInt(value);
    else throw new ConfigError(field, `expected a non-negative integer, got ${describe(value)}`);
    if (modulus < 0n || modulus > MAX_UINT64) throw new ConfigError(field, `must be between 0 and 2^64-1, got ${modulus}`);
  }

  // action
  let action: RelabelAction | '' = 'replace';
  if (has('action')) {
    const field = join(path, 'action');
    if (obj.action === null) {
      action = '';
    } else {
      const text = readScalarString(obj.action, field);
      const lower = text.toLowerCase();
      if (!(RELABEL_ACTIONS as readonly string[]).includes(lower)) {
        throw new ConfigError(field, `unknown action ${JSON.stringify(text)} (expected one of ${RELABEL_ACTIONS.join(', ')})`);
      }
      action = lower as RelabelAction;
    }
  }

  // Cross-field rules, in the order of Prometheus' Config.Validate.
  const at = (key: string): string => join(path, key);
  if (action === '') throw new ConfigError(at('action'), 'relabel action cannot be empty');
  if (modulus === 0n && action === 'hashmod') throw new ConfigError(at('modulus'), 'relabel configuration for hashmod requires non-zero modulus');
  const needsTarget = action === 'replace' || action === 'hashmod' || action === 'lowercase' || action === 'uppercase' || action === 'keepequal' || action === 'dropequal';
  if (needsTarget && targetLabel === '') throw new ConfigError(at('target_label'), `relabel configuration for ${action} action requires 'target_label' value`);
  const targetHasTemplate = targetLabel.includes('$');
  const invalidTarget = (): ConfigError => new ConfigError(at('target_label'), `${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`);
  if (action === 'replace' && !targetHasTemplate && !isValidLabelName(targetLabel, scheme)) throw invalidTarget();
  if (action === 'replace' && targetHasTemplate && !isValidLabelNameWithTemplate(targetLabel, scheme)) throw invalidTarget();
  const isCaseOrEqual = action === 'lowercase' || action === 'uppercase' || action === 'keepequal' || action === 'dropequal';
  if (isCaseOrEqual && !isValidLabelName(targetLabel, scheme)) throw invalidTarget();
  if (isCaseOrEqual && replacement !== DEFAULT_REPLACEMENT) throw new ConfigError(at('replacement'), `'replacement' can not be set for ${action} action`);
  if (action === 'labelmap' && !isValidLabelNameWithTemplate(replacement, scheme)) {
    throw new ConfigError(at('replacement'), `${JSON.stringify(replacement)} is invalid 'replacement' for ${action} action`);
  }
  if (action === 'hashmod' && !isValidLabelName(targetLabel, scheme)) throw invalidTarget();
  if (action === 'keepequal' || action === 'dropequal') {
    // Prometheus compares the regex by identity with the default: any explicit regex is refused.
    const extra = regexSet ? 'regex' : modulus !== 0n ? 'modulus' : separator !== DEFAULT_SEPARATOR ? 'separator' : undefined;
    if (extra !== undefined) throw new ConfigError(at(extra), `${action} action requires only 'source_labels' and 'target_label', and no other fields`);
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    const extra = sourceLabelsSet
      ? 'source_labels'
      : targetLabel !== ''
        ? 'target_label'
        : modulus !== 0n
          ? 'modulus'
          : separator !== DEFAULT_SEPARATOR
            ? 'separator'
            : replacement !== DEFAULT_REPLACEMENT
              ? 'replacement'
              : undefined;
    if (extra !== undefined) throw new ConfigError(at(extra), `${action} action requires only 'regex', and no other fields`);
  }

  return {
    source_labels: sourceLabels,
    separator,
    target_label: targetLabel,
    regex,
    modulus,
    replacement,
    action,
    name_validation_scheme: scheme,
    regexIsDefault: !regexSet,
    targetHasTemplate,
    replacementHasTemplate: replacement.includes('$'),
  };
}

// ---------------------------------------------------------------------------------------------
// Applying rules
// ---------------------------------------------------------------------------------------------

/**
 * Applies the rules in order. Returns the relabeled labels (a new Map, sorted by name), or null when
 * a rule dropped the set. The input is not modified.
 */
export function relabel(labels: ReadonlyMap<string, string>, configs: readonly RelabelConfig[]): LabelSet | null {
  const lb = new LabelsBuilder(labels);
  for (const cfg of configs) {
    if (!applyRule(cfg, lb)) return null;
  }
  return lb.labels();
}

function applyRule(cfg: RelabelConfig, lb: LabelsBuilder): boolean {
  const sources = cfg.source_labels;
  let val: string;
  if (sources.length === 1) {
    val = lb.get(sources[0] as string);
  } else {
    val = '';
    for (let i = 0; i < sources.length; i++) {
      if (i > 0) val += cfg.separator;
      val += lb.get(sources[i] as string);
    }
  }

  switch (cfg.action) {
    case 'drop':
      return !cfg.regex.matchString(val);
    case 'keep':
      return cfg.regex.matchString(val);
    case 'dropequal':
      return lb.get(cfg.target_label) !== val;
    case 'keepequal':
      return lb.get(cfg.target_label) === val;
    case 'replace': {
      // Fast path to add or delete a label pair, as Prometheus has (same result as the slow path).
      if (val === '' && cfg.regexIsDefault && !cfg.targetHasTemplate && !cfg.replacementHasTemplate) {
        lb.set(cfg.target_label, cfg.replacement);
        return true;
      }
      const match = cfg.regex.exec(val);
      if (match === null) return true; // no match: no replacement
      const target = cfg.regex.expand(cfg.target_label, match);
      if (!isValidLabelName(target, cfg.name_validation_scheme)) return true;
      const res = cfg.regex.expand(cfg.replacement, match);
      if (res.length === 0) lb.del(target);
      else lb.set(target, res);
      return true;
    }
    case 'lowercase':
      lb.set(cfg.target_label, goToLower(val));
      return true;
    case 'uppercase':
      lb.set(cfg.target_label, goToUpper(val));
      return true;
    case 'hashmod':
      lb.set(cfg.target_label, hashMod(val, cfg.modulus).toString());
      return true;
    case 'labelmap':
      lb.range((name, value) => {
        if (cfg.regex.matchString(name)) lb.set(cfg.regex.replaceAll(name, cfg.replacement), value);
      });
      return true;
    case 'labeldrop':
      lb.range((name) => {
        if (cfg.regex.matchString(name)) lb.del(name);
      });
      return true;
    case 'labelkeep':
      lb.range((name) => {
        if (!cfg.regex.matchString(name)) lb.del(name);
      });
      return true;
  }
}

/** Prometheus' hashmod: md5(value), last 8 bytes read as a big-endian uint64, modulo modulus. */
export function hashMod(value: string, modulus: bigint): bigint {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return digest.readBigUInt64BE(8) % modulus;
}

/**
 * Prometheus' labels.Builder: base labels plus pending sets (`add`, kept in first-set order) and
 * deletions (`del`). Reproduced rather than mutating a Map because Range's visiting order is
 * observable (labelmap onto one target from two labels: the later one wins).
 */
class LabelsBuilder {
  readonly #base: ReadonlyMap<string, string>;
  #sortedBase: [string, string][] | undefined;
  readonly #addNames: string[] = [];
  readonly #addValues: string[] = [];
  readonly #del: string[] = [];

  constructor(base: ReadonlyMap<string, string>) {
    this.#base = base;
  }

  get(name: string): string {
    const i = this.#addNames.indexOf(name);
    if (i >= 0) return this.#addValues[i] as string;
    if (this.#del.includes(name)) return '';
    return this.#base.get(name) ?? '';
  }

  set(name: string, value: string): void {
    if (value === '') {
      this.del(name);
      return;
    }
    const i = this.#addNames.indexOf(name);
    if (i >= 0) {
      this.#addValues[i] = value;
    } else {
      this.#addNames.push(name);
      this.#addValues.push(value);
    }
  }

  del(name: string): void {
    const i = this.#addNames.indexOf(name);
    if (i >= 0) {
      this.#addNames.splice(i, 1);
      this.#addValues.splice(i, 1);
    }
    this.#del.push(name);
  }

  /** Visits base labels (sorted) not overridden, then pending sets, on a snapshot taken now. */
  range(f: (name: string, value: string) => void): void {
    const addNames = this.#addNames.slice();
    const addValues = this.#addValues.slice();
    const del = this.#del.slice();
    for (const [name, value] of this.#baseSorted()) {
      if (!del.includes(name) && !addNames.includes(name)) f(name, value);
    }
    for (let i = 0; i < addNames.length; i++) f(addNames[i] as string, addValues[i] as string);
  }

  labels(): LabelSet {
    const out: [string, string][] = [];
    for (const [name, value] of this.#baseSorted()) {
      if (!this.#del.includes(name) && !this.#addNames.includes(name)) out.push([name, value]);
    }
    for (let i = 0; i < this.#addNames.length; i++) out.push([this.#addNames[i] as string, this.#addValues[i] as string]);
    if (this.#addNames.length > 0) out.sort((a, b) => compareCodePoints(a[0], b[0]));
    return new Map(out);
  }

  #baseSorted(): [string, string][] {
    if (this.#sortedBase === undefined) {
      const entries: [string, string][] = [];
      for (const [name, value] of this.#base) if (value !== '') entries.push([name, value]);
      entries.sort((a, b) => compareCodePoints(a[0], b[0]));
      this.#sortedBase = entries;
    }
    return this.#sortedBase;
  }
}
