// Ported from Alertmanager 0.28 dispatch/route_test.go, plus group keys (dispatch.go).
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fingerprint } from './labels.ts';
import { parseRouteConfig } from './route-config.ts';
import { buildRouteTree, DEFAULT_ROUTE_OPTS, groupFingerprint, groupKey, groupLabels, matchRoutes, walkRoutes, type Route } from './route.ts';

const tree = (yaml: string): Route => buildRouteTree(parseRouteConfig(parseYaml(yaml), 'route'));

const def = DEFAULT_ROUTE_OPTS;
type Want = { receiver: string; groupBy: string[]; groupByAll: boolean; groupWaitMs: number; groupIntervalMs: number; repeatIntervalMs: number };
const opts = (receiver: string, groupBy: string[] = [], extra: Partial<Want> = {}): Want => ({
  receiver,
  groupBy: [...groupBy].sort(),
  groupByAll: false,
  groupWaitMs: def.groupWaitMs,
  groupIntervalMs: def.groupIntervalMs,
  repeatIntervalMs: def.repeatIntervalMs,
  ...extra,
});

function check(root: Route, cases: [Record<string, string>, Want[], string[]][]): void {
  for (const [labels, wantOpts, wantKeys] of cases) {
    const got = matchRoutes(root, labels);
    expect(
      got.map((r) => ({ receiver: r.opts.receiver, groupBy: [...r.opts.groupBy], groupByAll: r.opts.groupByAll, groupWaitMs: r.opts.groupWaitMs, groupIntervalMs: r.opts.groupIntervalMs, repeatIntervalMs: r.opts.repeatIntervalMs })),
      JSON.stringify(labels),
    ).toEqual(wantOpts);
    expect(got.map((r) => r.key)).toEqual(wantKeys);
  }
}

const MATCH_TREE = `
receiver: 'notify-def'
routes:
- match:
    owner: 'team-A'
  receiver: 'notify-A'
  routes:
  - match:
      env: 'testing'
    receiver: 'notify-testing'
    group_by: [...]
  - match:
      env: "production"
    receiver: 'notify-productionA'
    group_wait: 1m
    continue: true
  - match_re:
      env: "produ.*"
      job: ".*"
    receiver: 'notify-productionB'
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
    group_by: ['job']
- match_re:
    owner: 'team-(B|C)'
  group_by: ['foo', 'bar']
  group_wait: 2m
  receiver: 'notify-BC'
- match:
    group_by: 'role'
  group_by: ['role']
  routes:
  - match:
      env: 'testing'
    receiver: 'notify-testing'
    routes:
    - match:
        wait: 'long'
      group_wait: 2m
`;

describe('matchRoutes', () => {
  it('TestRouteMatch (match / match_re)', () => {
    check(tree(MATCH_TREE), [
      [{ owner: 'team-A' }, [opts('notify-A')], ['{}/{owner="team-A"}']],
      [{ owner: 'team-A', env: 'unset' }, [opts('notify-A')], ['{}/{owner="team-A"}']],
      [{ owner: 'team-C' }, [opts('notify-BC', ['foo', 'bar'], { groupWaitMs: 120_000 })], ['{}/{owner=~"^(?:team-(B|C))$"}']],
      [{ owner: 'team-A', env: 'testing' }, [opts('notify-testing', [], { groupByAll: true })], ['{}/{owner="team-A"}/{env="testing"}']],
      [
        { owner: 'team-A', env: 'production' },
        [opts('notify-productionA', [], { groupWaitMs: 60_000 }), opts('notify-productionB', ['job'], { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 3_600_000 })],
        ['{}/{owner="team-A"}/{env="production"}', '{}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"}'],
      ],
      [{ group_by: 'role' }, [opts('notify-def', ['role'])], ['{}/{group_by="role"}']],
      [{ env: 'testing', group_by: 'role' }, [opts('notify-testing', ['role'])], ['{}/{group_by="role"}/{env="testing"}']],
      [{ env: 'testing', group_by: 'role', wait: 'long' }, [opts('notify-testing', ['role'], { groupWaitMs: 120_000 })], ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']],
    ]);
  });

  it('TestRouteMatchers (new-style matchers)', () => {
    const root = tree(`
receiver: 'notify-def'
routes:
- matchers: ['{owner="team-A"}', '{level!="critical"}']
  receiver: 'notify-A'
  routes:
  - matchers: ['{env="testing"}', '{baz!~".*quux"}']
    receiver: 'notify-testing'
    group_by: [...]
  - matchers: ['{env="production"}']
    receiver: 'notify-productionA'
    group_wait: 1m
    continue: true
  - matchers: [ env=~"produ.*", job=~".*"]
    receiver: 'notify-productionB'
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
    group_by: ['job']
- matchers: [owner=~"team-(B|C)"]
  group_by: ['foo', 'bar']
  group_wait: 2m
  receiver: 'notify-BC'
- matchers: [group_by="role"]
  group_by: ['role']
  routes:
  - matchers: ['{env="testing"}']
    receiver: 'notify-testing'
    routes:
    - matchers: [wait="long"]
      group_wait: 2m
`);
    check(root, [
      [{ owner: 'team-A' }, [opts('notify-A')], ['{}/{level!="critical",owner="team-A"}']],
      [{ owner: 'team-A', env: 'unset' }, [opts('notify-A')], ['{}/{level!="critical",owner="team-A"}']],
      [{ owner: 'team-C' }, [opts('notify-BC', ['foo', 'bar'], { groupWaitMs: 120_000 })], ['{}/{owner=~"team-(B|C)"}']],
      [{ owner: 'team-A', env: 'testing' }, [opts('notify-testing', [], { groupByAll: true })], ['{}/{level!="critical",owner="team-A"}/{baz!~".*quux",env="testing"}']],
      [
        { owner: 'team-A', env: 'production' },
        [opts('notify-productionA', [], { groupWaitMs: 60_000 }), opts('notify-productionB', ['job'], { groupWaitMs: 30_000, repeatIntervalMs: 3_600_000 })],
        ['{}/{level!="critical",owner="team-A"}/{env="production"}', '{}/{level!="critical",owner="team-A"}/{env=~"produ.*",job=~".*"}'],
      ],
      [{ group_by: 'role' }, [opts('notify-def', ['role'])], ['{}/{group_by="role"}']],
      [{ env: 'testing', group_by: 'role', wait: 'long' }, [opts('notify-testing', ['role'], { groupWaitMs: 120_000 })], ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']],
    ]);
  });

  it('TestRouteWalk visits parents before children', () => {
    const got: string[] = [];
    walkRoutes(tree(MATCH_TREE), (r) => got.push(r.opts.receiver));
    expect(got).toEqual(['notify-def', 'notify-A', 'notify-testing', 'notify-productionA', 'notify-productionB', 'notify-BC', 'notify-def', 'notify-testing', 'notify-testing']);
  });

  it('TestInheritParentGroupByAll', () => {
    const root = tree(`
routes:
- match: {env: 'parent'}
  group_by: ['...']
  routes:
  - match: {env: 'child1'}
  - match: {env: 'child2'}
    group_by: ['foo']
`);
    const parent = root.routes[0] as Route;
    expect(parent.opts.groupByAll).toBe(true);
    expect(parent.routes[0]?.opts.groupByAll).toBe(true);
    expect(parent.routes[1]?.opts.groupByAll).toBe(false);
  });

  it('does not inherit mute or active time intervals, and an empty group_by inherits', () => {
    const root = tree(`
receiver: r
group_by: [a]
routes:
- matchers: [x="1"]
  mute_time_intervals: [night]
  group_by: []
  routes:
  - matchers: [y="1"]
`);
    const child = root.routes[0] as Route;
    expect(child.opts.muteTimeIntervals).toEqual(['night']);
    expect(child.opts.groupBy).toEqual(['a']);
    expect(child.routes[0]?.opts.muteTimeIntervals).toEqual([]);
    expect(child.routes[0]?.opts.receiver).toBe('r');
  });
});

describe('route IDs (TestRouteID)', () => {
  it('are unique and carry each node index', () => {
    const root = tree(`
receiver: default
routes:
- continue: true
  matchers: [foo=bar]
  receiver: test1
  routes:
  - matchers: [bar=baz]
- continue: true
  matchers: [foo=bar]
  receiver: test1
  routes:
  - matchers: [bar=baz]
- continue: true
  matchers: [foo=bar]
  receiver: test2
  routes:
  - matchers: [bar=baz]
- continue: true
  matchers: [bar=baz]
  receiver: test3
  routes:
  - matchers: [baz=qux]
  - matchers: [qux=corge]
- continue: true
  matchers: ['qux=~"[a-zA-Z0-9]+"']
- continue: true
  matchers: ['corge!~"[0-9]+"']
`);
    const ids: string[] = [];
    walkRoutes(root, (r) => ids.push(r.id));
    expect(ids).toEqual([
      '{}',
      '{}/{foo="bar"}/0',
      '{}/{foo="bar"}/0/{bar="baz"}/0',
      '{}/{foo="bar"}/1',
      '{}/{foo="bar"}/1/{bar="baz"}/0',
      '{}/{foo="bar"}/2',
      '{}/{foo="bar"}/2/{bar="baz"}/0',
      '{}/{bar="baz"}/3',
      '{}/{bar="baz"}/3/{baz="qux"}/0',
      '{}/{bar="baz"}/3/{qux="corge"}/1',
      '{}/{qux=~"[a-zA-Z0-9]+"}/4',
      '{}/{corge!~"[0-9]+"}/5',
    ]);
  });
});

describe('grouping', () => {
  const root = tree(`
receiver: default
group_by: [alertname, cluster]
routes:
- matchers: [team="db"]
  group_by: ['...']
`);
  const alert = { alertname: 'HighLatency', cluster: 'eu-1', instance: 'db-1:9100', team: 'db' };

  it('builds the group key as route key ":" group labels', () => {
    const [dbRoute] = matchRoutes(root, alert) as [Route];
    expect(groupKey(dbRoute, alert)).toBe('{}/{team="db"}:{alertname="HighLatency", cluster="eu-1", instance="db-1:9100", team="db"}');
    const other = { alertname: 'Down', cluster: 'us-1', job: 'x' };
    const [rootMatch] = matchRoutes(root, other) as [Route];
    expect(groupLabels(rootMatch, other)).toEqual({ alertname: 'Down', cluster: 'us-1' });
    expect(groupKey(rootMatch, other)).toBe('{}:{alertname="Down", cluster="us-1"}');
    // Group labels that are missing are left out, not empty.
    expect(groupKey(rootMatch, { alertname: 'X' })).toBe('{}:{alertname="X"}');
  });

  it('quotes group label values as Go does', () => {
    const [r] = matchRoutes(root, { alertname: 'a"b\n', cluster: 'é' }) as [Route];
    expect(groupKey(r, { alertname: 'a"b\n', cluster: 'é' })).toBe('{}:{alertname="a\\"b\\n", cluster="é"}');
  });

  it('fingerprints the group labels with FNV-1a like model.LabelSet.Fingerprint', () => {
    // Values from prometheus/common model tests (signature_test.go / fingerprinting).
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(fingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe(BigInt('5799056148416392346').toString(16).padStart(16, '0'));
    const [r] = matchRoutes(root, alert) as [Route];
    expect(groupFingerprint(r, alert)).toBe(fingerprint(alert));
  });
});
