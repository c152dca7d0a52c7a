// Template functions: plain JavaScript functions, optionally with a Go-style signature so the
// engine checks argument counts and types, and converts literals, as Go does for a FuncMap entry.
import { typeName } from './values.ts';

/**
 * A parameter type. 'any' is Go's interface{} (a missing value arrives as null); 'value' is
 * reflect.Value (a missing value arrives as undefined, as the builtins need); the others are
 * Go's basic types; a TypeCheck names any other type.
 */
export type ParamType = 'any' | 'value' | 'string' | 'bool' | 'int' | 'float64' | TypeCheck;

export interface TypeCheck {
  /** Go type name for messages, e.g. '*template.sample'. */
  name: string;
  accepts(v: unknown): boolean;
  /** Whether nil (null) is a valid value of the type, as for pointers and slices. */
  nillable?: boolean;
  /** For a named basic type (uint16, time.Duration...): which literals convert to it. */
  literal?: 'int' | 'float64' | 'string' | 'bool';
}

export interface FuncSignature {
  params: ParamType[];
  /** Type of the trailing ...args, when the function is variadic. */
  variadic?: ParamType;
}

// Functions are any callable; the engine passes the values described in values.ts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template functions take arbitrary Go-like values
export type TemplateFunction = (...args: any[]) => unknown;

export type FuncMap = Record<string, TemplateFunction>;

const signatures = new WeakMap<TemplateFunction, FuncSignature>();

/** Attaches a Go signature to a function; returns the function. */
export function withSignature<F extends TemplateFunction>(fn: F, params: ParamType[], variadic?: ParamType): F {
  signatures.set(fn, variadic === undefined ? { params } : { params, variadic });
  return fn;
}

/** Without a signature, a function is func(...interface{}): any number of arguments. */
const UNTYPED: FuncSignature = { params: [], variadic: 'any' };

export function signatureOf(fn: TemplateFunction): FuncSignature {
  return signatures.get(fn) ?? UNTYPED;
}

export function paramTypeName(t: ParamType): string {
  if (typeof t === 'object') return t.name;
  if (t === 'any') return 'interface {}';
  if (t === 'value') return 'reflect.Value';
  return t;
}

/** []string */
export const stringSliceType: TypeCheck = {
  name: '[]string',
  nillable: true,
  accepts: (v) => Array.isArray(v) && v.every((e) => typeof e === 'string'),
};

/** A type check for class instances. */
export function instanceType(name: string, cls: abstract new (...args: never[]) => unknown, nillable = false): TypeCheck {
  return { name, nillable, accepts: (v) => v instanceof cls };
}

/** The Go-side name of the type of a value passed to a typed parameter, for messages. */
export function valueTypeName(v: unknown): string {
  return typeName(v);
}

export function isValidFunctionName(name: string): boolean {
  return /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(name);
}
