// The HTTP client settings every outgoing request of Ringwatch takes, as Prometheus'
// common/config HTTPClientConfig writes them (basic_auth, authorization, bearer_token(_file),
// tls_config, proxy_url, follow_redirects), read once here and turned into a connection pool and
// an Authorization header here, for scrapes, http_sd, remote write and rule queries alike.
// `*_file` secrets are read again for every request, as Prometheus does, so rotated credentials
// are picked up without a reload; a file that cannot be read fails that request, never the node.
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch, interceptors, ProxyAgent, type Dispatcher } from 'undici';
import { ConfigError, join, readBoolean, readObject, readOptionalString, readString, type ConfigObject } from './config-schema.ts';
import { readTls, tlsConnectOptions, type TlsOptions } from './tls-config.ts';

export interface HttpAuth {
  basic?: { username: string; usernameFile?: string; password?: string; passwordFile?: string };
  /** Authorization header credentials (type defaults to Bearer). */
  authorization?: { type: string; credentials?: string; credentialsFile?: string };
}

export interface HttpClientConfig {
  auth: HttpAuth;
  tls: TlsOptions;
  proxyUrl?: string;
  followRedirects: boolean;
}

/** The keys readHttpClientConfig reads from the enclosing section. */
export const HTTP_CLIENT_CONFIG_KEYS = [
  'basic_auth',
  'authorization',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'proxy_url',
  'follow_redirects',
  'enable_http2',
] as const;

/** The keys readHttpClientConfig reads inside each nested block (tls_config as readTls reads it). */
export const HTTP_CLIENT_CONFIG_NESTED_KEYS: Readonly<Record<'basic_auth' | 'authorization' | 'tls_config', readonly string[]>> = {
  basic_auth: ['username', 'username_file', 'password', 'password_file'],
  authorization: ['type', 'credentials', 'credentials_file'],
  tls_config: ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify'],
};

/**
 * The part of a wider Prometheus http client config (one a caller validated itself, with fields
 * such as oauth2 or http_headers that this module does not apply) that readHttpClientConfig
 * reads, empty values left out; and the set fields left out, as `path.field` names, so the caller
 * can say which ones it does not apply.
 */
export function pickHttpClientConfig(obj: ConfigObject, path: string): { section: ConfigObject; notApplied: string[] } {
  const section: ConfigObject = {};
  const notApplied: string[] = [];
  const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || value === null || value === '') continue;
    if (!(HTTP_CLIENT_CONFIG_KEYS as readonly string[]).includes(key)) {
      if (!isEmpty(value)) notApplied.push(join(path, key));
      continue;
    }
    const nested = (HTTP_CLIENT_CONFIG_NESTED_KEYS as Record<string, readonly string[] | undefined>)[key];
    if (nested === undefined || typeof value !== 'object' || Array.isArray(value)) {
      section[key] = value;
      continue;
    }
    const inner: ConfigObject = {};
    for (const [k, v] of Object.entries(value as ConfigObject)) {
      if (v === undefined || v === null || v === '') continue;
      if (nested.includes(k)) inner[k] = v;
      else if (!isEmpty(v)) notApplied.push(join(join(path, key), k));
    }
    section[key] = inner;
  }
  return { section, notApplied };
}

export const DEFAULT_HTTP_CLIENT_CONFIG: HttpClientConfig = { auth: {}, tls: { insecureSkipVerify: false }, followRedirects: true };

const MAX_REDIRECTIONS = 10;

/** A secret file that could not be read when a request needed it. */
export class SecretFileError extends Error {
  constructor(field: string, file: string, cause: Error) {
    super(`${field}: cannot read ${JSON.stringify(file)}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}`);
    this.name = 'SecretFileError';
  }
}

/** Reads the HTTP client keys of `obj` (a section that may hold other keys too). */
export function readHttpClientConfig(obj: ConfigObject, path: string, defaults: { followRedirects?: boolean } = {}): HttpClientConfig {
  const config: HttpClientConfig = {
    auth: readAuth(obj, path),
    tls: readTls(obj.tls_config, join(path, 'tls_config')),
    followRedirects: readBoolean(obj, 'follow_redirects', path, defaults.followRedirects ?? true),
  };
  readBoolean(obj, 'enable_http2', path, false); // accepted for compatibility; undici speaks HTTP/1.1 here
  const proxyUrl = readOptionalString(obj, 'proxy_url', path);
  if (proxyUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(proxyUrl);
    } catch {
      throw new ConfigError(join(path, 'proxy_url'), `"${proxyUrl}" is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(join(path, 'proxy_url'), `unsupported scheme "${url.protocol}" (http or https)`);
    config.proxyUrl = proxyUrl;
  }
  return config;
}

function readAuth(obj: ConfigObject, path: string): HttpAuth {
  const auth: HttpAuth = {};
  if (obj.basic_auth !== undefined && obj.basic_auth !== null) {
    const p = join(path, 'basic_auth');
    const b = readObject(obj.basic_auth, p, ['username', 'username_file', 'password', 'password_file']);
    const usernameFile = readOptionalString(b, 'username_file', p);
    const username = readString(b, 'username', p, '');
    const password = readOptionalString(b, 'password', p);
    const passwordFile = readOptionalString(b, 'password_file', p);
    if (username !== '' && usernameFile !== undefined) throw new ConfigError(p, 'at most one of username and username_file must be configured');
    if (password !== undefined && passwordFile !== undefined) throw new ConfigError(p, 'at most one of password and password_file must be configured');
    auth.basic = {
      username,
      ...(usernameFile !== undefined ? { usernameFile } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(passwordFile !== undefined ? { passwordFile } : {}),
    };
  }
  const bearer = readOptionalString(obj, 'bearer_token', path);
  const bearerFile = readOptionalString(obj, 'bearer_token_file', path);
  if (obj.authorization !== undefined && obj.authorization !== null) {
    const p = join(path, 'authorization');
    const a = readObject(obj.authorization, p, ['type', 'credentials', 'credentials_file']);
    const credentials = readOptionalString(a, 'credentials', p);
    const credentialsFile = readOptionalString(a, 'credentials_file', p);
    if (credentials !== undefined && credentialsFile !== undefined) throw new ConfigError(p, 'at most one of credentials and credentials_file must be configured');
    const type = readString(a, 'type', p, 'Bearer');
    if (type.toLowerCase() === 'basic') throw new ConfigError(join(p, 'type'), 'authorization type cannot be set to "basic", use "basic_auth" instead');
    auth.authorization = {
      type,
      ...(credentials !== undefined ? { credentials } : {}),
      ...(credentialsFile !== undefined ? { credentialsFile } : {}),
    };
  }
  if (bearer !== undefined || bearerFile !== undefined) {
    if (auth.authorization !== undefined) throw new ConfigError(join(path, 'bearer_token'), 'cannot be used together with authorization');
    if (bearer !== undefined && bearerFile !== undefined) throw new ConfigError(join(path, 'bearer_token'), 'at most one of bearer_token and bearer_token_file must be configured');
    auth.authorization = { type: 'Bearer', ...(bearer !== undefined ? { credentials: bearer } : { credentialsFile: bearerFile as string }) };
  }
  if (auth.basic !== undefined && auth.authorization !== undefined) {
    throw new ConfigError(join(path, 'basic_auth'), 'at most one of basic_auth and authorization/bearer_token must be configured');
  }
  return auth;
}

function readSecretFile(field: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new SecretFileError(field, file, err as Error);
  }
}

/** The basic-auth header value for a user and password (one definition, for clients and tests). */
export function basicAuthHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The Authorization header for the next request, files read now; throws SecretFileError. */
export function authorizationHeader(auth: HttpAuth): string | undefined {
  const { basic, authorization } = auth;
  if (basic !== undefined) {
    const username = basic.usernameFile !== undefined ? readSecretFile('basic_auth.username_file', basic.usernameFile) : basic.username;
    const password = basic.passwordFile !== undefined ? readSecretFile('basic_auth.password_file', basic.passwordFile) : (basic.password ?? '');
    return basicAuthHeader(username, password);
  }
  if (authorization !== undefined) {
    const credentials =
      authorization.credentialsFile !== undefined
        ? readSecretFile('authorization.credentials_file', authorization.credentialsFile)
        : (authorization.credentials ?? '');
    return `${authorization.type} ${credentials}`;
  }
  return undefined;
}

/** A keep-alive connection pool with these settings: TLS, proxy, redirect policy. */
export function createHttpDispatcher(config: HttpClientConfig, options: { connections?: number } = {}): Dispatcher {
  const connect = tlsConnectOptions(config.tls);
  const pool = { keepAliveTimeout: 60_000, ...(options.connections !== undefined ? { connections: options.connections } : {}) };
  const base: Dispatcher =
    config.proxyUrl !== undefined ? new ProxyAgent({ uri: config.proxyUrl, requestTls: connect, ...pool }) : new Agent({ ...pool, connect });
  return config.followRedirects ? base.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS })) : base;
}

/** A key under which equal settings share one pool (secrets are not part of a pool's identity). */
export function dispatcherKey(config: HttpClientConfig): string {
  return JSON.stringify([config.tls, config.proxyUrl ?? null, config.followRedirects]);
}

/** node.peer_http_client: how this node calls other Ringwatch nodes (their node.web_config_file). */
export interface PeerHttpClient {
  scheme: 'http' | 'https';
  http: HttpClientConfig;
}

/**
 * Reads `node.peer_http_client` (basic_auth, authorization, tls_config as in a scrape config, and
 * `scheme`): the credentials and TLS a node presents to its peers when they require them.
 */
export function readPeerHttpClientField(node: ConfigObject, path: string): { peerHttpClient?: PeerHttpClient } {
  if (node.peer_http_client === undefined || node.peer_http_client === null) return {};
  const p = join(path, 'peer_http_client');
  const obj = readObject(node.peer_http_client, p, ['scheme', 'basic_auth', 'authorization', 'tls_config']);
  const scheme = readString(obj, 'scheme', p, obj.tls_config !== undefined && obj.tls_config !== null ? 'https' : 'http');
  if (scheme !== 'http' && scheme !== 'https') throw new ConfigError(join(p, 'scheme'), `"${scheme}" is not http or https`);
  return { peerHttpClient: { scheme, http: readHttpClientConfig(obj, p, { followRedirects: false }) } };
}

/**
 * A fetch for calls to other Ringwatch nodes: their TLS (CA, client certificate) and this node's
 * credentials, `*_file` secrets read per request. Without a config: the global fetch. A secret file
 * that cannot be read rejects that call (the callers treat it as no answer).
 */
export function peerFetch(client: PeerHttpClient | undefined): typeof fetch {
  if (client === undefined) return fetch;
  const dispatcher = createHttpDispatcher(client.http, { connections: 4 });
  const call = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const authorization = authorizationHeader(client.http.auth);
    if (authorization !== undefined) headers.authorization = authorization;
    // undici's own fetch, for its dispatcher option; its Request and Response are the global ones' shape.
    const url = input instanceof Request ? input.url : String(input);
    const res = await undiciFetch(url, { method: init?.method ?? 'GET', headers, signal: init?.signal ?? null, dispatcher });
    return res as unknown as Response;
  };
  return call as typeof fetch;
}

