// The routing tree (dispatch/route.go) and alert grouping (dispatch.go getGroupLabels, aggrGroup):
// which routes an alert takes with their effective options, route keys and IDs, and group keys.
import { fingerprint, labelSetString, sortedNames, type LabelSet } from './labels.ts';
import { matchersFromMatch, matchersFromMatchRe, matchersString, matchesLabels, sortMatchers, type Matcher } from './matchers.ts';
import type { RouteConfig } from './route-config.ts';

/** A route's effective options: its own settings over what it inherits (mute/active intervals are not inherited). */
export interface RouteOpts {
  readonly receiver: string;
  /** Sorted label names. */
  readonly groupBy: readonly string[];
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
}

export interface Route {
  readonly parent: Route | undefined;
  /** Position among the parent's routes (0 for the root). */
  readonly index: number;
  readonly opts: RouteOpts;
  /** match, match_re and matchers together, sorted. */
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly routes: readonly Route[];
  /** Route.Key(): `{}/{severity="critical"}`; not unique in general. */
  readonly key: string;
  /** Route.ID(): the key with each node's index, `{}/{severity="critical"}/0`; unique. */
  readonly id: string;
}

/** DefaultRouteOpts: what the root inherits. */
export const DEFAULT_ROUTE_OPTS: RouteOpts = {
  receiver: '',
  groupBy: [],
  groupByAll: false,
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 14_400_000,
  muteTimeIntervals: [],
  activeTimeIntervals: [],
};

function newRoute(cr: RouteConfig, parent: Route | undefined, index: number): Route {
  const base = parent?.opts ?? DEFAULT_ROUTE_OPTS;
  const labels = (cr.group_by ?? []).filter((l) => l !== '...');
  let groupBy = base.groupBy;
  let groupByAll = base.groupByAll;
  if (labels.length > 0) {
    groupBy = [...labels].sort();
    groupByAll = false;
  } else if ((cr.group_by ?? []).includes('...')) {
    groupByAll = true;
  }
  const opts: RouteOpts = {
    receiver: cr.receiver || base.receiver,
    groupBy,
    groupByAll,
    groupWaitMs: cr.group_wait ?? base.groupWaitMs,
    groupIntervalMs: cr.group_interval ?? base.groupIntervalMs,
    repeatIntervalMs: cr.repeat_interval ?? base.repeatIntervalMs,
    muteTimeIntervals: cr.mute_time_intervals ?? [],
    activeTimeIntervals: cr.active_time_intervals ?? [],
  };
  const matchers = sortMatchers([...matchersFromMatch(cr.match ?? {}), ...matchersFromMatchRe(cr.match_re ?? {}), ...(cr.matchers ?? [])]);
  const own = matchersString(matchers);
  const key = parent ? `${parent.key}/${own}` : own;
  const id = parent ? `${parent.id}/${own}/${index}` : own;
  const route: { -readonly [K in keyof Route]: Route[K] } = { parent, index, opts, matchers, continue: cr.continue, routes: [], key, id };
  route.routes = (cr.routes ?? []).map((child, i) => newRoute(child, route, i));
  return route;
}

/** dispatch.NewRoute for the root of a config's route tree. */
export function buildRouteTree(config: RouteConfig): Route {
  return newRoute(config, undefined, 0);
}

/**
 * Route.Match: depth-first, left to right; a matching child stops the search among its siblings
 * unless it has `continue`; a node with no matching child is itself the match.
 */
export function matchRoutes(route: Route, labels: LabelSet): Route[] {
  if (!matchesLabels(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const matches = matchRoutes(child, labels);
    all.push(...matches);
    if (matches.length > 0 && !child.continue) break;
  }
  if (all.length === 0) all.push(route);
  return all;
}

/** Route.Walk: depth-first, parents before children. */
export function walkRoutes(route: Route, visit: (r: Route) => void): void {
  visit(route);
  for (const child of route.routes) walkRoutes(child, visit);
}

/** getGroupLabels: the alert's labels named in group_by (all of them with `...`). */
export function groupLabels(route: Route, labels: LabelSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of sortedNames(labels)) {
    if (route.opts.groupByAll || route.opts.groupBy.includes(name)) out[name] = labels[name] as string;
  }
  return out;
}

/** aggrGroup.GroupKey(): `{}/{team="db"}:{alertname="x", cluster="a"}`; the webhook's groupKey and the nflog key. */
export function groupKey(route: Route, labels: LabelSet): string {
  return `${route.key}:${labelSetString(groupLabels(route, labels))}`;
}

/** The group's fingerprint (of its group labels), which tells groups apart within one route. */
export function groupFingerprint(route: Route, labels: LabelSet): string {
  return fingerprint(groupLabels(route, labels));
}
