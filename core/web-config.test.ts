import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clientCertificateProblem, readWebConfig } from './web-config.ts';

const read = (yaml: string) => readWebConfig(parse(yaml) ?? {}, 'web.yml');

describe('readWebConfig (Prometheus web configuration file)', () => {
  it('reads tls_server_config with Prometheus defaults', () => {
    const c = read('tls_server_config:\n  cert_file: c.crt\n  key_file: c.key\n');
    expect(c.tls).toEqual({ certFile: 'c.crt', keyFile: 'c.key', clientAuthType: 'NoClientCert', minVersion: 'TLS12' });
  });
  it('names the field that is wrong', () => {
    expect(() => read('tls_server_config:\n  key_file: c.key\n')).toThrow(/web\.yml: tls_server_config\.cert_file: required/);
    expect(() => read('tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: Sometimes\n')).toThrow(/client_auth_type: "Sometimes" is not one of/);
    expect(() => read('tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: RequireAndVerifyClientCert\n')).toThrow(/client_ca_file: required with client_auth_type RequireAndVerifyClientCert/);
    expect(() => read('tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS99\n')).toThrow(/min_version: "TLS99"/);
    expect(() => read('basic_auth_users:\n  alice: plaintext\n')).toThrow(/basic_auth_users\.alice: must be a bcrypt hash/);
    expect(() => read('tls_config:\n  cert_file: c\n')).toThrow(/tls_config/);
  });
  it('reads bcrypt users and headers', () => {
    const hash = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
    const c = read(`basic_auth_users:\n  alice: "${hash}"\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`);
    expect(c.basicAuthUsers.get('alice')).toBe(hash);
    expect(c.headers).toEqual({ 'X-Frame-Options': 'deny' });
  });
});

describe('clientCertificateProblem', () => {
  it('follows the client_auth_type modes', () => {
    expect(clientCertificateProblem('NoClientCert', false, false)).toBeUndefined();
    expect(clientCertificateProblem('RequestClientCert', false, false)).toBeUndefined();
    expect(clientCertificateProblem('RequireAnyClientCert', false, false)).toMatch(/required/);
    expect(clientCertificateProblem('RequireAnyClientCert', true, false)).toBeUndefined();
    expect(clientCertificateProblem('VerifyClientCertIfGiven', false, false)).toBeUndefined();
    expect(clientCertificateProblem('VerifyClientCertIfGiven', true, false)).toMatch(/not signed/);
    expect(clientCertificateProblem('RequireAndVerifyClientCert', true, true)).toBeUndefined();
  });
});
