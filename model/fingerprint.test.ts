import { describe, expect, it } from 'vitest';
import { fingerprint, fingerprintHex } from './fingerprint.ts';

describe('fingerprint (model.LabelSet.Fingerprint)', () => {
  it('matches prometheus/common signature_test.go', () => {
    expect(fingerprint({})).toBe(14695981039346656037n);
    expect(fingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe(5799056148416392346n);
  });

  // Values computed with Go's hash/fnv New64a over the same byte layout.
  it('matches Go for more label sets, in any key order', () => {
    expect(fingerprintHex({})).toBe('cbf29ce484222325');
    expect(fingerprintHex({ severity: 'page', job: 'api', alertname: 'HighLatency' })).toBe('a105e054dfb59f59');
    expect(fingerprintHex({ b: '', a: 'é✓' })).toBe('9556977a39a918d3');
  });

  it('hex and bigint agree', () => {
    const labels = { alertname: 'X', instance: 'host:9100' };
    expect(BigInt(`0x${fingerprintHex(labels)}`)).toBe(fingerprint(labels));
    expect(fingerprintHex(labels)).toMatch(/^[0-9a-f]{16}$/);
  });
});
