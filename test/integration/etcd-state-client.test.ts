// The one etcd state client on real etcd: a prefix larger than one page (and than gRPC's 4 MiB
// message limit) loads whole at one revision, and the follower applies later changes in order.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPrefix, PrefixFollower, type KeyValue } from '../../cluster/etcd-state-client.ts';
import { createLogger } from '../../core/logger.ts';
import { eventually } from '../harness/eventually.ts';

describe('etcd state client', () => {
  const infra = inject('infra');
  const prefix = `/rw-state-${randomBytes(3).toString('hex')}/`;
  let etcd: Etcd3;

  beforeAll(() => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
  });
  afterAll(async () => {
    await etcd.delete().prefix(prefix);
    etcd.close();
  });

  it('loads a prefix of more than 4 MiB page by page, at the revision of the first page', async () => {
    const value = 'x'.repeat(2_000);
    const count = 2_600; // 5.2 MB: one range would exceed gRPC's 4 MiB receive limit
    for (let i = 0; i < count; i += 100) {
      const puts = [];
      for (let j = i; j < Math.min(count, i + 100); j++) puts.push(etcd.put(`${prefix}k/${String(j).padStart(5, '0')}`).value(value));
      await etcd.if(prefix + 'none', 'Create', '==', 0).then(...puts).commit();
    }
    expect(await etcd.getAll().prefix(prefix + 'k/').count()).toBe(count);
    // On a client of its own: after this error etcd3's circuit breaker blocks that client for a while.
    const single = new Etcd3({ hosts: infra.etcdEndpoints });
    const whole = await single.getAll().prefix(prefix + 'k/').exec().then(
      () => 'loaded',
      (err: Error) => err.message,
    );
    single.close();
    expect(whole).toMatch(/larger than max|RESOURCE_EXHAUSTED/); // why pages are needed
    const { kvs, revision } = await loadPrefix(etcd, prefix + 'k/', 500);
    expect(kvs).toHaveLength(count);
    expect(kvs[0]?.key).toBe(`${prefix}k/00000`);
    expect(kvs[count - 1]?.key).toBe(`${prefix}k/${String(count - 1).padStart(5, '0')}`);
    expect(new Set(kvs.map((kv) => kv.key)).size).toBe(count);
    const header = await etcd.get(prefix + 'nothing').exec();
    expect(revision).toBeLessThanOrEqual(Number(header.header.revision));
  });

  it('loads split ranges concurrently at one revision: the same keys, in key order, as one load', async () => {
    const sub = `${prefix}s/`;
    const puts = [];
    for (let i = 0; i < 90; i++) puts.push(etcd.put(`${sub}${i.toString(16).padStart(2, '0')}`).value(`v${i}`));
    await etcd.if(sub + 'none', 'Create', '==', 0).then(...puts).commit();
    const revision = Number((await etcd.get(sub + 'none').exec()).header.revision);
    // A change after the revision asked for must not appear in any range.
    await etcd.put(`${sub}30`).value('later');
    const one = await loadPrefix(etcd, sub, 7, revision);
    // Splits out of the prefix are ignored; a split with no key before it gives an empty range.
    const split = await loadPrefix(etcd, sub, 7, revision, [`${sub}0`, `${sub}1`, `${sub}2a`, `${sub}4`, `/elsewhere/`]);
    expect(split.revision).toBe(revision);
    expect(split.kvs).toEqual(one.kvs);
    expect(split.kvs).toHaveLength(90);
    expect(split.kvs.find((kv) => kv.key === `${sub}30`)?.value).toBe('v48');
    // Without a revision: the current one, for every range.
    const now = await loadPrefix(etcd, sub, 7, undefined, [`${sub}2`, `${sub}4`]);
    expect(now.kvs.find((kv) => kv.key === `${sub}30`)?.value).toBe('later');
    expect(now.kvs.map((kv) => kv.key)).toEqual(one.kvs.map((kv) => kv.key));
  });

  it('follows puts and deletes after the load, in revision order', async () => {
    const sub = `${prefix}f/`;
    await etcd.put(sub + 'a').value('1');
    const state = new Map<string, string>();
    let loads = 0;
    let changes = 0;
    const follower = new PrefixFollower(etcd, sub, createLogger('test', 'silent'), {
      load: (kvs: readonly KeyValue[]) => {
        loads++;
        state.clear();
        for (const kv of kvs) state.set(kv.key, kv.value);
      },
      put: (key, value) => state.set(key, value),
      delete: (key) => state.delete(key),
      changed: () => changes++,
    });
    await follower.start();
    expect([...state]).toEqual([[sub + 'a', '1']]);
    await etcd.put(sub + 'b').value('2');
    await etcd.put(sub + 'a').value('3');
    await etcd.delete().key(sub + 'b');
    await eventually(
      () => {
        expect([...state]).toEqual([[sub + 'a', '3']]);
        return true;
      },
      { timeoutMs: 5_000, intervalMs: 20, description: 'the follower applying the puts and the delete' },
    );
    expect(loads).toBe(1);
    expect(changes).toBeGreaterThanOrEqual(2);
    const head = Number((await etcd.get(sub + 'a').exec()).header.revision);
    await eventually(
      () => {
        expect(follower.revision).toBe(head);
        return true;
      },
      { timeoutMs: 5_000, intervalMs: 20, description: 'the follower at the head revision' },
    );
    await follower.close();
  });
});
