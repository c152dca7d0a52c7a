import { describe, expect, it } from 'vitest';
import type { Alert } from './alert.ts';
import type { PostableAlert } from './alert-sending.ts';
import { labelsKey } from './labels.ts';
import type { Labels } from './labels.ts';
import type { QueryResult } from './query-result.ts';
import { parseRuleFile } from './rule-file.ts';
import { RuleGroup } from './rule-group.ts';
import type { GroupEvaluationIO } from './rule-group.ts';
import type { OutputSample } from './rule-health.ts';
import { fakeExpander, vector } from './testing-fakes.ts';

/** A tiny store: what rules wrote, plus base series; queries are answered by per-expression functions. */
class FakeStore {
  readonly written: { samples: OutputSample[]; stale: Labels[]; at: number }[] = [];
  readonly sent: PostableAlert[][] = [];
  failWrites = false;
  private readonly latest = new Map<string, { labels: Labels; value: number; t: number }>();
  private readonly answers: Record<string, (t: number, store: FakeStore) => QueryResult>;

  constructor(answers: Record<string, (t: number, store: FakeStore) => QueryResult>) {
    this.answers = answers;
  }

  /** The latest written value of each series matching the label filter (no lookback limit). */
  select(filter: Labels): [Labels, number][] {
    return [...this.latest.values()].filter((s) => Object.entries(filter).every(([k, v]) => s.labels[k] === v) && !Number.isNaN(s.value)).map((s) => [s.labels, s.value]);
  }

  io(now?: () => number): GroupEvaluationIO {
    return {
      query: async (expr, t) => {
        const answer = this.answers[expr];
        if (answer === undefined) throw new Error(`no answer for ${expr}`);
        return answer(t, this);
      },
      write: async (samples, stale, at) => {
        if (this.failWrites) throw new Error('out of order sample');
        this.written.push({ samples: [...samples], stale: [...stale], at });
        for (const s of samples) this.latest.set(labelsKey(s.labels), { labels: s.labels, value: s.value, t: s.timestampMs });
        for (const l of stale) this.latest.set(labelsKey(l), { labels: l, value: NaN, t: at });
      },
      notify: async (payload) => {
        this.sent.push([...payload]);
      },
      ...(now && { now }),
    };
  }
}

const groupOf = (yaml: string, options = {}) => new RuleGroup(parseRuleFile('rules.yml', yaml)[0]!, { expand: fakeExpander, ...options });

describe('RuleGroup.evaluate', () => {
  it('lets later rules see what earlier rules wrote in the same cycle (compliance constraint 1)', async () => {
    const group = groupOf(`groups:
- name: chain
  interval: 30s
  rules:
  - record: job:errors:sum
    expr: sum by (job) (errors)
  - alert: ErrorsRecorded
    expr: job:errors:sum > 1
`);
    const store = new FakeStore({
      'sum by (job) (errors)': () => vector([{ job: 'api' }, 5]),
      'job:errors:sum > 1': (_t, s) => vector(...s.select({ __name__: 'job:errors:sum' }).filter(([, v]) => v > 1)),
    });
    const report = await group.evaluate(30_000, store.io());
    expect(report.rules.map((r) => [r.rule.name, r.ok, r.samples])).toEqual([
      ['job:errors:sum', true, 1],
      ['ErrorsRecorded', true, 2],
    ]);
    expect(group.alertingRules()[0]?.activeAlerts()[0]?.labels).toEqual({ alertname: 'ErrorsRecorded', job: 'api' });
    expect(report.samples).toBe(3);
  });

  it('merges group labels into rules, rule labels winning', () => {
    const group = groupOf(`groups:
- name: g
  labels: {team: storage, tier: db}
  rules:
  - alert: A
    expr: up == 0
    labels: {team: oncall}
`);
    expect(group.rules[0]?.labels).toEqual({ team: 'oncall', tier: 'db' });
  });

  it('applies the global defaults and query_offset', async () => {
    const group = groupOf('groups:\n- name: g\n  rules:\n  - record: r\n    expr: up\n', { defaultIntervalMs: 15_000, defaultQueryOffsetMs: 10_000 });
    expect([group.intervalMs, group.queryOffsetMs]).toEqual([15_000, 10_000]);
    const asked: number[] = [];
    const store = new FakeStore({ up: (t) => (asked.push(t), vector([{ __name__: 'up' }, 1])) });
    await group.evaluate(60_000, store.io());
    expect(asked).toEqual([50_000]);
    expect(store.written[0]?.samples[0]?.timestampMs).toBe(50_000);
  });

  it('sends alerts after a successful evaluation, with the Alertmanager payload', async () => {
    const group = groupOf('groups:\n- name: g\n  interval: 1m\n  rules:\n  - alert: Down\n    expr: up == 0\n', {
      externalURL: 'http://rw:9093',
      externalLabels: { cluster: 'c1' },
      owner: 'replica-1',
    });
    const store = new FakeStore({ 'up == 0': () => vector([{ __name__: 'up', job: 'x' }, 0]) });
    const report = await group.evaluate(60_000, store.io());
    expect(store.sent).toEqual([
      [
        {
          labels: { alertname: 'Down', cluster: 'c1', job: 'x' },
          annotations: {},
          startsAt: '1970-01-01T00:01:00.000Z',
          endsAt: '1970-01-01T00:05:00.000Z',
          generatorURL: 'http://rw:9093/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
        },
      ],
    ]);
    expect(report.rules[0]?.records).toMatchObject([{ status: 'firing', replica: 'replica-1', rule: { group: 'g', file: 'rules.yml', name: 'Down' }, endsAt: '1970-01-01T00:05:00.000Z' }]);
  });

  it('turns query rejections and write failures into rule errors, and does not send on error', async () => {
    const group = groupOf('groups:\n- name: g\n  rules:\n  - alert: A\n    expr: boom\n  - record: r\n    expr: up\n');
    const store = new FakeStore({ up: () => vector([{}, 1]) });
    const report = await group.evaluate(0, store.io());
    expect(report.rules.map((r) => [r.ok, r.error])).toEqual([
      [false, 'no answer for boom'],
      [true, undefined],
    ]);
    expect(group.rules[0]?.health).toBe('err');
    expect(store.sent).toEqual([]);
    store.failWrites = true;
    await group.evaluate(60_000, store.io());
    expect([group.rules[1]?.health, group.rules[1]?.lastError]).toEqual(['err', 'out of order sample']);
  });

  it('times rules and the group with the injected clock', async () => {
    let clock = 1_000;
    const group = groupOf('groups:\n- name: g\n  rules:\n  - record: r\n    expr: up\n');
    const store = new FakeStore({ up: () => ((clock += 250), vector([{}, 1])) });
    await group.evaluate(60_000, store.io(() => clock));
    expect([group.lastEvaluationMs, group.evaluationTimeMs, group.lastEvalTimestamp]).toEqual([1_000, 250, 60_000]);
    expect([group.rules[0]?.status.lastEvaluationMs, group.rules[0]?.status.evaluationDurationMs]).toEqual([1_000, 250]);
  });
});

describe('RuleGroup reloads and handovers', () => {
  const v1 = `groups:
- name: g
  rules:
  - alert: A
    expr: up == 0
    for: 5m
  - record: gone
    expr: up
`;
  const v2 = `groups:
- name: g
  rules:
  - alert: A
    expr: up == 0
    for: 5m
    annotations: {s: changed}
`;
  const answers = { 'up == 0': () => vector([{ job: 'x' }, 0]), up: () => vector([{ job: 'x' }, 1]) };

  it('keeps alerts of matching rules and marks series of removed rules stale (CopyState)', async () => {
    const old = groupOf(v1);
    const store = new FakeStore(answers);
    await old.evaluate(0, store.io());
    const next = groupOf(v2);
    expect(next.sameDefinitionAs(old)).toBe(false);
    expect(groupOf(v1).sameDefinitionAs(old)).toBe(true);
    next.copyStateFrom(old);
    await next.evaluate(60_000, store.io());
    expect(next.alertingRules()[0]?.activeAlerts()[0]).toMatchObject({ activeAt: 0, annotations: { s: 'changed' } });
    expect(store.written.at(-1)?.stale).toEqual([{ __name__: 'gone', job: 'x' }]);
    await next.evaluate(120_000, store.io());
    expect(store.written.at(-1)?.stale).toEqual([]); // written once
  });

  it('resumes from a saved state on another replica, through JSON', async () => {
    const old = groupOf(v1);
    const store = new FakeStore(answers);
    await old.evaluate(0, store.io());
    await old.evaluate(60_000, store.io());
    const saved = JSON.parse(JSON.stringify(old.toState()));
    const next = groupOf(v2);
    next.restoreState(saved);
    expect(next.lastEvalTimestamp).toBe(60_000);
    const report = await next.evaluate(300_000, store.io());
    expect(report.rules[0]?.transitions.map((t) => t.to)).toEqual(['firing']); // for 5m counted from 0
    expect(store.written.at(-1)?.stale).toEqual([{ __name__: 'gone', job: 'x' }]);
  });

  it('refuses an unknown state version', () => {
    expect(() => groupOf(v1).restoreState({ version: 2 } as never)).toThrow(/unknown state version 2/);
  });
});

// The scenarios of prometheus/compliance alert_generator (cases/*.go), driven with explicit time:
// samples every 15s, group interval 30s, resend delay 1m.
describe('compliance scenarios', () => {
  const S = 15_000;

  function scenario(yaml: string, valueAt: (index: number) => number | undefined, threshold: number) {
    const group = groupOf(yaml);
    const store = new FakeStore({});
    const io = store.io();
    const expr = group.rules[0]!.expr;
    const query = async (_e: string, t: number) => {
      const v = valueAt(Math.floor(t / S));
      return v !== undefined && v > threshold ? vector([{ __name__: 'alert_generator_test_suite', rulegroup: group.name }, v]) : vector();
    };
    const run = async (untilMs: number) => {
      const log: { t: number; sent: PostableAlert[]; alerts: Alert[] }[] = [];
      for (let t = 0; t <= untilMs; t += 30_000) {
        const before = store.sent.length;
        await group.evaluate(t, { ...io, query: (e, qt) => (e === expr ? query(e, qt) : io.query(e, qt)) });
        log.push({ t, sent: store.sent.slice(before).flat(), alerts: group.alertingRules()[0]!.activeAlerts() });
      }
      return log;
    };
    return { group, run };
  }

  it('PendingAndFiringAndResolved', async () => {
    const value = (i: number) => (i < 8 ? 3 : i < 21 ? 11 : i < 53 ? 15 : i < 69 ? 19 : i < 89 ? 9 : i < 134 ? 15 : 8);
    const { run } = scenario(
      `groups:
- name: PendingAndFiringAndResolved
  interval: 30s
  rules:
  - alert: PendingAndFiringAndResolved_SimpleAlert
    expr: alert_generator_test_suite > 10
    for: 6m
    labels: {foo: bar, rulegroup: PendingAndFiringAndResolved}
    annotations: {description: SimpleAlert is firing, summary: 'The value is {{$value}} {{.Value}}'}
`,
      value,
      10,
    );
    const log = await run(3_000_000);
    const at = (s: number) => log.find((e) => e.t === s * 1000)!;

    // Pending from the 8th sample (2m), annotations following the value, never sent while pending.
    expect(at(120).alerts).toMatchObject([{ state: 'pending', activeAt: 120_000, value: 11, annotations: { summary: 'The value is 11 11' } }]);
    expect(at(330).alerts[0]?.annotations.summary).toBe('The value is 15 15');
    expect(log.filter((e) => e.t < 480_000).flatMap((e) => e.sent)).toEqual([]);

    // Firing 6m after activeAt, sent at once and then whenever more than 1m passed since the last send.
    const firingSends = log.filter((e) => e.t >= 480_000 && e.t < 1_050_000 && e.sent.length > 0).map((e) => e.t / 1000);
    expect(firingSends).toEqual([480, 570, 660, 750, 840, 930, 1020]);
    const first = at(480).sent[0]!;
    expect(first).toMatchObject({
      labels: { alertname: 'PendingAndFiringAndResolved_SimpleAlert', foo: 'bar', rulegroup: 'PendingAndFiringAndResolved' },
      startsAt: '1970-01-01T00:08:00.000Z',
      endsAt: '1970-01-01T00:12:00.000Z', // ts + 4 * max(resend delay, interval)
    });
    expect(at(840).sent[0]?.annotations.summary).toBe('The value is 19 19');

    // Resolved at the 69th sample: sent as resolved (endsAt = resolvedAt, startsAt = firedAt) until
    // the alert comes back as a new pending alert at the 89th.
    const resolvedSends = log.filter((e) => e.t >= 1_050_000 && e.t < 1_700_000 && e.sent.length > 0);
    expect(resolvedSends.map((e) => e.t / 1000)).toEqual([1050, 1140, 1230, 1320]);
    expect(resolvedSends[0]?.sent[0]).toMatchObject({ startsAt: '1970-01-01T00:08:00.000Z', endsAt: '1970-01-01T00:17:30.000Z' });
    expect(at(1350).alerts).toMatchObject([{ state: 'pending', activeAt: 1_350_000 }]);

    // Firing again 6m later, resolved again at the 134th sample and re-sent for 15 minutes only.
    expect(at(1710).sent).toMatchObject([{ startsAt: '1970-01-01T00:28:30.000Z' }]);
    const lastResolved = log.filter((e) => e.t >= 2_010_000 && e.sent.length > 0).map((e) => e.t / 1000);
    expect(lastResolved).toEqual([2010, 2100, 2190, 2280, 2370, 2460, 2550, 2640, 2730, 2820, 2910]);
    expect(log.at(-1)?.alerts).toEqual([]);
  });

  it('ZeroFor_SmallFor: for 0 fires at once, for 15s at the next evaluation', async () => {
    const yaml = (forText: string) => `groups:
- name: ZeroFor_SmallFor
  interval: 30s
  rules:
  - alert: X
    expr: alert_generator_test_suite > 10
    for: ${forText}
`;
    const value = (i: number) => (i >= 4 && i < 20 ? 11 : 1);
    const zero = await scenario(yaml('0s'), value, 10).run(330_000);
    expect(zero.find((e) => e.t === 60_000)?.alerts).toMatchObject([{ state: 'firing', activeAt: 60_000, firedAt: 60_000 }]);
    expect(zero.find((e) => e.t === 60_000)?.sent).toHaveLength(1);
    const small = await scenario(yaml('15s'), value, 10).run(330_000);
    expect(small.find((e) => e.t === 60_000)?.alerts[0]?.state).toBe('pending');
    expect(small.find((e) => e.t === 90_000)?.alerts).toMatchObject([{ state: 'firing', firedAt: 90_000 }]);
  });

  it('PendingAndResolved_AlwaysInactive: a pending alert that disappears is never sent', async () => {
    const { run } = scenario(
      'groups:\n- name: P\n  interval: 30s\n  rules:\n  - alert: P\n    expr: alert_generator_test_suite > 10\n    for: 3m\n',
      (i) => (i >= 4 && i < 12 ? 11 : 1),
      10,
    );
    const log = await run(600_000);
    expect(log.flatMap((e) => e.sent)).toEqual([]);
    expect(log.find((e) => e.t === 150_000)?.alerts[0]?.state).toBe('pending');
    expect(log.find((e) => e.t === 180_000)?.alerts).toEqual([]);
  });
});
