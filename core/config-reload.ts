// Configuration reload without restart, as Prometheus: SIGHUP or POST /-/reload re-reads the
// node's file (environment overrides applied again), validates it, and hands it to the node. An
// invalid file, or one that changes a field only a restart can apply, is refused with the field
// named and the running configuration kept. One reload at a time; a reload requested while one
// runs is served by the next run, so none is lost.
import { Gauge, type Registry } from 'prom-client';
import type { Context, Hono } from 'hono';
import { loadConfigFile } from './config-file.ts';
import { ConfigError } from './config-schema.ts';
import type { Logger } from './logger.ts';

export interface ReloadResult {
  ok: boolean;
  /** Why it was refused, the field first. */
  error?: string;
  /** Nothing differed from the running configuration. */
  unchanged?: boolean;
}

export interface ConfigReloaderOptions<C> {
  /** The node's --config file; without one, the environment alone is read again. */
  configPath?: string;
  /** The node's validating reader (throws ConfigError naming the field). */
  read: (raw: unknown) => C;
  /** The configuration running now. */
  current: C;
  /**
   * Fields (dotted paths into the raw file) a running node cannot change: changing one refuses the
   * reload. Compared on the raw documents, so an equal value written differently is no change.
   */
  restartOnly: readonly string[];
  /** Applies a validated configuration; throwing keeps the old one and fails the reload. */
  apply: (next: C, previous: C) => Promise<void>;
  logger: Logger;
  registry: Registry;
  /** Reads the file; tests substitute. */
  load?: (path: string | undefined) => Promise<unknown>;
}

export class ConfigReloader<C> {
  private readonly opts: ConfigReloaderOptions<C>;
  private readonly logger: Logger;
  private current: C;
  private currentRaw: unknown;
  private running: Promise<ReloadResult> | undefined;
  private queued: Promise<ReloadResult> | undefined;
  private readonly successful: Gauge;
  private readonly successTime: Gauge;

  constructor(opts: ConfigReloaderOptions<C>, initialRaw: unknown) {
    this.opts = opts;
    this.logger = opts.logger.child({ component: 'config-reload' });
    this.current = opts.current;
    this.currentRaw = initialRaw;
    this.successful = new Gauge({
      name: 'ringwatch_config_last_reload_successful',
      help: 'Whether the last configuration reload attempt was successful.',
      registers: [opts.registry],
    });
    this.successTime = new Gauge({
      name: 'ringwatch_config_last_reload_success_timestamp_seconds',
      help: 'Timestamp of the last successful configuration reload.',
      registers: [opts.registry],
    });
    this.successful.set(1);
    this.successTime.set(Date.now() / 1000);
  }

  get config(): C {
    return this.current;
  }

  /** Re-reads and applies the file; resolves with the outcome, never rejects. */
  reload(): Promise<ReloadResult> {
    if (this.running === undefined) {
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // A change written while a reload runs must not be missed: run once more after it.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.reload();
    });
    return this.queued;
  }

  /** SIGHUP, and POST/PUT /-/reload on the node's app (Prometheus answers 200 or 500 with the error). */
  listen(app?: Hono): void {
    process.on('SIGHUP', () => {
      this.logger.info('SIGHUP: reloading the configuration');
      void this.reload();
    });
    if (app === undefined) return;
    const handler = async (c: Context): Promise<Response> => {
      const result = await this.reload();
      return result.ok ? c.text(result.unchanged === true ? 'OK (unchanged)\n' : 'OK\n') : c.text(`failed to reload config: ${result.error}\n`, 500);
    };
    app.post('/-/reload', handler);
    app.put('/-/reload', handler);
  }

  private async run(): Promise<ReloadResult> {
    const load = this.opts.load ?? loadConfigFile;
    let result: ReloadResult;
    try {
      const raw = await load(this.opts.configPath);
      const next = this.opts.read(raw);
      const changed = firstChangedField(this.currentRaw, raw, this.opts.restartOnly);
      if (changed !== undefined) throw new ConfigError(changed, 'cannot change while the node runs: restart the node to apply it');
      if (stableJson(raw) === stableJson(this.currentRaw)) {
        result = { ok: true, unchanged: true };
      } else {
        await this.opts.apply(next, this.current);
        this.current = next;
        this.currentRaw = raw;
        result = { ok: true };
      }
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : `applying it failed: ${(err as Error).message}`;
      result = { ok: false, error: message };
    }
    this.successful.set(result.ok ? 1 : 0);
    if (result.ok) {
      this.successTime.set(Date.now() / 1000);
      this.logger.info({ unchanged: result.unchanged === true }, 'configuration reloaded');
    } else {
      this.logger.error({ err: result.error }, 'configuration reload failed: keeping the running configuration');
    }
    return result;
  }
}

/** The first of `paths` whose value differs between the two raw documents. */
export function firstChangedField(before: unknown, after: unknown, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    if (stableJson(at(before, path)) !== stableJson(at(after, path))) return path;
  }
  return undefined;
}

function at(doc: unknown, path: string): unknown {
  let v = doc;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** JSON with object keys sorted, so key order in the file is no change. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }) ?? 'undefined';
}
