// Ported from Alertmanager 0.28 inhibit/inhibit_test.go.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fingerprint } from './labels.ts';
import { Inhibitor, inhibitRuleFromConfig, type InhibitingAlert } from './inhibitor.ts';
import { newMatcher } from './matchers.ts';
import { parseInhibitRuleConfig } from './route-config.ts';

const NOW = Date.UTC(2024, 5, 1, 12);
const rule = (yaml: string) => inhibitRuleFromConfig(parseInhibitRuleConfig(parseYaml(yaml), 'inhibit_rules[0]'));
const firing = (labels: Record<string, string>): InhibitingAlert => ({ labels, endsAtMs: NOW + 3_600_000 });
const resolved = (labels: Record<string, string>): InhibitingAlert => ({ labels, endsAtMs: NOW - 1000 });

describe('equal labels (TestInhibitRuleHasEqual)', () => {
  // Any alert is a source; inputs carry target="yes" (which no source has) to match the target side.
  const anySource = (equal: string[]) => inhibitRuleFromConfig({ source_matchers: [], target_matchers: [newMatcher('=', 'target', 'yes')], equal });
  const cases: [string, InhibitingAlert[], string[], Record<string, string>, boolean][] = [
    ['no source alerts at all', [], [], { a: 'b' }, false],
    ['no equal labels: any source alert inhibits', [{ labels: {} }], [], { a: 'b' }, true],
    ['matching but already resolved', [resolved({ a: 'b', b: 'f' }), resolved({ a: 'b', b: 'c' })], ['a', 'b'], { a: 'b', b: 'c' }, false],
    ['matching and unresolved', [resolved({ a: 'b', c: 'd' }), firing({ a: 'b', c: 'f' })], ['a'], { a: 'b' }, true],
    ['equal label does not match', [resolved({ a: 'c', c: 'd' }), resolved({ a: 'c', c: 'f' })], ['a'], { a: 'b' }, false],
    ['a label missing on both sides is equal', [firing({ x: '1' })], ['cluster'], { y: '2' }, true],
    ['a label missing on one side is not equal', [firing({ cluster: 'a' })], ['cluster'], { y: '2' }, false],
  ];
  for (const [name, alerts, equal, input, want] of cases) {
    it(name, () => expect(new Inhibitor([anySource(equal)], alerts, NOW).isInhibited({ ...input, target: 'yes' })).toBe(want));
  }
});

describe('two-sided matches (TestInhibitRuleMatches)', () => {
  const rules = [rule('{source_match: {s1: "1"}, target_match: {t1: "1"}, equal: [e]}'), rule('{source_match: {s2: "1"}, target_match: {t2: "1"}, equal: [e]}')];
  // sourceAlert1 matches rule 1's source side; sourceAlert2 both sides of rule 2.
  const alerts = [firing({ s1: '1', t1: '2', e: '1' }), firing({ s2: '1', t2: '1', e: '1' })];
  const ih = new Inhibitor(rules, alerts, NOW);
  const cases: [Record<string, string>, boolean][] = [
    [{ t1: '1', e: '1' }, true],
    [{ t2: '1', e: '1' }, true],
    [{ t1: '1', t3: '1', e: '1' }, true],
    [{ t1: '1', t2: '1', e: '1' }, true],
    [{ t1: '0', e: '1' }, false],
    [{ s1: '1', t1: '1', e: '1' }, true],
    [{ s2: '1', t2: '1', e: '1' }, false],
    [{ t1: '1', e: '0' }, false],
  ];
  for (const [target, want] of cases) it(JSON.stringify(target), () => expect(ih.isInhibited(target)).toBe(want));

  it('reports the inhibiting alert fingerprint', () => {
    expect(ih.inhibitedBy({ t1: '1', e: '1' })).toBe(fingerprint({ s1: '1', t1: '2', e: '1' }));
    expect(ih.inhibitedBy({ t1: '0', e: '1' })).toBeUndefined();
  });
});

describe('matchers (TestInhibitRuleMatchers)', () => {
  const rules = [rule('{source_matchers: [s1="1"], target_matchers: [t1!="1"], equal: [e]}'), rule('{source_matchers: [s2="1"], target_matchers: [t2="1"], equal: [e]}')];
  const ih = new Inhibitor(rules, [firing({ s1: '1', t1: '2', e: '1' }), firing({ s2: '1', t2: '1', e: '1' })], NOW);
  const cases: [Record<string, string>, boolean][] = [
    [{ t1: '1', e: '1' }, false],
    [{ t2: '1', e: '1' }, true],
    [{ t1: '1', t3: '1', e: '1' }, false],
    [{ t1: '1', t2: '1', e: '1' }, true],
    [{ t1: '0', e: '1' }, true],
    [{ s1: '1', t1: '1', e: '1' }, false],
    [{ s2: '1', t2: '1', e: '1' }, true],
    [{ t1: '1', e: '0' }, false],
  ];
  for (const [target, want] of cases) it(JSON.stringify(target), () => expect(ih.isInhibited(target)).toBe(want));
});

describe('source alert lifecycle (TestInhibit)', () => {
  const rules = [rule('{source_match: {s: "1"}, target_match: {t: "1"}, equal: [e]}')];
  const alertOne = firing({ t: '1', e: 'f' });
  it('does not mute while the source has not fired', () => {
    expect(new Inhibitor(rules, [alertOne], NOW).isInhibited(alertOne.labels)).toBe(false);
  });
  it('mutes while the source fires, and never mutes the source itself', () => {
    const ih = new Inhibitor(rules, [alertOne, firing({ s: '1', e: 'f' })], NOW);
    expect(ih.isInhibited({ t: '1', e: 'f' })).toBe(true);
    expect(ih.isInhibited({ s: '1', e: 'f' })).toBe(false);
  });
  it('stops muting once the source is resolved', () => {
    const ih = new Inhibitor(rules, [alertOne, resolved({ s: '1', e: 'f' })], NOW);
    expect(ih.isInhibited({ t: '1', e: 'f' })).toBe(false);
  });
  it('treats an end time in the future as firing and exactly now as resolved', () => {
    expect(new Inhibitor(rules, [{ labels: { s: '1', e: 'f' }, endsAtMs: NOW + 1 }], NOW).isInhibited(alertOne.labels)).toBe(true);
    expect(new Inhibitor(rules, [{ labels: { s: '1', e: 'f' }, endsAtMs: NOW }], NOW).isInhibited(alertOne.labels)).toBe(false);
  });
});
