// Membership on real etcd: a second live node with the same node.id is refused (it must not take
// the first one's record), while a restart after a crash waits for the old lease and then joins.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KEYS } from '../../cluster/cluster-state.ts';
import { DuplicateMemberError, Membership } from '../../cluster/membership.ts';
import type { EtcdConfig } from '../../core/etcd-config.ts';
import { createLogger } from '../../core/logger.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';

describe('membership', () => {
  const infra = inject('infra');
  const prefix = `/rw-members-${randomBytes(3).toString('hex')}/`;
  const config: EtcdConfig = { endpoints: infra.etcdEndpoints, prefix, leaseTtlMs: 2000, handoffDelayMs: 100 };
  const logger = createLogger('test', 'silent');
  const clients: Etcd3[] = [];
  const client = (): Etcd3 => {
    const c = new Etcd3({ hosts: infra.etcdEndpoints });
    clients.push(c);
    return c;
  };
  afterAll(async () => {
    await clients[0]?.delete().prefix(prefix);
    for (const c of clients) c.close();
  });

  it('refuses a second live node with the same node.id, naming the id and the first node', async () => {
    const first = new Membership(client(), config, { id: 'twin', address: '127.0.0.1:1111' }, logger);
    await first.join();
    const second = new Membership(client(), config, { id: 'twin', address: '127.0.0.1:2222' }, logger);
    const err = await second.join().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DuplicateMemberError);
    expect((err as Error).message).toMatch(/^node\.id "twin" is already registered by a live member \(address 127\.0\.0\.1:1111/);
    // The first node's record is untouched.
    const record = JSON.parse((await clients[0]!.get(`${prefix}${KEYS.members}twin`).string()) ?? '{}') as { address: string };
    expect(record.address).toBe('127.0.0.1:1111');
    await first.revoke();
  });

  it('joins after a crashed predecessor of the same id, once its lease expired', async () => {
    // The predecessor is a real process killed with SIGKILL: no revoke, its lease runs out.
    const child = spawn(process.execPath, [join(repoRoot(), 'test/harness/member-process.ts'), JSON.stringify(config), 'phoenix', '127.0.0.1:3333'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('joined')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`member process exited with ${code}`)));
    });
    child.kill('SIGKILL');
    const began = Date.now();
    const after = new Membership(client(), config, { id: 'phoenix', address: '127.0.0.1:4444' }, logger);
    await after.join();
    expect(Date.now() - began).toBeLessThan(config.leaseTtlMs + 3000);
    const record = JSON.parse((await clients[0]!.get(`${prefix}${KEYS.members}phoenix`).string()) ?? '{}') as { address: string };
    expect(record.address).toBe('127.0.0.1:4444');
    await after.revoke();
  });
});
