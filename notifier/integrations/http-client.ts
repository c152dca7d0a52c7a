// Alertmanager's http_config (prometheus/common's shape, notifier/http-config.ts) turned into the
// project's HTTP client settings: one connection pool per distinct setting, and the headers
// (Authorization, http_headers) computed per request so that *_file secrets are read each time.
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher, dispatcherKey, type HttpAuth, type HttpClientConfig as CoreHttpClientConfig } from '../../core/http-client-config.ts';
import type { HttpClientConfig } from '../http-config.ts';

export interface HttpClient {
  readonly dispatcher: Dispatcher;
  headers(): Record<string, string>;
}

function toCore(c: HttpClientConfig | undefined): CoreHttpClientConfig {
  const auth: HttpAuth = {};
  if (c?.basic_auth !== undefined) {
    const b = c.basic_auth;
    auth.basic = { username: b.username ?? '' };
    if (b.username_file !== undefined) auth.basic.usernameFile = b.username_file;
    if (b.password !== undefined) auth.basic.password = b.password;
    if (b.password_file !== undefined) auth.basic.passwordFile = b.password_file;
  } else if (c?.authorization !== undefined) {
    const a = c.authorization;
    auth.authorization = { type: a.type || 'Bearer' };
    if (a.credentials !== undefined) auth.authorization.credentials = a.credentials;
    if (a.credentials_file !== undefined) auth.authorization.credentialsFile = a.credentials_file;
  }
  const t = c?.tls_config ?? {};
  const out: CoreHttpClientConfig = {
    auth,
    tls: {
      insecureSkipVerify: t.insecure_skip_verify ?? false,
      ...(t.ca_file !== undefined ? { caFile: t.ca_file } : {}),
      ...(t.cert_file !== undefined ? { certFile: t.cert_file } : {}),
      ...(t.key_file !== undefined ? { keyFile: t.key_file } : {}),
      ...(t.server_name !== undefined ? { serverName: t.server_name } : {}),
    },
    followRedirects: c?.follow_redirects ?? true,
  };
  if (c?.proxy_url !== undefined && c.proxy_url !== '') out.proxyUrl = c.proxy_url;
  return out;
}

/** Pools shared by every integration with the same TLS/proxy/redirect settings. */
export class HttpClients {
  readonly #pools = new Map<string, Dispatcher>();

  client(config: HttpClientConfig | undefined): HttpClient {
    const core = toCore(config);
    const key = dispatcherKey(core);
    let dispatcher = this.#pools.get(key);
    if (dispatcher === undefined) {
      dispatcher = createHttpDispatcher(core);
      this.#pools.set(key, dispatcher);
    }
    return {
      dispatcher,
      headers: () => {
        const h: Record<string, string> = {};
        for (const [name, header] of Object.entries(config?.http_headers ?? {})) {
          const values = [...(header.values ?? []), ...(header.secrets ?? []), ...(header.files ?? []).map((f) => readFileSync(f, 'utf8').trim())];
          if (values.length > 0) h[name] = values.join(', ');
        }
        const authz = authorizationHeader(core.auth);
        if (authz !== undefined) h.Authorization = authz;
        return h;
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((d) => d.close().catch(() => undefined)));
    this.#pools.clear();
  }
}
