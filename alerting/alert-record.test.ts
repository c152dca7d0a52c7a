import { describe, expect, it } from 'vitest';
import { decodeAlertRecord, encodeAlertRecord } from '../protocol/alert-record.ts';
import { toAlertRecord, toAlertRecords } from './alert-record.ts';
import { AlertingRule } from './alerting-rule.ts';
import { fingerprintHex } from '../model/fingerprint.ts';
import { vector } from './testing-fakes.ts';

const ctx = {
  file: 'rules.yml',
  group: 'api',
  rule: 'HighLatency',
  expr: 'latency > 0.5',
  tsMs: 120_000,
  validUntilMs: 360_000,
  externalURL: 'http://ringwatch:9093',
  owner: 'alerting-1',
};

describe('alert records', () => {
  it('describes a transition with the labels Alertmanager would see, in the shared format', async () => {
    const rule = new AlertingRule({ name: 'HighLatency', expr: 'latency > 0.5', forMs: 60_000, annotations: { s: 'x' } });
    await rule.eval(vector([{ __name__: 'latency', job: 'api' }, 0.7]), 60_000);
    const res = await rule.eval(vector([{ __name__: 'latency', job: 'api' }, 0.9]), 120_000);
    const [record] = toAlertRecords(res.transitions, [], { ...ctx, externalLabels: { cluster: 'c1' } });
    expect(record).toEqual({
      version: 1,
      fingerprint: fingerprintHex({ alertname: 'HighLatency', cluster: 'c1', job: 'api' }),
      status: 'firing',
      labels: { alertname: 'HighLatency', cluster: 'c1', job: 'api' },
      annotations: { s: 'x' },
      activeAt: '1970-01-01T00:01:00.000Z',
      startsAt: '1970-01-01T00:02:00.000Z',
      endsAt: '1970-01-01T00:06:00.000Z',
      generatorURL: 'http://ringwatch:9093/graph?g0.expr=latency+%3E+0.5&g0.tab=1',
      value: 0.9,
      rule: { group: 'api', file: 'rules.yml', name: 'HighLatency' },
      evaluatedAt: '1970-01-01T00:02:00.000Z',
      replica: 'alerting-1',
    });
    expect(decodeAlertRecord(encodeAlertRecord(record!))).toEqual(record);
  });

  it('resolved alerts end at resolvedAt; special values survive; relabeling can drop an alert', () => {
    const t = { from: 'firing' as const, to: 'resolved' as const, alert: { state: 'inactive' as const, labels: { alertname: 'A' }, annotations: {}, value: -Infinity, activeAt: 0, firedAt: 0, resolvedAt: 5 } };
    const r = toAlertRecord(t, ctx);
    expect(r).toMatchObject({ status: 'resolved', endsAt: '1970-01-01T00:00:00.005Z' });
    expect(decodeAlertRecord(encodeAlertRecord(r!)).value).toBe(-Infinity);
    expect(toAlertRecord(t, { ...ctx, relabel: () => null })).toBeNull();
  });

  it('adds a record for each alert re-sent without a transition, once', () => {
    const firing = { state: 'firing' as const, labels: { alertname: 'A' }, annotations: {}, value: 1, activeAt: 0, firedAt: 10, validUntil: 500_000 };
    const records = toAlertRecords([{ from: 'pending', to: 'firing', alert: firing }], [firing, { ...firing, labels: { alertname: 'B' } }], ctx);
    expect(records.map((r) => [r.labels.alertname, r.status, r.endsAt])).toEqual([
      ['A', 'firing', '1970-01-01T00:08:20.000Z'],
      ['B', 'firing', '1970-01-01T00:08:20.000Z'],
    ]);
  });
});
