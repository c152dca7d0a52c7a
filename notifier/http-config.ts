// prometheus/common's HTTPClientConfig and TLSConfig (v0.61, as Alertmanager 0.28 vendors it):
// fields, defaults (follow_redirects and enable_http2 on), validation messages, and how it is
// printed back (/api/v2/status, amtool config show). What the settings mean for a request (auth,
// TLS, proxy, redirects) is read by core/http-client-config.ts, the one reader of Prometheus' http
// client config that every node uses: `clientSettings` hands it the fields it applies (a value
// Alertmanager takes but that reader rejects, such as a proxy_url that is no absolute http(s) URL,
// fails the load when the receivers are built, with the field named).
import { ConfigError, join, readObject, type ConfigObject } from '../core/config-schema.ts';
import { pickHttpClientConfig, readHttpClientConfig, type HttpClientConfig as ClientSettings } from '../core/http-client-config.ts';
import {
  atMostOne,
  isSet,
  readStringList,
  SECRET_TOKEN,
  type ConfigValue,
  type CustomKind,
  type FieldSpec,
  type StructSpec,
} from './config-fields.ts';

export interface TlsConfig {
  ca?: string;
  cert?: string;
  /** secret */
  key?: string;
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  ca_ref?: string;
  cert_ref?: string;
  key_ref?: string;
  server_name?: string;
  insecure_skip_verify?: boolean;
  min_version?: string;
  max_version?: string;
}

export interface BasicAuth {
  username?: string;
  username_file?: string;
  username_ref?: string;
  /** secret */
  password?: string;
  password_file?: string;
  password_ref?: string;
}

export interface Authorization {
  /** "Bearer" unless set. */
  type?: string;
  /** secret */
  credentials?: string;
  credentials_file?: string;
  credentials_ref?: string;
}

export interface ProxyConfig {
  proxy_url?: string;
  no_proxy?: string;
  proxy_from_environment?: boolean;
  /** Values are secrets. */
  proxy_connect_header?: Record<string, string[]>;
}

export interface OAuth2 extends ProxyConfig {
  client_id?: string;
  /** secret */
  client_secret?: string;
  client_secret_file?: string;
  client_secret_ref?: string;
  scopes?: string[];
  token_url?: string;
  endpoint_params?: Record<string, string>;
  tls_config?: TlsConfig;
}

export interface HttpHeader {
  values?: string[];
  /** secrets */
  secrets?: string[];
  files?: string[];
}

export interface HttpClientConfig extends ProxyConfig {
  basic_auth?: BasicAuth;
  authorization?: Authorization;
  oauth2?: OAuth2;
  /** Moved into `authorization` on load, as prometheus/common does. */
  bearer_token?: string;
  bearer_token_file?: string;
  tls_config?: TlsConfig;
  follow_redirects: boolean;
  enable_http2: boolean;
  http_headers?: Record<string, HttpHeader>;
}

const TLS_VERSIONS = ['TLS13', 'TLS12', 'TLS11', 'TLS10'];

const tlsVersion: CustomKind = {
  parse(raw, field) {
    const s = typeof raw === 'string' ? raw : String(raw);
    if (!TLS_VERSIONS.includes(s)) throw new ConfigError(field, `unknown TLS version: ${s}`);
    return s;
  },
  render: (v) => v,
  isZero: (v) => v === undefined || v === '',
};

export const TLS_CONFIG: StructSpec = {
  fields: [
    { key: 'ca', kind: 'string', omitempty: true },
    { key: 'cert', kind: 'string', omitempty: true },
    { key: 'key', kind: 'secret', omitempty: true },
    { key: 'ca_file', kind: 'string', omitempty: true },
    { key: 'cert_file', kind: 'string', omitempty: true },
    { key: 'key_file', kind: 'string', omitempty: true },
    { key: 'ca_ref', kind: 'string', omitempty: true },
    { key: 'cert_ref', kind: 'string', omitempty: true },
    { key: 'key_ref', kind: 'string', omitempty: true },
    { key: 'server_name', kind: 'string', omitempty: true },
    { key: 'insecure_skip_verify', kind: 'bool' },
    { key: 'min_version', kind: { custom: tlsVersion }, omitempty: true },
    { key: 'max_version', kind: { custom: tlsVersion }, omitempty: true },
  ],
  validate(c, path) {
    atMostOne(c, ['ca', 'ca_file', 'ca_ref'], path, 'at most one of ca, ca_file & ca_ref must be configured');
    atMostOne(c, ['cert', 'cert_file', 'cert_ref'], path, 'at most one of cert, cert_file & cert_ref must be configured');
    atMostOne(c, ['key', 'key_file', 'key_ref'], path, 'at most one of key and key_file must be configured');
    const cert = isSet(c.cert) || isSet(c.cert_file) || isSet(c.cert_ref);
    const key = isSet(c.key) || isSet(c.key_file) || isSet(c.key_ref);
    if (cert && !key) throw new ConfigError(path, 'exactly one of key or key_file must be configured when a client certificate is configured');
    if (key && !cert) throw new ConfigError(path, 'exactly one of cert or cert_file must be configured when a client key is configured');
  },
};

// config.URL for proxies: any URL Go's url.Parse takes; printed with the password as "xxxxx".
const proxyUrl: CustomKind = {
  parse(raw, field) {
    const s = typeof raw === 'string' ? raw : String(raw);
    // url.Parse accepts nearly anything (a relative "foo" too); it rejects control characters.
    if (/[\x00-\x1f\x7f]/.test(s)) throw new ConfigError(field, `parse ${JSON.stringify(s)}: net/url: invalid control character in URL`);
    return s;
  },
  render(v) {
    const s = v as string;
    try {
      const u = new URL(s);
      if (u.password !== '') return s.replace(`:${u.password}@`, ':xxxxx@');
    } catch {
      // not a URL: printed as is
    }
    return s;
  },
  isZero: (v) => v === undefined || v === '',
  redact(v) {
    return proxyUrl.render(v, true);
  },
};

const secretListMap: CustomKind = {
  parse(raw, field) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(field, 'expected a mapping of header names to lists');
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(raw as ConfigValue)) out[k] = readStringList(v, join(field, k));
    return out;
  },
  render(v, redact) {
    const out: Record<string, unknown> = {};
    const m = v as Record<string, string[]>;
    for (const k of Object.keys(m).sort()) out[k] = (m[k] as string[]).map((s) => (redact && s !== '' ? SECRET_TOKEN : s));
    return out;
  },
  isZero: (v) => v === undefined || Object.keys(v as object).length === 0,
  redact(v) {
    return secretListMap.render(v, true);
  },
};

const PROXY_FIELDS: readonly FieldSpec[] = [
  { key: 'proxy_url', kind: { custom: proxyUrl }, omitempty: true },
  { key: 'no_proxy', kind: 'string', omitempty: true },
  { key: 'proxy_from_environment', kind: 'bool', omitempty: true },
  { key: 'proxy_connect_header', kind: { custom: secretListMap }, omitempty: true },
];

function validateProxy(c: ConfigValue, path: string): void {
  const hasHeader = c.proxy_connect_header !== undefined && Object.keys(c.proxy_connect_header as object).length > 0;
  if (hasHeader && !c.proxy_from_environment && !isSet(c.proxy_url)) {
    throw new ConfigError(path, 'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured');
  }
  if (c.proxy_from_environment && isSet(c.proxy_url)) throw new ConfigError(path, 'if proxy_from_environment is configured, proxy_url must not be configured');
  if (c.proxy_from_environment && isSet(c.no_proxy)) throw new ConfigError(path, 'if proxy_from_environment is configured, no_proxy must not be configured');
  if (!isSet(c.proxy_url) && isSet(c.no_proxy)) throw new ConfigError(path, 'if no_proxy is configured, proxy_url must also be configured');
}

const BASIC_AUTH: StructSpec = {
  fields: [
    { key: 'username', kind: 'string' },
    { key: 'username_file', kind: 'string', omitempty: true },
    { key: 'username_ref', kind: 'string', omitempty: true },
    { key: 'password', kind: 'secret', omitempty: true },
    { key: 'password_file', kind: 'string', omitempty: true },
    { key: 'password_ref', kind: 'string', omitempty: true },
  ],
};

const AUTHORIZATION: StructSpec = {
  fields: [
    { key: 'type', kind: 'string', omitempty: true },
    { key: 'credentials', kind: 'secret', omitempty: true },
    { key: 'credentials_file', kind: 'string', omitempty: true },
    { key: 'credentials_ref', kind: 'string', omitempty: true },
  ],
};

const OAUTH2: StructSpec = {
  fields: [
    { key: 'client_id', kind: 'string' },
    { key: 'client_secret', kind: 'secret' },
    { key: 'client_secret_file', kind: 'string' },
    { key: 'client_secret_ref', kind: 'string' },
    { key: 'scopes', kind: 'string_list', omitempty: true },
    { key: 'token_url', kind: 'string' },
    { key: 'endpoint_params', kind: 'string_map', omitempty: true },
    { key: 'tls_config', kind: { struct: TLS_CONFIG }, omitempty: true },
    ...PROXY_FIELDS,
  ],
  validate: validateProxy,
};

// Headers Prometheus sets itself or that change the connection (common/config/headers.go).
const RESERVED_HEADERS = new Set(
  [
    'Authorization', 'Host', 'Content-Encoding', 'Content-Length', 'Content-Type', 'User-Agent', 'Connection', 'Keep-Alive',
    'Proxy-Authenticate', 'Proxy-Authorization', 'Www-Authenticate', 'Accept-Encoding', 'X-Prometheus-Remote-Write-Version',
    'X-Prometheus-Remote-Read-Version', 'X-Prometheus-Scrape-Timeout-Seconds', 'X-Amz-Date', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256',
  ],
);

/** textproto.CanonicalMIMEHeaderKey / http.CanonicalHeaderKey for token-only names. */
export function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

const httpHeaders: CustomKind = {
  parse(raw, field) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(field, 'expected a mapping of header names');
    const out: Record<string, HttpHeader> = {};
    for (const [name, v] of Object.entries(raw as ConfigValue)) {
      const p = join(field, name);
      if (RESERVED_HEADERS.has(canonicalHeaderKey(name))) throw new ConfigError(p, `setting header ${JSON.stringify(canonicalHeaderKey(name))} is not allowed`);
      const h = readObject(v, p, ['values', 'secrets', 'files']);
      const header: HttpHeader = {};
      if (h.values !== undefined && h.values !== null) header.values = readStringList(h.values, join(p, 'values'));
      if (h.secrets !== undefined && h.secrets !== null) header.secrets = readStringList(h.secrets, join(p, 'secrets'));
      if (h.files !== undefined && h.files !== null) header.files = readStringList(h.files, join(p, 'files'));
      out[name] = header;
    }
    return out;
  },
  render(v, redact) {
    const out: Record<string, unknown> = {};
    const m = v as Record<string, HttpHeader>;
    for (const k of Object.keys(m).sort()) {
      const h = m[k] as HttpHeader;
      const r: Record<string, unknown> = {};
      if (h.values?.length) r.values = h.values;
      if (h.secrets?.length) r.secrets = h.secrets.map((s) => (redact && s !== '' ? SECRET_TOKEN : s));
      if (h.files?.length) r.files = h.files;
      out[k] = r;
    }
    return out;
  },
  isZero: (v) => v === undefined,
  redact(v) {
    const out: Record<string, HttpHeader> = {};
    for (const [k, h] of Object.entries(v as Record<string, HttpHeader>)) out[k] = { ...h, ...(h.secrets ? { secrets: h.secrets.map((s) => (s === '' ? s : SECRET_TOKEN)) } : {}) };
    return out;
  },
};

export const HTTP_CLIENT_CONFIG: StructSpec = {
  fields: [
    { key: 'basic_auth', kind: { struct: BASIC_AUTH, pointer: true }, omitempty: true },
    { key: 'authorization', kind: { struct: AUTHORIZATION, pointer: true }, omitempty: true },
    { key: 'oauth2', kind: { struct: OAUTH2, pointer: true }, omitempty: true },
    { key: 'bearer_token', kind: 'secret', omitempty: true },
    { key: 'bearer_token_file', kind: 'string', omitempty: true },
    { key: 'tls_config', kind: { struct: TLS_CONFIG }, omitempty: true },
    { key: 'follow_redirects', kind: 'bool' },
    { key: 'enable_http2', kind: 'bool' },
    ...PROXY_FIELDS,
    { key: 'http_headers', kind: { custom: httpHeaders }, omitempty: true },
  ],
  defaults: () => ({ follow_redirects: true, enable_http2: true }),
  // HTTPClientConfig.Validate, including moving bearer_token(_file) into authorization.
  validate(c, path) {
    const basic = c.basic_auth as ConfigValue | undefined;
    const auth = c.authorization as ConfigValue | undefined;
    const oauth2 = c.oauth2 as ConfigValue | undefined;
    const bearer = isSet(c.bearer_token) || isSet(c.bearer_token_file);
    if (isSet(c.bearer_token) && isSet(c.bearer_token_file)) throw new ConfigError(path, 'at most one of bearer_token & bearer_token_file must be configured');
    if ((basic !== undefined || oauth2 !== undefined) && bearer) throw new ConfigError(path, 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
    if (basic !== undefined) {
      atMostOne(basic, ['username', 'username_file', 'username_ref'], join(path, 'basic_auth'), 'at most one of basic_auth username, username_file & username_ref must be configured');
      atMostOne(basic, ['password', 'password_file', 'password_ref'], join(path, 'basic_auth'), 'at most one of basic_auth password, password_file & password_ref must be configured');
    }
    if (auth !== undefined) {
      const p = join(path, 'authorization');
      if (bearer) throw new ConfigError(path, 'authorization is not compatible with bearer_token & bearer_token_file');
      atMostOne(auth, ['credentials', 'credentials_file', 'credentials_ref'], p, 'at most one of authorization credentials & credentials_file must be configured');
      auth.type = String(auth.type ?? '').trim();
      if (auth.type === '') auth.type = 'Bearer';
      if ((auth.type as string).toLowerCase() === 'basic') throw new ConfigError(p, 'authorization type cannot be set to "basic", use "basic_auth" instead');
      if (basic !== undefined || oauth2 !== undefined) throw new ConfigError(path, 'at most one of basic_auth, oauth2 & authorization must be configured');
    } else if (isSet(c.bearer_token)) {
      c.authorization = { type: 'Bearer', credentials: c.bearer_token };
      delete c.bearer_token;
    } else if (isSet(c.bearer_token_file)) {
      c.authorization = { type: 'Bearer', credentials_file: c.bearer_token_file };
      delete c.bearer_token_file;
    }
    if (oauth2 !== undefined) {
      const p = join(path, 'oauth2');
      if (basic !== undefined) throw new ConfigError(path, 'at most one of basic_auth, oauth2 & authorization must be configured');
      if (!isSet(oauth2.client_id)) throw new ConfigError(p, 'oauth2 client_id must be configured');
      if (!isSet(oauth2.token_url)) throw new ConfigError(p, 'oauth2 token_url must be configured');
      atMostOne(oauth2, ['client_secret', 'client_secret_file', 'client_secret_ref'], p, 'at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured');
    }
    validateProxy(c, path);
  },
};

/**
 * The client settings of an (already validated) http_config, read by core's reader; `notApplied`
 * names the set fields it does not apply (oauth2, http_headers are applied by the integrations'
 * HttpClients; others such as proxy_from_environment are not applied at all).
 */
export function clientSettings(c: HttpClientConfig | undefined, path = 'http_config'): ClientSettings & { notApplied: string[] } {
  const { section, notApplied } = pickHttpClientConfig((c ?? defaultHttpClientConfig()) as unknown as ConfigObject, path);
  // http_headers are applied by the integrations' HttpClients, per request.
  return { ...readHttpClientConfig(section, path), notApplied: notApplied.filter((f) => f !== `${path}.http_headers`) };
}

/** The defaults an absent http_config stands for (commoncfg.DefaultHTTPClientConfig). */
export function defaultHttpClientConfig(): HttpClientConfig {
  return { follow_redirects: true, enable_http2: true };
}
