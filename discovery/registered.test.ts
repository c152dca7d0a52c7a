import { describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRATION_POLICY, isRegisteredSource, registeredGroups, registrationRefusal } from './registered.ts';

describe('registeredGroups', () => {
  it('makes one group per registered target, by job, ordered by address, with its own labels', () => {
    const groups = registeredGroups([
      { job: 'a', address: 'z:1', labels: { env: 'x' }, addedAt: 1 },
      { job: 'b', address: 'q:1', labels: {}, addedAt: 2 },
      { job: 'a', address: 'b:1', labels: { env: 'y' }, addedAt: 3 },
    ]);
    expect(groups.get('a')).toEqual([
      { targets: ['b:1'], labels: { env: 'y' }, source: 'api:b:1' },
      { targets: ['z:1'], labels: { env: 'x' }, source: 'api:z:1' },
    ]);
    expect(groups.get('b')).toEqual([{ targets: ['q:1'], labels: {}, source: 'api:q:1' }]);
  });
});

describe('registered targets and the registration policy', () => {
  it('tells a registered target by its source', () => {
    expect(isRegisteredSource('api:10.0.0.1:9100')).toBe(true);
    expect(isRegisteredSource('static:0')).toBe(false);
    expect(isRegisteredSource('file_sd:/etc/api:x.json:0')).toBe(false);
    expect(isRegisteredSource(undefined)).toBe(false);
  });

  it('applies to records already in etcd as to new registrations', () => {
    expect(registrationRefusal('demo', ['a:1'], { __scrape_interval__: '1ms' }, DEFAULT_REGISTRATION_POLICY)?.status).toBe(400);
    expect(registrationRefusal('demo', ['a:1'], { __scrape_interval__: '1s' }, DEFAULT_REGISTRATION_POLICY)).toBeUndefined();
    expect(registrationRefusal('demo', ['a:1'], {}, { ...DEFAULT_REGISTRATION_POLICY, allowedJobs: new Set(['x']) })?.status).toBe(403);
  });
});
