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
// Regexes are Go RE2 syntax, translated here to an equivalent JavaScript RegExp (flags "sv"): named
// groups `(?P<n>…)`/`(?<n>…)`, flags `(?imsU)`/`(?i:…)`, `\A \z \Q…\E`, POSIX `[[:alpha:]]`, Go's
// `\s` (= [\t\n\f\r ]), `\pN`/`\p{Greek}`, octal/hex escapes and `{n,m}` with Go's 1000 limit.
// Anything Go rejects (lookaround, backreferences, `\C`, …) is rejected with Go's error message.
// Known differences left: JS resets captures inside a repeated group on each iteration (Go keeps the
// last value seen), and JS uses a newer Unicode version than some Go releases for \p classes.
import { createHash } from 'node:crypto';
import { ConfigError, join } from '../core/config-schema.ts';

/** Labels of a target or series. See the file header for ordering and empty values. */
export type LabelSet = Map<string, string>;

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

/**
 * Which label names are valid: 'legacy' is [a-zA-Z_][a-zA-Z0-9_]* (Prometheus 2, and Prometheus 3
 * with metric_name_validation_scheme: legacy); 'utf8' is any non-empty valid UTF-8 (Prometheus 3's
 * default).
 */
export type NameValidationScheme = 'legacy' | 'utf8';

/** A relabel rule as written in YAML (snake_case keys, as in Prometheus). */
export interface RawRelabelConfig {
  source_labels?: string[];
  separator?: string;
  target_label?: string;
  regex?: string;
  modulus?: number | bigint;
  replacement?: string;
  action?: string;
}

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
/** The name the brief uses for a validated rule. */
export type CompiledRelabelConfig = RelabelConfig;

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

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus' relabelTargetLegacy `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`, rewritten to the same
// language without nested quantifiers (a backtracking engine would be exponential on the original).
const LEGACY_LABEL_NAME_WITH_TEMPLATE = /^(?:[a-zA-Z_]|\$(?:\{\w+\}|\w))(?:\w|\$(?:\{\w+\}|\w))*$/;

function isValidLabelName(name: string, scheme: NameValidationScheme): boolean {
  if (scheme === 'legacy') return LEGACY_LABEL_NAME.test(name);
  return name.length > 0 && name.isWellFormed();
}

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

/** Orders strings by code point (= UTF-8 byte order, Go's string order), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
      if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      return x - y;
    }
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Go's strings.ToLower / strings.ToUpper: simple (one-to-one) case mapping per code point.
// JavaScript's toLowerCase/toUpperCase use full mappings ("ß" → "SS", "İ" → "i̇") and a context
// rule for final sigma, which Go does not.
// ---------------------------------------------------------------------------------------------

const NON_ASCII = /[^\x00-\x7f]/;

// Code points whose full mapping is several code points but whose simple mapping is one.
const SIMPLE_LOWER: ReadonlyMap<number, number> = new Map([[0x0130, 0x0069]]);
const SIMPLE_UPPER: ReadonlyMap<number, number> = new Map([
  ...Array.from({ length: 8 }, (_, i): [number, number] => [0x1f80 + i, 0x1f88 + i]),
  ...Array.from({ length: 8 }, (_, i): [number, number] => [0x1f90 + i, 0x1f98 + i]),
  ...Array.from({ length: 8 }, (_, i): [number, number] => [0x1fa0 + i, 0x1fa8 + i]),
  [0x1fb3, 0x1fbc],
  [0x1fc3, 0x1fcc],
  [0x1ff3, 0x1ffc],
]);

function mapSimpleCase(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) {
      out += upper ? ch.toUpperCase() : ch.toLowerCase();
      continue;
    }
    const special = (upper ? SIMPLE_UPPER : SIMPLE_LOWER).get(cp);
    if (special !== undefined) {
      out += String.fromCodePoint(special);
      continue;
    }
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    // One code point (1 or 2 UTF-16 units): a simple mapping. Several: a full-only mapping, which Go leaves alone.
    const single = mapped.length === 1 || (mapped.length === 2 && (mapped.codePointAt(0) as number) > 0xffff);
    out += single ? mapped : ch;
  }
  return out;
}

export function goToLower(s: string): string {
  return NON_ASCII.test(s) ? mapSimpleCase(s, false) : s.toLowerCase();
}

export function goToUpper(s: string): string {
  return NON_ASCII.test(s) ? mapSimpleCase(s, true) : s.toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Go regular expressions (RE2 syntax, Go's regexp/syntax with Perl flags) on a JavaScript engine.
// ---------------------------------------------------------------------------------------------

const ERR_INVALID_CHAR_RANGE = 'invalid character class range';
const ERR_INVALID_ESCAPE = 'invalid escape sequence';
const ERR_INVALID_NAMED_CAPTURE = 'invalid named capture';
const ERR_INVALID_PERL_OP = 'invalid or unsupported Perl syntax';
const ERR_INVALID_REPEAT_OP = 'invalid nested repetition operator';
const ERR_INVALID_REPEAT_SIZE = 'invalid repeat count';
const ERR_INVALID_UTF8 = 'invalid UTF-8';
const ERR_MISSING_BRACKET = 'missing closing ]';
const ERR_MISSING_PAREN = 'missing closing )';
const ERR_MISSING_REPEAT_ARGUMENT = 'missing argument to repetition operator';
const ERR_TRAILING_BACKSLASH = 'trailing backslash at end of expression';
const ERR_UNEXPECTED_PAREN = 'unexpected )';

function goRegexpError(code: string, expr: string): Error {
  return new Error(`error parsing regexp: ${code}: \`${expr}\``);
}

/** Go's maximum count in x{n,m}, also applied to the product of nested counts. */
const MAX_REPEAT = 1000;

interface GoFlags {
  fold: boolean; // i
  multiLine: boolean; // m
  dotNL: boolean; // s
  nonGreedy: boolean; // U
}

interface Atom {
  text: string;
  /** Zero-width: must be wrapped in a group before a quantifier (JS refuses to quantify it). */
  assertion: boolean;
  quantified: boolean;
  /** Product of the {n,m} counts nested in this atom, for Go's limit on nested repetition. */
  product: number;
}

interface Frame {
  capture: boolean;
  flagsAtOpen: GoFlags;
  alternatives: string[];
  atoms: Atom[];
  product: number;
}

// Character ranges as [lo, hi] code point pairs.
type Ranges = readonly (readonly [number, number])[];

const r = (lo: string, hi: string = lo): readonly [number, number] => [lo.codePointAt(0) as number, hi.codePointAt(0) as number];
const PERL_CLASSES: Readonly<Record<string, { negated: boolean; ranges: Ranges }>> = {
  '\\d': { negated: false, ranges: [r('0', '9')] },
  '\\D': { negated: true, ranges: [r('0', '9')] },
  '\\s': { negated: false, ranges: [r('\t', '\n'), r('\f', '\r'), r(' ')] },
  '\\S': { negated: true, ranges: [r('\t', '\n'), r('\f', '\r'), r(' ')] },
  '\\w': { negated: false, ranges: [r('0', '9'), r('A', 'Z'), r('_'), r('a', 'z')] },
  '\\W': { negated: true, ranges: [r('0', '9'), r('A', 'Z'), r('_'), r('a', 'z')] },
};
const POSIX_CLASSES: Readonly<Record<string, Ranges>> = {
  alnum: [r('0', '9'), r('A', 'Z'), r('a', 'z')],
  alpha: [r('A', 'Z'), r('a', 'z')],
  ascii: [[0, 0x7f]],
  blank: [r('\t'), r(' ')],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]],
  digit: [r('0', '9')],
  graph: [r('!', '~')],
  lower: [r('a', 'z')],
  print: [r(' ', '~')],
  punct: [r('!', '/'), r(':', '@'), r('[', '`'), r('{', '~')],
  space: [r('\t', '\r'), r(' ')],
  upper: [r('A', 'Z')],
  word: [r('0', '9'), r('A', 'Z'), r('a', 'z'), r('_')],
  xdigit: [r('0', '9'), r('A', 'F'), r('a', 'f')],
};
// Go's unicode.Categories. "C" alone is special: Go's table leaves out unassigned code points (Cn).
const GO_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs LC'.split(' '),
);

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** A code point as a JS pattern character valid both inside and outside a "v" class. */
function patternChar(cp: number): string {
  if (isAsciiAlnum(cp) || cp === 0x5f) return String.fromCharCode(cp);
  return `\\u{${cp.toString(16)}}`;
}

function rangesText(ranges: Ranges): string {
  let out = '';
  for (const [lo, hi] of ranges) out += lo === hi ? patternChar(lo) : `${patternChar(lo)}-${patternChar(hi)}`;
  return out;
}

function classText(negated: boolean, ranges: Ranges): string {
  return `[${negated ? '^' : ''}${rangesText(ranges)}]`;
}

const UNICODE_NAME = /^[A-Za-z0-9_]+$/;
const jsPropertyCache = new Map<string, string | undefined>();

/** The JS class (as "\p{…}" or a nested class) for Go's Unicode class name, or undefined if Go has none. */
function unicodeClassText(name: string, negated: boolean): string | undefined {
  let positive: string | undefined;
  if (name === 'C') {
    positive = '[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}]';
    return negated ? `[^${positive.slice(1)}` : positive;
  }
  if (name === 'Any' || name === 'ASCII' || name === 'Assigned') positive = name;
  else if (GO_CATEGORIES.has(name)) positive = `gc=${name}`;
  else if (UNICODE_NAME.test(name)) {
    if (!jsPropertyCache.has(name)) {
      let found: string | undefined;
      try {
        new RegExp(`\\p{sc=${name}}`, 'v');
        found = `sc=${name}`;
      } catch {
        found = undefined;
      }
      jsPropertyCache.set(name, found);
    }
    positive = jsPropertyCache.get(name);
  }
  if (positive === undefined) return undefined;
  return `\\${negated ? 'P' : 'p'}{${positive}}`;
}

/** Translates Go regexp syntax to a JS pattern for flags "sv"; capture groups keep their numbers. */
class GoRegexpTranslator {
  readonly #src: string;
  #i = 0;
  #flags: GoFlags = { fold: false, multiLine: false, dotNL: false, nonGreedy: false };
  readonly #stack: Frame[] = [];
  #numCap = 0;
  readonly names: (string | undefined)[] = [undefined];

  constructor(src: string) {
    this.#src = src;
    this.#stack.push(this.#newFrame(false));
  }

  #newFrame(capture: boolean): Frame {
    return { capture, flagsAtOpen: { ...this.#flags }, alternatives: [], atoms: [], product: 1 };
  }

  #top(): Frame {
    return this.#stack[this.#stack.length - 1] as Frame;
  }

  /** Code point at index j and its length in UTF-16 units; Go refuses invalid UTF-8 (here: lone surrogates). */
  #codePointAt(j: number): [number, number] {
    const cp = this.#src.codePointAt(j) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) throw goRegexpError(ERR_INVALID_UTF8, this.#src.slice(j));
    return [cp, cp > 0xffff ? 2 : 1];
  }

  #push(text: string, assertion = false): void {
    this.#top().atoms.push({ text, assertion, quantified: false, product: 1 });
  }

  #pushFolded(text: string): void {
    this.#push(this.#flags.fold ? `(?i:${text})` : text);
  }

  #literal(cp: number): void {
    // ASCII non-letters have no case: no need for a case-insensitive group.
    const caseless = cp < 0x80 && !((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a));
    if (this.#flags.fold && !caseless) this.#push(`(?i:${patternChar(cp)})`);
    else this.#push(patternChar(cp));
  }

  translate(): string {
    const src = this.#src;
    const n = src.length;
    let lastRepeat = -1; // start of the previous token if it was a repetition operator
    while (this.#i < n) {
      let repeat = -1;
      const c = src.charCodeAt(this.#i);
      switch (c) {
        case 0x28: // (
          if (src.charCodeAt(this.#i + 1) === 0x3f) {
            this.#parsePerlFlags();
          } else {
            this.#numCap++;
            this.names.push(undefined);
            this.#stack.push(this.#newFrame(true));
            this.#i++;
          }
          break;
        case 0x7c: // |
          this.#finishAlternative(this.#top());
          this.#i++;
          break;
        case 0x29: // )
          this.#closeGroup();
          this.#i++;
          break;
        case 0x5e: // ^
          this.#push(this.#flags.multiLine ? '(?<![^\\n])' : '^', true);
          this.#i++;
          break;
        case 0x24: // $
          this.#push(this.#flags.multiLine ? '(?![^\\n])' : '$', true);
          this.#i++;
          break;
        case 0x2e: // .
          this.#push(this.#flags.dotNL ? '.' : '[^\\n]');
          this.#i++;
          break;
        case 0x5b: // [
          this.#parseClass();
          break;
        case 0x2a: // *
        case 0x2b: // +
        case 0x3f: {
          // ?
          const before = this.#i;
          this.#i++;
          this.#repeat(String.fromCharCode(c), 0, 0, before, lastRepeat, false);
          repeat = before;
          break;
        }
        case 0x7b: {
          // {
          const before = this.#i;
          const parsed = this.#parseRepeat(before);
          if (parsed === undefined) {
            this.#literal(0x7b);
            this.#i++;
            break;
          }
          const [min, max, after] = parsed;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            throw goRegexpError(ERR_INVALID_REPEAT_SIZE, src.slice(before, after));
          }
          this.#i = after;
          const quantifier = max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
          this.#repeat(quantifier, min, max, before, lastRepeat, true);
          repeat = before;
          break;
        }
        case 0x5c: // \
          this.#parseBackslash();
          break;
        default: {
          const [cp, size] = this.#codePointAt(this.#i);
          this.#literal(cp);
          this.#i += size;
        }
      }
      lastRepeat = repeat;
    }
    if (this.#stack.length > 1) throw goRegexpError(ERR_MISSING_PAREN, src);
    const root = this.#top();
    this.#finishAlternative(root);
    return root.alternatives.join('|');
  }

  #finishAlternative(frame: Frame): void {
    let text = '';
    for (const atom of frame.atoms) {
      text += atom.text;
      if (atom.product > frame.product) frame.product = atom.product;
    }
    frame.alternatives.push(text);
    frame.atoms = [];
  }

  #closeGroup(): void {
    if (this.#stack.length === 1) throw goRegexpError(ERR_UNEXPECTED_PAREN, this.#src);
    const frame = this.#stack.pop() as Frame;
    this.#finishAlternative(frame);
    this.#flags = frame.flagsAtOpen;
    const body = frame.alternatives.join('|');
    this.#top().atoms.push({ text: frame.capture ? `(${body})` : `(?:${body})`, assertion: false, quantified: false, product: frame.product });
  }

  /** Applies a repetition operator (already consumed up to this.#i) to the previous atom. */
  #repeat(quantifier: string, min: number, max: number, before: number, lastRepeat: number, counted: boolean): void {
    const src = this.#src;
    let lazy = false;
    if (src.charCodeAt(this.#i) === 0x3f) {
      lazy = true;
      this.#i++;
    }
    if (lastRepeat >= 0) throw goRegexpError(ERR_INVALID_REPEAT_OP, src.slice(lastRepeat, this.#i));
    const frame = this.#top();
    const atom = frame.atoms.pop();
    if (atom === undefined) throw goRegexpError(ERR_MISSING_REPEAT_ARGUMENT, src.slice(before, this.#i));
    let product = atom.product;
    if (counted) {
      // Go's repeatIsValid: counts multiply along nesting; a {0} / {n,0} hides what it repeats.
      if (max === 0) product = 1;
      else {
        const m = max < 0 ? min : max;
        if (m > 0) product = m * atom.product;
      }
      if ((min >= 2 || max >= 2) && product > MAX_REPEAT) throw goRegexpError(ERR_INVALID_REPEAT_SIZE, src.slice(before, this.#i));
    }
    const greedy = this.#flags.nonGreedy === lazy;
    const base = atom.assertion || atom.quantified ? `(?:${atom.text})` : atom.text;
    frame.atoms.push({ text: `${base}${quantifier}${greedy ? '' : '?'}`, assertion: false, quantified: true, product });
  }

  /** {min}, {min,} (max -1) or {min,max} at index j; undefined if it is not of that form (then "{" is a literal). */
  #parseRepeat(j: number): [number, number, number] | undefined {
    const src = this.#src;
    j++;
    const first = this.#parseInt(j);
    if (first === undefined) return undefined;
    let [min, k] = first;
    if (k >= src.length) return undefined;
    let max: number;
    if (src.charCodeAt(k) !== 0x2c) {
      max = min;
    } else {
      k++;
      if (k >= src.length) return undefined;
      if (src.charCodeAt(k) === 0x7d) {
        max = -1;
      } else {
        const second = this.#parseInt(k);
        if (second === undefined) return undefined;
        [max, k] = second;
        if (max < 0) min = -1;
      }
    }
    if (k >= src.length || src.charCodeAt(k) !== 0x7d) return undefined;
    return [min, max, k + 1];
  }

  /** Decimal integer without leading zeros at j; value -1 when too large, like Go's parser. */
  #parseInt(j: number): [number, number] | undefined {
    const src = this.#src;
    const isDigit = (k: number): boolean => k < src.length && src.charCodeAt(k) >= 0x30 && src.charCodeAt(k) <= 0x39;
    if (!isDigit(j)) return undefined;
    if (src.charCodeAt(j) === 0x30 && isDigit(j + 1)) return undefined;
    let k = j;
    let value = 0;
    while (isDigit(k)) {
      if (value >= 1e8) value = -1;
      else if (value >= 0) value = value * 10 + (src.charCodeAt(k) - 0x30);
      k++;
    }
    return [value, k];
  }

  #parsePerlFlags(): void {
    const src = this.#src;
    const start = this.#i;
    const n = src.length;
    const startsWithP = n - start > 4 && src[start + 2] === 'P' && src[start + 3] === '<';
    const startsWithName = n - start > 3 && src[start + 2] === '<';
    if (startsWithP || startsWithName) {
      const exprStart = start + (startsWithP ? 4 : 3);
      const end = src.indexOf('>', start);
      if (end < 0) throw goRegexpError(ERR_INVALID_NAMED_CAPTURE, src.slice(start));
      const name = src.slice(exprStart, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw goRegexpError(ERR_INVALID_NAMED_CAPTURE, src.slice(start, end + 1));
      this.#numCap++;
      this.names.push(name);
      this.#stack.push(this.#newFrame(true));
      this.#i = end + 1;
      return;
    }

    const flags = { ...this.#flags };
    let sign = 1;
    let sawFlag = false;
    let j = start + 2;
    while (j < n) {
      const [c, size] = this.#codePointAt(j);
      j += size;
      switch (c) {
        case 0x69: // i
          flags.fold = sign > 0;
          sawFlag = true;
          continue;
        case 0x6d: // m
          flags.multiLine = sign > 0;
          sawFlag = true;
          continue;
        case 0x73: // s
          flags.dotNL = sign > 0;
          sawFlag = true;
          continue;
        case 0x55: // U
          flags.nonGreedy = sign > 0;
          sawFlag = true;
          continue;
        case 0x2d: // -
          if (sign < 0) break;
          sign = -1;
          sawFlag = false;
          continue;
        case 0x3a: // :
        case 0x29: // )
          if (sign < 0 && !sawFlag) break;
          if (c === 0x3a) this.#stack.push(this.#newFrame(false)); // remembers the flags to restore
          this.#flags = flags;
          this.#i = j;
          return;
      }
      break;
    }
    throw goRegexpError(ERR_INVALID_PERL_OP, src.slice(start, j));
  }

  #parseBackslash(): void {
    const src = this.#src;
    const i = this.#i;
    const next = src[i + 1];
    switch (next) {
      case 'A':
        this.#push('^', true);
        this.#i += 2;
        return;
      case 'z':
        this.#push('$', true);
        this.#i += 2;
        return;
      case 'b':
        this.#push('\\b', true);
        this.#i += 2;
        return;
      case 'B':
        this.#push('\\B', true);
        this.#i += 2;
        return;
      case 'C':
        throw goRegexpError(ERR_INVALID_ESCAPE, '\\C');
      case 'Q': {
        const end = src.indexOf('\\E', i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        this.#i = end < 0 ? src.length : end + 2;
        for (let k = 0; k < lit.length; ) {
          const cp = lit.codePointAt(k) as number;
          if (cp >= 0xd800 && cp <= 0xdfff) throw goRegexpError(ERR_INVALID_UTF8, lit.slice(k));
          this.#literal(cp);
          k += cp > 0xffff ? 2 : 1;
        }
        return;
      }
      case 'p':
      case 'P': {
        const [text, end] = this.#parseUnicodeClass(i);
        this.#pushFolded(text);
        this.#i = end;
        return;
      }
    }
    const perl = PERL_CLASSES[src.slice(i, i + 2)];
    if (perl !== undefined) {
      this.#pushFolded(classText(perl.negated, perl.ranges));
      this.#i += 2;
      return;
    }
    const [cp, end] = this.#parseEscape(i);
    this.#literal(cp);
    this.#i = end;
  }

  /** A single-character escape at index i (a backslash); returns the code point and the index after it. */
  #parseEscape(i: number): [number, number] {
    const src = this.#src;
    const n = src.length;
    let j = i + 1;
    if (j >= n) throw goRegexpError(ERR_TRAILING_BACKSLASH, '');
    const [c, size] = this.#codePointAt(j);
    j += size;
    const fail = (): Error => goRegexpError(ERR_INVALID_ESCAPE, src.slice(i, j));
    if (c < 0x80 && !isAsciiAlnum(c)) return [c, j]; // escaped punctuation is itself
    const isOctal = (k: number): boolean => k < n && src.charCodeAt(k) >= 0x30 && src.charCodeAt(k) <= 0x37;
    if (c >= 0x30 && c <= 0x37) {
      // A single non-zero digit is a backreference, which Go does not support; else up to 3 octal digits.
      if (c !== 0x30 && !isOctal(j)) throw fail();
      let value = c - 0x30;
      for (let k = 1; k < 3 && isOctal(j); k++, j++) value = value * 8 + (src.charCodeAt(j) - 0x30);
      return [value, j];
    }
    switch (c) {
      case 0x78: {
        // x
        if (j >= n) throw fail();
        const [c1, s1] = this.#codePointAt(j);
        j += s1;
        if (c1 === 0x7b) {
          let value = 0;
          let digits = 0;
          for (;;) {
            if (j >= n) throw fail();
            const [c2, s2] = this.#codePointAt(j);
            j += s2;
            if (c2 === 0x7d) break;
            const v = unhex(c2);
            if (v < 0) throw fail();
            value = value * 16 + v;
            if (value > 0x10ffff) throw fail();
            digits++;
          }
          if (digits === 0) throw fail();
          return [value, j];
        }
        if (j >= n) throw fail();
        const [c2, s2] = this.#codePointAt(j);
        j += s2;
        const x = unhex(c1);
        const y = unhex(c2);
        if (x < 0 || y < 0) throw fail();
        return [x * 16 + y, j];
      }
      case 0x61:
        return [0x07, j]; // \a
      case 0x66:
        return [0x0c, j]; // \f
      case 0x6e:
        return [0x0a, j]; // \n
      case 0x72:
        return [0x0d, j]; // \r
      case 0x74:
        return [0x09, j]; // \t
      case 0x76:
        return [0x0b, j]; // \v
    }
    throw fail();
  }

  /** \pX, \p{Name}, \PX, \P{^Name} at index i; returns the JS class text and the index after it. */
  #parseUnicodeClass(i: number): [string, number] {
    const src = this.#src;
    let negated = src[i + 1] === 'P';
    let seq: string;
    let name: string;
    let end: number;
    if (i + 2 >= src.length) {
      seq = src.slice(i, i + 2);
      name = '';
      end = i + 2;
    } else if (src[i + 2] !== '{') {
      const [, size] = this.#codePointAt(i + 2);
      end = i + 2 + size;
      seq = src.slice(i, end);
      name = seq.slice(2);
    } else {
      const close = src.indexOf('}', i);
      if (close < 0) throw goRegexpError(ERR_INVALID_CHAR_RANGE, src.slice(i));
      seq = src.slice(i, close + 1);
      name = src.slice(i + 3, close);
      end = close + 1;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const text = unicodeClassText(name, negated);
    if (text === undefined) throw goRegexpError(ERR_INVALID_CHAR_RANGE, seq);
    return [text, end];
  }

  #parseClass(): void {
    const src = this.#src;
    const n = src.length;
    const start = this.#i;
    let j = start + 1;
    let negated = false;
    if (src[j] === '^') {
      negated = true;
      j++;
    }
    let body = '';
    let first = true; // "]" is a literal as the first character
    while (j >= n || src[j] !== ']' || first) {
      first = false;
      if (n - j > 2 && src[j] === '[' && src[j + 1] === ':') {
        const close = src.indexOf(':]', j + 2);
        if (close >= 0) {
          const spec = src.slice(j, close + 2);
          let posix = src.slice(j + 2, close);
          const posixNegated = posix.startsWith('^');
          if (posixNegated) posix = posix.slice(1);
          const ranges = Object.hasOwn(POSIX_CLASSES, posix) ? POSIX_CLASSES[posix] : undefined;
          if (ranges === undefined) throw goRegexpError(ERR_INVALID_CHAR_RANGE, spec);
          body += classText(posixNegated, ranges);
          j = close + 2;
          continue;
        }
      }
      if (src[j] === '\\' && (src[j + 1] === 'p' || src[j + 1] === 'P')) {
        const [text, end] = this.#parseUnicodeClass(j);
        body += text;
        j = end;
        continue;
      }
      const perl = src[j] === '\\' ? PERL_CLASSES[src.slice(j, j + 2)] : undefined;
      if (perl !== undefined) {
        body += classText(perl.negated, perl.ranges);
        j += 2;
        continue;
      }
      const rangeStart = j;
      const [lo, afterLo] = this.#parseClassChar(j, start);
      let hi = lo;
      j = afterLo;
      if (n - j >= 2 && src[j] === '-' && src[j + 1] !== ']') {
        [hi, j] = this.#parseClassChar(j + 1, start);
        if (hi < lo) throw goRegexpError(ERR_INVALID_CHAR_RANGE, src.slice(rangeStart, j));
      }
      body += lo === hi ? patternChar(lo) : `${patternChar(lo)}-${patternChar(hi)}`;
    }
    this.#i = j + 1;
    this.#pushFolded(`[${negated ? '^' : ''}${body}]`);
  }

  #parseClassChar(j: number, classStart: number): [number, number] {
    if (j >= this.#src.length) throw goRegexpError(ERR_MISSING_BRACKET, this.#src.slice(classStart));
    if (this.#src[j] === '\\') return this.#parseEscape(j);
    const [cp, size] = this.#codePointAt(j);
    return [cp, j + size];
  }
}

/**
 * A Go regular expression compiled to a JavaScript RegExp with the same matches and submatches,
 * plus Go's template expansion (Regexp.Expand) and ReplaceAllString.
 */
export class GoRegexp {
  /** The expression as written (for a relabel regex: without Prometheus' anchors). */
  readonly source: string;
  /** The equivalent JavaScript RegExp (flags "sv"). */
  readonly pattern: RegExp;
  readonly #global: RegExp;
  /** Capture group names by group number (index 0 is the whole match); undefined when unnamed. */
  readonly groupNames: readonly (string | undefined)[];

  constructor(expr: string, source: string = expr) {
    const translator = new GoRegexpTranslator(expr);
    const js = translator.translate();
    try {
      this.pattern = new RegExp(js, 'sv');
      this.#global = new RegExp(js, 'gsv');
    } catch (err) {
      throw new Error(`error parsing regexp: not supported by the JavaScript engine (${(err as Error).message}): \`${expr}\``);
    }
    this.source = source;
    this.groupNames = translator.names;
  }

  /** As Prometheus compiles a relabel regex: fully anchored, "." matching newlines. */
  static anchored(source: string): GoRegexp {
    return new GoRegexp(`^(?s:${source})$`, source);
  }

  matchString(s: string): boolean {
    return this.pattern.test(s);
  }

  /** Leftmost match with submatches (like FindStringSubmatchIndex), or null. */
  exec(s: string): RegExpExecArray | null {
    return this.pattern.exec(s);
  }

  /** Go's Regexp.Expand of template against a match from exec(). */
  expand(template: string, match: RegExpExecArray): string {
    let out = '';
    let rest = template;
    for (;;) {
      const dollar = rest.indexOf('$');
      if (dollar < 0) break;
      out += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith('$')) {
        out += '$';
        rest = rest.slice(1);
        continue;
      }
      const ref = extractTemplateRef(rest);
      if (ref === undefined) {
        out += '$'; // malformed: the $ is literal text
        continue;
      }
      rest = rest.slice(ref.length);
      if (ref.num >= 0) {
        out += match[ref.num] ?? '';
      } else {
        for (let g = 1; g < this.groupNames.length; g++) {
          if (this.groupNames[g] === ref.name && match[g] !== undefined) {
            out += match[g];
            break;
          }
        }
      }
    }
    return out + rest;
  }

  /** Go's ReplaceAllString: every leftmost non-overlapping match replaced by the expanded template. */
  replaceAll(src: string, template: string): string {
    const re = this.#global;
    let out = '';
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= src.length) {
      re.lastIndex = searchPos;
      const m = re.exec(src);
      if (m === null) break;
      const a0 = m.index;
      const a1 = a0 + m[0].length;
      out += src.slice(lastMatchEnd, a0);
      // No replacement for an empty match right after the previous match.
      if (a1 > lastMatchEnd || a0 === 0) out += this.expand(template, m);
      lastMatchEnd = a1;
      // Advance past this match; always advance at least one character.
      const cp = src.codePointAt(searchPos);
      const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
      if (searchPos + width > a1) searchPos += width;
      else if (searchPos + 1 > a1) searchPos++;
      else searchPos = a1;
    }
    return out + src.slice(lastMatchEnd);
  }
}

const TEMPLATE_NAME_CHAR = /^[\p{L}\p{Nd}_]/u;

/** Go's regexp extract(): a leading "name" or "{name}" after a "$"; num ≥ 0 when the name is a number. */
function extractTemplateRef(str: string): { name: string; num: number; length: number } | undefined {
  if (str === '') return undefined;
  const brace = str[0] === '{';
  let i = brace ? 1 : 0;
  const nameStart = i;
  while (i < str.length) {
    const m = TEMPLATE_NAME_CHAR.exec(str.slice(i, i + 2));
    if (m === null) break;
    i += m[0].length;
  }
  if (i === nameStart) return undefined;
  const name = str.slice(nameStart, i);
  if (brace) {
    if (i >= str.length || str[i] !== '}') return undefined;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const d = name.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + d;
  }
  if (name[0] === '0' && name.length > 1) num = -1; // no leading zeros
  return { name, num, length: i };
}
