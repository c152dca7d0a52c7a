// Silences (silence/silence.go and the API v2 handlers): the model, validation, state at a time,
// which silences mute a label set, and the create/update/expire rules. Pure data: the caller
// stores silences (etcd) and supplies the current time and new IDs. Times are epoch milliseconds.
import { RE2JS } from 're2js';
import { isValidLabelName, type LabelSet } from './labels.ts';
import { matchesLabels, newMatcher, type Matcher, type MatchType } from './matchers.ts';

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** What a client posts: no updatedAt; an id to update an existing silence; startsAt 0 = now. */
export interface PostableSilence {
  readonly id?: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt?: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

export type SilenceState = 'active' | 'pending' | 'expired';

/** Silences are kept this long after they end (Alertmanager's --data.retention default, 120h). */
export const DEFAULT_SILENCE_RETENTION_MS = 120 * 3_600_000;

/** Errors carrying Alertmanager's messages; `notFound` marks the API's 404 case. */
export class SilenceError extends Error {
  readonly notFound: boolean;
  constructor(message: string, notFound = false) {
    super(message);
    this.name = 'SilenceError';
    this.notFound = notFound;
  }
}

/** The state the API reports (types.CalcSilenceState): expired from endsAt on. */
export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, nowMs: number): SilenceState {
  if (nowMs < s.startsAt) return 'pending';
  if (nowMs < s.endsAt) return 'active';
  return 'expired';
}

// silence.getState, which muting and updates use: still active at exactly endsAt.
function stateAt(s: Pick<Silence, 'startsAt' | 'endsAt'>, nowMs: number): SilenceState {
  if (nowMs < s.startsAt) return 'pending';
  if (nowMs > s.endsAt) return 'expired';
  return 'active';
}

function validateMatcher(m: Matcher): void {
  if (!isValidLabelName(m.name)) throw new Error(`invalid label name ${JSON.stringify(m.name)}`);
  if (m.type === '=~' || m.type === '!~') {
    try {
      RE2JS.compile(m.value);
    } catch (err) {
      throw new Error(`invalid regular expression ${JSON.stringify(m.value)}: ${(err as Error).message}`);
    }
  } else if (m.type !== '=' && m.type !== '!=') {
    throw new Error(`unknown matcher type ${JSON.stringify(m.type)}`);
  }
}

// Only `=` and `=~` can match the empty string here (as upstream: `!=""`-style matchers count as not).
function matchesEmpty(m: Matcher): boolean {
  if (m.type === '=') return m.value === '';
  if (m.type === '=~') return RE2JS.compile(m.value).matcher('').find();
  return false;
}

/** validateSilence: throws "invalid silence: ..." as Silences.Set does. */
export function validateSilence(s: Pick<Silence, 'matchers' | 'startsAt' | 'endsAt'>): void {
  const fail = (msg: string): never => {
    throw new SilenceError(`invalid silence: ${msg}`);
  };
  if (s.matchers.length === 0) fail('at least one matcher required');
  let allMatchEmpty = true;
  s.matchers.forEach((m, i) => {
    try {
      validateMatcher(m);
    } catch (err) {
      fail(`invalid label matcher ${i}: ${(err as Error).message}`);
    }
    allMatchEmpty = allMatchEmpty && matchesEmpty(m);
  });
  if (allMatchEmpty) fail('at least one matcher must not match the empty string');
  if (!s.startsAt) fail('invalid zero start timestamp');
  if (!s.endsAt) fail('invalid zero end timestamp');
  if (s.endsAt < s.startsAt) fail('end time must not be before start time');
}

/** The API's own checks before Set (postSilencesHandler). */
export function validatePostedSilence(s: PostableSilence, nowMs: number): void {
  if (s.startsAt !== undefined && s.startsAt !== 0 && s.startsAt >= s.endsAt) throw new SilenceError('Failed to create silence: start time must be before end time');
  if (s.endsAt < nowMs) throw new SilenceError("Failed to create silence: end time can't be in the past");
}

const sameMatchers = (a: readonly Matcher[], b: readonly Matcher[]): boolean =>
  a.length === b.length && a.every((m, i) => m.type === b[i]?.type && m.name === b[i]?.name && m.value === b[i]?.value);

/** canUpdate: whether `next` can replace `prev` in place without rewriting history. */
export function canUpdateInPlace(prev: Silence, next: Pick<Silence, 'matchers' | 'startsAt' | 'endsAt'>, nowMs: number): boolean {
  if (!sameMatchers(prev.matchers, next.matchers)) return false;
  switch (stateAt(prev, nowMs)) {
    case 'active':
      // Compared at second precision, as upstream compares Unix() seconds.
      return Math.floor(next.startsAt / 1000) === Math.floor(prev.startsAt / 1000) && next.endsAt >= nowMs;
    case 'pending':
      return next.startsAt >= nowMs;
    case 'expired':
      return false;
  }
}

/** Expire: an active silence ends now, a pending one starts and ends now; expired ones are unchanged. */
export function expireSilence(s: Silence, nowMs: number): Silence {
  switch (stateAt(s, nowMs)) {
    case 'expired':
      return s;
    case 'active':
      return { ...s, endsAt: nowMs, updatedAt: nowMs };
    case 'pending':
      return { ...s, startsAt: nowMs, endsAt: nowMs, updatedAt: nowMs };
  }
}

export interface SetSilenceResult {
  /** The silence to store (the updated one, or a new one with a new id). */
  readonly saved: Silence;
  /** The previous silence, expired, when it could not be updated in place (store it too). */
  readonly expired?: Silence;
}

/**
 * Silences.Set: create, update in place, or replace. `existing` is the stored silence with
 * `posted.id` (undefined when there is none); `newId` is called only when a new silence is made.
 */
export function setSilence(existing: Silence | undefined, posted: PostableSilence, nowMs: number, newId: () => string = () => crypto.randomUUID()): SetSilenceResult {
  const startsAt = posted.startsAt || nowMs;
  const candidate = { matchers: posted.matchers, startsAt, endsAt: posted.endsAt };
  validateSilence(candidate);
  if (posted.id && existing === undefined) throw new SilenceError('silence not found', true);
  const base = { matchers: [...posted.matchers], endsAt: posted.endsAt, createdBy: posted.createdBy, comment: posted.comment };
  if (existing !== undefined && canUpdateInPlace(existing, candidate, nowMs)) {
    return { saved: { ...base, id: existing.id, startsAt, updatedAt: nowMs } };
  }
  const saved: Silence = { ...base, id: newId(), startsAt: Math.max(startsAt, nowMs), updatedAt: nowMs };
  if (existing !== undefined && stateAt(existing, nowMs) !== 'expired') return { saved, expired: expireSilence(existing, nowMs) };
  return { saved };
}

/** Silencer.Mutes: the active silences (sorted IDs) muting `labels`, and the pending ones that will. */
export function mutedBy(silences: Iterable<Silence>, labels: LabelSet, nowMs: number): { active: string[]; pending: string[] } {
  const active: string[] = [];
  const pending: string[] = [];
  for (const s of silences) {
    const state = stateAt(s, nowMs);
    if (state === 'expired' || !matchesLabels(s.matchers, labels)) continue;
    (state === 'active' ? active : pending).push(s.id);
  }
  return { active: active.sort(), pending: pending.sort() };
}

/** When a stored silence may be garbage-collected (MeshSilence.ExpiresAt). */
export function silenceExpiresAt(s: Silence, retentionMs: number = DEFAULT_SILENCE_RETENTION_MS): number {
  return s.endsAt + retentionMs;
}

/** An API v2 matcher: isEqual defaults to true, isRegex to false. */
export interface ApiMatcher {
  name: string;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}

export function matcherFromApi(m: ApiMatcher): Matcher {
  const isEqual = m.isEqual ?? true;
  const isRegex = m.isRegex ?? false;
  const type: MatchType = isRegex ? (isEqual ? '=~' : '!~') : isEqual ? '=' : '!=';
  // Not compiled here: validateSilence reports a bad regex with Alertmanager's message.
  return isRegex ? { type, name: m.name, value: m.value } : newMatcher(type, m.name, m.value);
}

export function matcherToApi(m: Matcher): Required<ApiMatcher> {
  return { name: m.name, value: m.value, isRegex: m.type === '=~' || m.type === '!~', isEqual: m.type === '=' || m.type === '=~' };
}

/** GettableSilence as /api/v2/silences returns it (strfmt.DateTime: millisecond ISO times). */
export function silenceToApi(s: Silence, nowMs: number): Record<string, unknown> {
  return {
    id: s.id,
    status: { state: silenceState(s, nowMs) },
    updatedAt: new Date(s.updatedAt).toISOString(),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: new Date(s.endsAt).toISOString(),
    matchers: s.matchers.map(matcherToApi),
    startsAt: new Date(s.startsAt).toISOString(),
  };
}
