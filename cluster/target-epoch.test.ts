import { describe, expect, it } from 'vitest';
import type { JobRecord, TargetRecord } from './cluster-state.ts';
import { decodeTargetEpoch, emptyChanges, TargetListStager, type TargetEpochRecord } from './target-epoch.ts';

const target = (id: string, intervalMs = 10_000): TargetRecord => ({
  id,
  job: 'j',
  url: `http://${id}/metrics`,
  labels: [['job', 'j']],
  discoveredLabels: {},
  intervalMs,
  timeoutMs: 1000,
  source: 's',
});
const job: JobRecord = { scrapeConfig: { job_name: 'j' } };
const epoch = (n: number, effectiveAtMs: number, targets: number): TargetEpochRecord => ({ epoch: n, effectiveAtMs, writtenAtMs: effectiveAtMs - 1000, targets, jobs: 1 });

function stager(ids: string[], withEpoch: TargetEpochRecord | undefined, now = 0): TargetListStager {
  const s = new TargetListStager(new Map(), new Map());
  s.load(new Map(ids.map((id) => [id, target(id)])), new Map([['j', job]]), withEpoch, emptyChanges(), now);
  return s;
}

const ids = (s: TargetListStager): string[] => [...s.targets.keys()].sort();

describe('TargetListStager', () => {
  it('exposes nothing of a change until its epoch, then all of it at the effective instant', () => {
    const s = stager(['a', 'b'], epoch(1, 0, 2));
    expect(s.change('target', 'c', target('c'))).toBe(false);
    expect(s.change('target', 'a', null)).toBe(false);
    expect(s.change('target', 'b', target('b', 5000))).toBe(false);
    expect(ids(s)).toEqual(['a', 'b']);
    expect(s.stagedCount).toBe(3);
    expect(s.applyDue(10_000)).toEqual([]); // staged, but no epoch yet: nothing is due

    s.epoch(epoch(2, 2000, 2));
    expect(s.stagedCount).toBe(0);
    expect(s.upcoming(1000)).toEqual({ atMs: 2000, targetIds: ['b', 'c'] });
    expect(s.applyDue(1999)).toEqual([]);
    expect(ids(s)).toEqual(['a', 'b']);
    const applied = s.applyDue(2000);
    expect(applied.map((a) => [a.record.epoch, a.lateMs, a.mismatch])).toEqual([[2, 0, false]]);
    expect(ids(s)).toEqual(['b', 'c']);
    expect(s.targets.get('b')?.intervalMs).toBe(5000);
    expect(s.appliedEpoch).toBe(2);
    expect(s.upcoming(2000)).toBeUndefined();
  });

  it('applies epochs in order, never one before an earlier one, and keeps the next change apart', () => {
    const s = stager(['a'], epoch(1, 0, 1));
    s.change('target', 'b', target('b'));
    s.epoch(epoch(2, 5000, 2));
    s.change('target', 'c', target('c'));
    // A new leader whose clock is behind: its epoch may not overtake the pending one.
    s.epoch(epoch(3, 4000, 3));
    s.change('target', 'd', target('d'));
    expect(s.pending.map((p) => p.atMs)).toEqual([5000, 5000]);
    expect(s.upcoming(0)?.targetIds.sort()).toEqual(['a', 'b']);
    s.applyDue(5000);
    expect(ids(s)).toEqual(['a', 'b', 'c']);
    expect(s.appliedEpoch).toBe(3);
    expect(s.stagedCount).toBe(1); // d waits for epoch 4
  });

  it('applies an epoch heard after its instant at once, and says how late', () => {
    const s = stager(['a'], epoch(1, 0, 1));
    s.change('target', 'b', target('b'));
    s.epoch(epoch(2, 1000, 2));
    const [late] = s.applyDue(1500);
    expect(late?.lateMs).toBe(500);
    expect(ids(s)).toEqual(['a', 'b']);
  });

  it('flags an epoch whose target count differs from the list it produced', () => {
    const s = stager(['a'], epoch(1, 0, 1));
    s.change('target', 'b', target('b'));
    s.epoch(epoch(2, 0, 5));
    expect(s.applyDue(0)[0]?.mismatch).toBe(true);
  });

  it('without any epoch key (an older coordinator), applies changes as they arrive', () => {
    const s = stager(['a'], undefined);
    expect(s.epochMode).toBe(false);
    expect(s.change('target', 'b', target('b'))).toBe(true);
    expect(s.change('target', 'a', null)).toBe(true);
    expect(ids(s)).toEqual(['b']);
  });

  it('switches to staging when the first epoch key appears, and back when it is deleted', () => {
    const s = stager(['a'], undefined);
    s.epoch(epoch(1, 1000, 1));
    expect(s.change('target', 'b', target('b'))).toBe(false);
    s.epochDeleted();
    expect(ids(s)).toEqual(['a', 'b']);
    expect(s.change('target', 'c', target('c'))).toBe(true);
  });

  it('on a reload while running, keeps the list in force until the loaded epoch takes effect', () => {
    const s = stager(['a', 'b'], epoch(1, 0, 2));
    const loaded = new Map(['b', 'c'].map((id) => [id, target(id)]));
    const newer = emptyChanges();
    newer.targets.set('d', target('d'));
    s.load(loaded, new Map([['j', job]]), epoch(2, 3000, 2), newer, 1000);
    expect(ids(s)).toEqual(['a', 'b']);
    expect(s.stagedCount).toBe(1);
    s.applyDue(3000);
    expect(ids(s)).toEqual(['b', 'c']);
    // The first load (a node starting) takes the loaded list at once.
    const fresh = new TargetListStager(new Map(), new Map());
    fresh.load(loaded, new Map(), epoch(2, 3000, 2), emptyChanges(), 1000);
    expect(ids(fresh)).toEqual(['b', 'c']);
  });

  it('stages job changes with the targets', () => {
    const s = stager(['a'], epoch(1, 0, 1));
    s.change('job', 'j', { scrapeConfig: { job_name: 'j', scrape_interval: '1m' } });
    s.change('job', 'k', { scrapeConfig: { job_name: 'k' } });
    expect(s.jobs.get('j')).toEqual(job);
    expect(s.jobs.has('k')).toBe(false);
    s.epoch(epoch(2, 100, 1));
    s.applyDue(100);
    expect(s.jobs.get('j')?.scrapeConfig.scrape_interval).toBe('1m');
    expect(s.jobs.has('k')).toBe(true);
  });
});

describe('decodeTargetEpoch', () => {
  it('reads what the writer writes and rejects anything else naming the key', () => {
    const e = epoch(7, 123, 4);
    expect(decodeTargetEpoch('/rw/targets-epoch', JSON.stringify(e))).toEqual(e);
    expect(() => decodeTargetEpoch('/rw/targets-epoch', '{"epoch":"7"}')).toThrow(/targets-epoch: not a target epoch record/);
    expect(() => decodeTargetEpoch('/rw/targets-epoch', 'nope')).toThrow(/invalid JSON/);
  });
});
