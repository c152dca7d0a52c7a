// TLS and basic auth on a node's own HTTP server, from a file in the format of Prometheus' web
// configuration (--web.config.file, exporter-toolkit): tls_server_config, basic_auth_users with
// bcrypt hashes, http_server_config.headers. Every node reads it the same way (node.web_config_file).
// The certificate files are read again when they change, so a renewed certificate needs no restart.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import bcrypt from 'bcryptjs';
import { ConfigError, join, readObject, readOptionalString, readStringMap } from './config-schema.ts';
import { parseConfigText } from './config-file.ts';

export type ClientAuthType = 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';
const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];
const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;

export interface TlsServerConfig {
  certFile: string;
  keyFile: string;
  clientAuthType: ClientAuthType;
  clientCaFile?: string;
  minVersion: TlsVersionName;
  maxVersion?: TlsVersionName;
}

export interface WebConfig {
  /** Where it was read from, for messages. */
  file: string;
  tls?: TlsServerConfig;
  /** user -> bcrypt hash. */
  basicAuthUsers: Map<string, string>;
  /** Extra response headers (http_server_config.headers). */
  headers: Record<string, string>;
}

export function readWebConfigFile(file: string, readText: (path: string) => string = (p) => readFileSync(p, 'utf8')): WebConfig {
  let text: string;
  try {
    text = readText(file);
  } catch (err) {
    throw new ConfigError('node.web_config_file', `cannot read ${file}: ${(err as Error).message}`);
  }
  return readWebConfig(parseConfigText(text, file), file);
}

export function readWebConfig(raw: unknown, file: string): WebConfig {
  const where = (field: string): string => `${file}: ${field}`;
  const root = readObject(raw, file, ['tls_server_config', 'basic_auth_users', 'http_server_config']);
  const config: WebConfig = { file, basicAuthUsers: new Map(), headers: {} };
  if (root.tls_server_config !== undefined && root.tls_server_config !== null) {
    const path = where('tls_server_config');
    const tls = readObject(root.tls_server_config, path, ['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites', 'curve_preferences']);
    const certFile = readOptionalString(tls, 'cert_file', path);
    const keyFile = readOptionalString(tls, 'key_file', path);
    if (certFile === undefined) throw new ConfigError(join(path, 'cert_file'), 'required when tls_server_config is set');
    if (keyFile === undefined) throw new ConfigError(join(path, 'key_file'), 'required when tls_server_config is set');
    const clientAuthType = (readOptionalString(tls, 'client_auth_type', path) ?? 'NoClientCert') as ClientAuthType;
    if (!CLIENT_AUTH_TYPES.includes(clientAuthType)) throw new ConfigError(join(path, 'client_auth_type'), `"${clientAuthType}" is not one of ${CLIENT_AUTH_TYPES.join(', ')}`);
    const clientCaFile = readOptionalString(tls, 'client_ca_file', path);
    if (clientCaFile === undefined && (clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert')) {
      throw new ConfigError(join(path, 'client_ca_file'), `required with client_auth_type ${clientAuthType}`);
    }
    const version = (key: string, fallback?: TlsVersionName): TlsVersionName | undefined => {
      const v = readOptionalString(tls, key, path) ?? fallback;
      if (v !== undefined && !(v in TLS_VERSIONS)) throw new ConfigError(join(path, key), `"${v}" is not one of ${Object.keys(TLS_VERSIONS).join(', ')}`);
      return v as TlsVersionName | undefined;
    };
    // Node picks its own cipher suites and curves: refusing the fields would break files shared
    // with Prometheus, honouring them half would be worse; they are read and left to Node.
    config.tls = {
      certFile,
      keyFile,
      clientAuthType,
      minVersion: version('min_version', 'TLS12') as TlsVersionName,
      ...(clientCaFile !== undefined ? { clientCaFile } : {}),
    };
    const max = version('max_version');
    if (max !== undefined) config.tls.maxVersion = max;
  }
  if (root.basic_auth_users !== undefined && root.basic_auth_users !== null) {
    const users = readStringMap(root, 'basic_auth_users', file);
    for (const [user, hash] of Object.entries(users)) {
      if (!/^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
        throw new ConfigError(where(`basic_auth_users.${user}`), 'must be a bcrypt hash (for example from `htpasswd -nBC 10 "" | tr -d \':\\n\'`)');
      }
      config.basicAuthUsers.set(user, hash);
    }
  }
  if (root.http_server_config !== undefined && root.http_server_config !== null) {
    const http = readObject(root.http_server_config, where('http_server_config'), ['headers', 'http2']);
    config.headers = readStringMap(http, 'headers', where('http_server_config'));
  }
  return config;
}

/** Node's https server options for tls_server_config, files read now. */
export function tlsServerOptions(tls: TlsServerConfig): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.clientCaFile !== undefined ? { ca: readFileSync(tls.clientCaFile) } : {}),
    minVersion: TLS_VERSIONS[tls.minVersion],
    ...(tls.maxVersion !== undefined ? { maxVersion: TLS_VERSIONS[tls.maxVersion] } : {}),
    requestCert: tls.clientAuthType !== 'NoClientCert',
    // Node can only require-and-verify or accept anything; the "any cert" modes are checked per
    // request (clientCertificateProblem) instead.
    rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
  };
}

/** Why a request's client certificate is not acceptable under the mode, or undefined. */
export function clientCertificateProblem(mode: ClientAuthType, presented: boolean, authorized: boolean): string | undefined {
  switch (mode) {
    case 'RequireAnyClientCert':
      return presented ? undefined : 'a client certificate is required';
    case 'RequireAndVerifyClientCert':
      if (!presented) return 'a client certificate is required';
      return authorized ? undefined : 'the client certificate is not signed by client_ca_file';
    case 'VerifyClientCertIfGiven':
      return !presented || authorized ? undefined : 'the client certificate is not signed by client_ca_file';
    default:
      return undefined;
  }
}

/** Modification stamp of the TLS files, to notice a renewed certificate. */
export function tlsFilesStamp(tls: TlsServerConfig): string {
  return [tls.certFile, tls.keyFile, tls.clientCaFile]
    .filter((f): f is string => f !== undefined)
    .map((f) => {
      try {
        const st = statSync(f);
        return `${st.mtimeMs}:${st.size}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

/**
 * Checks Basic credentials against basic_auth_users. bcrypt is slow on purpose; a verified
 * (user, password) pair is remembered by its SHA-256 so a scraper polling every second costs one
 * hash comparison, as exporter-toolkit caches. A wrong password always pays the bcrypt cost.
 */
export class BasicAuthVerifier {
  private readonly users: ReadonlyMap<string, string>;
  private readonly verified = new Map<string, Buffer>();
  private static readonly MAX_REMEMBERED = 1024;

  constructor(users: ReadonlyMap<string, string>) {
    this.users = users;
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** True when the Authorization header carries a configured user and its password. */
  async check(authorization: string | undefined): Promise<boolean> {
    if (authorization === undefined || !/^basic /i.test(authorization)) return false;
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = this.users.get(user);
    // An unknown user pays for a comparison too, so timing does not tell which users exist.
    if (hash === undefined) {
      await bcrypt.compare(password, DUMMY_HASH);
      return false;
    }
    const digest = createHash('sha256').update(user).update('\0').update(password).update('\0').update(hash).digest();
    const known = this.verified.get(user);
    if (known !== undefined && timingSafeEqual(known, digest)) return true;
    if (!(await bcrypt.compare(password, hash))) return false;
    if (this.verified.size >= BasicAuthVerifier.MAX_REMEMBERED) this.verified.clear();
    this.verified.set(user, digest);
    return true;
  }
}

// bcrypt of a random string at cost 10.
const DUMMY_HASH = '$2b$10$3euPcmQFCiblsZeEu5s7p.9OVHgeHWFDk9nhMqZ0m/3pd/lhwZgES';

/**
 * node.web_config_file of a node's config, checked now (read and validated) so that a bad file
 * stops the node at start with the field named; the server reads it again when it starts.
 */
export function readWebConfigField(node: Record<string, unknown>, path: string): { webConfigFile?: string } {
  const value = readOptionalString(node, 'web_config_file', path);
  if (value === undefined) return {};
  readWebConfigFile(value);
  return { webConfigFile: value };
}
