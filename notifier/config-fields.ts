// A small declarative engine for Alertmanager's config structs: each struct is a list of fields
// (YAML key, kind, Go's `omitempty`), in Go's field order. The same list drives parsing with
// Alertmanager's defaults, secret redaction, and marshalling back to YAML as Go's yaml.v2 would
// (the /api/v2/status `config.original`). Parsed objects use the YAML keys as property names.
import { ConfigError, join, readObject } from '../core/config-schema.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import { formatGoDuration, parseGoDuration } from './go-duration.ts';

export const SECRET_TOKEN = '<secret>';

export type ConfigValue = Record<string, unknown>;

/** Options threaded through parsing. */
export interface ParseContext {
  /** Called for every non-empty template-bearing field; return an error message to reject it. */
  readonly validateTemplate?: ((text: string) => string | undefined) | undefined;
}

/** A kind that needs its own parse/render (host:port, matchers, headers, ...). */
export interface CustomKind {
  parse(raw: unknown, field: string, ctx: ParseContext): unknown;
  render(value: unknown, redact: boolean): unknown;
  isZero(value: unknown): boolean;
  redact?(value: unknown): unknown;
}

export type FieldKind =
  | 'string'
  | 'secret'
  | 'url'
  | 'secret_url'
  | 'bool'
  | 'int'
  | 'uint'
  | 'duration'
  | 'go_duration'
  | 'string_map'
  | 'string_list'
  | 'any_map'
  | { readonly struct: StructSpec; readonly pointer?: boolean }
  | { readonly list: StructSpec }
  | { readonly custom: CustomKind };

export interface FieldSpec {
  readonly key: string;
  readonly kind: FieldKind;
  /** Go's `omitempty`: left out of the YAML when zero. */
  readonly omitempty?: boolean;
  /** A Go text/template, checked with ParseContext.validateTemplate. */
  readonly template?: boolean;
  /** Rendered as a YAML flow sequence (`[a, b]`), as Go's `,flow` tag. */
  readonly flow?: boolean;
}

export interface StructSpec {
  readonly fields: readonly FieldSpec[];
  /** Alertmanager's Default*Config: the value before the YAML is read over it. */
  readonly defaults?: () => ConfigValue;
  /** Cross-field checks and normalisation, as the Go UnmarshalYAML does after reading. */
  readonly validate?: (value: ConfigValue, path: string, ctx: ParseContext) => void;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** yaml.v2 reads any scalar into a string field. */
export function readScalar(raw: unknown, field: string): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw);
  throw new ConfigError(field, `expected a string, got ${describe(raw)}`);
}

// YAML 1.1 booleans, which Go's yaml.v2 accepts.
const TRUE_WORDS = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'n', 'N', 'off', 'Off', 'OFF']);

function readBool(raw: unknown, field: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && TRUE_WORDS.has(raw)) return true;
  if (typeof raw === 'string' && FALSE_WORDS.has(raw)) return false;
  throw new ConfigError(field, `expected true or false, got ${describe(raw)}`);
}

function readInt(raw: unknown, field: string, unsigned: boolean): number {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^[-+]?(\d+|0x[0-9a-fA-F]+)$/.test(raw)) n = Number(raw);
  else throw new ConfigError(field, `expected an integer, got ${describe(raw)}`);
  if (!Number.isSafeInteger(n)) throw new ConfigError(field, `expected an integer, got ${describe(raw)}`);
  if (unsigned && n < 0) throw new ConfigError(field, `expected a non-negative integer, got ${n}`);
  return n;
}

/**
 * config.URL: an absolute http(s) URL with a host, kept as written (Go re-encodes it; for the URLs
 * people write that is the same text).
 */
export function parseHttpUrl(text: string, field: string, secret: boolean): string {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1] ?? '';
  const fail = (msg: string): never => {
    throw new ConfigError(field, msg);
  };
  if (text.startsWith(':')) fail(secret ? 'parse "[REDACTED]": missing protocol scheme' : `parse ${JSON.stringify(text)}: missing protocol scheme`);
  if (scheme.toLowerCase() !== 'http' && scheme.toLowerCase() !== 'https') fail(`unsupported scheme ${JSON.stringify(scheme.toLowerCase())} for URL`);
  if (!text.slice(scheme.length + 1).startsWith('//')) fail('missing host for URL');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(secret ? 'invalid URL [REDACTED]' : `invalid URL ${JSON.stringify(text)}`);
  }
  if (url.host === '') fail('missing host for URL');
  return text;
}

function readStringMap(raw: unknown, field: string): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(field, `expected a mapping, got ${describe(raw)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as ConfigValue)) out[k] = v === null ? '' : readScalar(v, join(field, k));
  return out;
}

export function readStringList(raw: unknown, field: string): string[] {
  if (!Array.isArray(raw)) throw new ConfigError(field, `expected a list, got ${describe(raw)}`);
  return raw.map((v, i) => (v === null ? '' : readScalar(v, join(field, i))));
}

function parseKind(kind: FieldKind, raw: unknown, field: string, ctx: ParseContext): unknown {
  if (typeof kind === 'object') {
    if ('struct' in kind) return parseStruct(raw, field, kind.struct, ctx);
    if ('list' in kind) {
      if (!Array.isArray(raw)) throw new ConfigError(field, `expected a list, got ${describe(raw)}`);
      return raw.map((item, i) => parseStruct(item, join(field, i), kind.list, ctx));
    }
    return kind.custom.parse(raw, field, ctx);
  }
  switch (kind) {
    case 'string':
    case 'secret':
      return readScalar(raw, field);
    case 'url':
      return parseHttpUrl(readScalar(raw, field), field, false);
    case 'secret_url': {
      const text = readScalar(raw, field);
      // A redacted config read back (amtool does this) keeps the placeholder.
      return text === SECRET_TOKEN ? text : parseHttpUrl(text, field, true);
    }
    case 'bool':
      return readBool(raw, field);
    case 'int':
      return readInt(raw, field, false);
    case 'uint':
      return readInt(raw, field, true);
    case 'duration':
      try {
        return parseDuration(readScalar(raw, field));
      } catch (err) {
        throw new ConfigError(field, (err as Error).message);
      }
    case 'go_duration':
      if (typeof raw === 'number' && Number.isInteger(raw)) return raw / 1e6; // yaml.v2 reads an int as nanoseconds
      try {
        return parseGoDuration(readScalar(raw, field));
      } catch (err) {
        throw new ConfigError(field, (err as Error).message);
      }
    case 'string_map':
      return readStringMap(raw, field);
    case 'string_list':
      return readStringList(raw, field);
    case 'any_map':
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(field, `expected a mapping, got ${describe(raw)}`);
      return structuredClone(raw);
  }
}

/** Reads a struct: defaults first, then every present key; unknown keys are rejected. */
export function parseStruct(raw: unknown, path: string, spec: StructSpec, ctx: ParseContext): ConfigValue {
  const obj = readObject(raw, path, spec.fields.map((f) => f.key));
  const out: ConfigValue = spec.defaults ? spec.defaults() : {};
  for (const f of spec.fields) {
    const rawValue = obj[f.key];
    if (rawValue === undefined) continue;
    if (rawValue === null) {
      // yaml.v2 sets an explicit null to the zero value (not the default): `send_resolved: null` is false.
      setZero(out, f);
      continue;
    }
    const field = join(path, f.key);
    const value = parseKind(f.kind, rawValue, field, ctx);
    if (f.template && typeof value === 'string' && value !== '' && ctx.validateTemplate) {
      const problem = ctx.validateTemplate(value);
      if (problem !== undefined) throw new ConfigError(field, `invalid template: ${problem}`);
    }
    out[f.key] = value;
  }
  spec.validate?.(out, path, ctx);
  // One representation per meaning: a zero value with no default is the same as absent (Go cannot
  // tell them apart either), so it is dropped; fields with a default are always present.
  const defaulted = spec.defaults ? Object.keys(spec.defaults()) : [];
  for (const f of spec.fields) {
    if (f.key in out && isZero(f.kind, out[f.key]) && !defaulted.includes(f.key)) delete out[f.key];
  }
  return out;
}

function setZero(out: ConfigValue, f: FieldSpec): void {
  const k = f.kind;
  if (typeof k === 'object') {
    if ('list' in k) out[f.key] = [];
    else if ('struct' in k && !k.pointer) out[f.key] = {};
    else delete out[f.key];
    return;
  }
  const zeros: Record<string, unknown> = { string: '', secret: '', bool: false, int: 0, uint: 0, duration: 0, go_duration: 0, string_map: {}, any_map: {}, string_list: [] };
  if (k in zeros) out[f.key] = structuredClone(zeros[k]);
  else delete out[f.key];
}

function isZero(kind: FieldKind, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof kind === 'object') {
    if ('struct' in kind) return kind.pointer ? false : structIsZero(value as ConfigValue, kind.struct);
    if ('list' in kind) return (value as unknown[]).length === 0;
    return kind.custom.isZero(value);
  }
  switch (kind) {
    case 'string':
    case 'secret':
    case 'url':
    case 'secret_url':
      return value === '';
    case 'bool':
      return value === false;
    case 'int':
    case 'uint':
    case 'duration':
    case 'go_duration':
      return value === 0;
    case 'string_map':
    case 'any_map':
      return Object.keys(value as object).length === 0;
    case 'string_list':
      return (value as unknown[]).length === 0;
  }
}

function structIsZero(value: ConfigValue, spec: StructSpec): boolean {
  return spec.fields.every((f) => isZero(f.kind, value[f.key]));
}

function sortedMap(m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}

/** A sequence to be written in flow style (`[a, b]`). */
export class FlowList {
  readonly items: readonly unknown[];
  constructor(items: readonly unknown[]) {
    this.items = items;
  }
}

function renderKind(kind: FieldKind, value: unknown, redact: boolean): unknown {
  if (typeof kind === 'object') {
    if ('struct' in kind) return value === undefined || value === null ? null : renderStruct(value as ConfigValue, kind.struct, redact);
    if ('list' in kind) return ((value as ConfigValue[] | undefined) ?? []).map((v) => renderStruct(v, kind.list, redact));
    return kind.custom.render(value, redact);
  }
  switch (kind) {
    case 'string':
      return value ?? '';
    case 'secret':
      // Secret.MarshalYAML: "<secret>" when set, null when empty.
      if (value === undefined || value === '') return null;
      return redact ? SECRET_TOKEN : value;
    case 'url':
      return value ?? null;
    case 'secret_url':
      if (value === undefined) return null;
      return redact ? SECRET_TOKEN : value;
    case 'bool':
      return value ?? false;
    case 'int':
    case 'uint':
      return value ?? 0;
    case 'duration':
      return formatDuration((value as number | undefined) ?? 0);
    case 'go_duration':
      return formatGoDuration((value as number | undefined) ?? 0);
    case 'string_map':
    case 'any_map':
      return sortedMap((value as Record<string, unknown> | undefined) ?? {});
    case 'string_list':
      return value ?? [];
  }
}

/** The struct as Go's yaml.v2 marshals it: Go field order, `omitempty` fields dropped when zero. */
export function renderStruct(value: ConfigValue, spec: StructSpec, redact: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const v = value[f.key];
    if (f.omitempty && isZero(f.kind, v)) continue;
    const rendered = renderKind(f.kind, v, redact);
    out[f.key] = f.flow && Array.isArray(rendered) ? new FlowList(rendered) : rendered;
  }
  return out;
}

function redactKind(kind: FieldKind, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (typeof kind === 'object') {
    if ('struct' in kind) return redactStruct(value as ConfigValue, kind.struct);
    if ('list' in kind) return (value as ConfigValue[]).map((v) => redactStruct(v, kind.list));
    return kind.custom.redact ? kind.custom.redact(value) : value;
  }
  if ((kind === 'secret' || kind === 'secret_url') && value !== '') return SECRET_TOKEN;
  return value;
}

/** A copy with every secret replaced by "<secret>". */
export function redactStruct(value: ConfigValue, spec: StructSpec): ConfigValue {
  const out: ConfigValue = { ...value };
  for (const f of spec.fields) {
    if (f.key in out) out[f.key] = redactKind(f.kind, out[f.key]);
  }
  return out;
}

/** "at most one of a & b must be configured" style checks. */
export function atMostOne(value: ConfigValue, keys: readonly string[], path: string, message: string): void {
  const set = keys.filter((k) => {
    const v = value[k];
    return v !== undefined && v !== null && v !== '';
  });
  if (set.length > 1) throw new ConfigError(path || '(root)', message);
}

export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
