// Ported from Alertmanager 0.28 notify/notify_test.go (TestDedupStageNeedsUpdate, TestDedupStage)
// and nflog's Log expiry rule.
import { describe, expect, it } from 'vitest';
import { alertHash, alertHashSets, needsUpdate, notificationLogEntry, notificationLogKey, shouldReplaceEntry, xxhash64, type NotificationLogEntry } from './dedup.ts';

const NOW = Date.UTC(2024, 5, 1, 12);
const MIN = 60_000;
const set = (...xs: number[]) => new Set(xs.map(String));
const entry = (e: { firing?: number[]; resolved?: number[]; timestampMs?: number }): NotificationLogEntry => ({
  groupKey: 'g',
  receiver: { groupName: 'r', integration: 'webhook', index: 0 },
  firingAlerts: (e.firing ?? []).map(String),
  resolvedAlerts: (e.resolved ?? []).map(String),
  timestampMs: e.timestampMs ?? 0,
  expiresAtMs: 0,
});

describe('needsUpdate (TestDedupStageNeedsUpdate)', () => {
  const cases: [string, NotificationLogEntry | undefined, Set<string>, Set<string>, number, boolean, boolean][] = [
    ['no entry: update', undefined, set(2, 3, 4), set(), 0, false, true],
    ['no entry, nothing firing: no update', undefined, set(), set(2, 3, 4), 0, false, false],
    ['different firing sets: update', entry({ firing: [1, 2, 3] }), set(2, 3, 4), set(), 0, false, true],
    ['zero timestamp: update', entry({ firing: [1, 2, 3], timestampMs: 0 }), set(1, 2, 3), set(), 0, false, true],
    ['same alerts before repeat_interval: no update', entry({ firing: [1, 2, 3], timestampMs: NOW - 9 * MIN }), set(1, 2, 3), set(), 10 * MIN, false, false],
    ['same alerts after repeat_interval: update', entry({ firing: [1, 2, 3], timestampMs: NOW - 11 * MIN }), set(1, 2, 3), set(), 10 * MIN, false, true],
    ['only resolved, different sets, after repeat: no update', entry({ resolved: [1, 2, 3], timestampMs: NOW - 11 * MIN }), set(), set(3, 4, 5), 10 * MIN, true, false],
    ['new resolved without send_resolved: no update', entry({ firing: [1, 2], resolved: [3], timestampMs: NOW - 9 * MIN }), set(1), set(2, 3), 10 * MIN, false, false],
    ['new resolved with send_resolved: update', entry({ firing: [1, 2], resolved: [3], timestampMs: NOW - 9 * MIN }), set(1), set(2, 3), 10 * MIN, true, true],
    ['all resolved without send_resolved: update', entry({ firing: [1, 2], resolved: [3], timestampMs: NOW - 9 * MIN }), set(), set(1, 2, 3), 10 * MIN, false, true],
    ['all resolved with send_resolved: update', entry({ firing: [1, 2], resolved: [3], timestampMs: NOW - 9 * MIN }), set(), set(1, 2, 3), 10 * MIN, true, true],
    // TestDedupStage: a subset of what was already sent, just now, needs nothing.
    ['firing subset just sent: no update', entry({ firing: [0, 1, 2], timestampMs: NOW }), set(0, 1, 2), set(), 60 * MIN, false, false],
    ['firing not a subset: update', entry({ firing: [1, 2, 3, 4], timestampMs: NOW }), set(0, 1, 2), set(), 60 * MIN, false, true],
  ];
  for (const [name, e, firing, resolved, repeat, sendResolved, want] of cases) {
    it(name, () => expect(needsUpdate(e, firing, resolved, repeat, NOW, sendResolved)).toBe(want));
  }
});

describe('alert hashes', () => {
  it('is XXH64 (reference vectors)', () => {
    expect(xxhash64(new Uint8Array()).toString(16)).toBe('ef46db3751d8e999');
    expect(xxhash64(new TextEncoder().encode('a')).toString(16)).toBe('d24ec4f1a98c6e5b');
    expect(xxhash64(new TextEncoder().encode('abc')).toString(16)).toBe('44bc2cf5ad770999');
    // Long input (all stripe, 8-, 4- and 1-byte tails).
    expect(xxhash64(new TextEncoder().encode('Nobody inspects the spammish repetition')).toString(16)).toBe('fbcea83c8a378bf1');
  });

  it('hashes sorted labels independently of insertion order', () => {
    expect(alertHash({ b: '2', a: '1' })).toBe(alertHash({ a: '1', b: '2' }));
    expect(alertHash({ a: '1' })).not.toBe(alertHash({ a: '2' }));
    expect(alertHash({ a: '1' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('splits alerts into firing and resolved at a time', () => {
    const { firing, resolved } = alertHashSets([{ labels: { a: '1' } }, { labels: { a: '2' }, endsAtMs: NOW + 1 }, { labels: { a: '3' }, endsAtMs: NOW }], NOW);
    expect(firing).toEqual(new Set([alertHash({ a: '1' }), alertHash({ a: '2' })]));
    expect(resolved).toEqual(new Set([alertHash({ a: '3' })]));
  });
});

describe('notification log entries', () => {
  const receiver = { groupName: 'team', integration: 'email', index: 1 };
  it('expire after twice the repeat interval when shorter than the retention', () => {
    const e = notificationLogEntry({ groupKey: '{}:{}', receiver, firing: ['a'], resolved: [], nowMs: NOW, repeatIntervalMs: 4 * 60 * MIN });
    expect(e.expiresAtMs).toBe(NOW + 8 * 60 * MIN);
    expect(e.timestampMs).toBe(NOW);
    expect(notificationLogEntry({ groupKey: 'g', receiver, firing: [], resolved: [], nowMs: NOW, repeatIntervalMs: 100 * 60 * MIN }).expiresAtMs).toBe(NOW + 120 * 60 * MIN);
  });
  it('are keyed by group key and receiver', () => {
    expect(notificationLogKey('{}:{alertname="x"}', receiver)).toBe('{}:{alertname="x"}:team/email/1');
  });
  it('never replace a newer entry', () => {
    const older = entry({ timestampMs: NOW - 1 });
    const newer = entry({ timestampMs: NOW });
    expect(shouldReplaceEntry(newer, older)).toBe(false);
    expect(shouldReplaceEntry(older, newer)).toBe(true);
    expect(shouldReplaceEntry(undefined, older)).toBe(true);
  });
});
