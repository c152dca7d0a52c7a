import { describe, expect, it } from 'vitest';
import { decodeTarget, KEYS, type TargetRecord } from './cluster-state.ts';
import { EncodedTargetMap } from './encoded-target-map.ts';
import { emptyChanges, TargetListStager, type TargetEpochRecord } from './target-epoch.ts';
import { encodeTarget } from './target-record-codec.ts';

const PREFIX = `/rw/${KEYS.targets}`;
const target = (id: string, intervalMs = 10_000): TargetRecord => ({
  id,
  job: 'j',
  url: `http://${id}:9100/metrics`,
  labels: [
    ['instance', `${id}:9100`],
    ['job', 'j'],
  ],
  discoveredLabels: { __address__: `${id}:9100`, __metrics_path__: '/metrics', __scheme__: 'http', __scrape_interval__: `${intervalMs / 1000}s`, __scrape_timeout__: '1s', job: 'j' },
  intervalMs,
  timeoutMs: 1000,
  source: 's',
});
/** Text that does not decode: reading it is what reports it. */
const BROKEN = '{"j":1}';

function map(entries: Record<string, string>): { m: EncodedTargetMap; invalid: string[] } {
  const invalid: string[] = [];
  const m = new EncodedTargetMap(PREFIX, (key) => invalid.push(key));
  for (const [id, text] of Object.entries(entries)) m.setEncoded(id, text);
  return { m, invalid };
}

describe('EncodedTargetMap', () => {
  it('answers ids, has and size without decoding; decodes a record on its first read, once', () => {
    const { m, invalid } = map({ a: encodeTarget(target('a')), bad: BROKEN });
    expect([...m.keys()]).toEqual(['a', 'bad']);
    expect(m.has('bad')).toBe(true);
    expect(m.size).toBe(2);
    expect(invalid).toEqual([]); // nothing decoded yet
    const a = m.get('a');
    expect(a).toEqual(decodeTarget(PREFIX + 'a', encodeTarget(target('a'))));
    expect(m.get('a')).toBe(a);
  });

  it('keeps an invalid record\'s id (every node plans over the same ids), reads it as undefined, reports it once', () => {
    const { m, invalid } = map({ a: encodeTarget(target('a')), bad: BROKEN });
    expect(m.get('bad')).toBeUndefined();
    expect(m.get('bad')).toBeUndefined();
    expect(invalid).toEqual([PREFIX + 'bad']);
    expect(m.has('bad')).toBe(true);
    expect([...m.values()].map((t) => t.id)).toEqual(['a']);
    expect([...m].map(([id]) => id)).toEqual(['a']);
    const seen: string[] = [];
    m.forEach((t, id) => seen.push(`${id}=${t.id}`));
    expect(seen).toEqual(['a=a']);
  });

  it('holds decoded records set on it as they are', () => {
    const { m } = map({});
    const b = target('b');
    m.set('b', b);
    expect(m.get('b')).toBe(b);
    m.delete('b');
    expect(m.has('b')).toBe(false);
  });

  it('replaceWith copies records as they are stored (nothing decoded)', () => {
    const { m: from } = map({ bad: BROKEN, a: encodeTarget(target('a')) });
    const { m: into, invalid } = map({ old: encodeTarget(target('old')) });
    into.replaceWith(from);
    expect([...into.keys()]).toEqual(['bad', 'a']);
    expect(invalid).toEqual([]);
    expect(into.get('a')?.url).toBe('http://a:9100/metrics');
  });
});

describe('TargetListStager over encoded records', () => {
  const epoch = (n: number, effectiveAtMs: number, targets: number): TargetEpochRecord => ({ epoch: n, effectiveAtMs, writtenAtMs: effectiveAtMs - 1000, targets, jobs: 0 });

  it('a reload while an epoch is pending decodes only the records that changed', () => {
    // Unchanged records are broken text: decoding one would report it.
    const first = map({ same: BROKEN, changed: encodeTarget(target('changed')), gone: BROKEN });
    const s = new TargetListStager(new EncodedTargetMap(PREFIX, (key) => first.invalid.push(key)), new Map());
    s.load(first.m, new Map(), epoch(1, 0, 3), emptyChanges(), 10);
    expect(first.invalid).toEqual([]);
    const next = map({ same: BROKEN, changed: encodeTarget(target('changed', 20_000)), added: encodeTarget(target('added')) });
    s.load(next.m, new Map(), epoch(2, 1000, 3), emptyChanges(), 20);
    expect(next.invalid).toEqual([]);
    expect(first.invalid).toEqual([]);
    const pending = s.pending[0]?.changes.targets;
    expect([...(pending?.keys() ?? [])].sort()).toEqual(['added', 'changed', 'gone']);
    expect(pending?.get('changed')?.intervalMs).toBe(20_000);
    expect(pending?.get('gone')).toBeNull();
    s.applyDue(1000);
    expect([...s.targets.keys()].sort()).toEqual(['added', 'changed', 'same']);
    expect(s.targets.get('changed')?.intervalMs).toBe(20_000);
  });
});
