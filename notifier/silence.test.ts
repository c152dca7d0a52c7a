// Ported from Alertmanager 0.28 silence/silence_test.go (TestValidateSilence, TestSilenceCanUpdate,
// TestSilenceSet, TestSilenceExpire) and the API v2 checks.
import { describe, expect, it } from 'vitest';
import { newMatcher, parseMatchers } from './matchers.ts';
import {
  canUpdateInPlace,
  expireSilence,
  matcherFromApi,
  mutedBy,
  setSilence,
  silenceState,
  silenceToApi,
  SilenceError,
  validatePostedSilence,
  validateSilence,
  type Silence,
} from './silence.ts';

const NOW = Date.UTC(2024, 5, 1, 12);
const MIN = 60_000;
const HOUR = 3_600_000;
const ab = [newMatcher('=', 'a', 'b')];
const sil = (over: Partial<Silence> = {}): Silence => ({ id: 's1', matchers: ab, startsAt: NOW - HOUR, endsAt: NOW + 2 * HOUR, updatedAt: NOW - HOUR, createdBy: 'me', comment: 'c', ...over });

describe('validateSilence (TestValidateSilence)', () => {
  const cases: [string, Parameters<typeof validateSilence>[0], string | undefined][] = [
    ['valid', { matchers: ab, startsAt: NOW, endsAt: NOW + 1 }, undefined],
    ['no matchers', { matchers: [], startsAt: NOW, endsAt: NOW + 1 }, 'at least one matcher required'],
    ['bad label name', { matchers: [newMatcher('=', 'a', 'b'), newMatcher('=', '00', 'b')], startsAt: NOW, endsAt: NOW + 1 }, 'invalid label matcher 1: invalid label name "00"'],
    ['all match empty', { matchers: [newMatcher('=', 'a', ''), newMatcher('=~', 'b', '.*')], startsAt: NOW, endsAt: NOW + 1 }, 'at least one matcher must not match the empty string'],
    ['end before start', { matchers: ab, startsAt: NOW, endsAt: NOW - 1 }, 'end time must not be before start time'],
    ['zero start', { matchers: ab, startsAt: 0, endsAt: NOW }, 'invalid zero start timestamp'],
    ['zero end', { matchers: ab, startsAt: NOW, endsAt: 0 }, 'invalid zero end timestamp'],
    ['bad regex', { matchers: [{ type: '=~', name: 'a', value: '(' }], startsAt: NOW, endsAt: NOW + 1 }, 'invalid label matcher 0: invalid regular expression "("'],
    // Upstream only counts = and =~ as able to match "": a lone != passes.
    ['a negative matcher alone', { matchers: [newMatcher('!=', 'a', 'b')], startsAt: NOW, endsAt: NOW + 1 }, undefined],
  ];
  for (const [name, s, err] of cases) {
    it(name, () => {
      if (err === undefined) expect(() => validateSilence(s)).not.toThrow();
      else expect(() => validateSilence(s)).toThrow(`invalid silence: ${err}`);
    });
  }

  it('applies the API checks on posted silences', () => {
    expect(() => validatePostedSilence({ matchers: ab, startsAt: NOW, endsAt: NOW, createdBy: '', comment: '' }, NOW)).toThrow('start time must be before end time');
    expect(() => validatePostedSilence({ matchers: ab, startsAt: NOW - 2 * HOUR, endsAt: NOW - HOUR, createdBy: '', comment: '' }, NOW)).toThrow("end time can't be in the past");
    expect(() => validatePostedSilence({ matchers: ab, endsAt: NOW + HOUR, createdBy: '', comment: '' }, NOW)).not.toThrow();
  });
});

describe('state', () => {
  it('is pending, active, then expired (the API says expired from endsAt on)', () => {
    const s = sil({ startsAt: NOW + MIN, endsAt: NOW + 2 * MIN });
    expect(silenceState(s, NOW)).toBe('pending');
    expect(silenceState(s, NOW + MIN)).toBe('active');
    expect(silenceState(s, NOW + 2 * MIN)).toBe('expired');
  });
});

describe('canUpdateInPlace (TestSilenceCanUpdate)', () => {
  const pending = sil({ startsAt: NOW + HOUR, endsAt: NOW + 2 * HOUR });
  const active = sil({ startsAt: NOW - HOUR, endsAt: NOW + 2 * HOUR });
  const cases: [string, Silence, { startsAt: number; endsAt: number }, boolean][] = [
    ['zero silence', sil({ startsAt: 0, endsAt: 0 }), { startsAt: NOW, endsAt: NOW - MIN }, false],
    ['expired', sil({ startsAt: NOW - HOUR, endsAt: NOW - 1000 }), { startsAt: NOW, endsAt: NOW }, false],
    ['pending moved into the past', pending, { startsAt: NOW - MIN, endsAt: NOW + HOUR }, false],
    ['pending moved', pending, { startsAt: NOW + MIN, endsAt: NOW + MIN }, true],
    ['pending starting now', pending, { startsAt: NOW, endsAt: NOW + 2 * HOUR }, true],
    ['active with another start', active, { startsAt: NOW - MIN, endsAt: NOW + 2 * HOUR }, false],
    ['active ending in the past', active, { startsAt: NOW - HOUR, endsAt: NOW - 1000 }, false],
    ['active ending now', active, { startsAt: NOW - HOUR, endsAt: NOW }, true],
    ['active extended', active, { startsAt: NOW - HOUR, endsAt: NOW + 3 * HOUR }, true],
  ];
  for (const [name, a, b, ok] of cases) it(name, () => expect(canUpdateInPlace(a, { matchers: ab, ...b }, NOW)).toBe(ok));

  it('never updates in place when the matchers change', () => {
    expect(canUpdateInPlace(active, { matchers: [newMatcher('=', 'a', 'c')], startsAt: active.startsAt, endsAt: active.endsAt }, NOW)).toBe(false);
  });
});

describe('setSilence (TestSilenceSet)', () => {
  let n = 0;
  const ids = () => `id-${++n}`;

  it('creates a silence starting now when startsAt is unset or in the past', () => {
    const { saved, expired } = setSilence(undefined, { matchers: ab, endsAt: NOW + HOUR, createdBy: 'me', comment: 'x' }, NOW, ids);
    expect(saved).toMatchObject({ startsAt: NOW, endsAt: NOW + HOUR, updatedAt: NOW, createdBy: 'me', comment: 'x' });
    expect(saved.id).toMatch(/^id-/);
    expect(expired).toBeUndefined();
    expect(setSilence(undefined, { matchers: ab, startsAt: NOW - MIN, endsAt: NOW + HOUR, createdBy: '', comment: '' }, NOW, ids).saved.startsAt).toBe(NOW);
  });

  it('rejects an unknown id', () => {
    let err: unknown;
    try {
      setSilence(undefined, { id: 'nope', matchers: ab, endsAt: NOW + HOUR, createdBy: '', comment: '' }, NOW, ids);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SilenceError);
    expect((err as SilenceError).notFound).toBe(true);
  });

  it('updates an active silence in place when only its end and comment change', () => {
    const prev = sil();
    const { saved, expired } = setSilence(prev, { id: prev.id, matchers: ab, startsAt: prev.startsAt, endsAt: NOW + 5 * HOUR, createdBy: 'you', comment: 'longer' }, NOW, ids);
    expect(saved).toEqual({ ...prev, endsAt: NOW + 5 * HOUR, createdBy: 'you', comment: 'longer', updatedAt: NOW });
    expect(expired).toBeUndefined();
  });

  it("replaces an active silence whose matchers change, expiring the old one", () => {
    const prev = sil();
    const { saved, expired } = setSilence(prev, { id: prev.id, matchers: parseMatchers('a="c"'), startsAt: prev.startsAt, endsAt: NOW + HOUR, createdBy: 'me', comment: 'c' }, NOW, ids);
    expect(saved.id).not.toBe(prev.id);
    expect(saved.startsAt).toBe(NOW);
    expect(expired).toEqual({ ...prev, endsAt: NOW, updatedAt: NOW });
  });

  it('replaces an expired silence without touching it', () => {
    const prev = sil({ startsAt: NOW - 2 * HOUR, endsAt: NOW - HOUR });
    const { saved, expired } = setSilence(prev, { id: prev.id, matchers: ab, startsAt: NOW, endsAt: NOW + HOUR, createdBy: '', comment: '' }, NOW, ids);
    expect(saved.id).not.toBe(prev.id);
    expect(expired).toBeUndefined();
  });
});

describe('expireSilence (TestSilenceExpire)', () => {
  it('ends an active silence now, a pending one starts and ends now, an expired one stays', () => {
    expect(expireSilence(sil(), NOW)).toMatchObject({ startsAt: NOW - HOUR, endsAt: NOW, updatedAt: NOW });
    expect(expireSilence(sil({ startsAt: NOW + HOUR }), NOW)).toMatchObject({ startsAt: NOW, endsAt: NOW, updatedAt: NOW });
    const old = sil({ startsAt: NOW - 2 * HOUR, endsAt: NOW - HOUR });
    expect(expireSilence(old, NOW)).toBe(old);
  });
});

describe('mutedBy (Silencer.Mutes)', () => {
  const silences = [
    sil({ id: 'b-active', matchers: parseMatchers('job="api"') }),
    sil({ id: 'a-active', matchers: parseMatchers('job=~"api|web",env!="dev"') }),
    sil({ id: 'pending', matchers: parseMatchers('job="api"'), startsAt: NOW + HOUR }),
    sil({ id: 'expired', matchers: parseMatchers('job="api"'), startsAt: NOW - 2 * HOUR, endsAt: NOW - HOUR }),
    sil({ id: 'other', matchers: parseMatchers('job="db"') }),
  ];
  it('lists matching active and pending silences, sorted', () => {
    expect(mutedBy(silences, { job: 'api', env: 'prod' }, NOW)).toEqual({ active: ['a-active', 'b-active'], pending: ['pending'] });
    expect(mutedBy(silences, { job: 'api', env: 'dev' }, NOW)).toEqual({ active: ['b-active'], pending: ['pending'] });
    expect(mutedBy(silences, { job: 'web' }, NOW)).toEqual({ active: ['a-active'], pending: [] });
    expect(mutedBy(silences, { job: 'none' }, NOW)).toEqual({ active: [], pending: [] });
  });
  it('still mutes at exactly endsAt, as upstream getState does', () => {
    expect(mutedBy([sil({ endsAt: NOW })], { a: 'b' }, NOW).active).toEqual(['s1']);
  });
});

describe('API shapes', () => {
  it('maps isEqual/isRegex both ways', () => {
    expect(matcherFromApi({ name: 'a', value: 'b' })).toEqual({ type: '=', name: 'a', value: 'b' });
    expect(matcherFromApi({ name: 'a', value: 'b.*', isRegex: true, isEqual: false })).toEqual({ type: '!~', name: 'a', value: 'b.*' });
    const api = silenceToApi(sil(), NOW);
    expect(api).toMatchObject({ id: 's1', status: { state: 'active' }, startsAt: '2024-06-01T11:00:00.000Z', matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }] });
  });
});
