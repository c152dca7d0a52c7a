// The predefined functions of text/template (funcs.go). and, or and call are evaluated by the
// executor itself (they short-circuit or need the callee's name); their entries here only make
// the names defined and give their signatures.
import { formatValue, sprint, sprintf, sprintln } from './format.ts';
import { withSignature, type FuncMap } from './functions.ts';
import { compareStrings, intValue, isTrue, kindOf, mapGet, mapKeyType, mapSize, mapZero, normalize, typeName } from './values.ts';

/** A builtin's failure, reported by the executor as "error calling NAME: message". */
export class BuiltinError extends Error {}

function fail(message: string): never {
  throw new BuiltinError(message);
}

// --- index, slice, len ---------------------------------------------------------------------

function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  switch (kindOf(index)) {
    case 'int':
      x = intValue(index);
      break;
    case 'invalid':
    case 'nil':
      fail('cannot index slice/array with nil');
    // falls through (unreachable)
    default:
      fail(`cannot index slice/array with type ${typeName(index)}`);
  }
  if (x < 0n || x > BigInt(cap)) fail(`index out of range: ${x}`);
  return Number(x);
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) fail('index of untyped nil');
  for (const ix of indexes) {
    if (item === null) fail('index of nil pointer');
    switch (kindOf(item)) {
      case 'slice': {
        const arr = item as unknown[];
        const x = indexArg(ix, arr.length);
        if (x === arr.length) fail('reflect: slice index out of range');
        item = normalize(arr[x]);
        break;
      }
      case 'string': {
        const bytes = utf8.encode(item as string);
        const x = indexArg(ix, bytes.length);
        if (x === bytes.length) fail('reflect: string index out of range');
        item = BigInt(bytes[x] as number); // Go indexes strings by byte (a uint8)
        break;
      }
      case 'map': {
        const keyType = mapKeyType(item);
        if (ix === undefined || ix === null) fail(`value is nil; should be of type ${keyType}`);
        if (keyType === 'string' && typeof ix !== 'string') fail(`value has type ${typeName(ix)}; should be string`);
        if (keyType !== 'string' && keyType !== 'interface {}' && typeof ix === 'string') fail(`value has type string; should be ${keyType}`);
        const [found, v] = mapGet(item, ix);
        item = found ? normalize(v) : mapZero(item);
        break;
      }
      default:
        fail(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

export function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) fail('slice of untyped nil');
  if (indexes.length > 3) fail(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  let bytes: Uint8Array | undefined;
  switch (kindOf(item)) {
    case 'string':
      if (indexes.length === 3) fail('cannot 3-index slice a string');
      bytes = utf8.encode(item as string);
      cap = bytes.length;
      break;
    case 'slice':
      cap = (item as unknown[]).length;
      break;
    default:
      fail(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, bytes ? bytes.length : (item as unknown[]).length, 0];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, cap);
  });
  const [i0, i1, i2] = idx as [number, number, number];
  if (i0 > i1) fail(`invalid slice index: ${i0} > ${i1}`);
  if (indexes.length === 3 && i1 > i2) fail(`invalid slice index: ${i1} > ${i2}`);
  if (bytes) return utf8Decoder.decode(bytes.slice(i0, i1));
  return (item as unknown[]).slice(i0, i1);
}

export function length(item: unknown): bigint {
  if (item === undefined) fail('len of untyped nil');
  if (item === null) fail('len of nil pointer');
  switch (kindOf(item)) {
    case 'string':
      return BigInt(utf8.encode(item as string).length);
    case 'slice':
      return BigInt((item as unknown[]).length);
    case 'map':
      return BigInt(mapSize(item));
  }
  fail(`len of type ${typeName(item)}`);
}

// --- comparison ------------------------------------------------------------------------------

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'invalid';
}

function isNilValue(v: unknown): boolean {
  return v === undefined || v === null;
}

function canCompare(a: unknown, b: unknown): boolean {
  return kindOf(a) === kindOf(b) || isNilValue(a) || isNilValue(b);
}

function structEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const eq = (a as { equalsForTemplate?: (o: unknown) => boolean }).equalsForTemplate;
  return typeof eq === 'function' ? eq.call(a, b) : false;
}

export function eq(arg1: unknown, ...args: unknown[]): boolean {
  if (args.length === 0) fail('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of args) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (arg1 !== undefined && arg !== undefined) fail(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`);
    } else {
      switch (k1) {
        case 'bool':
        case 'float':
        case 'string':
          truth = arg1 === arg;
          break;
        case 'int':
          truth = intValue(arg1) === intValue(arg);
          break;
        default: {
          if (!canCompare(arg1, arg)) {
            fail(`non-comparable types ${formatValue(arg1, 'v', blank())}: ${typeName(arg1)}, ${typeName(arg)}: ${formatValue(arg, 'v', blank())}`);
          }
          if (isNilValue(arg1) || isNilValue(arg)) truth = isNilValue(arg) === isNilValue(arg1);
          else {
            const k = kindOf(arg);
            if (k === 'slice' || k === 'map' || k === 'func') fail(`non-comparable type ${formatValue(arg, 'v', blank())}: ${typeName(arg)}`);
            truth = structEqual(arg1, arg);
          }
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function blank(): Parameters<typeof formatValue>[2] {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, wid: undefined, prec: undefined, plusV: false };
}

export function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

export function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid') fail('invalid type for comparison');
  const k2 = basicKind(b);
  if (k2 === 'invalid') fail('invalid type for comparison');
  if (k1 !== k2) fail(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  switch (k1) {
    case 'bool':
      fail('invalid type for comparison');
    // falls through (unreachable)
    case 'int':
      return intValue(a) < intValue(b);
    case 'float':
      return (a as number) < (b as number);
    default:
      return compareStrings(a as string, b as string) < 0;
  }
}

export function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

export function gt(a: unknown, b: unknown): boolean {
  return !le(a, b);
}

export function ge(a: unknown, b: unknown): boolean {
  return !lt(a, b);
}

// --- escaping --------------------------------------------------------------------------------

/** Formats escaper arguments like fmt.Sprint, except that a missing value is "<no value>". */
export function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined ? '<no value>' : a)));
}

export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case '\0':
        return '\uFFFD';
      case '"':
        return '&#34;';
      case "'":
        return '&#39;';
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      default:
        return '&gt;';
    }
  });
}

function isPrint(ch: string): boolean {
  return ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
}

export function jsEscapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80 || isPrint(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape: spaces become '+', everything but unreserved characters is %XX. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// --- the map ---------------------------------------------------------------------------------

function notDirectlyCallable(): never {
  throw new Error('unreachable: evaluated by the executor');
}

export const BUILTINS: FuncMap = {
  and: withSignature(notDirectlyCallable, ['value'], 'value'),
  or: withSignature(notDirectlyCallable, ['value'], 'value'),
  call: withSignature(notDirectlyCallable, ['value'], 'value'),
  not: withSignature((v: unknown) => !isTrue(v), ['value']),
  len: withSignature(length, ['value']),
  index: withSignature(index, ['value'], 'value'),
  slice: withSignature(slice, ['value'], 'value'),
  print: withSignature((...args: unknown[]) => sprint(args), [], 'any'),
  printf: withSignature((format: string, ...args: unknown[]) => sprintf(format, args), ['string'], 'any'),
  println: withSignature((...args: unknown[]) => sprintln(args), [], 'any'),
  html: withSignature((...args: unknown[]) => htmlEscapeString(evalArgs(args)), [], 'value'),
  js: withSignature((...args: unknown[]) => jsEscapeString(evalArgs(args)), [], 'value'),
  urlquery: withSignature((...args: unknown[]) => queryEscape(evalArgs(args)), [], 'value'),
  eq: withSignature(eq, ['value'], 'value'),
  ne: withSignature(ne, ['value', 'value']),
  lt: withSignature(lt, ['value', 'value']),
  le: withSignature(le, ['value', 'value']),
  gt: withSignature(gt, ['value', 'value']),
  ge: withSignature(ge, ['value', 'value']),
};
