// The `route:` tree and `inhibit_rules:` as Alertmanager 0.28 reads them (config.Route and
// config.InhibitRule UnmarshalYAML), and their YAML form as Alertmanager marshals it.
import { ConfigError, join, readObject } from '../core/config-schema.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import { readScalar, readStringList } from './config-fields.ts';
import { isValidLabelName } from './labels.ts';
import { compileMatcherRegexp, matcherString, parseMatchers, sortMatchers, type Matcher } from './matchers.ts';

export interface RouteConfig {
  receiver?: string;
  /** As written; `...` means group by all labels. */
  group_by?: string[];
  /** Deprecated `match:` (label = value). */
  match?: Record<string, string>;
  /** Deprecated `match_re:`, the regexes as written (anchored when used). */
  match_re?: Record<string, string>;
  /** Sorted, as Alertmanager sorts them. */
  matchers?: Matcher[];
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  continue: boolean;
  routes?: RouteConfig[];
  /** milliseconds; absent = inherited */
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
}

export interface InhibitRuleConfig {
  source_match?: Record<string, string>;
  source_match_re?: Record<string, string>;
  source_matchers?: Matcher[];
  target_match?: Record<string, string>;
  target_match_re?: Record<string, string>;
  target_matchers?: Matcher[];
  equal?: string[];
}

function wrap<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(field, (err as Error).message);
  }
}

function mapping(raw: unknown, field: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(field, 'expected a mapping');
  return raw as Record<string, unknown>;
}

/** `match:` / `source_match:`: label names must be valid. */
function readMatch(raw: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(mapping(raw, field))) {
    if (!isValidLabelName(k)) throw new ConfigError(field, `invalid label name ${JSON.stringify(k)}`);
    out[k] = v === null ? '' : readScalar(v, join(field, k));
  }
  return out;
}

/** config.MatchRegexps: valid names, regexes that compile (anchored). */
function readMatchRe(raw: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(mapping(raw, field))) {
    if (!isValidLabelName(k)) throw new ConfigError(field, `invalid label name ${JSON.stringify(k)}`);
    if (v === null) throw new ConfigError(field, `invalid regexp value for ${JSON.stringify(k)}`);
    const re = readScalar(v, join(field, k));
    wrap(join(field, k), () => compileMatcherRegexp(re));
    out[k] = re;
  }
  return out;
}

/** config.Matchers: each line is a matcher list in the classic syntax; the union is sorted. */
export function readMatchers(raw: unknown, field: string): Matcher[] {
  const lines = readStringList(raw, field);
  const all: Matcher[] = [];
  lines.forEach((line, i) => all.push(...wrap(join(field, i), () => parseMatchers(line))));
  return sortMatchers(all);
}

function readDuration(raw: unknown, field: string): number {
  return wrap(field, () => parseDuration(readScalar(raw, field)));
}

const ROUTE_KEYS = ['receiver', 'group_by', 'match', 'match_re', 'matchers', 'mute_time_intervals', 'active_time_intervals', 'continue', 'routes', 'group_wait', 'group_interval', 'repeat_interval'];

/** One route node and its children, with Alertmanager's per-route checks. */
export function parseRouteConfig(raw: unknown, path: string): RouteConfig {
  const obj = readObject(raw, path, ROUTE_KEYS);
  const has = (k: string): boolean => obj[k] !== undefined && obj[k] !== null;
  const r: RouteConfig = { continue: false };
  if (has('receiver')) r.receiver = readScalar(obj.receiver, join(path, 'receiver'));
  if (has('group_by')) {
    const field = join(path, 'group_by');
    const groupBy = readStringList(obj.group_by, field);
    const all = groupBy.includes('...');
    const names = groupBy.filter((l) => l !== '...');
    for (const l of names) if (!isValidLabelName(l)) throw new ConfigError(field, `invalid label name ${JSON.stringify(l)} in group_by list`);
    if (all && names.length > 0) throw new ConfigError(field, 'cannot have wildcard group_by (`...`) and other other labels at the same time');
    const seen = new Set<string>();
    for (const l of names) {
      if (seen.has(l)) throw new ConfigError(field, `duplicated label ${JSON.stringify(l)} in group_by`);
      seen.add(l);
    }
    r.group_by = groupBy;
  }
  if (has('match')) r.match = readMatch(obj.match, join(path, 'match'));
  if (has('match_re')) r.match_re = readMatchRe(obj.match_re, join(path, 'match_re'));
  if (has('matchers')) r.matchers = readMatchers(obj.matchers, join(path, 'matchers'));
  if (has('mute_time_intervals')) r.mute_time_intervals = readStringList(obj.mute_time_intervals, join(path, 'mute_time_intervals'));
  if (has('active_time_intervals')) r.active_time_intervals = readStringList(obj.active_time_intervals, join(path, 'active_time_intervals'));
  if (has('continue')) {
    const v = obj.continue;
    if (typeof v !== 'boolean') throw new ConfigError(join(path, 'continue'), `expected true or false, got ${JSON.stringify(v)}`);
    r.continue = v;
  }
  if (has('routes')) {
    const field = join(path, 'routes');
    if (!Array.isArray(obj.routes)) throw new ConfigError(field, 'expected a list');
    r.routes = obj.routes.map((child, i) => parseRouteConfig(child, join(field, i)));
  }
  if (has('group_wait')) r.group_wait = readDuration(obj.group_wait, join(path, 'group_wait'));
  if (has('group_interval')) {
    r.group_interval = readDuration(obj.group_interval, join(path, 'group_interval'));
    if (r.group_interval === 0) throw new ConfigError(join(path, 'group_interval'), 'group_interval cannot be zero');
  }
  if (has('repeat_interval')) {
    r.repeat_interval = readDuration(obj.repeat_interval, join(path, 'repeat_interval'));
    if (r.repeat_interval === 0) throw new ConfigError(join(path, 'repeat_interval'), 'repeat_interval cannot be zero');
  }
  return r;
}

const INHIBIT_KEYS = ['source_match', 'source_match_re', 'source_matchers', 'target_match', 'target_match_re', 'target_matchers', 'equal'];

export function parseInhibitRuleConfig(raw: unknown, path: string): InhibitRuleConfig {
  const obj = readObject(raw, path, INHIBIT_KEYS);
  const has = (k: string): boolean => obj[k] !== undefined && obj[k] !== null;
  const r: InhibitRuleConfig = {};
  if (has('source_match')) r.source_match = readMatch(obj.source_match, join(path, 'source_match'));
  if (has('source_match_re')) r.source_match_re = readMatchRe(obj.source_match_re, join(path, 'source_match_re'));
  if (has('source_matchers')) r.source_matchers = readMatchers(obj.source_matchers, join(path, 'source_matchers'));
  if (has('target_match')) r.target_match = readMatch(obj.target_match, join(path, 'target_match'));
  if (has('target_match_re')) r.target_match_re = readMatchRe(obj.target_match_re, join(path, 'target_match_re'));
  if (has('target_matchers')) r.target_matchers = readMatchers(obj.target_matchers, join(path, 'target_matchers'));
  if (has('equal')) {
    const field = join(path, 'equal');
    r.equal = readStringList(obj.equal, field);
    for (const l of r.equal) if (!isValidLabelName(l)) throw new ConfigError(field, `invalid label name ${JSON.stringify(l)} in equal list`);
  }
  return r;
}

function sortedRecord(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k] as string;
  return out;
}

const nonEmpty = (v: { length: number } | undefined): boolean => v !== undefined && v.length > 0;
const nonEmptyMap = (m: object | undefined): boolean => m !== undefined && Object.keys(m).length > 0;

/** config.Route as yaml.v2 marshals it. */
export function routeConfigToYaml(r: RouteConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.receiver) out.receiver = r.receiver;
  if (nonEmpty(r.group_by)) out.group_by = r.group_by;
  if (nonEmptyMap(r.match)) out.match = sortedRecord(r.match as Record<string, string>);
  if (nonEmptyMap(r.match_re)) out.match_re = sortedRecord(r.match_re as Record<string, string>);
  if (nonEmpty(r.matchers)) out.matchers = (r.matchers as Matcher[]).map(matcherString);
  if (nonEmpty(r.mute_time_intervals)) out.mute_time_intervals = r.mute_time_intervals;
  if (nonEmpty(r.active_time_intervals)) out.active_time_intervals = r.active_time_intervals;
  out.continue = r.continue;
  if (nonEmpty(r.routes)) out.routes = (r.routes as RouteConfig[]).map(routeConfigToYaml);
  if (r.group_wait !== undefined) out.group_wait = formatDuration(r.group_wait);
  if (r.group_interval !== undefined) out.group_interval = formatDuration(r.group_interval);
  if (r.repeat_interval !== undefined) out.repeat_interval = formatDuration(r.repeat_interval);
  return out;
}

export function inhibitRuleConfigToYaml(r: InhibitRuleConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (nonEmptyMap(r.source_match)) out.source_match = sortedRecord(r.source_match as Record<string, string>);
  if (nonEmptyMap(r.source_match_re)) out.source_match_re = sortedRecord(r.source_match_re as Record<string, string>);
  if (nonEmpty(r.source_matchers)) out.source_matchers = (r.source_matchers as Matcher[]).map(matcherString);
  if (nonEmptyMap(r.target_match)) out.target_match = sortedRecord(r.target_match as Record<string, string>);
  if (nonEmptyMap(r.target_match_re)) out.target_match_re = sortedRecord(r.target_match_re as Record<string, string>);
  if (nonEmpty(r.target_matchers)) out.target_matchers = (r.target_matchers as Matcher[]).map(matcherString);
  if (nonEmpty(r.equal)) out.equal = r.equal;
  return out;
}
