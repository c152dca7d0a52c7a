import { describe, expect, it } from 'vitest';
import { decodeTarget, encodeRecord, KEYS, type TargetRecord } from './cluster-state.ts';
import { encodeTarget } from './target-record-codec.ts';

const key = (id: string): string => `/rw/${KEYS.targets}${id}`;

const fileSdTarget: TargetRecord = {
  id: '4e4eed69d223fc3c',
  job: 'node',
  url: 'http://host-0.dc1.example.com:9100/metrics',
  labels: [
    ['env', 'prod'],
    ['instance', 'host-0.dc1.example.com:9100'],
    ['job', 'node'],
    ['team', 'infra'],
  ],
  discoveredLabels: {
    env: 'prod',
    team: 'infra',
    __meta_filepath: '/etc/ringwatch/targets/node.json',
    __address__: 'host-0.dc1.example.com:9100',
    job: 'node',
    __scheme__: 'http',
    __metrics_path__: '/metrics',
    __scrape_interval__: '15s',
    __scrape_timeout__: '5s',
  },
  intervalMs: 15_000,
  timeoutMs: 5000,
  source: 'file_sd:/etc/ringwatch/targets/node.json:0',
};

describe('compact target records', () => {
  it('decode to the same record, in well under half the bytes of the plain JSON', () => {
    const compact = encodeTarget(fileSdTarget);
    expect(decodeTarget(key(fileSdTarget.id), compact)).toEqual(fileSdTarget);
    const plain = encodeRecord(fileSdTarget);
    expect(compact.length / plain.length).toBeLessThan(0.5);
    // What is derived is not stored.
    expect(compact).not.toContain('__scheme__');
    expect(compact).not.toContain('"instance"');
    expect(compact).not.toContain(fileSdTarget.id);
  });

  it('keeps what relabeling changed, and derived labels that a target does not have', () => {
    const relabeled: TargetRecord = {
      id: 'abc',
      job: 'blackbox',
      url: 'https://exporter:9115/probe?module=http_2xx&target=example.com',
      // instance rewritten, no job label at all
      labels: [['instance', 'example.com']],
      // __address__ before relabeling differs from the URL; no __scrape_timeout__
      discoveredLabels: { __address__: 'example.com', __scheme__: 'https', __metrics_path__: '/probe', __scrape_interval__: '1m', job: 'blackbox', __param_module: 'http_2xx' },
      intervalMs: 60_000,
      timeoutMs: 10_000,
      source: '',
    };
    const back = decodeTarget(key('abc'), encodeTarget(relabeled));
    expect(back).toEqual(relabeled);
    expect(back.labels).toEqual([['instance', 'example.com']]);
    expect(back.discoveredLabels.__scrape_timeout__).toBeUndefined();
  });

  it('gives labels sorted by name, as the plain record has them', () => {
    const t: TargetRecord = { ...fileSdTarget, labels: [['a', '1'], ['instance', 'host-0.dc1.example.com:9100'], ['job', 'node'], ['zz', '2']] };
    expect(decodeTarget(key(t.id), encodeTarget(t)).labels.map(([n]) => n)).toEqual(['a', 'instance', 'job', 'zz']);
  });

  it('still reads the plain JSON records of an older coordinator', () => {
    expect(decodeTarget(key(fileSdTarget.id), encodeRecord(fileSdTarget))).toEqual(fileSdTarget);
  });

  it('rejects a malformed compact record naming the key', () => {
    expect(() => decodeTarget(key('x'), JSON.stringify({ j: 'a', u: 'http://a/m', i: 'soon', t: 1 }))).toThrow(/targets\/x: not a target record/);
    expect(() => decodeTarget(key('x'), JSON.stringify({ j: 'a', u: 'http://a/m', i: 1, t: 1, l: { a: 1 } }))).toThrow(/label a is not a string/);
  });
});
