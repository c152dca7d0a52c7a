// The silences (silence/silence.go Silences): created, updated and expired through the API,
// stored in the shared map (etcd when configured), garbage-collected after the retention.
import { expireSilence, mutedBy, setSilence, silenceExpiresAt, SilenceError, silenceState, type PostableSilence, type Silence, type SilenceState } from './silence.ts';
import type { LabelSet } from './labels.ts';
import type { SharedMap } from './shared-map.ts';

export class SilenceStore {
  readonly #map: SharedMap<Silence>;
  readonly #retentionMs: number;

  constructor(map: SharedMap<Silence>, retentionMs: number) {
    this.#map = map;
    this.#retentionMs = retentionMs;
  }

  get(id: string): Silence | undefined {
    return this.#map.get(id);
  }

  all(): Silence[] {
    return this.#map.values();
  }

  /** Creates or updates; returns the id of the silence now in force. */
  async set(posted: PostableSilence, nowMs: number): Promise<string> {
    const existing = posted.id ? this.#map.get(posted.id) : undefined;
    const { saved, expired } = setSilence(existing, posted, nowMs);
    if (expired !== undefined) await this.#map.put(expired.id, expired);
    await this.#map.put(saved.id, saved);
    return saved.id;
  }

  async expire(id: string, nowMs: number): Promise<void> {
    const s = this.#map.get(id);
    if (s === undefined) throw new SilenceError('silence not found', true);
    if (silenceState(s, nowMs) === 'expired') throw new SilenceError('silence already expired');
    await this.#map.put(id, expireSilence(s, nowMs));
  }

  mutedBy(labels: LabelSet, nowMs: number): string[] {
    return mutedBy(this.#map.values(), labels, nowMs).active;
  }

  countByState(nowMs: number): Record<SilenceState, number> {
    const out: Record<SilenceState, number> = { active: 0, pending: 0, expired: 0 };
    for (const s of this.#map.values()) out[silenceState(s, nowMs)]++;
    return out;
  }

  async gc(nowMs: number): Promise<number> {
    let n = 0;
    for (const s of this.#map.values()) {
      if (silenceExpiresAt(s, this.#retentionMs) <= nowMs) {
        await this.#map.delete(s.id);
        n++;
      }
    }
    return n;
  }
}

export function decodeSilence(json: unknown): Silence {
  const s = json as Silence;
  if (typeof s !== 'object' || s === null || typeof s.id !== 'string' || !Array.isArray(s.matchers) || typeof s.startsAt !== 'number' || typeof s.endsAt !== 'number') {
    throw new Error('not a silence');
  }
  return s;
}
