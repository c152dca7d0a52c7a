import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../core/logger.ts';
import type { TargetGroup } from './target-group.ts';
import { DiscoveryManager, type GroupsByJob } from './discovery-manager.ts';
import type { Discoverer } from './discoverer.ts';

/** A discoverer the test drives by hand. */
function manual(mechanism: Discoverer['mechanism'] = 'http_sd'): Discoverer & { report(groups: TargetGroup[]): void; stopped: boolean } {
  let update: ((g: TargetGroup[]) => void) | undefined;
  const d = {
    mechanism,
    stopped: false,
    start: (u: (g: TargetGroup[]) => void) => {
      update = u;
    },
    stop: async () => {
      d.stopped = true;
    },
    report: (groups: TargetGroup[]) => update?.(groups),
  };
  return d;
}

const g = (source: string, ...targets: string[]): TargetGroup => ({ source, targets, labels: {} });

describe('DiscoveryManager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for every source before the first update, merges per job in source order, and debounces', async () => {
    const a1 = manual('static');
    const a2 = manual('file_sd');
    const b1 = manual('api');
    const updates: GroupsByJob[] = [];
    const m = new DiscoveryManager({
      jobs: [
        { job: 'a', discoverers: [a1, a2] },
        { job: 'b', discoverers: [b1] },
      ],
      debounceMs: 200,
      onUpdate: (u) => updates.push(u),
      logger: createLogger('test', 'silent'),
    });
    m.start();
    a2.report([g('file_sd:f:0', 'f:1')]);
    a1.report([g('static:0', 's:1')]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(updates).toHaveLength(0);
    expect(m.initialized).toBe(false);

    b1.report([]);
    expect(m.initialized).toBe(true);
    await vi.advanceTimersByTimeAsync(199);
    expect(updates).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.get('a')?.map((x) => x.source)).toEqual(['static:0', 'file_sd:f:0']);
    expect(updates[0]?.get('b')).toEqual([]);

    // A burst of changes is one update, carrying the last state.
    a2.report([g('file_sd:f:0', 'f:2')]);
    b1.report([g('api:x:1', 'x:1')]);
    a2.report([g('file_sd:f:0', 'f:3')]);
    await vi.advanceTimersByTimeAsync(200);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.get('a')?.[1]?.targets).toEqual(['f:3']);
    expect(updates[1]?.get('b')?.[0]?.targets).toEqual(['x:1']);

    await m.stop();
    expect(a1.stopped && a2.stopped && b1.stopped).toBe(true);
    a2.report([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(updates).toHaveLength(2);
  });

  it('updates once at start for a configuration without sources', async () => {
    const updates: GroupsByJob[] = [];
    const m = new DiscoveryManager({ jobs: [], debounceMs: 200, onUpdate: (u) => updates.push(u), logger: createLogger('test', 'silent') });
    m.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.size).toBe(0);
  });
});
