import { describe, expect, it } from 'vitest';
import { AlertingRule, DUPLICATE_ALERT_LABELSET } from './alerting-rule.ts';
import type { AlertingEvaluation } from './alerting-rule.ts';
import { compareLabels } from './labels.ts';
import type { Labels } from './labels.ts';
import { fakeExpander, loadedSeries, vector } from './testing-fakes.ts';

const MIN = 60_000;

function alertsSeries(res: AlertingEvaluation, metric = 'ALERTS'): Labels[] {
  return res.samples
    .filter((s) => s.labels.__name__ === metric)
    .map((s) => s.labels)
    .sort(compareLabels);
}

const canary = (instance: string): Labels => ({
  __name__: 'http_requests',
  group: 'canary',
  instance,
  job: 'app-server',
  severity: 'overwrite-me',
});

const alertSeries = (state: string, instance: string): Labels => ({
  __name__: 'ALERTS',
  alertname: 'HTTPRequestRateLow',
  alertstate: state,
  group: 'canary',
  instance,
  job: 'app-server',
  severity: 'critical',
});

// rules/manager_test.go TestAlertingRule and TestForStateAddSamples: load 5m, `< 100`, for 1m.
describe('AlertingRule: pending -> firing -> resolved (TestAlertingRule)', () => {
  const query = loadedSeries(5 * MIN, [
    [canary('0'), [75, 85, 95, 105, 105, 95, 85]],
    [canary('1'), [80, 90, 100, 110, 120, 130, 140]],
  ]);
  const steps: [number, Labels[]][] = [
    [0, [alertSeries('pending', '0'), alertSeries('pending', '1')]],
    [5, [alertSeries('firing', '0'), alertSeries('firing', '1')]],
    [10, [alertSeries('firing', '0')]],
    [15, []],
    [20, []],
    [25, [alertSeries('pending', '0')]],
    [30, [alertSeries('firing', '0')]],
  ];

  for (const queryOffsetMs of [0, MIN]) {
    it(`writes ALERTS and ALERTS_FOR_STATE at each step (query offset ${queryOffsetMs / 1000}s)`, async () => {
      const rule = new AlertingRule(
        { name: 'HTTPRequestRateLow', expr: 'http_requests{group="canary", job="app-server"} < 100', forMs: MIN, labels: { severity: '{{"c"}}ritical' } },
        { expand: fakeExpander },
      );
      for (const [minute, expected] of steps) {
        const ts = minute * MIN + queryOffsetMs;
        const res = await rule.eval(query(minute * MIN, (v) => v < 100), ts, { queryOffsetMs });
        expect(res.ok).toBe(true);
        expect(alertsSeries(res)).toEqual(expected);
        for (const s of res.samples) expect(s.timestampMs).toBe(ts - queryOffsetMs);
        // ALERTS_FOR_STATE carries activeAt in seconds: 0 until the alert restarts at 25m.
        const forState = res.samples.filter((s) => s.labels.__name__ === 'ALERTS_FOR_STATE');
        expect(forState).toHaveLength(expected.length);
        for (const s of forState) {
          expect(s.value).toBe(Math.floor((minute >= 25 ? 25 * MIN + queryOffsetMs : queryOffsetMs) / 1000));
          expect(s.labels.alertstate).toBeUndefined();
        }
        for (const a of rule.activeAlerts()) expect(a.labels.__name__).toBeUndefined();
      }
    });
  }

  it('reports the series that disappeared, for staleness markers', async () => {
    const rule = new AlertingRule({ name: 'HTTPRequestRateLow', expr: 'x', forMs: MIN, labels: { severity: 'critical' } });
    await rule.eval(query(0, (v) => v < 100), 0);
    const res = await rule.eval(query(5 * MIN, (v) => v < 100), 5 * MIN);
    // Both pending series are gone (they fire now), their firing series are new.
    expect(res.staleSeries.map((l) => `${l.__name__}/${l.alertstate}/${l.instance}`).sort()).toEqual(['ALERTS/pending/0', 'ALERTS/pending/1']);
    const later = await rule.eval(query(10 * MIN, (v) => v < 100), 10 * MIN);
    expect(later.staleSeries.map((l) => `${l.__name__}/${l.alertstate ?? ''}/${l.instance}`).sort()).toEqual(['ALERTS/firing/1', 'ALERTS_FOR_STATE//1']);
  });

  it('keeps a resolved alert for 15 minutes, then drops it; a return is a new alert', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x' });
    const present = vector([{ a: '1' }, 1]);
    await rule.eval(present, 0);
    await rule.eval(vector(), MIN);
    expect(rule.currentAlerts()).toMatchObject([{ state: 'inactive', resolvedAt: MIN, firedAt: 0 }]);
    expect(rule.activeAlerts()).toEqual([]);
    await rule.eval(vector(), 16 * MIN); // 15m after resolution: still kept (strictly more is needed)
    expect(rule.currentAlerts()).toHaveLength(1);
    await rule.eval(vector(), 16 * MIN + 1);
    expect(rule.currentAlerts()).toEqual([]);

    await rule.eval(present, 17 * MIN);
    await rule.eval(vector(), 18 * MIN);
    const back = await rule.eval(present, 19 * MIN);
    expect(back.transitions.map((t) => [t.from, t.to])).toEqual([['inactive', 'firing']]);
    expect(rule.activeAlerts()).toMatchObject([{ activeAt: 19 * MIN, firedAt: 19 * MIN }]);
    expect(rule.activeAlerts()[0]?.resolvedAt).toBeUndefined();
  });
});

describe('AlertingRule: templated labels and annotations', () => {
  it('changing templated labels make a new alert each time (TestAlertingRuleLabelsUpdate)', async () => {
    const query = loadedSeries(MIN, [[{ __name__: 'http_requests', job: 'app-server', instance: '0' }, [75, 85, 70, 70]]]);
    const rule = new AlertingRule(
      { name: 'HTTPRequestRateLow', expr: 'http_requests < 100', forMs: MIN, labels: { severity: '{{ if lt $value 80.0 }}critical{{ else }}warning{{ end }}' } },
      { expand: fakeExpander },
    );
    const expected = [
      ['pending', 'critical'],
      ['pending', 'warning'],
      ['pending', 'critical'],
      ['firing', 'critical'],
    ];
    for (const [i, [state, severity]] of expected.entries()) {
      const res = await rule.eval(query(i * MIN, (v) => v < 100), i * MIN);
      expect(alertsSeries(res)).toEqual([
        { __name__: 'ALERTS', alertname: 'HTTPRequestRateLow', alertstate: state, instance: '0', job: 'app-server', severity },
      ]);
    }
    const end = await rule.eval(vector(), 4 * MIN);
    expect(end.samples).toEqual([]);
  });

  it('gives templates the external labels and URL (TestAlertingRuleExternalLabelsInTemplate, ...URLInTemplate)', async () => {
    const series = vector([{ __name__: 'http_requests', job: 'app-server', instance: '0' }, 75]);
    const make = (externalLabels: Labels, externalURL: string) =>
      new AlertingRule(
        {
          name: 'R',
          expr: 'http_requests < 100',
          forMs: MIN,
          labels: { templated_label: 'There are {{ len $externalLabels }} external Labels, of which foo is {{ $externalLabels.foo }}.', url: 'The external URL is {{ $externalURL }}.' },
        },
        { expand: fakeExpander, externalLabels, externalURL },
      );
    const without = alertsSeries(await make({}, '').eval(series, 0))[0];
    const withBoth = alertsSeries(await make({ foo: 'bar', dings: 'bums' }, 'http://localhost:1234').eval(series, 0))[0];
    expect(without?.templated_label).toBe('There are 0 external Labels, of which foo is .');
    expect(without?.url).toBe('The external URL is .');
    expect(withBoth?.templated_label).toBe('There are 2 external Labels, of which foo is bar.');
    expect(withBoth?.url).toBe('The external URL is http://localhost:1234.');
    // External labels are for templates and notifications, not alert labels.
    expect(withBoth?.foo).toBeUndefined();
  });

  it('drops a label whose value is empty (TestAlertingRuleEmptyLabelFromTemplate)', async () => {
    const rule = new AlertingRule({ name: 'EmptyLabel', expr: 'x', forMs: MIN, labels: { empty_label: '' } });
    const res = await rule.eval(vector([{ __name__: 'http_requests', job: 'app-server', instance: '0' }, 75]), 0);
    expect(alertsSeries(res)).toEqual([{ __name__: 'ALERTS', alertname: 'EmptyLabel', alertstate: 'pending', instance: '0', job: 'app-server' }]);
  });

  it('lets rule labels override series labels and alertname override both', async () => {
    const rule = new AlertingRule({ name: 'Real', expr: 'x', labels: { job: 'from-rule', alertname: 'ignored' } });
    await rule.eval(vector([{ __name__: 'm', job: 'series', alertname: 'old', alertstate: 'very_critical' }, 1]), 0);
    expect(rule.activeAlerts()[0]?.labels).toEqual({ alertname: 'Real', alertstate: 'very_critical', job: 'from-rule' });
    const res = await rule.eval(vector([{ __name__: 'm', job: 'series', alertname: 'old', alertstate: 'very_critical' }, 1]), MIN);
    // The series label alertstate is overridden in ALERTS (compliance spec, "Time Series to Create").
    expect(alertsSeries(res)[0]).toEqual({ __name__: 'ALERTS', alertname: 'Real', alertstate: 'firing', job: 'from-rule' });
  });

  it('re-templates annotations with the current value at every evaluation', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', forMs: 10 * MIN, annotations: { summary: 'value {{ $value }} on {{ $labels.instance }}' } }, { expand: fakeExpander });
    await rule.eval(vector([{ instance: 'h' }, 11]), 0);
    expect(rule.activeAlerts()[0]?.annotations).toEqual({ summary: 'value 11 on h' });
    await rule.eval(vector([{ instance: 'h' }, 15]), MIN);
    expect(rule.activeAlerts()[0]).toMatchObject({ annotations: { summary: 'value 15 on h' }, value: 15, activeAt: 0 });
  });

  it('puts the template error in the text, as Prometheus, and still evaluates', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', labels: { bad: '{{ fail "boom" }}' }, annotations: { s: '{{ fail "nope" }}' } }, { expand: fakeExpander });
    const res = await rule.eval(vector([{ i: '1' }, 1]), 0);
    expect(res.ok).toBe(true);
    expect(rule.activeAlerts()[0]?.labels.bad).toBe('<error expanding template: error executing template __alert_A: boom>');
    expect(rule.activeAlerts()[0]?.annotations.s).toBe('<error expanding template: error executing template __alert_A: nope>');
    const noExpander = new AlertingRule({ name: 'B', expr: 'x', annotations: { s: '{{ $value }}', plain: 'text' } });
    await noExpander.eval(vector([{}, 1]), 0);
    expect(noExpander.activeAlerts()[0]?.annotations).toEqual({ plain: 'text', s: '<error expanding template: no template expander configured>' });
  });
});

describe('AlertingRule: errors', () => {
  it('fails on duplicate label sets and changes nothing (TestAlertingRuleDuplicate)', async () => {
    const rule = new AlertingRule({ name: 'foo', expr: 'vector(0) or label_replace(vector(0),"test","x","","")', forMs: MIN, labels: { test: 'test' } });
    const res = await rule.eval(vector([{}, 0], [{ test: 'x' }, 0]), 0);
    expect(res).toMatchObject({ ok: false, error: DUPLICATE_ALERT_LABELSET, samples: [] });
    expect(DUPLICATE_ALERT_LABELSET).toBe('vector contains metrics with the same labelset after applying alert labels');
    expect([rule.health, rule.lastError]).toEqual(['err', DUPLICATE_ALERT_LABELSET]);
    expect(rule.activeAlerts()).toEqual([]);
  });

  it.each([
    [0, undefined],
    [-1, undefined],
    [2, undefined],
    [1, 'exceeded limit of 1 with 2 alerts'],
  ])('limit %d (TestAlertingRuleLimit)', async (limit, error) => {
    const rule = new AlertingRule({ name: 'foo', expr: 'metric > 0', forMs: MIN, labels: { test: 'test' } });
    const res = await rule.eval(vector([{ __name__: 'metric', label: '1' }, 1], [{ __name__: 'metric', label: '2' }, 1]), 0, { limit });
    expect(res.error).toBe(error);
    expect(rule.health).toBe(error === undefined ? 'ok' : 'err');
  });

  it('drops every alert when the limit is exceeded, and starts afresh after', async () => {
    const rule = new AlertingRule({ name: 'foo', expr: 'x' });
    const two = vector([{ l: '1' }, 1], [{ l: '2' }, 1]);
    await rule.eval(two, 0, { limit: 2 });
    expect(rule.activeAlerts().map((a) => a.state)).toEqual(['firing', 'firing']);
    const over = await rule.eval(vector([{ l: '1' }, 1], [{ l: '2' }, 1], [{ l: '3' }, 1]), MIN, { limit: 2 });
    expect(over.ok).toBe(false);
    expect(over.transitions.map((t) => [t.from, t.to, t.alert.labels.l])).toEqual([
      ['firing', 'inactive', '1'],
      ['firing', 'inactive', '2'],
    ]);
    expect(rule.currentAlerts()).toEqual([]);
    await rule.eval(two, 2 * MIN, { limit: 2 });
    expect(rule.activeAlerts().map((a) => a.activeAt)).toEqual([2 * MIN, 2 * MIN]);
  });

  it('turns a failed query into the rule error, keeping its alerts', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', forMs: 5 * MIN });
    await rule.eval(vector([{ a: 'b' }, 1]), 0);
    const res = await rule.eval({ ok: false, error: 'bad_data: parse error', warnings: [] }, MIN);
    expect(res).toEqual({ ok: false, error: 'bad_data: parse error', samples: [], staleSeries: [], transitions: [] });
    expect(rule.lastError).toBe('bad_data: parse error');
    expect(rule.activeAlerts()).toHaveLength(1);
    await rule.eval(vector([{ a: 'b' }, 1]), 2 * MIN);
    expect([rule.health, rule.lastError]).toEqual(['ok', undefined]);
  });
});

describe('AlertingRule: keep_firing_for', () => {
  it('keeps a firing alert firing for keep_firing_for after it disappears (TestKeepFiringFor)', async () => {
    const query = loadedSeries(MIN, [[{ __name__: 'http_requests', job: 'app-server', instance: '0' }, [75, 85, 70, 70, 10, 10, 10, 10, 10, 10]]]);
    const rule = new AlertingRule({ name: 'HTTPRequestRateHigh', expr: 'http_requests > 50', forMs: MIN, keepFiringForMs: MIN });
    const states = [];
    for (let i = 0; i <= 5; i++) {
      const res = await rule.eval(query(i * MIN, (v) => v > 50), i * MIN);
      states.push(alertsSeries(res).map((l) => l.alertstate).join(','));
    }
    expect(states).toEqual(['pending', 'firing', 'firing', 'firing', 'firing', '']);
  });

  it('records keepFiringSince and clears it when the series returns', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', keepFiringForMs: 2 * MIN });
    await rule.eval(vector([{}, 1]), 0);
    await rule.eval(vector(), MIN);
    expect(rule.activeAlerts()[0]).toMatchObject({ state: 'firing', keepFiringSince: MIN });
    await rule.eval(vector([{}, 1]), 2 * MIN);
    expect(rule.activeAlerts()[0]?.keepFiringSince).toBeUndefined();
  });

  it('does not hold pending alerts (TestPendingAndKeepFiringFor)', async () => {
    const rule = new AlertingRule({ name: 'HTTPRequestRateHigh', expr: 'http_requests > 50', forMs: MIN, keepFiringForMs: MIN });
    const first = await rule.eval(vector([{ __name__: 'http_requests', job: 'app-server', instance: '0' }, 75]), 0);
    expect(first.samples).toHaveLength(2);
    const second = await rule.eval(vector(), MIN);
    expect(second.samples).toEqual([]);
    expect(rule.currentAlerts()).toEqual([]);
  });
});

describe('AlertingRule: state, transitions, sending', () => {
  it('rule state is the highest alert state, unknown before the first evaluation (TestAlertingRuleState)', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', forMs: MIN });
    expect(rule.state()).toBe('unknown');
    await rule.eval(vector(), 0);
    expect(rule.state()).toBe('inactive');
    await rule.eval(vector([{ a: '1' }, 1]), MIN);
    expect(rule.state()).toBe('pending');
    await rule.eval(vector([{ a: '1' }, 1], [{ a: '2' }, 1]), 2 * MIN);
    expect(rule.state()).toBe('firing');
  });

  it('reports each state change once', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', forMs: MIN });
    const steps = [vector([{ a: '1' }, 1], [{ a: '2' }, 1]), vector([{ a: '1' }, 1]), vector([{ a: '1' }, 2]), vector()];
    const seen: string[][] = [];
    for (const [i, result] of steps.entries()) {
      const res = await rule.eval(result, i * MIN);
      seen.push(res.transitions.map((t) => `${t.alert.labels.a}:${t.from}->${t.to}`));
    }
    expect(seen).toEqual([['1:none->pending', '2:none->pending'], ['2:pending->inactive', '1:pending->firing'], [], ['1:firing->resolved']]);
  });

  it('fires at once with for: 0, skipping pending', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x' });
    const res = await rule.eval(vector([{}, 1]), 0);
    expect(res.transitions.map((t) => [t.from, t.to])).toEqual([['none', 'firing']]);
    expect(rule.activeAlerts()[0]).toMatchObject({ state: 'firing', activeAt: 0, firedAt: 0 });
  });

  it('fires a for shorter than the interval at the next evaluation (compliance spec)', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', forMs: 15_000 });
    await rule.eval(vector([{}, 1]), 0);
    expect(rule.state()).toBe('pending');
    await rule.eval(vector([{}, 1]), 30_000);
    expect(rule.activeAlerts()[0]).toMatchObject({ state: 'firing', firedAt: 30_000 });
  });

  it('sends firing alerts, re-sends after the resend delay and sends the resolution (TestNotify)', async () => {
    const rule = new AlertingRule({ name: 'aTooHigh', expr: 'a > 1' });
    const sendsAt = async (t: number, result = vector([{ __name__: 'a' }, 3])) => {
      const res = await rule.eval(result, t * 1000);
      expect(res.ok).toBe(true);
      return rule.alertsToSend(t * 1000, 2000, 1000);
    };
    const first = await sendsAt(1);
    expect(first).toHaveLength(1);
    expect(first[0]?.validUntil).toBe(1000 + 4 * 2000);
    expect(await sendsAt(2)).toEqual([]);
    expect(await sendsAt(5)).toHaveLength(1);
    const resolved = await sendsAt(6, vector());
    expect(resolved).toMatchObject([{ state: 'inactive', resolvedAt: 6000 }]);
  });

  it('never sends pending alerts', async () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x', forMs: 5 * MIN });
    await rule.eval(vector([{}, 1]), 0);
    expect(rule.alertsToSend(0, MIN, MIN)).toEqual([]);
  });
});

describe('AlertingRule: saved state', () => {
  async function pendingRule(): Promise<AlertingRule> {
    const rule = new AlertingRule({ name: 'A', expr: 'x', forMs: 5 * MIN, annotations: { s: 'hi' } });
    await rule.eval(vector([{ i: '1' }, 1]), 0);
    await rule.eval(vector([{ i: '1' }, NaN], [{ i: '2' }, Infinity]), 2 * MIN);
    return rule;
  }

  it('round-trips through JSON and resumes the `for` progress exactly', async () => {
    const old = await pendingRule();
    const json = JSON.parse(JSON.stringify(old.toState()));
    const next = new AlertingRule({ name: 'A', expr: 'x', forMs: 5 * MIN, annotations: { s: 'hi' } });
    next.restoreState(json);
    expect(next.currentAlerts()).toEqual(old.currentAlerts());
    expect(next.currentAlerts().map((a) => a.value)).toEqual([NaN, Infinity]);
    // Alert 1 became active at 0 and fires at 5m on the new owner, as it would have on the old one.
    await next.eval(vector([{ i: '1' }, 1], [{ i: '2' }, 1]), 4 * MIN);
    expect(next.activeAlerts().map((a) => a.state)).toEqual(['pending', 'pending']);
    const res = await next.eval(vector([{ i: '1' }, 1], [{ i: '2' }, 1]), 5 * MIN);
    expect(res.transitions.map((t) => `${t.alert.labels.i}:${t.to}`)).toEqual(['1:firing']);
  });

  it('marks the old owner series stale when they disappear on the new owner', async () => {
    const old = await pendingRule();
    const next = new AlertingRule({ name: 'A', expr: 'x', forMs: 5 * MIN });
    next.restoreState(old.toState());
    const res = await next.eval(vector([{ i: '1' }, 1]), 3 * MIN);
    expect(res.staleSeries.map((l) => `${l.__name__}:${l.i}`).sort()).toEqual(['ALERTS:2', 'ALERTS_FOR_STATE:2']);
  });

  it('rejects a malformed state naming the field', () => {
    const rule = new AlertingRule({ name: 'A', expr: 'x' });
    expect(() => rule.restoreState({ kind: 'alerting', name: 'A', alerts: [{ state: 'weird' } as never], series: [] })).toThrow(/alerts\[0\]\.state/);
    expect(() =>
      rule.restoreState({ kind: 'alerting', name: 'A', alerts: [{ state: 'pending', labels: {}, annotations: {}, value: '1', activeAt: 'x' } as never], series: [] }),
    ).toThrow(/alerts\[0\]\.activeAt/);
  });

  // rules/manager_test.go TestForStateRestore: for 25m, grace period 10m, outage tolerance 30m.
  describe("Prometheus' restart semantics (TestForStateRestore)", () => {
    const options = { forGracePeriodMs: 10 * MIN, outageToleranceMs: 30 * MIN };
    const query = loadedSeries(5 * MIN, [
      [canary('0'), [75, 85, 50, 0, 0, 25, 0, 0, 40, 0, 120]],
      [canary('1'), [125, 90, 60, 0, 0, 25, 0, 0, 40, 0, 130]],
    ]);
    const make = () => new AlertingRule({ name: 'HTTPRequestRateLow', expr: 'x', forMs: 25 * MIN, labels: { severity: 'critical' } });
    const run = async (rule: AlertingRule, minutes: number[]) => {
      for (const m of minutes) await rule.eval(query(m * MIN, (v) => v < 100), m * MIN);
    };
    const restoredAt = async (before: number[], restoreMinute: number) => {
      const old = make();
      await run(old, before);
      const next = make();
      next.restoreState(old.toState(), { nowMs: restoreMinute * MIN, ...options });
      await run(next, [restoreMinute]);
      return next.activeAlerts().map((a) => [a.labels.instance, a.activeAt / MIN]);
    };

    it('normal restore: the down time does not count towards for', async () => {
      expect(await restoredAt([0, 5], 15)).toEqual([
        ['0', 10],
        ['1', 15],
      ]);
    });
    it('outage tolerance: too old a state starts afresh', async () => {
      expect(await restoredAt([0, 5], 40)).toEqual([
        ['0', 40],
        ['1', 40],
      ]);
    });
    it('no active alerts', async () => {
      expect(await restoredAt([0, 5], 50)).toEqual([]);
    });
    it('grace period: an alert is never closer than the grace period to firing', async () => {
      const got = await restoredAt([0, 5, 10, 15, 20], 25);
      const forMin = 25;
      const restoreMin = 25;
      for (const [, activeAtMin] of got) expect((activeAtMin as number) + forMin - restoreMin).toBe(10);
      expect(got).toHaveLength(2);
    });
  });

  it('sends a firing alert back to pending when for grows (TestFiringAlertResetToPendingOnHoldDurationIncrease)', async () => {
    const short = new AlertingRule({ name: 'R', expr: 'foo', forMs: 15_000 });
    const one = vector([{}, 1]);
    await short.eval(one, 0);
    await short.eval(one, 15_000);
    expect(short.activeAlerts()[0]).toMatchObject({ state: 'firing', firedAt: 15_000 });
    short.alertsToSend(15_000, MIN, MIN);

    const long = new AlertingRule({ name: 'R', expr: 'foo', forMs: 60 * MIN }); // the reloaded rule
    long.copyStateFrom(short);
    const res = await long.eval(one, 30_000);
    const a = long.activeAlerts()[0];
    expect(a?.state).toBe('pending');
    expect([a?.firedAt, a?.lastSentAt, a?.keepFiringSince]).toEqual([undefined, undefined, undefined]);
    expect(alertsSeries(res).map((l) => l.alertstate)).toEqual(['pending']);
    await long.eval(one, 60 * MIN);
    expect(long.activeAlerts()[0]?.state).toBe('firing');
  });
});
