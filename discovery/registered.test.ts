import { describe, expect, it } from 'vitest';
import { registeredGroups } from './registered.ts';

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
