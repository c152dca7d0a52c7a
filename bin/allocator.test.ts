import { describe, expect, it } from 'vitest';
import { JEMALLOC_PATHS, jemallocReexec } from './allocator.ts';

const debian = (p: string): boolean => p === JEMALLOC_PATHS[0];

describe('jemallocReexec', () => {
  it('preloads jemalloc where the machine has it, keeping the environment and an earlier preload', () => {
    const plan = jemallocReexec({ PATH: '/bin', LD_PRELOAD: '/opt/x.so' }, 'linux', debian);
    expect(plan?.library).toBe(JEMALLOC_PATHS[0]);
    expect(plan?.env).toMatchObject({ PATH: '/bin', LD_PRELOAD: `${JEMALLOC_PATHS[0]}:/opt/x.so`, RINGWATCH_ALLOCATOR: 'jemalloc-preloaded' });
  });

  it('runs as is once re-executed, when the operator chose the system allocator or preloaded jemalloc, without the library, or off Linux', () => {
    const once = jemallocReexec({}, 'linux', debian);
    expect(once).toBeDefined();
    expect(jemallocReexec(once?.env ?? {}, 'linux', debian)).toBeUndefined();
    expect(jemallocReexec({ RINGWATCH_ALLOCATOR: 'system' }, 'linux', debian)).toBeUndefined();
    expect(jemallocReexec({ LD_PRELOAD: '/usr/local/lib/libjemalloc.so' }, 'linux', debian)).toBeUndefined();
    expect(jemallocReexec({}, 'linux', () => false)).toBeUndefined();
    expect(jemallocReexec({}, 'darwin', debian)).toBeUndefined();
    expect(jemallocReexec({ RINGWATCH_ALLOCATOR: 'jemalloc' }, 'linux', debian)).toBeDefined();
  });
});
