// How JavaScript values stand for Go values inside the template engine.
//
// Go's text/template is driven by reflection over typed values; JavaScript has fewer types, so
// the engine reads them this way (the one rule every other file relies on):
//
//   undefined       -> an invalid reflect.Value: a missing map key, a nil interface ("<no value>")
//   null            -> a nil pointer / nil interface value ("<nil>")
//   boolean         -> bool
//   number          -> float64 (always, even 3: Prometheus' $value is a float64)
//   bigint          -> int (any Go integer kind; template literals such as 3 or 'a' evaluate to bigint)
//   string          -> string
//   Array           -> slice ([]interface {} unless tagged with goTypeName)
//   plain object    -> map[string]interface {} (a missing key is <no value>, like Go)
//   GoMap           -> a typed map, e.g. map[string]string whose missing key is "" under missingkey=zero
//   Map             -> map[interface {}]interface {}
//   GoFunc          -> a func value that is NOT called on field access (use the call builtin)
//   Date / GoTime   -> time.Time;  GoDuration -> time.Duration
//   other objects   -> structs (class instances): own properties are fields
//
// Methods: a JavaScript function reached through a field (an own property, or an exported,
// capitalised method of a class) is called with the action's arguments, the way Go calls a method.
// This is how .Alerts.Firing or .Labels.SortedPairs work.

/** Optional Go type name shown in error messages and %T, e.g. 'template.queryResult'. */
export const goTypeName: unique symbol = Symbol.for('ringwatch.template.goTypeName');

/** Tags an object or array with the Go type name used in messages; returns it. */
export function withGoTypeName<T extends object>(value: T, name: string): T {
  Object.defineProperty(value, goTypeName, { value: name, enumerable: false, configurable: true });
  return value;
}

/** A function value that field access returns as is rather than calling it (Go: a func-typed field). */
export class GoFunc {
  readonly fn: (...args: never[]) => unknown;
  constructor(fn: (...args: never[]) => unknown) {
    this.fn = fn;
  }
}

export type MapKey = string | bigint | number | boolean;

/**
 * A Go map with a known element type: `zero` is what a missing key yields under missingkey=zero
 * (Go gives the element type's zero value: "" for map[string]string). Subclass it to add methods
 * (capitalised prototype methods are visible to templates, before map keys, as in Go).
 */
export class GoMap<V = unknown> {
  readonly entries: Map<MapKey, V>;
  readonly zero: V | undefined;
  readonly typeName: string;
  /** Go key type; only string (and interface {}) keyed maps answer .field lookups. */
  readonly keyType: string;
  constructor(
    entries: Iterable<readonly [MapKey, V]> | Record<string, V>,
    options: { zero?: V; typeName?: string; keyType?: string } = {},
  ) {
    this.entries = new Map(isIterable(entries) ? (entries as Iterable<readonly [MapKey, V]>) : Object.entries(entries as Record<string, V>));
    this.zero = options.zero;
    this.typeName = options.typeName ?? 'map[string]interface {}';
    this.keyType = options.keyType ?? 'string';
  }
}

/** map[string]string: the shape of Prometheus and Alertmanager label sets. */
export function stringMap(record: Record<string, string> | Iterable<readonly [string, string]>, typeName = 'map[string]string'): GoMap<string> {
  return new GoMap<string>(record as Record<string, string>, { zero: '', typeName });
}

function isIterable(x: unknown): boolean {
  return typeof x === 'object' && x !== null && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

/** Prototypes whose methods are JavaScript's, never Go methods visible to templates. */
const BUILTIN_PROTOTYPES = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Function.prototype,
  Date.prototype,
  GoMap.prototype,
  Error.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
]);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A Go named integer type with methods (time.Duration, time.Month): an object holding its
 * integer under this key is an int for comparisons, truth and %d, and prints via its String method.
 */
export const goIntValue: unique symbol = Symbol.for('ringwatch.template.goIntValue');

export function isNamedInt(v: unknown): v is { readonly [goIntValue]: bigint } {
  return typeof v === 'object' && v !== null && goIntValue in v;
}

// go-time.ts registers how a JavaScript Date becomes a time.Time (it imports this file).
let dateConverter: ((d: Date) => unknown) | undefined;
export function registerDateConverter(fromDate: (d: Date) => unknown): void {
  dateConverter = fromDate;
}

/** Values coming out of data are normalised once: a Date is a time.Time. */
export function normalize(v: unknown): unknown {
  if (v instanceof Date && dateConverter) return dateConverter(v);
  return v;
}

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'object':
      if (v === null) return 'nil';
      if (Array.isArray(v)) return 'slice';
      if (v instanceof GoMap || v instanceof Map || isPlainObject(v)) return 'map';
      if (v instanceof GoFunc) return 'func';
      if (isNamedInt(v)) return 'int';
      return 'struct';
    default:
      return 'struct';
  }
}

/** The Go integer held by an int-kind value (bigint, or a named int such as time.Duration). */
export function intValue(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (isNamedInt(v)) return v[goIntValue];
  throw new Error('not an integer');
}

/** Go type name of a value, for messages and %T. */
export function typeName(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return '<nil>';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'symbol':
      return 'symbol';
    case 'object': {
      if (v === null) return '<nil>';
      const tagged = (v as { [goTypeName]?: string })[goTypeName];
      if (typeof tagged === 'string') return tagged;
      if (Array.isArray(v)) return '[]interface {}';
      if (v instanceof GoMap) return v.typeName;
      if (v instanceof Map) return 'map[interface {}]interface {}';
      if (isPlainObject(v)) return 'map[string]interface {}';
      if (v instanceof GoFunc) return 'func';
      const ctor = (v as { constructor?: { goTypeName?: string; name?: string } }).constructor;
      if (ctor && typeof ctor.goTypeName === 'string') return ctor.goTypeName;
      return ctor?.name ? ctor.name : 'struct';
    }
    default:
      return 'unknown';
  }
}

/** Entries of a map-kind value, keys sorted as Go's fmtsort sorts them (range and printing). */
export function sortedMapEntries(v: unknown): Array<[unknown, unknown]> {
  let entries: Array<[unknown, unknown]>;
  if (v instanceof GoMap) entries = [...(v.entries as Map<unknown, unknown>)];
  else if (v instanceof Map) entries = [...(v as Map<unknown, unknown>)];
  else entries = Object.entries(v as Record<string, unknown>);
  entries.sort((a, b) => compareKeys(a[0], b[0]));
  return entries;
}

export function mapSize(v: unknown): number {
  if (v instanceof GoMap) return v.entries.size;
  if (v instanceof Map) return v.size;
  return Object.keys(v as object).length;
}

/** Looks a key up in a map-kind value: [found, value]. */
export function mapGet(v: unknown, key: unknown): [boolean, unknown] {
  if (v instanceof GoMap || v instanceof Map) {
    const m = v instanceof GoMap ? (v.entries as Map<unknown, unknown>) : (v as Map<unknown, unknown>);
    if (m.has(key)) return [true, m.get(key)];
    // A JS number key and a template's bigint literal name the same Go integer.
    if (typeof key === 'bigint' && m.has(Number(key))) return [true, m.get(Number(key))];
    if (typeof key === 'number' && Number.isInteger(key) && m.has(BigInt(key))) return [true, m.get(BigInt(key))];
    return [false, undefined];
  }
  if (typeof key !== 'string') return [false, undefined];
  if (Object.prototype.hasOwnProperty.call(v, key)) return [true, (v as Record<string, unknown>)[key]];
  return [false, undefined];
}

/** The Go key type of a map-kind value. */
export function mapKeyType(v: unknown): string {
  if (v instanceof GoMap) return v.keyType;
  if (v instanceof Map) return 'interface {}';
  return 'string';
}

/** The zero value a missing key yields under missingkey=zero. */
export function mapZero(v: unknown): unknown {
  return v instanceof GoMap ? v.zero : undefined;
}

/** Go's ordering of map keys: numbers numerically, strings by bytes (code points), false < true. */
export function compareKeys(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    const x = a as number | bigint;
    const y = b as number | bigint;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string);
  if (ta === 'boolean' && tb === 'boolean') return a === b ? 0 : a ? 1 : -1;
  // Mixed key types (interface{} keys): order by kind name, as fmtsort orders by type first.
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** Compares strings as Go does (UTF-8 byte order, which is code point order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      // A surrogate (a code point above U+FFFF) sorts after every BMP code unit.
      if (sa !== sb) return sa ? 1 : -1;
      return ca < cb ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** Struct fields: own enumerable string-keyed, non-function properties, in declaration order. */
export function structFields(v: object): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const key of Object.keys(v)) {
    const value = (v as Record<string, unknown>)[key];
    if (typeof value !== 'function') out.push([key, value]);
  }
  return out;
}

/** Whether a struct-kind value has a field of that name (own property or a getter of its class). */
export function hasStructField(v: object, name: string): boolean {
  if (Object.prototype.hasOwnProperty.call(v, name)) return true;
  for (let p = Object.getPrototypeOf(v) as object | null; p && !BUILTIN_PROTOTYPES.has(p); p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d && d.get) return true;
  }
  return false;
}

/**
 * Finds a method: an own function-valued property (plain objects, arrays), or an exported
 * (capitalised) function of a class prototype. Returns it unbound: call it with the receiver as this.
 */
export function lookupMethod(v: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (typeof v !== 'object' || v === null || v instanceof GoFunc) return undefined;
  if (!(v instanceof GoMap) && Object.prototype.hasOwnProperty.call(v, name)) {
    const d = Object.getOwnPropertyDescriptor(v, name);
    if (d && typeof d.value === 'function') return d.value as (...a: unknown[]) => unknown;
    return undefined;
  }
  if (!isExported(name)) return undefined;
  for (let p = Object.getPrototypeOf(v) as object | null; p && !BUILTIN_PROTOTYPES.has(p); p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) {
      if (typeof d.value === 'function') return d.value as (...a: unknown[]) => unknown;
      return undefined;
    }
  }
  return undefined;
}

/** Go's exported-name rule: the first character is an upper-case letter. */
export function isExported(name: string): boolean {
  return /^\p{Lu}/u.test(name);
}

/** Go's notion of truth (if, with, and, or, not): the zero value of its type is false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
      return intValue(v) !== 0n;
    case 'float':
      return (v as number) !== 0;
    case 'string':
      return (v as string).length > 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return mapSize(v) > 0;
    case 'func':
      return true;
    case 'struct':
      return true;
  }
}

/** A thenable returned by an async template function. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
