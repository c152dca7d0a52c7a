import { describe, expect, it } from 'vitest';
import type { MemberRecord } from '../cluster/cluster-state.ts';
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';
import { computeRingView } from './ring-view.ts';

const member = (id: string, activeFrom: number, activeUntil?: number): MemberRecord => ({
  id,
  address: `${id}:1`,
  startedAt: 0,
  activeFrom,
  ...(activeUntil !== undefined ? { activeUntil } : {}),
});

describe('computeRingView', () => {
  const targets = Array.from({ length: 300 }, (_, i) => `t${i}`);

  it('places targets only on members active now, exactly as the scrapers\' ring does', () => {
    const members = [member('a', 0), member('b', 0), member('joining', 2000), member('leaving', 0, 500), member('still', 0, 5000)];
    const view = computeRingView(members, targets, 1000);
    expect(view.activeMembers).toEqual(['a', 'b', 'still']);
    const ring = new BoundedLoadRendezvous();
    ring.setMembers(['still', 'b', 'a']);
    expect(view.owners).toEqual(ring.assign(targets));
    expect(view.load.get('joining')).toBe(0);
    expect(view.load.get('leaving')).toBe(0);
    expect([...view.load.values()].reduce((a, b) => a + b, 0)).toBe(300);
    expect(view.meanLoad).toBe(100);
    expect(view.maxLoad).toBeGreaterThanOrEqual(100);
    expect(view.maxLoad).toBeLessThanOrEqual(105);
  });

  it('has no owners without active members', () => {
    const view = computeRingView([member('later', 5000)], targets, 1000);
    expect(view.owners.size).toBe(0);
    expect(view.meanLoad).toBe(0);
  });
});
