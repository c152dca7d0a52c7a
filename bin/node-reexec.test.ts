import { describe, expect, it } from 'vitest';
import { JEMALLOC_PATHS, reexecPlan } from './node-reexec.ts';

const debian = (p: string): boolean => p === JEMALLOC_PATHS[0];
const none = (): boolean => false;

describe('reexecPlan', () => {
  it('preloads jemalloc where the machine has it, keeping the environment and an earlier preload', () => {
    const plan = reexecPlan({ PATH: '/bin', LD_PRELOAD: '/opt/x.so' }, 'linux', [], [], debian);
    expect(plan?.library).toBe(JEMALLOC_PATHS[0]);
    expect(plan?.env).toMatchObject({ PATH: '/bin', LD_PRELOAD: `${JEMALLOC_PATHS[0]}:/opt/x.so`, RINGWATCH_REEXECUTED: '1' });
    expect(plan?.execArgv).toEqual([]);
  });

  it('runs as is once re-executed, when the operator chose the system allocator or preloaded jemalloc, without the library, or off Linux', () => {
    const once = reexecPlan({}, 'linux', [], [], debian);
    expect(once).toBeDefined();
    expect(reexecPlan(once?.env ?? {}, 'linux', [], [], debian)).toBeUndefined();
    expect(reexecPlan({ RINGWATCH_ALLOCATOR: 'system' }, 'linux', [], [], debian)).toBeUndefined();
    expect(reexecPlan({ LD_PRELOAD: '/usr/local/lib/libjemalloc.so' }, 'linux', [], [], debian)).toBeUndefined();
    expect(reexecPlan({}, 'linux', [], [], none)).toBeUndefined();
    expect(reexecPlan({}, 'darwin', [], [], debian)).toBeUndefined();
    expect(reexecPlan({ RINGWATCH_ALLOCATOR: 'jemalloc' }, 'linux', [], [], debian)).toBeDefined();
  });

  it("puts the node's start flags before its own options, also without jemalloc, and only once", () => {
    const plan = reexecPlan({ RINGWATCH_ALLOCATOR: 'system' }, 'linux', ['--enable-source-maps'], ['--max-semi-space-size=16'], debian);
    expect(plan?.library).toBeUndefined();
    expect(plan?.env['LD_PRELOAD']).toBeUndefined();
    expect(plan?.execArgv).toEqual(['--max-semi-space-size=16', '--enable-source-maps']);
    expect(reexecPlan(plan?.env ?? {}, 'linux', plan?.execArgv ?? [], ['--max-semi-space-size=16'], debian)).toBeUndefined();
    expect(reexecPlan({}, 'darwin', [], ['--max-semi-space-size=16'], none)?.execArgv).toEqual(['--max-semi-space-size=16']);
  });

  it('leaves a flag the operator gave on the command line or in NODE_OPTIONS to them', () => {
    expect(reexecPlan({}, 'linux', ['--max_semi_space_size=64'], ['--max-semi-space-size=16'], none)).toBeUndefined();
    expect(reexecPlan({ NODE_OPTIONS: '--max-old-space-size=512 --max-semi-space-size=32' }, 'linux', [], ['--max-semi-space-size=16'], none)).toBeUndefined();
    const plan = reexecPlan({ NODE_OPTIONS: '--max-semi-space-size=32' }, 'linux', [], ['--max-semi-space-size=16'], debian);
    expect(plan?.execArgv).toEqual([]);
    expect(plan?.library).toBe(JEMALLOC_PATHS[0]);
    // A boolean flag either way round is the operator's.
    expect(reexecPlan({ NODE_OPTIONS: '--incremental-marking' }, 'linux', [], ['--no-incremental-marking'], none)).toBeUndefined();
    expect(reexecPlan({}, 'linux', ['--no_incremental_marking'], ['--no-incremental-marking'], none)).toBeUndefined();
    expect(reexecPlan({}, 'linux', [], ['--no-incremental-marking'], none)?.execArgv).toEqual(['--no-incremental-marking']);
  });
});
