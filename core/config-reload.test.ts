import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-schema.ts';
import { ConfigReloader, firstChangedField, stableJson } from './config-reload.ts';
import { createLogger } from './logger.ts';

interface Doc {
  node?: { id?: string };
  jobs?: string[];
}

function reader(raw: unknown): Doc {
  const doc = raw as Doc;
  if (doc.jobs !== undefined && !Array.isArray(doc.jobs)) throw new ConfigError('jobs', 'must be a list');
  return doc;
}

function setup(initial: Doc, apply: (next: Doc) => Promise<void> = async () => undefined) {
  const registry = new Registry();
  let file: unknown = initial;
  const applied: Doc[] = [];
  const reloader = new ConfigReloader<Doc>(
    {
      read: reader,
      current: initial,
      restartOnly: ['node.id'],
      apply: async (next) => {
        await apply(next);
        applied.push(next);
      },
      logger: createLogger('test', 'silent'),
      registry,
      load: async () => structuredClone(file),
    },
    initial,
  );
  const gauge = async () => (await registry.getSingleMetric('ringwatch_config_last_reload_successful')?.get())?.values[0]?.value;
  return { reloader, applied, gauge, write: (d: unknown) => (file = d) };
}

describe('ConfigReloader', () => {
  it('applies a valid change and reports success', async () => {
    const t = setup({ node: { id: 'a' }, jobs: ['x'] });
    t.write({ node: { id: 'a' }, jobs: ['x', 'y'] });
    expect(await t.reloader.reload()).toEqual({ ok: true });
    expect(t.applied).toEqual([{ node: { id: 'a' }, jobs: ['x', 'y'] }]);
    expect(t.reloader.config.jobs).toEqual(['x', 'y']);
    expect(await t.gauge()).toBe(1);
  });

  it('refuses an invalid file with the field named, keeps the running configuration, and sets the gauge to 0', async () => {
    const t = setup({ jobs: ['x'] });
    t.write({ jobs: 'not-a-list' });
    const result = await t.reloader.reload();
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^jobs: must be a list/);
    expect(t.applied).toEqual([]);
    expect(t.reloader.config.jobs).toEqual(['x']);
    expect(await t.gauge()).toBe(0);
    // The next good reload clears it.
    t.write({ jobs: ['z'] });
    expect((await t.reloader.reload()).ok).toBe(true);
    expect(await t.gauge()).toBe(1);
  });

  it('refuses a change to a restart-only field', async () => {
    const t = setup({ node: { id: 'a' }, jobs: [] });
    t.write({ node: { id: 'b' }, jobs: ['new'] });
    const result = await t.reloader.reload();
    expect(result).toEqual({ ok: false, error: 'node.id: cannot change while the node runs: restart the node to apply it' });
    expect(t.applied).toEqual([]);
  });

  it('keeps the old configuration when applying fails', async () => {
    const t = setup({ jobs: ['x'] }, async () => {
      throw new Error('store unreachable');
    });
    t.write({ jobs: ['y'] });
    const result = await t.reloader.reload();
    expect(result).toEqual({ ok: false, error: 'applying it failed: store unreachable' });
    expect(t.reloader.config.jobs).toEqual(['x']);
  });

  it('does nothing for an unchanged file (key order is no change)', async () => {
    const t = setup({ node: { id: 'a' }, jobs: ['x'] });
    t.write({ jobs: ['x'], node: { id: 'a' } });
    expect(await t.reloader.reload()).toEqual({ ok: true, unchanged: true });
    expect(t.applied).toEqual([]);
  });

  it('runs a reload requested during another one after it, so the newest file is applied', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const t = setup({ jobs: [] }, async () => {
      if (first) {
        first = false;
        await gate;
      }
    });
    t.write({ jobs: ['1'] });
    const a = t.reloader.reload();
    t.write({ jobs: ['2'] });
    const b = t.reloader.reload();
    const c = t.reloader.reload();
    release();
    expect((await a).ok).toBe(true);
    expect((await b).ok).toBe(true);
    expect(await c).toEqual(await b);
    expect(t.applied.map((d) => d.jobs)).toEqual([['1'], ['2']]);
  });
});

describe('firstChangedField', () => {
  it('names the first restart-only path that differs', () => {
    expect(firstChangedField({ etcd: { endpoints: ['a'] } }, { etcd: { endpoints: ['b'] } }, ['node.id', 'etcd'])).toBe('etcd');
    expect(firstChangedField({ node: { id: 'a', x: 1 } }, { node: { x: 2, id: 'a' } }, ['node.id'])).toBeUndefined();
  });
  it('stableJson ignores key order only', () => {
    expect(stableJson({ a: 1, b: [2, { d: 1, c: 2 }] })).toBe(stableJson({ b: [2, { c: 2, d: 1 }], a: 1 }));
    expect(stableJson([1, 2])).not.toBe(stableJson([2, 1]));
  });
});
