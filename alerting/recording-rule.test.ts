import { describe, expect, it } from 'vitest';
import { DUPLICATE_RECORDING_LABELSET, RecordingRule } from './recording-rule.ts';
import { vector } from './testing-fakes.ts';

describe('RecordingRule', () => {
  it('renames the series and applies rule labels, overriding (rules/recording_test.go)', () => {
    const rule = new RecordingRule({ name: 'foo', expr: 'metric', labels: { label_a: 'from-rule', dropped: '' } });
    const res = rule.eval(vector([{ __name__: 'metric', label_a: '1', dropped: 'x' }, 1], [{ __name__: 'metric', label_a: '2', other: 'y' }, 10]), 60_000);
    expect(res.ok).toBe(true);
    expect(res.samples).toEqual([
      { labels: { __name__: 'foo', label_a: 'from-rule' }, value: 1, timestampMs: 60_000 },
      { labels: { __name__: 'foo', label_a: 'from-rule', other: 'y' }, value: 10, timestampMs: 60_000 },
    ]);
    expect(rule.health).toBe('ok');
  });

  it('records a scalar as one series with only the rule labels', () => {
    const rule = new RecordingRule({ name: 'job:answer', expr: '42', labels: { team: 'x' } });
    const res = rule.eval({ ok: true, vector: [{ labels: {}, value: 42 }], warnings: [], infos: [] }, 0);
    expect(res.samples).toEqual([{ labels: { __name__: 'job:answer', team: 'x' }, value: 42, timestampMs: 0 }]);
  });

  it('writes at ts - query_offset', () => {
    const rule = new RecordingRule({ name: 'r', expr: 'x' });
    expect(rule.eval(vector([{}, 1]), 120_000, { queryOffsetMs: 60_000 }).samples[0]?.timestampMs).toBe(60_000);
  });

  it('fails on series that become identical after relabeling', () => {
    const rule = new RecordingRule({ name: 'r', expr: 'x', labels: { l: 'same' } });
    const res = rule.eval(vector([{ l: '1' }, 1], [{ l: '2' }, 2]), 0);
    expect(res).toEqual({ ok: false, error: DUPLICATE_RECORDING_LABELSET, samples: [], staleSeries: [] });
    expect(DUPLICATE_RECORDING_LABELSET).toBe('vector contains metrics with the same labelset after applying rule labels');
    expect(rule.lastError).toBe(DUPLICATE_RECORDING_LABELSET);
  });

  it.each([
    [0, undefined],
    [-1, undefined],
    [2, undefined],
    [1, 'exceeded limit of 1 with 2 series'],
  ])('limit %d (TestRecordingRuleLimit)', (limit, error) => {
    const rule = new RecordingRule({ name: 'foo', expr: 'metric > 0', labels: { test: 'test' } });
    const res = rule.eval(vector([{ __name__: 'metric', label: '1' }, 1], [{ __name__: 'metric', label: '2' }, 1]), 0, { limit });
    expect(res.error).toBe(error);
  });

  it('reports series that disappeared since the last successful evaluation (TestStaleness)', () => {
    const rule = new RecordingRule({ name: 'a_plus_one', expr: 'a + 1' });
    expect(rule.eval(vector([{ __name__: 'a' }, 2]), 0).staleSeries).toEqual([]);
    expect(rule.eval(vector([{ __name__: 'a' }, 3]), 1000).staleSeries).toEqual([]);
    // A failed evaluation neither writes nor marks anything stale.
    expect(rule.eval({ ok: false, error: 'boom', warnings: [] }, 1500).staleSeries).toEqual([]);
    expect(rule.eval(vector(), 2000).staleSeries).toEqual([{ __name__: 'a_plus_one' }]);
    expect(rule.eval(vector(), 3000).staleSeries).toEqual([]);
  });

  it('hands its series to the next owner', () => {
    const old = new RecordingRule({ name: 'r', expr: 'x' });
    old.eval(vector([{ i: '1' }, 1], [{ i: '2' }, 1]), 0);
    const next = new RecordingRule({ name: 'r', expr: 'x' });
    next.restoreState(JSON.parse(JSON.stringify(old.toState())));
    expect(next.eval(vector([{ i: '1' }, 1]), 1000).staleSeries).toEqual([{ __name__: 'r', i: '2' }]);
  });

  it('turns a failed query into the rule error', () => {
    const rule = new RecordingRule({ name: 'r', expr: 'x' });
    rule.eval({ ok: false, error: 'execution: timeout', warnings: [] }, 0);
    expect([rule.health, rule.lastError, rule.status.lastEvaluationMs]).toEqual(['err', 'execution: timeout', 0]);
  });
});
