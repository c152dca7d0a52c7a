// Alertmanager's http_config (prometheus/common's shape, notifier/http-config.ts) as the
// project's HTTP client settings (read by core/http-client-config.ts): one connection pool per
// distinct setting, and the headers (Authorization, http_headers) computed per request so that
// *_file secrets are read each time.
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { authorizationHeader, createHttpDispatcher, dispatcherKey } from '../../core/http-client-config.ts';
import { clientSettings, type HttpClientConfig } from '../http-config.ts';

export interface HttpClient {
  readonly dispatcher: Dispatcher;
  /** Fields of the http_config set but not applied by this notifier (logged at load). */
  readonly notApplied?: readonly string[];
  headers(): Record<string, string>;
}

/** Pools shared by every integration with the same TLS/proxy/redirect settings. */
export class HttpClients {
  readonly #pools = new Map<string, Dispatcher>();

  /** `path` names the http_config in errors (ConfigError) and in `notApplied`. */
  client(config: HttpClientConfig | undefined, path = 'http_config'): HttpClient {
    const core = clientSettings(config, path);
    const key = dispatcherKey(core);
    let dispatcher = this.#pools.get(key);
    if (dispatcher === undefined) {
      dispatcher = createHttpDispatcher(core);
      this.#pools.set(key, dispatcher);
    }
    return {
      notApplied: core.notApplied,
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
