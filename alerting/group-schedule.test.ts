import { describe, expect, it } from 'vitest';
import { groupHash, GroupSchedule, queryTime } from './group-schedule.ts';

// Expected values computed in Go with github.com/cespare/xxhash/v2 over the byte layouts of
// model/labels (labels_slicelabels.go, labels_stringlabels.go), and with Group.EvalTimestamp's code.
describe('groupHash', () => {
  it.each([
    ['rules.yml', 'example', 13131228879456891295n, 2717349950337076781n],
    ['/etc/prometheus/rules/alerts.yml', 'node-exporter', 12126797130279735900n, 5559825757185077972n],
    ['', '', 3579666506023524676n, 14862617149739330214n],
    ['f', 'x'.repeat(300), 15637272587937101346n, 8626922040615885608n],
  ])('%j %j', (file, name, slice, string) => {
    expect(groupHash(file, name)).toBe(slice);
    expect(groupHash(file, name, 'slicelabels')).toBe(slice);
    expect(groupHash(file, name, 'stringlabels')).toBe(string);
  });
});

describe('GroupSchedule', () => {
  it.each([
    [60_000, 39456891295n, 1_700_000_000_123, 1699999959456],
    [60_000, 39456891295n, 1_700_000_059_999, 1700000019456],
    [15_000, 9456891295n, 1_700_000_000_123, 1699999989456],
    [7_003, 3763891295n, 1_700_000_000_123, 1699999998078],
    [7_003, 3763891295n, 1_700_000_059_999, 1700000054102],
    // Go's EvalTimestamp returns a future slot when now is before the offset; so do we.
    [60_000, 39456891295n, 0, 39456],
  ])('interval %d: offset %d ns, slot before %d is %d', (intervalMs, offsetNs, now, slot) => {
    const s = new GroupSchedule({ file: 'rules.yml', name: 'example', intervalMs });
    expect(s.offsetNs).toBe(offsetNs);
    expect(s.evalTimestamp(now)).toBe(slot);
  });

  it('starts one interval after the current slot, and every replica agrees', () => {
    const a = new GroupSchedule({ file: 'rules.yml', name: 'example', intervalMs: 60_000 });
    const b = new GroupSchedule({ file: 'rules.yml', name: 'example', intervalMs: 60_000 });
    expect(a.firstEvaluation(1_700_000_000_123)).toBe(1700000019456);
    expect(b.evalTimestamp(1_700_000_030_000)).toBe(a.evalTimestamp(1_700_000_000_123) + 60_000);
    expect(new GroupSchedule({ file: 'rules.yml', name: 'other', intervalMs: 60_000 }).offsetNs).not.toBe(a.offsetNs);
  });

  it('counts the slots an overrunning evaluation missed (iterations_missed_total)', () => {
    const s = new GroupSchedule({ file: 'f', name: 'g', intervalMs: 10_000 });
    expect(s.next(100_000, 110_050)).toEqual({ ts: 110_000, missed: 0 });
    expect(s.next(100_000, 135_000)).toEqual({ ts: 130_000, missed: 2 });
    expect(s.next(100_000, 105_000)).toEqual({ ts: 110_000, missed: 0 }); // an early timer never goes back
  });

  it('rejects a bad interval', () => {
    expect(() => new GroupSchedule({ file: 'f', name: 'g', intervalMs: 0 })).toThrow(/group "g": interval must be a positive/);
  });

  it('queries at ts - query_offset', () => {
    expect(queryTime(120_000, 60_000)).toBe(60_000);
    expect(queryTime(120_000)).toBe(120_000);
  });
});
