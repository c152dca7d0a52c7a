import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemberRecord } from '../cluster/cluster-state.ts';
import { peerFetch, readPeerHttpClientField } from '../core/http-client-config.ts';
import { createLogger } from '../core/logger.ts';
import { startNodeServer, type NodeServer } from '../core/node-server.ts';
import { decideOwnership, incarnation, MEMBERSHIP_STATUS_PATH, peerOwnershipCheck, readMembershipStatus, type MembershipStatus } from './peer-check.ts';

const me: MemberRecord = { id: 'me', address: '127.0.0.1:1', startedAt: 1000, activeFrom: 2000 };
const peerRecord = (id: string): MemberRecord => ({ id, address: `${id}:9470`, startedAt: 1100, activeFrom: 2100 });

function status(id: string, over: Partial<MembershipStatus> = {}): MembershipStatus {
  return {
    self: incarnation(peerRecord(id)),
    etcdReachable: false,
    etcdAnsweredAgoMs: 5000,
    leaseHeld: true,
    ownsPastLeaseDeadline: true,
    revision: 50,
    members: [incarnation(me), incarnation(peerRecord('a')), incarnation(peerRecord('b'))],
    ...over,
  };
}

describe('decideOwnership', () => {
  it('keeps when nobody answers (a full isolation, or every peer down)', () => {
    expect(decideOwnership(incarnation(me), 50, [])).toEqual({ keep: true, takenOverBy: [], answered: 0, reachingEtcd: 0 });
  });

  it('keeps in a full etcd outage: the peers are cut too, their views as old as ours and listing us', () => {
    const d = decideOwnership(incarnation(me), 50, [status('a'), status('b')]);
    expect(d.keep).toBe(true);
    expect(d.answered).toBe(2);
  });

  it('keeps while a peer reaching etcd still lists our record (our lease lives: etcd back for it first)', () => {
    const d = decideOwnership(incarnation(me), 50, [status('a', { etcdReachable: true, etcdAnsweredAgoMs: 100, revision: 51 })]);
    expect(d).toMatchObject({ keep: true, reachingEtcd: 1, takenOverBy: [] });
  });

  it('stops once a peer has seen our record go (a newer view without it)', () => {
    const gone = { etcdReachable: true, revision: 53, members: [incarnation(peerRecord('a')), incarnation(peerRecord('b'))] };
    const d = decideOwnership(incarnation(me), 50, [status('a'), status('b', gone)]);
    expect(d).toMatchObject({ keep: false, takenOverBy: ['b'] });
  });

  it('stops on such a peer even if it has lost etcd since (it scrapes our targets all the same)', () => {
    const d = decideOwnership(incarnation(me), 50, [status('a', { etcdReachable: false, revision: 53, members: [incarnation(peerRecord('a'))] })]);
    expect(d.keep).toBe(false);
  });

  it('a view holding only an earlier incarnation of us counts as one without us', () => {
    const earlier = { ...incarnation(me), startedAt: 10, activeFrom: 20 };
    expect(decideOwnership(incarnation(me), 50, [status('a', { revision: 60, members: [earlier] })]).keep).toBe(false);
  });

  it('a view no newer than ours (a peer not loaded yet, or frozen before us) proves nothing', () => {
    expect(decideOwnership(incarnation(me), 50, [status('a', { revision: 0, members: [] }), status('b', { revision: 50, members: [] })]).keep).toBe(true);
  });

  it('ignores an answer claiming to be us', () => {
    expect(decideOwnership(incarnation(me), 50, [status('me', { self: incarnation(me), revision: 99, members: [] })]).keep).toBe(true);
  });
});

describe('readMembershipStatus', () => {
  it('reads an answer, ignoring unknown fields', () => {
    const s = status('a');
    expect(readMembershipStatus(JSON.parse(JSON.stringify({ ...s, newer: 1 })))).toEqual(s);
  });

  it('refuses junk', () => {
    for (const junk of [null, 'x', 3, {}, { ...status('a'), members: [{ id: 1 }] }, { ...status('a'), revision: '5' }, { ...status('a'), self: null }]) {
      expect(readMembershipStatus(junk)).toBeUndefined();
    }
  });
});

describe('peerOwnershipCheck', () => {
  const logger = createLogger('test', 'silent');
  const members = [me, peerRecord('a'), peerRecord('b')];

  function fakeFetch(answers: Record<string, (() => Response) | 'hang' | 'refuse'>): { fetch: typeof fetch; asked: string[] } {
    const asked: string[] = [];
    const f = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(String(input));
      asked.push(url.host + url.pathname);
      const a = answers[url.hostname];
      if (a === undefined || a === 'refuse') throw new TypeError('fetch failed');
      if (a === 'hang') {
        return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
      }
      return a();
    }) as typeof fetch;
    return { fetch: f, asked };
  }

  it('asks every peer but itself on the status path; no answers (refused, hung, 401, junk): keep', async () => {
    const { fetch, asked } = fakeFetch({ a: 'hang', b: () => new Response('unauthorized', { status: 401 }) });
    const check = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 100, logger, fetch });
    expect(await check(me)).toBe(true);
    expect(asked.sort()).toEqual([`a:9470${MEMBERSHIP_STATUS_PATH}`, `b:9470${MEMBERSHIP_STATUS_PATH}`]);
  });

  it('stops when one answering peer has taken over, whatever the others say', async () => {
    const { fetch } = fakeFetch({
      a: 'refuse',
      b: () => Response.json(status('b', { etcdReachable: true, revision: 60, members: [incarnation(peerRecord('b'))] })),
    });
    const check = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 100, logger, fetch });
    expect(await check(me)).toBe(false);
  });

  it('keeps when the peers answer that they are cut too', async () => {
    const { fetch } = fakeFetch({ a: () => Response.json(status('a')), b: () => Response.json(status('b')) });
    const check = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 100, logger, fetch });
    expect(await check(me)).toBe(true);
  });

  it('refuses an oversized body as no answer', async () => {
    const huge = JSON.stringify({ ...status('a', { revision: 60, members: [] }), pad: 'x'.repeat(2 << 20) });
    const { fetch } = fakeFetch({ a: () => new Response(huge) });
    const check = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 100, logger, fetch });
    expect(await check(me)).toBe(true);
  });
});

describe('peerOwnershipCheck against peers with node.web_config_file auth', () => {
  const logger = createLogger('test', 'silent');
  const dir = mkdtempSync(join(tmpdir(), 'rw-peer-auth-'));
  const file = (name: string): string => join(dir, name);
  const servers: NodeServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  /** A CA, a server certificate for 127.0.0.1 and a client certificate, signed by the CA. */
  function makeCertificates(): void {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=peer-ca', '-keyout', file('ca.key'), '-out', file('ca.crt'));
    for (const who of ['server', 'client']) {
      openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=peer-${who}`, '-keyout', file(`${who}.key`), '-out', file(`${who}.csr`));
      writeFileSync(file(`${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
      openssl('x509', '-req', '-in', file(`${who}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file(`${who}.ext`), '-out', file(`${who}.crt`));
    }
  }

  /** A peer that has taken over (a newer view without us), behind this web config. */
  async function peer(id: string, webConfig: string): Promise<MemberRecord> {
    writeFileSync(file(`web-${id}.yml`), webConfig);
    const server = await startNodeServer({
      listenAddress: '127.0.0.1:0',
      registry: new Registry(),
      logger,
      notReadyReason: () => null,
      webConfigFile: file(`web-${id}.yml`),
      routes: (app) => app.get(MEMBERSHIP_STATUS_PATH, (c) => c.json({ ...status(id, { etcdReachable: true, revision: 60 }), members: [] })),
    });
    servers.push(server);
    return { id, address: `127.0.0.1:${server.port}`, startedAt: 1, activeFrom: 1 };
  }

  it('presents node.peer_http_client basic auth (password_file): the peer answers; without it: 401, no answer', async () => {
    const p = await peer('basic', `basic_auth_users:\n  ringwatch: "${bcrypt.hashSync('peer-secret', 4)}"\n`);
    writeFileSync(file('peer-password'), 'peer-secret\n');
    const members = [me, p];
    const without = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 2000, logger });
    expect(await without(me)).toBe(true); // refused with 401: proves nothing, keep
    const client = readPeerHttpClientField({ peer_http_client: { basic_auth: { username: 'ringwatch', password_file: file('peer-password') } } }, 'node').peerHttpClient;
    const withAuth = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 2000, logger, fetch: peerFetch(client), ...(client !== undefined ? { scheme: client.scheme } : {}) });
    expect(await withAuth(me)).toBe(false); // the peer's answer counts: it has taken over
  });

  it('calls a peer with tls_server_config and a required client certificate over https, with its client certificate', async () => {
    makeCertificates();
    const p = await peer('tls', `tls_server_config:\n  cert_file: ${file('server.crt')}\n  key_file: ${file('server.key')}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${file('ca.crt')}\n`);
    const members = [me, p];
    const caOnly = readPeerHttpClientField({ peer_http_client: { tls_config: { ca_file: file('ca.crt') } } }, 'node').peerHttpClient;
    expect(caOnly?.scheme).toBe('https'); // tls_config implies https
    const noCert = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 2000, logger, fetch: peerFetch(caOnly), scheme: 'https' });
    expect(await noCert(me)).toBe(true);
    const client = readPeerHttpClientField({ peer_http_client: { tls_config: { ca_file: file('ca.crt'), cert_file: file('client.crt'), key_file: file('client.key') } } }, 'node').peerHttpClient;
    const withCert = peerOwnershipCheck({ members: () => members, revision: () => 50, timeoutMs: 2000, logger, fetch: peerFetch(client), scheme: 'https' });
    expect(await withCert(me)).toBe(false);
  });
});
