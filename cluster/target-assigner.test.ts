import { describe, expect, it } from 'vitest';
import type { MemberRecord } from './cluster-state.ts';
import { BoundedLoadRendezvous } from './rendezvous-placement.ts';
import { membersActiveAt, nextBoundary, TargetAssigner } from './target-assigner.ts';

const member = (id: string, activeFrom: number, activeUntil?: number): MemberRecord => ({
  id,
  address: `127.0.0.1:${id.length}`,
  startedAt: 0,
  activeFrom,
  ...(activeUntil !== undefined ? { activeUntil } : {}),
});
const targets = Array.from({ length: 300 }, (_, i) => `target-${i}`);
const ring = (): BoundedLoadRendezvous => new BoundedLoadRendezvous();

function plans(members: MemberRecord[], now: number) {
  const ids = members.map((m) => m.id);
  return new Map(ids.map((id) => [id, new TargetAssigner(id, ring).plan(members, targets, now)]));
}

/** For tick time t, which nodes scrape target id according to their plans. */
function scrapersAt(all: ReturnType<typeof plans>, id: string, t: number): string[] {
  const out: string[] = [];
  for (const [node, plan] of all) {
    const w = plan.windows.get(id);
    if (w !== undefined && w.fromMs <= t && t < w.untilMs) out.push(node);
  }
  return out;
}

describe('TargetAssigner', () => {
  it('members active at an instant honour activeFrom and activeUntil', () => {
    const ms = [member('a', 0), member('b', 100), member('c', 0, 50)];
    expect(membersActiveAt(ms, 10)).toEqual(['a', 'c']);
    expect(membersActiveAt(ms, 50)).toEqual(['a']);
    expect(membersActiveAt(ms, 100)).toEqual(['a', 'b']);
    expect(nextBoundary(ms, 10)).toBe(50);
    expect(nextBoundary(ms, 50)).toBe(100);
    expect(nextBoundary(ms, 100)).toBeUndefined();
  });

  it('with a stable member set every target has exactly one scraper', () => {
    const all = plans([member('a', 0), member('b', 0), member('c', 0)], 1000);
    for (const id of targets) expect(scrapersAt(all, id, 5000)).toHaveLength(1);
    const owned = [...all.values()].map((p) => p.ownedNow);
    expect(owned.reduce((x, y) => x + y, 0)).toBe(targets.length);
  });

  it('a join announced for instant B hands targets over exactly at B: one scraper before and after', () => {
    const B = 10_000;
    const members = [member('a', 0), member('b', 0), member('c', 0), member('d', B)];
    const all = plans(members, 1000);
    let moved = 0;
    let movedToNew = 0;
    for (const id of targets) {
      const before = scrapersAt(all, id, B - 1);
      const after = scrapersAt(all, id, B);
      expect(before).toHaveLength(1);
      expect(after).toHaveLength(1);
      if (before[0] !== after[0]) {
        moved++;
        if (after[0] === 'd') movedToNew++;
      }
    }
    // The new node takes about a quarter; bounded loads may shift a few others between old nodes.
    expect(movedToNew).toBeGreaterThan(targets.length * 0.2);
    expect(movedToNew).toBeLessThanOrEqual(Math.ceil((targets.length / 4) * 1.05));
    expect(moved).toBeLessThan(targets.length * 0.3);
    expect(all.get('d')?.ownedNow).toBe(0);
  });

  it('a graceful leave at instant B: the leaver scrapes until B, the others from B, never both', () => {
    const B = 20_000;
    const members = [member('a', 0), member('b', 0), member('c', 0), member('d', 0, B)];
    const all = plans(members, 15_000);
    for (const id of targets) {
      expect(scrapersAt(all, id, B - 1)).toHaveLength(1);
      const after = scrapersAt(all, id, B);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe('d');
    }
    expect([...(all.get('d')?.windows.values() ?? [])].every((w) => w.untilMs === B)).toBe(true);
  });

  it('a target list change announced for instant E moves targets exactly at E: one scraper before and after', () => {
    const E = 30_000;
    const members = [member('a', 0), member('b', 0), member('c', 0)];
    // Remove a third of the targets, add as many: under bounded loads some kept targets move too.
    const next = [...targets.slice(100), ...Array.from({ length: 100 }, (_, i) => `added-${i}`)];
    const upcoming = { atMs: E, targetIds: next };
    const all = new Map(['a', 'b', 'c'].map((id) => [id, new TargetAssigner(id, ring).plan(members, targets, 1000, upcoming)]));
    const current = new Map(['a', 'b', 'c'].map((id) => [id, new TargetAssigner(id, ring).plan(members, targets, 1000)]));
    const after = new Map(['a', 'b', 'c'].map((id) => [id, new TargetAssigner(id, ring).plan(members, next, E)]));
    let moved = 0;
    for (const id of targets) {
      const before = scrapersAt(all, id, E - 1);
      expect(before).toEqual(scrapersAt(current, id, E - 1));
      expect(before).toHaveLength(1);
      const at = scrapersAt(all, id, E);
      if (next.includes(id)) {
        expect(at).toHaveLength(1);
        expect(at).toEqual(scrapersAt(after, id, E));
        if (at[0] !== before[0]) moved++;
      } else {
        expect(at).toEqual([]); // removed: its scraper stops at E
      }
    }
    expect(moved).toBeGreaterThan(0); // the case the epoch exists for
    for (const plan of all.values()) {
      expect(plan.nextBoundaryMs).toBe(E);
      // Targets added at E get their windows once the new list is in force.
      expect([...plan.windows.keys()].some((id) => id.startsWith('added-'))).toBe(false);
    }
  });

  it('a member boundary before the list change is planned first', () => {
    const members = [member('a', 0), member('b', 5000)];
    const plan = new TargetAssigner('a', ring).plan(members, targets, 1000, { atMs: 9000, targetIds: targets.slice(0, 10) });
    expect(plan.nextBoundaryMs).toBe(5000);
    // Until 5000 the list stays the current one: no window ends for a list change yet.
    expect([...plan.windows.values()].every((w) => w.untilMs === 5000 || w.untilMs === Number.POSITIVE_INFINITY)).toBe(true);
  });

  it('a node not in the member set owns nothing', () => {
    const plan = new TargetAssigner('x', ring).plan([member('a', 0)], targets, 5);
    expect(plan.windows.size).toBe(0);
  });
});
