import { describe, expect, it } from 'vitest';
import { readEtcdConfig } from './etcd-config.ts';

describe('readEtcdConfig', () => {
  it('reads tls_config, and refuses insecure_skip_verify, which the etcd client cannot honour', () => {
    expect(readEtcdConfig({ endpoints: ['e:2379'], tls_config: { ca_file: '/ca.pem' } }, 'etcd').tls).toEqual({ insecureSkipVerify: false, caFile: '/ca.pem' });
    expect(() => readEtcdConfig({ endpoints: ['e:2379'], tls_config: { insecure_skip_verify: true } }, 'etcd')).toThrow(/^etcd\.tls_config\.insecure_skip_verify: not supported for etcd/);
  });

  it('defaults the prefix, TTL and handoff delay', () => {
    expect(readEtcdConfig({ endpoints: ['e:2379'] }, 'etcd')).toEqual({ endpoints: ['http://e:2379'], prefix: '/ringwatch/', leaseTtlMs: 10_000, handoffDelayMs: 3000 });
  });
});
