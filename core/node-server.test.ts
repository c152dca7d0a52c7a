// The node server with a web config file: TLS (renewed certificates picked up), client
// certificates, basic auth with bcrypt hashes; real sockets, certificates made by openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Registry } from 'prom-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { startNodeServer, type NodeServer } from './node-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'rw-web-'));
const file = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA. */
function makeCertificates(prefix: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${prefix}-ca`, '-keyout', file(`${prefix}-ca.key`), '-out', file(`${prefix}-ca.crt`));
  for (const who of ['server', 'client']) {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${prefix}-${who}`, '-keyout', file(`${prefix}-${who}.key`), '-out', file(`${prefix}-${who}.csr`));
    writeFileSync(file(`${prefix}-${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
    openssl('x509', '-req', '-in', file(`${prefix}-${who}.csr`), '-CA', file(`${prefix}-ca.crt`), '-CAkey', file(`${prefix}-ca.key`), '-CAcreateserial', '-days', '1', '-extfile', file(`${prefix}-${who}.ext`), '-out', file(`${prefix}-${who}.crt`));
  }
}

async function start(webConfig: string, tlsReloadCheckMs?: number): Promise<NodeServer> {
  const path = file(`web-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, webConfig);
  return startNodeServer({
    listenAddress: '127.0.0.1:0',
    registry: new Registry(),
    logger: createLogger('test', 'silent'),
    notReadyReason: () => null,
    webConfigFile: path,
    ...(tlsReloadCheckMs !== undefined ? { tlsReloadCheckMs } : {}),
  });
}

function client(opts: { ca?: string; cert?: string; key?: string } = {}): Agent {
  return new Agent({
    connect: {
      ...(opts.ca !== undefined ? { ca: readFileSync(opts.ca) } : {}),
      ...(opts.cert !== undefined ? { cert: readFileSync(opts.cert) } : {}),
      ...(opts.key !== undefined ? { key: readFileSync(opts.key) } : {}),
    },
  });
}

beforeAll(() => {
  makeCertificates('a');
  makeCertificates('b');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node server with tls_server_config', () => {
  it('serves https with the configured certificate, trusted through its CA', async () => {
    const server = await start(`tls_server_config:\n  cert_file: ${file('a-server.crt')}\n  key_file: ${file('a-server.key')}\n`);
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('a-ca.crt') }) });
      expect(res.status).toBe(200);
      // Another CA does not trust it: the certificate really is the configured one.
      await expect(undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('b-ca.crt') }) })).rejects.toThrow();
      // Plain HTTP to the TLS port is not served.
      await expect(fetch(server.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('picks up a renewed certificate without a restart', async () => {
    writeFileSync(file('live.crt'), readFileSync(file('a-server.crt')));
    writeFileSync(file('live.key'), readFileSync(file('a-server.key')));
    const server = await start(`tls_server_config:\n  cert_file: ${file('live.crt')}\n  key_file: ${file('live.key')}\n`, 50);
    try {
      expect((await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('a-ca.crt') }) })).status).toBe(200);
      // Renewed by another CA: new connections present the new certificate.
      writeFileSync(file('live.key'), readFileSync(file('b-server.key')));
      writeFileSync(file('live.crt'), readFileSync(file('b-server.crt')));
      let status: number | string = 'not yet';
      for (let i = 0; i < 100 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('b-ca.crt') }) }).then((r) => r.status, () => 'refused');
      }
      expect(status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('RequireAndVerifyClientCert: refuses a client without a certificate or with one of another CA', async () => {
    const server = await start(
      `tls_server_config:\n  cert_file: ${file('a-server.crt')}\n  key_file: ${file('a-server.key')}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${file('a-ca.crt')}\n`,
    );
    try {
      const ok = await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('a-ca.crt'), cert: file('a-client.crt'), key: file('a-client.key') }) });
      expect(ok.status).toBe(200);
      const noCert = await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('a-ca.crt') }) }).then((r) => r.status, () => 'refused');
      expect(noCert).not.toBe(200);
      const foreign = await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('a-ca.crt'), cert: file('b-client.crt'), key: file('b-client.key') }) }).then((r) => r.status, () => 'refused');
      expect(foreign).not.toBe(200);
    } finally {
      await server.close();
    }
  });

  it('RequireAnyClientCert: any certificate passes, none is refused with 403', async () => {
    const server = await start(`tls_server_config:\n  cert_file: ${file('a-server.crt')}\n  key_file: ${file('a-server.key')}\n  client_auth_type: RequireAnyClientCert\n`);
    try {
      const foreign = await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('a-ca.crt'), cert: file('b-client.crt'), key: file('b-client.key') }) });
      expect(foreign.status).toBe(200);
      const none = await undiciFetch(`${server.url}/healthz`, { dispatcher: client({ ca: file('a-ca.crt') }) });
      expect(none.status).toBe(403);
      expect(await none.text()).toMatch(/client certificate is required/);
    } finally {
      await server.close();
    }
  });
});

describe('node server with basic_auth_users', () => {
  it('requires a configured user and password on every path, and sends the extra headers', async () => {
    const hash = bcrypt.hashSync('s3cret', 4);
    const server = await start(`basic_auth_users:\n  alice: "${hash}"\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`);
    const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    try {
      for (const path of ['/metrics', '/healthz', '/readyz', '/anything']) {
        const none = await fetch(`${server.url}${path}`);
        expect(none.status, path).toBe(401);
        expect(none.headers.get('www-authenticate')).toBe('Basic');
      }
      expect((await fetch(`${server.url}/healthz`, { headers: { Authorization: basic('alice', 'wrong') } })).status).toBe(401);
      expect((await fetch(`${server.url}/healthz`, { headers: { Authorization: basic('bob', 's3cret') } })).status).toBe(401);
      const ok = await fetch(`${server.url}/healthz`, { headers: { Authorization: basic('alice', 's3cret') } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-frame-options')).toBe('deny');
      // Remembered once verified; a wrong password afterwards is still refused.
      expect((await fetch(`${server.url}/healthz`, { headers: { Authorization: basic('alice', 's3cret') } })).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`, { headers: { Authorization: basic('alice', 's3cret!') } })).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
