// The bodies of GET /api/v1/rules and GET /api/v1/alerts in Prometheus' shape (web/api/v1/api.go:
// RuleDiscovery, RuleGroup, AlertingRule, RecordingRule, Alert), field order included, plus an
// `owner` field per group (the replica evaluating it). The HTTP layer only serialises the result.
import { createHash } from 'node:crypto';
import type { Alert } from './alert.ts';
import type { AlertingRule } from './alerting-rule.ts';
import { formatFloatE, formatRFC3339Nano } from './go-format.ts';
import { compareStrings } from './labels.ts';
import { matchesAnySet, parseSelector, SelectorError } from './label-matchers.ts';
import type { LabelMatcher } from './label-matchers.ts';
import type { RecordingRule } from './recording-rule.ts';
import type { RuleGroup } from './rule-group.ts';

export interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  keepFiringSince?: string;
  value: string;
}

export interface ApiAlertingRule {
  state: string;
  name: string;
  query: string;
  duration: number;
  keepFiringFor: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** null with exclude_alerts, as Prometheus. */
  alerts: ApiAlert[] | null;
  health: string;
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
  type: 'alerting';
}

export interface ApiRecordingRule {
  name: string;
  query: string;
  labels: Record<string, string>;
  health: string;
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
  type: 'recording';
}

export interface ApiRuleGroup {
  name: string;
  file: string;
  rules: (ApiAlertingRule | ApiRecordingRule)[];
  interval: number;
  limit: number;
  evaluationTime: number;
  lastEvaluation: string;
  owner?: string;
}

export type ApiBody<T> = { status: 'success'; data: T } | { status: 'error'; errorType: string; error: string };

export interface ApiResponse<T> {
  readonly httpStatus: number;
  readonly body: ApiBody<T>;
}

/** Query parameters: URLSearchParams, or a plain object (repeated parameters as arrays). */
export type QueryParams = URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;

function all(params: QueryParams, name: string): string[] {
  if (params instanceof URLSearchParams) return params.getAll(name);
  const v = params[name];
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : [...v];
}

function first(params: QueryParams, name: string): string {
  return all(params, name)[0] ?? '';
}

function badData<T>(error: string): ApiResponse<T> {
  return { httpStatus: 400, body: { status: 'error', errorType: 'bad_data', error } };
}

function invalidParam<T>(param: string, error: string): ApiResponse<T> {
  return badData(`invalid parameter ${JSON.stringify(param)}: ${error}`);
}

/** strconv.ParseBool, after the lower-casing Prometheus applies. */
function parseBool(text: string): boolean | undefined {
  if (text === '1' || text === 't' || text === 'true') return true;
  if (text === '0' || text === 'f' || text === 'false') return false;
  return undefined;
}

const seconds = (ms: number): number => ms / 1000;

function apiAlert(a: Alert): ApiAlert {
  return {
    labels: { ...a.labels },
    annotations: { ...a.annotations },
    state: a.state,
    activeAt: formatRFC3339Nano(a.activeAt),
    ...(a.keepFiringSince !== undefined && { keepFiringSince: formatRFC3339Nano(a.keepFiringSince) }),
    value: formatFloatE(a.value),
  };
}

// Not in Prometheus: the expression as written, where Prometheus prints its parsed (normalised) form.
function apiAlertingRule(rule: AlertingRule, excludeAlerts: boolean): ApiAlertingRule {
  const s = rule.status;
  return {
    state: rule.state(),
    name: rule.name,
    query: rule.expr,
    duration: seconds(rule.forMs),
    keepFiringFor: seconds(rule.keepFiringForMs),
    labels: { ...rule.labels },
    annotations: { ...rule.annotations },
    alerts: excludeAlerts ? null : rule.activeAlerts().map(apiAlert),
    health: s.health,
    ...(s.lastError !== undefined && s.lastError !== '' && { lastError: s.lastError }),
    evaluationTime: seconds(s.evaluationDurationMs),
    lastEvaluation: formatRFC3339Nano(s.lastEvaluationMs),
    type: 'alerting',
  };
}

function apiRecordingRule(rule: RecordingRule): ApiRecordingRule {
  const s = rule.status;
  return {
    name: rule.name,
    query: rule.expr,
    labels: { ...rule.labels },
    health: s.health,
    ...(s.lastError !== undefined && s.lastError !== '' && { lastError: s.lastError }),
    evaluationTime: seconds(s.evaluationDurationMs),
    lastEvaluation: formatRFC3339Nano(s.lastEvaluationMs),
    type: 'recording',
  };
}

/** Prometheus lists groups by file, then name (Manager.RuleGroups). */
function sortedGroups(groups: readonly RuleGroup[]): RuleGroup[] {
  return [...groups].sort((a, b) => compareStrings(a.file, b.file) || compareStrings(a.name, b.name));
}

/** The pagination token of a group: sha256 of "file;name", hex. */
export function groupNextToken(file: string, name: string): string {
  return createHash('sha256').update(`${file};${name}`).digest('hex');
}

/**
 * GET /api/v1/rules with its parameters: type=alert|record, rule_name[], rule_group[], file[],
 * match[] (on rule labels), exclude_alerts, group_limit and group_next_token.
 */
export function rulesResponse(groups: readonly RuleGroup[], params: QueryParams = {}): ApiResponse<{ groups: ApiRuleGroup[]; groupNextToken?: string }> {
  const ruleNames = new Set(all(params, 'rule_name[]'));
  const groupNames = new Set(all(params, 'rule_group[]'));
  const files = new Set(all(params, 'file[]'));

  let matcherSets: LabelMatcher[][];
  try {
    matcherSets = all(params, 'match[]').map(parseSelector);
  } catch (err) {
    if (err instanceof SelectorError) return badData(err.message);
    throw err;
  }

  const type = first(params, 'type').toLowerCase();
  if (type !== '' && type !== 'alert' && type !== 'record') return invalidParam('type', `not supported value ${JSON.stringify(type)}`);
  const returnAlerts = type === '' || type === 'alert';
  const returnRecording = type === '' || type === 'record';

  const excludeText = first(params, 'exclude_alerts').toLowerCase();
  const exclude = excludeText === '' ? false : parseBool(excludeText);
  if (exclude === undefined) return invalidParam('exclude_alerts', `error converting exclude_alerts: strconv.ParseBool: parsing ${JSON.stringify(excludeText)}: invalid syntax`);

  const limitText = first(params, 'group_limit');
  const nextToken = first(params, 'group_next_token');
  if (nextToken !== '' && limitText === '') return invalidParam('group_next_token', 'group_limit needs to be present in order to paginate over the groups');
  let maxGroups = -1;
  if (limitText !== '') {
    if (!/^[+-]?\d+$/.test(limitText) || Math.abs(Number(limitText)) > 2 ** 31 - 1) {
      return invalidParam('group_limit', `group_limit needs to be a valid number: strconv.ParseInt: parsing ${JSON.stringify(limitText)}: invalid syntax`);
    }
    maxGroups = Number(limitText);
    if (maxGroups <= 0) return invalidParam('group_limit', 'group_limit needs to be greater than 0');
  }

  const out: ApiRuleGroup[] = [];
  let groupNextTokenOut: string | undefined;
  let foundToken = false;
  for (const g of sortedGroups(groups)) {
    if (maxGroups > 0 && nextToken !== '' && !foundToken) {
      if (nextToken !== groupNextToken(g.file, g.name)) continue;
      foundToken = true;
    }
    if (groupNames.size > 0 && !groupNames.has(g.name)) continue;
    if (files.size > 0 && !files.has(g.file)) continue;
    const rules: (ApiAlertingRule | ApiRecordingRule)[] = [];
    for (const rule of g.rules) {
      if (!matchesAnySet(matcherSets, rule.labels)) continue;
      if (ruleNames.size > 0 && !ruleNames.has(rule.name)) continue;
      if (rule.kind === 'alerting' && returnAlerts) rules.push(apiAlertingRule(rule, exclude));
      if (rule.kind === 'recording' && returnRecording) rules.push(apiRecordingRule(rule));
    }
    // A group whose rules were all filtered out is left out.
    if (rules.length === 0) continue;
    if (maxGroups > 0 && out.length === maxGroups) {
      groupNextTokenOut = groupNextToken(g.file, g.name);
      break;
    }
    out.push({
      name: g.name,
      file: g.file,
      rules,
      interval: seconds(g.intervalMs),
      limit: g.limit,
      evaluationTime: seconds(g.evaluationTimeMs),
      lastEvaluation: formatRFC3339Nano(g.lastEvaluationMs),
      ...(g.owner !== undefined && { owner: g.owner }),
    });
  }
  if (maxGroups > 0 && nextToken !== '' && !foundToken) return invalidParam('group_next_token', `invalid group_next_token '${nextToken}'. were rule groups changed?`);
  return { httpStatus: 200, body: { status: 'success', data: { groups: out, ...(groupNextTokenOut !== undefined && { groupNextToken: groupNextTokenOut }) } } };
}

/** GET /api/v1/alerts: the pending and firing alerts of every alerting rule. */
export function alertsResponse(groups: readonly RuleGroup[]): ApiResponse<{ alerts: ApiAlert[] }> {
  const alerts = sortedGroups(groups).flatMap((g) => g.alertingRules().flatMap((r) => r.activeAlerts().map(apiAlert)));
  return { httpStatus: 200, body: { status: 'success', data: { alerts } } };
}
