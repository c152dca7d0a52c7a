import { describe, expect, it } from 'vitest';
import { DEFAULT_LOAD_FACTOR, BoundedLoadRendezvous, loadCap } from './rendezvous-placement.ts';

// The property tests run hundreds of 10,000-target placements: a few seconds on a busy machine.
const PROPERTY_TIMEOUT_MS = 120_000;

// Seeded PRNG (mulberry32) so that a failing trial reproduces from its seed.
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMembers(rand: () => number, count: number): string[] {
  const out = new Set<string>();
  while (out.size < count) out.add(`scraper-${Math.floor(rand() * 2 ** 40).toString(36)}`);
  return [...out];
}

function randomTargets(rand: () => number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
    out.push(`job-${Math.floor(rand() * 20)}/http://${ip}:${1024 + Math.floor(rand() * 60000)}/metrics#${i}`);
  }
  return out;
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function loads(owners: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const owner of owners.values()) out.set(owner, (out.get(owner) ?? 0) + 1);
  return out;
}

function movedShare(before: Map<string, string>, after: Map<string, string>): number {
  let moved = 0;
  for (const [key, owner] of before) if (after.get(key) !== owner) moved++;
  return moved / before.size;
}

describe('BoundedLoadRendezvous: placement properties over random member sets and targets', () => {
  it('gives every target exactly one owner, and that owner is a member', () => {
    for (let trial = 0; trial < 60; trial++) {
      const rand = mulberry32(100 + trial);
      const members = randomMembers(rand, 1 + Math.floor(rand() * 30));
      const targets = randomTargets(rand, Math.floor(rand() * 3000));
      const ring = new BoundedLoadRendezvous();
      ring.setMembers(members);
      const owners = ring.assign(targets);
      expect(owners.size, `seed ${100 + trial}`).toBe(new Set(targets).size);
      const memberSet = new Set(members);
      for (const key of targets) {
        const owner = owners.get(key);
        expect(owner !== undefined && memberSet.has(owner), `seed ${100 + trial}, key ${key}`).toBe(true);
      }
    }
  }, PROPERTY_TIMEOUT_MS);

  it('assigns nothing when there are no members', () => {
    const ring = new BoundedLoadRendezvous();
    expect(ring.assign(['a', 'b']).size).toBe(0);
    ring.setMembers([]);
    expect(ring.assign(randomTargets(mulberry32(1), 100)).size).toBe(0);
    expect(ring.members()).toEqual([]);
  });

  it('keeps max/mean load ≤ 1.10 with 10 nodes and 10,000 targets in every trial', () => {
    let worst = 0;
    for (let trial = 0; trial < 300; trial++) {
      const seed = 1000 + trial;
      const rand = mulberry32(seed);
      const ring = new BoundedLoadRendezvous();
      ring.setMembers(randomMembers(rand, 10));
      const owners = ring.assign(randomTargets(rand, 10_000));
      const counts = loads(owners);
      expect(counts.size, `seed ${seed}`).toBe(10);
      const ratio = Math.max(...counts.values()) / (owners.size / 10);
      worst = Math.max(worst, ratio);
      expect(ratio, `seed ${seed}`).toBeLessThanOrEqual(1.1);
    }
    // The cap is ceil(1000 × 1.05): the bound is the load factor itself here.
    expect(worst).toBeLessThanOrEqual(DEFAULT_LOAD_FACTOR + 1e-9);
  }, PROPERTY_TIMEOUT_MS);

  it('never lets a member exceed ceil(mean × loadFactor), whatever the sizes', () => {
    for (let trial = 0; trial < 80; trial++) {
      const seed = 5000 + trial;
      const rand = mulberry32(seed);
      const loadFactor = 1 + rand() * 0.3;
      const members = randomMembers(rand, 1 + Math.floor(rand() * 40));
      const targets = randomTargets(rand, Math.floor(rand() * 4000));
      const ring = new BoundedLoadRendezvous({ loadFactor });
      ring.setMembers(members);
      const owners = ring.assign(targets);
      const cap = loadCap(owners.size, members.length, loadFactor);
      for (const count of loads(owners).values()) expect(count, `seed ${seed}`).toBeLessThanOrEqual(cap);
    }
  }, PROPERTY_TIMEOUT_MS);

  it('moves ≤ 1.2 × 1/N of the targets when one node joins or leaves (N = larger member count)', () => {
    for (let trial = 0; trial < 120; trial++) {
      const seed = 9000 + trial;
      const rand = mulberry32(seed);
      const n = 2 + Math.floor(rand() * 15);
      const members = randomMembers(rand, n + 1);
      const targets = randomTargets(rand, 10_000);
      const ring = new BoundedLoadRendezvous();

      ring.setMembers(members.slice(0, n));
      const before = new Map(ring.assign(targets));
      ring.setMembers(members);
      const joined = ring.assign(targets);
      expect(movedShare(before, joined), `join ${n}→${n + 1}, seed ${seed}`).toBeLessThanOrEqual(1.2 / (n + 1));

      // A random member leaves.
      const leaving = Math.floor(rand() * n);
      ring.setMembers(members.slice(0, n).filter((_, i) => i !== leaving));
      const left = ring.assign(targets);
      expect(movedShare(before, left), `leave ${n}→${n - 1}, seed ${seed}`).toBeLessThanOrEqual(1.2 / n);
    }
  }, PROPERTY_TIMEOUT_MS);

  it('on a join only moves targets onto the new member or off members that were over its cap', () => {
    // With a generous cap nothing is displaced: exactly the targets that rank the newcomer first move.
    const rand = mulberry32(77);
    const members = randomMembers(rand, 9);
    const targets = randomTargets(rand, 5000);
    const ring = new BoundedLoadRendezvous({ loadFactor: Infinity });
    ring.setMembers(members.slice(0, 8));
    const before = new Map(ring.assign(targets));
    ring.setMembers(members);
    const after = ring.assign(targets);
    for (const [key, owner] of before) {
      const now = after.get(key);
      if (now !== owner) expect(now).toBe(members[8]);
    }
  });

  it('is independent of the order (and duplicates) of members and targets', () => {
    for (let trial = 0; trial < 30; trial++) {
      const seed = 200 + trial;
      const rand = mulberry32(seed);
      const members = randomMembers(rand, 1 + Math.floor(rand() * 20));
      const targets = randomTargets(rand, 2000);
      const a = new BoundedLoadRendezvous();
      a.setMembers(members);
      const first = a.assign(targets);
      const b = new BoundedLoadRendezvous();
      b.setMembers([...shuffled(members, rand), members[0] as string]);
      const second = b.assign([...shuffled(targets, rand), ...targets.slice(0, 100)]);
      expect(second.size).toBe(first.size);
      for (const [key, owner] of first) expect(second.get(key), `seed ${seed}`).toBe(owner);
      expect(b.members()).toEqual([...members].sort());
    }
  }, PROPERTY_TIMEOUT_MS);

  it('is deterministic when many target keys share a hash-order neighbourhood (duplicates, near-identical keys)', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `t${i % 1000}`);
    const ring = new BoundedLoadRendezvous();
    ring.setMembers(['x', 'y', 'z']);
    const owners = ring.assign(keys);
    expect(owners.size).toBe(1000);
    const counts = loads(owners);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(loadCap(1000, 3, DEFAULT_LOAD_FACTOR));
    const again = new BoundedLoadRendezvous();
    again.setMembers(['z', 'y', 'x']);
    expect([...again.assign(keys.slice().reverse())].sort()).toEqual([...owners].sort());
  });

  it('keeps almost every target on its unbounded (plain HRW) owner', () => {
    const rand = mulberry32(4242);
    const members = randomMembers(rand, 10);
    const targets = randomTargets(rand, 10_000);
    const bounded = new BoundedLoadRendezvous();
    bounded.setMembers(members);
    const plain = new BoundedLoadRendezvous({ loadFactor: Infinity });
    plain.setMembers(members);
    expect(movedShare(plain.assign(targets), bounded.assign(targets))).toBeLessThan(0.02);
  });
});

describe('BoundedLoadRendezvous: interface details', () => {
  it('pins the placement of a fixed example (changing it would reshuffle every fleet)', () => {
    const ring = new BoundedLoadRendezvous();
    ring.setMembers(['scraper-a', 'scraper-b', 'scraper-c']);
    const targets = Array.from({ length: 12 }, (_, i) => `node-exporter/10.0.0.${i}:9100`);
    expect(Object.fromEntries(ring.assign(targets))).toEqual({
      'node-exporter/10.0.0.0:9100': 'scraper-c',
      'node-exporter/10.0.0.1:9100': 'scraper-c',
      'node-exporter/10.0.0.2:9100': 'scraper-c',
      'node-exporter/10.0.0.3:9100': 'scraper-b',
      'node-exporter/10.0.0.4:9100': 'scraper-a',
      'node-exporter/10.0.0.5:9100': 'scraper-b',
      'node-exporter/10.0.0.6:9100': 'scraper-c',
      'node-exporter/10.0.0.7:9100': 'scraper-b',
      'node-exporter/10.0.0.8:9100': 'scraper-b',
      'node-exporter/10.0.0.9:9100': 'scraper-c',
      'node-exporter/10.0.0.10:9100': 'scraper-b',
      'node-exporter/10.0.0.11:9100': 'scraper-a',
    });
    // Plain HRW puts 7 on scraper-c; the cap ceil(12 / 3 × 1.05) = 5 sends two of them elsewhere.
    const plain = new BoundedLoadRendezvous({ loadFactor: Infinity });
    plain.setMembers(['scraper-a', 'scraper-b', 'scraper-c']);
    expect([...loads(plain.assign(targets))].sort()).toEqual([['scraper-a', 1], ['scraper-b', 4], ['scraper-c', 7]]);
  });

  it('puts everything on a single member, and spreads fewer targets than members one per member', () => {
    const ring = new BoundedLoadRendezvous();
    ring.setMembers(['only']);
    expect(new Set(ring.assign(randomTargets(mulberry32(2), 500)).values())).toEqual(new Set(['only']));
    ring.setMembers(['a', 'b', 'c', 'd', 'e']);
    const owners = ring.assign(['x', 'y', 'z']);
    expect(new Set(owners.values()).size).toBe(3);
  });

  it('rejects a load factor below 1', () => {
    expect(() => new BoundedLoadRendezvous({ loadFactor: 0.9 })).toThrow(/loadFactor/);
    expect(() => new BoundedLoadRendezvous({ loadFactor: Number.NaN })).toThrow(/loadFactor/);
    expect(() => new BoundedLoadRendezvous({ loadFactor: 1 })).not.toThrow();
  });

  it('loadCap is ceil(mean × loadFactor) without float noise', () => {
    expect(loadCap(10_000, 10, 1.05)).toBe(1050);
    expect(loadCap(10_000, 10, 1)).toBe(1000);
    expect(loadCap(10, 3, 1)).toBe(4);
    expect(loadCap(1, 100, 1.05)).toBe(1);
    expect(loadCap(5, 2, Infinity)).toBe(Infinity);
  });
});
