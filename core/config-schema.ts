// Small readers for validating YAML configuration. Each takes the dotted path of the field so that
// every error names exactly what was wrong, e.g. `scrape_configs[0].scrape_interval: ...`.
import { parseDuration } from './duration.ts';

export class ConfigError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

export type ConfigObject = Record<string, unknown>;

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A mapping with only the allowed keys; undefined/null reads as an empty mapping. */
export function readObject(raw: unknown, path: string, allowed: readonly string[]): ConfigObject {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path || '(root)', `expected a mapping, got ${describe(raw)}`);
  const obj = raw as ConfigObject;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(join(path, key), `unknown field (allowed here: ${allowed.join(', ')})`);
    }
  }
  return obj;
}

export function readString(obj: ConfigObject, key: string, path: string, fallback?: string): string {
  const value = obj[key];
  const field = join(path, key);
  if (value === undefined || value === null) {
    if (fallback === undefined) throw new ConfigError(field, 'is required');
    return fallback;
  }
  // Values that came through environment overrides are YAML scalars: "9092" reads as a number.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new ConfigError(field, `expected a string, got ${describe(value)}`);
  return value;
}

export function readOptionalString(obj: ConfigObject, key: string, path: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return readString(obj, key, path);
}

export function readNumber(
  obj: ConfigObject,
  key: string,
  path: string,
  opts: { fallback?: number; min?: number; max?: number; integer?: boolean },
): number {
  const value = obj[key];
  const field = join(path, key);
  let n: number;
  if (value === undefined || value === null) {
    if (opts.fallback === undefined) throw new ConfigError(field, 'is required');
    n = opts.fallback;
  } else if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    n = Number(value);
  } else {
    throw new ConfigError(field, `expected a number, got ${describe(value)}`);
  }
  if (opts.integer !== false && !Number.isInteger(n)) throw new ConfigError(field, `expected an integer, got ${n}`);
  if (opts.min !== undefined && n < opts.min) throw new ConfigError(field, `must be at least ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new ConfigError(field, `must be at most ${opts.max}, got ${n}`);
  return n;
}

export function readBoolean(obj: ConfigObject, key: string, path: string, fallback: boolean): boolean {
  const value = obj[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ConfigError(join(path, key), `expected true or false, got ${describe(value)}`);
}

/** A Prometheus duration ("15s", "1m") as milliseconds. */
export function readDuration(obj: ConfigObject, key: string, path: string, fallbackMs?: number): number {
  const value = obj[key];
  const field = join(path, key);
  if (value === undefined || value === null) {
    if (fallbackMs === undefined) throw new ConfigError(field, 'is required');
    return fallbackMs;
  }
  if (typeof value !== 'string' && typeof value !== 'number') throw new ConfigError(field, `expected a duration like 15s, got ${describe(value)}`);
  try {
    return parseDuration(String(value));
  } catch (err) {
    throw new ConfigError(field, (err as Error).message);
  }
}

/** Byte sizes as Prometheus writes them: 10MB, 512KiB, or a plain number of bytes. */
export function readByteSize(obj: ConfigObject, key: string, path: string, fallback: number): number {
  const value = obj[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const m = typeof value === 'string' ? /^(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/.exec(value.trim()) : null;
  if (m === null) throw new ConfigError(join(path, key), `expected a size like 10MB or 512KiB, got ${describe(value)}`);
  const units: Record<string, number> = { B: 1, KB: 1024, KiB: 1024, MB: 1024 ** 2, MiB: 1024 ** 2, GB: 1024 ** 3, GiB: 1024 ** 3 };
  return Number(m[1]) * (units[m[2] ?? 'B'] as number);
}

export function readList<T>(obj: ConfigObject, key: string, path: string, each: (raw: unknown, path: string) => T): T[] {
  const value = obj[key];
  const field = join(path, key);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(field, `expected a list, got ${describe(value)}`);
  return value.map((item, i) => each(item, join(field, i)));
}

export function readStringList(obj: ConfigObject, key: string, path: string): string[] {
  const value = obj[key];
  // A comma-separated string is accepted so that environment overrides can set lists.
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return readList(obj, key, path, (item, p) => {
    if (typeof item === 'number') return String(item);
    if (typeof item !== 'string') throw new ConfigError(p, `expected a string, got ${describe(item)}`);
    return item;
  });
}

export function readStringMap(obj: ConfigObject, key: string, path: string): Record<string, string> {
  const value = obj[key];
  const field = join(path, key);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(field, `expected a mapping, got ${describe(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as ConfigObject)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ConfigError(join(field, k), `expected a string, got ${describe(v)}`);
    }
    out[k] = String(v);
  }
  return out;
}

export function readEnum<T extends string>(obj: ConfigObject, key: string, path: string, allowed: readonly T[], fallback: T): T {
  const value = readString(obj, key, path, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(join(path, key), `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** host:port, as listen addresses and Kafka brokers are written. */
export function checkHostPort(value: string, field: string): string {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  if (m === null || Number(m[2]) > 65535) throw new ConfigError(field, `expected host:port, got "${value}"`);
  return value;
}

export function checkUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(field, `not a valid URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(field, `expected an http or https URL, got "${value}"`);
  return value;
}

// Deprecated spellings are accepted with a warning. Readers are pure and have no logger, so the
// warnings wait here until the node's main logs them, once, right after its config was read.
const deprecations: string[] = [];

/** Records that `field` uses an old spelling; `instead` says what to write now. */
export function warnDeprecated(field: string, instead: string): void {
  deprecations.push(`${field} is deprecated: use ${instead}`);
}

/** The deprecation warnings recorded since the last call (each node logs them after reading its config). */
export function takeDeprecationWarnings(): string[] {
  return deprecations.splice(0, deprecations.length);
}
