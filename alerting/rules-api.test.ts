import { describe, expect, it } from 'vitest';
import { parseRuleFile } from './rule-file.ts';
import { RuleGroup } from './rule-group.ts';
import { alertsResponse, groupNextToken, rulesResponse } from './rules-api.ts';
import { fakeExpander, vector } from './testing-fakes.ts';

const FILE = `groups:
  - name: b-group
    interval: 30s
    limit: 10
    labels: {team: db}
    rules:
      - alert: HighLatency
        expr: latency > 0.5
        for: 1m
        keep_firing_for: 30s
        labels: {severity: page}
        annotations: {summary: 'latency {{ $value }}'}
      - record: job:latency:max
        expr: max by (job) (latency)
  - name: a-group
    rules:
      - alert: Down
        expr: up == 0
`;

async function evaluatedGroups(): Promise<RuleGroup[]> {
  const groups = parseRuleFile('rules.yml', FILE).map((d) => new RuleGroup(d, { expand: fakeExpander, owner: 'replica-2' }));
  // Every reading of the clock advances it 5ms: group start, then start and end of each rule, then group end.
  let clock = 1_700_000_000_000;
  const io = {
    query: async (expr: string) => (expr === 'latency > 0.5' ? vector([{ __name__: 'latency', job: 'api' }, 0.75]) : vector()),
    write: async () => {},
    now: () => (clock += 5),
  };
  for (const g of groups) await g.evaluate(1_700_000_000_000, io);
  return groups;
}

describe('rulesResponse (GET /api/v1/rules)', () => {
  it('answers in Prometheus shape and field order, groups by file then name', async () => {
    const res = rulesResponse(await evaluatedGroups());
    expect(res.httpStatus).toBe(200);
    if (res.body.status !== 'success') throw new Error('expected success');
    const [a, b] = res.body.data.groups;
    expect(a?.name).toBe('a-group');
    expect(b).toEqual({
      name: 'b-group',
      file: 'rules.yml',
      rules: [
        {
          state: 'pending',
          name: 'HighLatency',
          query: 'latency > 0.5',
          duration: 60,
          keepFiringFor: 30,
          labels: { severity: 'page', team: 'db' },
          annotations: { summary: 'latency {{ $value }}' },
          alerts: [
            {
              labels: { alertname: 'HighLatency', job: 'api', severity: 'page', team: 'db' },
              annotations: { summary: 'latency 0.75' },
              state: 'pending',
              activeAt: '2023-11-14T22:13:20Z',
              value: '7.5e-01',
            },
          ],
          health: 'ok',
          evaluationTime: 0.005,
          lastEvaluation: '2023-11-14T22:13:20.01Z',
          type: 'alerting',
        },
        {
          name: 'job:latency:max',
          query: 'max by (job) (latency)',
          labels: { team: 'db' },
          health: 'ok',
          evaluationTime: 0.005,
          lastEvaluation: '2023-11-14T22:13:20.02Z',
          type: 'recording',
        },
      ],
      interval: 30,
      limit: 10,
      evaluationTime: 0.025,
      lastEvaluation: '2023-11-14T22:13:20.005Z',
      owner: 'replica-2',
    });
    expect(Object.keys(b?.rules[0] ?? {})).toEqual([
      'state', 'name', 'query', 'duration', 'keepFiringFor', 'labels', 'annotations', 'alerts', 'health', 'evaluationTime', 'lastEvaluation', 'type',
    ]);
  });

  it('shows unknown state, zero time and lastError as Prometheus', async () => {
    const groups = parseRuleFile('rules.yml', FILE).map((d) => new RuleGroup(d));
    const res = rulesResponse(groups, { rule_name: [] });
    if (res.body.status !== 'success') throw new Error('expected success');
    const rule = res.body.data.groups[0]?.rules[0];
    expect(rule).toMatchObject({ state: 'unknown', health: 'unknown', lastEvaluation: '0001-01-01T00:00:00Z', alerts: [] });
    await groups[0]?.evaluate(0, { query: async () => ({ ok: false, error: 'bad_data: boom', warnings: [] }), write: async () => {} });
    const after = rulesResponse(groups, { 'rule_name[]': 'HighLatency' });
    if (after.body.status !== 'success') throw new Error('expected success');
    expect(after.body.data.groups[0]?.rules[0]).toMatchObject({ health: 'err', lastError: 'bad_data: boom' });
  });

  it.each([
    [{ type: 'alert' }, ['a-group:Down', 'b-group:HighLatency']],
    [{ type: 'RECORD' }, ['b-group:job:latency:max']],
    [{ 'rule_name[]': ['Down', 'job:latency:max'] }, ['a-group:Down', 'b-group:job:latency:max']],
    [{ 'rule_group[]': 'b-group' }, ['b-group:HighLatency', 'b-group:job:latency:max']],
    [{ 'file[]': 'other.yml' }, []],
    [{ 'match[]': '{severity="page"}' }, ['b-group:HighLatency']],
    [{ 'match[]': ['{severity="page"}', '{team=~"d."}'] }, ['b-group:HighLatency', 'b-group:job:latency:max']],
  ])('filters %j', async (params, expected) => {
    const res = rulesResponse(await evaluatedGroups(), params);
    if (res.body.status !== 'success') throw new Error(res.body.error);
    expect(res.body.data.groups.flatMap((g) => g.rules.map((r) => `${g.name}:${r.name}`))).toEqual(expected);
  });

  it('leaves alerts out with exclude_alerts (null, as Prometheus)', async () => {
    const res = rulesResponse(await evaluatedGroups(), new URLSearchParams('exclude_alerts=TRUE&type=alert'));
    if (res.body.status !== 'success') throw new Error('expected success');
    expect(res.body.data.groups.map((g) => (g.rules[0] as { alerts: unknown }).alerts)).toEqual([null, null]);
  });

  it('paginates with group_limit and group_next_token', async () => {
    const groups = await evaluatedGroups();
    const page1 = rulesResponse(groups, { group_limit: '1' });
    if (page1.body.status !== 'success') throw new Error('expected success');
    expect(page1.body.data.groups.map((g) => g.name)).toEqual(['a-group']);
    expect(page1.body.data.groupNextToken).toBe(groupNextToken('rules.yml', 'b-group'));
    expect(groupNextToken('rules.yml', 'b-group')).toMatch(/^[0-9a-f]{64}$/);
    const page2 = rulesResponse(groups, { group_limit: '1', group_next_token: page1.body.data.groupNextToken });
    if (page2.body.status !== 'success') throw new Error('expected success');
    expect(page2.body.data.groups.map((g) => g.name)).toEqual(['b-group']);
    expect(page2.body.data.groupNextToken).toBeUndefined();
  });

  it.each([
    [{ type: 'foo' }, 'invalid parameter "type": not supported value "foo"'],
    [{ exclude_alerts: 'maybe' }, 'invalid parameter "exclude_alerts": error converting exclude_alerts: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [{ group_next_token: 'abc' }, 'invalid parameter "group_next_token": group_limit needs to be present in order to paginate over the groups'],
    [{ group_limit: 'x' }, 'invalid parameter "group_limit": group_limit needs to be a valid number: strconv.ParseInt: parsing "x": invalid syntax'],
    [{ group_limit: '0' }, 'invalid parameter "group_limit": group_limit needs to be greater than 0'],
    [{ group_limit: '1', group_next_token: 'nope' }, "invalid parameter \"group_next_token\": invalid group_next_token 'nope'. were rule groups changed?"],
    [{ 'match[]': '{}' }, 'vector selector must contain at least one non-empty matcher'],
  ])('rejects %j as bad_data', async (params, error) => {
    const res = rulesResponse(await evaluatedGroups(), params);
    expect(res.httpStatus).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    if (res.body.status === 'error') expect(res.body.error).toContain(error);
  });
});

describe('alertsResponse (GET /api/v1/alerts)', () => {
  it('lists pending and firing alerts of all rules, not resolved ones', async () => {
    const groups = await evaluatedGroups();
    const res = alertsResponse(groups);
    if (res.body.status !== 'success') throw new Error('expected success');
    expect(res.body.data.alerts.map((a) => [a.labels.alertname, a.state, a.value])).toEqual([['HighLatency', 'pending', '7.5e-01']]);
    await groups[0]?.evaluate(1_700_000_030_000, { query: async () => vector(), write: async () => {} });
    const later = alertsResponse(groups);
    if (later.body.status !== 'success') throw new Error('expected success');
    expect(later.body.data.alerts).toEqual([]);
  });

  it('shows keepFiringSince when set', async () => {
    const groups = parseRuleFile('r.yml', 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x\n    keep_firing_for: 5m\n').map((d) => new RuleGroup(d));
    const io = (present: boolean) => ({ query: async () => (present ? vector([{}, 1]) : vector()), write: async () => {} });
    await groups[0]?.evaluate(0, io(true));
    await groups[0]?.evaluate(60_000, io(false));
    const res = alertsResponse(groups);
    if (res.body.status !== 'success') throw new Error('expected success');
    expect(res.body.data.alerts[0]).toMatchObject({ state: 'firing', keepFiringSince: '1970-01-01T00:01:00Z', activeAt: '1970-01-01T00:00:00Z' });
  });
});
