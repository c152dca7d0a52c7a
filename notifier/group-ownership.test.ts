import { describe, expect, it } from 'vitest';
import { GroupOwnership } from './group-ownership.ts';

const member = (id: string, activeFrom = 0, activeUntil?: number) => ({ id, address: `${id}:1`, startedAt: 0, activeFrom, ...(activeUntil !== undefined ? { activeUntil } : {}) });
const keys = Array.from({ length: 200 }, (_, i) => `{}:{alertname="A${i}"}`);

describe('GroupOwnership', () => {
  it('gives every group exactly one owner among the replicas, the same whatever replica computes it', () => {
    const replicas = ['n1', 'n2', 'n3'].map((id) => {
      const o = new GroupOwnership(id);
      o.setMembers([member('n1'), member('n2'), member('n3')]);
      return o;
    });
    const owned = replicas.map((r) => keys.filter((k) => r.owns(k, 1000)).length);
    expect(owned.reduce((a, b) => a + b, 0)).toBe(keys.length);
    for (const n of owned) expect(n).toBeGreaterThan(30);
  });

  it('owns everything alone or before any member is known, and hands over at the announced instant', () => {
    const o = new GroupOwnership('n1');
    expect(keys.every((k) => o.owns(k, 0))).toBe(true);
    o.setMembers([member('n1'), member('n2', 5000)]);
    expect(keys.every((k) => o.owns(k, 4999))).toBe(true);
    const after = keys.filter((k) => o.owns(k, 5000)).length;
    expect(after).toBeGreaterThan(50);
    expect(after).toBeLessThan(150);
    o.setMembers([member('n1', 0, 9000), member('n2', 5000)]);
    expect(keys.some((k) => o.owns(k, 9000))).toBe(false);
  });
});
