// Evaluation of parsed templates, after Go's text/template/exec.go, keeping its error positions
// and messages.
//
// Design: the evaluator is written once as generator functions. Whenever a template function
// returns a Promise, the evaluator yields it; the async driver awaits it and resumes, the sync
// driver refuses it with an error. So execute() supports async functions (Prometheus' query)
// and executeSync() runs templates whose functions are all synchronous (notifications).
import { BUILTINS } from './builtins.ts';
import { TemplateError } from './errors.ts';
import { formatValue } from './format.ts';
import { paramTypeName, signatureOf, type FuncMap, type ParamType, type TemplateFunction } from './functions.ts';
import {
  errorContext,
  nodeString,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
} from './parser.ts';
import {
  GoFunc,
  hasStructField,
  intValue,
  isExported,
  isThenable,
  isTrue,
  kindOf,
  lookupMethod,
  mapGet,
  mapKeyType,
  mapZero,
  normalize,
  sortedMapEntries,
  typeName,
  type Kind,
} from './values.ts';

export type MissingKey = 'default' | 'zero' | 'error';

/** What an execution needs from its template set. */
export interface ExecEnv {
  lookup(name: string): Tree | undefined;
  funcs: FuncMap;
  missingKey: MissingKey;
  maxExecDepth: number;
}

/** Go's missingVal: "there is no final (piped) argument". */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

const BREAK: unique symbol = Symbol('break');
const CONTINUE: unique symbol = Symbol('continue');

type Gen<T> = Generator<PromiseLike<unknown>, T, unknown>;

interface Variable {
  name: string;
  value: unknown;
}

class State {
  readonly env: ExecEnv;
  readonly out: string[];
  tmplName: string;
  node: Node | undefined;
  vars: Variable[];
  depth: number;

  constructor(env: ExecEnv, out: string[], tmplName: string, vars: Variable[], depth: number) {
    this.env = env;
    this.out = out;
    this.tmplName = tmplName;
    this.vars = vars;
    this.depth = depth;
  }

  at(node: Node): void {
    this.node = node;
  }

  errorf(message: string, cause?: unknown): never {
    let full: string;
    if (!this.node) full = `template: ${this.tmplName}: ${message}`;
    else {
      const { location, context } = errorContext(this.node);
      full = `template: ${location}: executing ${JSON.stringify(this.tmplName)} at <${context}>: ${message}`;
    }
    throw new TemplateError('exec', this.tmplName, full, cause === undefined ? undefined : { cause });
  }

  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }
  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

// --- walking ---------------------------------------------------------------------------------

function* walk(s: State, dot: unknown, node: Node): Gen<void> {
  s.at(node);
  switch (node.type) {
    case 'action': {
      // Do not pop variables so they persist until next end; a declaration prints nothing.
      const val = yield* evalPipeline(s, dot, node.pipe);
      if (node.pipe.decl.length === 0) printValue(s, node, val);
      return;
    }
    case 'break':
      throw BREAK;
    case 'continue':
      throw CONTINUE;
    case 'comment':
      return;
    case 'if':
    case 'with':
      return yield* walkIfOrWith(s, node, dot);
    case 'list':
      for (const n of node.nodes) yield* walk(s, dot, n);
      return;
    case 'range':
      return yield* walkRange(s, dot, node);
    case 'template':
      return yield* walkTemplate(s, dot, node);
    case 'text':
      s.out.push(node.text);
      return;
    default:
      s.errorf(`unknown node: ${nodeString(node)}`);
  }
}

function* walkIfOrWith(s: State, node: BranchNode, dot: unknown): Gen<void> {
  const mark = s.mark();
  try {
    const val = yield* evalPipeline(s, dot, node.pipe);
    if (isTrue(val)) yield* walk(s, node.type === 'with' ? val : dot, node.list);
    else if (node.elseList) yield* walk(s, dot, node.elseList);
  } finally {
    s.pop(mark);
  }
}

function* walkRange(s: State, dot: unknown, r: BranchNode): Gen<void> {
  s.at(r);
  const outer = s.mark();
  try {
    const val = yield* evalPipeline(s, dot, r.pipe);
    // mark top of stack before any variables in the body are pushed.
    const mark = s.mark();
    const decl = r.pipe.decl;
    function* oneIteration(index: unknown, elem: unknown): Gen<void> {
      if (decl.length > 0) {
        if (r.pipe.isAssign) {
          // With two variables, index comes first. With one, we use the element.
          s.setVar((decl[0] as VariableNode).ident[0] as string, decl.length > 1 ? index : elem);
        } else s.setTopVar(1, elem);
      }
      if (decl.length > 1) {
        if (r.pipe.isAssign) s.setVar((decl[1] as VariableNode).ident[0] as string, elem);
        else s.setTopVar(2, index);
      }
      try {
        yield* walk(s, elem, r.list);
      } catch (e) {
        if (e !== CONTINUE) throw e;
      } finally {
        s.pop(mark);
      }
    }
    let ran = false;
    try {
      switch (kindOf(val)) {
        case 'slice': {
          const arr = val as unknown[];
          for (let i = 0; i < arr.length; i++) {
            ran = true;
            yield* oneIteration(BigInt(i), normalize(arr[i]));
          }
          break;
        }
        case 'map':
          for (const [k, v] of sortedMapEntries(val)) {
            ran = true;
            yield* oneIteration(k, normalize(v));
          }
          break;
        case 'int': {
          if (decl.length > 1) s.errorf(`can't use ${formatValue(val, 'v', blankFlags())} to iterate over more than one variable`);
          const n = intValue(val);
          for (let i = 0n; i < n; i++) {
            ran = true;
            yield* oneIteration(undefined, i);
          }
          break;
        }
        case 'invalid':
        case 'nil':
          break; // An invalid value is likely a nil map, etc. and acts like an empty map.
        default: {
          const iterable = val as { [Symbol.iterator]?: () => Iterator<unknown> };
          if (typeof val === 'object' && val !== null && typeof iterable[Symbol.iterator] === 'function') {
            let i = 0n;
            for (const elem of val as Iterable<unknown>) {
              ran = true;
              yield* oneIteration(i++, normalize(elem));
            }
            break;
          }
          s.errorf(`range can't iterate over ${formatValue(val, 'v', blankFlags())}`);
        }
      }
    } catch (e) {
      if (e === BREAK) return;
      throw e;
    }
    if (!ran && r.elseList) yield* walk(s, dot, r.elseList);
  } finally {
    s.pop(outer);
  }
}

function* walkTemplate(s: State, dot: unknown, t: TemplateNode): Gen<void> {
  s.at(t);
  const tmpl = s.env.lookup(t.name);
  if (!tmpl) s.errorf(`template ${JSON.stringify(t.name)} not defined`);
  if (s.depth === s.env.maxExecDepth) s.errorf(`exceeded maximum template depth (${s.env.maxExecDepth})`);
  // Variables declared by the pipeline persist.
  const newDot = yield* evalPipeline(s, dot, t.pipe);
  // No dynamic scoping: template invocations inherit no variables.
  const ns = new State(s.env, s.out, t.name, [{ name: '$', value: newDot }], s.depth + 1);
  yield* walk(ns, newDot, tmpl.root);
}

// --- evaluation ------------------------------------------------------------------------------

function* evalPipeline(s: State, dot: unknown, pipe: PipeNode | undefined): Gen<unknown> {
  if (!pipe) return undefined;
  s.at(pipe);
  let value: unknown = MISSING;
  for (const cmd of pipe.cmds) value = yield* evalCommand(s, dot, cmd, value); // previous value is this one's final arg.
  for (const v of pipe.decl) {
    if (pipe.isAssign) s.setVar(v.ident[0] as string, value);
    else s.push(v.ident[0] as string, value);
  }
  return value;
}

function notAFunction(s: State, args: Node[], final: Final): void {
  if (args.length > 1 || final !== MISSING) s.errorf(`can't give argument to non-function ${nodeString(args[0] as Node)}`);
}

function* evalCommand(s: State, dot: unknown, cmd: CommandNode, final: Final): Gen<unknown> {
  const first = cmd.args[0] as Node;
  switch (first.type) {
    case 'field':
      return yield* evalFieldNode(s, dot, first, cmd.args, final);
    case 'chain':
      return yield* evalChainNode(s, dot, first, cmd.args, final);
    case 'identifier':
      // Must be a function.
      return yield* evalFunction(s, dot, first, cmd, cmd.args, final);
    case 'pipe':
      // Parenthesized pipeline. The arguments are all inside the pipeline; final must be absent.
      notAFunction(s, cmd.args, final);
      return yield* evalPipeline(s, dot, first);
    case 'variable':
      return yield* evalVariableNode(s, dot, first, cmd.args, final);
  }
  s.at(first);
  notAFunction(s, cmd.args, final);
  switch (first.type) {
    case 'bool':
      return first.value;
    case 'dot':
      return dot;
    case 'nil':
      s.errorf('nil is not a command');
    // falls through (unreachable)
    case 'number':
      return idealConstant(s, first);
    case 'string':
      return first.text;
  }
  s.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
}

/** A number literal where no type is known: its syntax decides, as with Go's ideal constants. */
function idealConstant(s: State, c: NumberNode): unknown {
  s.at(c);
  const isHexInt = c.text.length > 2 && c.text[0] === '0' && (c.text[1] === 'x' || c.text[1] === 'X') && !/[pP]/.test(c.text);
  const isRuneInt = c.text.startsWith("'");
  if (c.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(c.text)) return c.float;
  if (c.isInt) return c.int;
  if (c.isUint) s.errorf(`${c.text} overflows int`);
  return undefined;
}

function* evalFieldNode(s: State, dot: unknown, field: FieldNode, args: Node[] | undefined, final: Final): Gen<unknown> {
  s.at(field);
  return yield* evalFieldChain(s, dot, dot, field, field.ident, args, final);
}

function* evalChainNode(s: State, dot: unknown, chain: ChainNode, args: Node[] | undefined, final: Final): Gen<unknown> {
  s.at(chain);
  if (chain.field.length === 0) s.errorf('internal error: no fields in evalChainNode');
  if (chain.node.type === 'nil') s.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
  // (pipe).Field1.Field2 has pipe as .Node, fields as .Field. Eval the pipeline, then the fields.
  const pipe = yield* evalArg(s, dot, 'value', chain.node);
  return yield* evalFieldChain(s, dot, pipe, chain, chain.field, args, final);
}

function* evalVariableNode(s: State, dot: unknown, variable: VariableNode, args: Node[] | undefined, final: Final): Gen<unknown> {
  // $x.Field has $x as the first ident, Field as the second. Eval the var, then the fields.
  s.at(variable);
  const value = s.varValue(variable.ident[0] as string);
  if (variable.ident.length === 1) {
    notAFunction(s, args ?? [variable], final);
    return value;
  }
  return yield* evalFieldChain(s, dot, value, variable, variable.ident.slice(1), args, final);
}

function* evalFieldChain(
  s: State,
  dot: unknown,
  receiver: unknown,
  node: Node,
  ident: string[],
  args: Node[] | undefined,
  final: Final,
): Gen<unknown> {
  const n = ident.length;
  for (let i = 0; i < n - 1; i++) receiver = yield* evalField(s, dot, ident[i] as string, node, undefined, MISSING, receiver);
  // Now if it's a method, it gets the arguments.
  return yield* evalField(s, dot, ident[n - 1] as string, node, args, final, receiver);
}

function* evalFunction(s: State, dot: unknown, node: IdentifierNode, cmd: Node, args: Node[] | undefined, final: Final): Gen<unknown> {
  s.at(node);
  const name = node.ident;
  const user = Object.prototype.hasOwnProperty.call(s.env.funcs, name) ? s.env.funcs[name] : undefined;
  const builtin = user ? undefined : Object.prototype.hasOwnProperty.call(BUILTINS, name) ? BUILTINS[name] : undefined;
  const fn = user ?? builtin;
  if (!fn) s.errorf(`${JSON.stringify(name)} is not a defined function`);
  return yield* evalCall(s, dot, fn, builtin !== undefined, cmd, name, args, final);
}

/** Evaluates .Field (or .Method args): methods first, then struct fields or map keys. */
function* evalField(
  s: State,
  dot: unknown,
  fieldName: string,
  node: Node,
  args: Node[] | undefined,
  final: Final,
  receiver: unknown,
): Gen<unknown> {
  if (receiver === undefined) {
    if (s.env.missingKey === 'error') s.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
    return undefined;
  }
  if (receiver === null) s.errorf(`nil pointer evaluating ${typeName(receiver)}.${fieldName}`);
  const method = lookupMethod(receiver, fieldName);
  if (method) return yield* evalCall(s, dot, method, false, node, fieldName, args, final, receiver);
  const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING;
  switch (kindOf(receiver)) {
    case 'struct':
      if (hasStructField(receiver as object, fieldName)) {
        if (!isExported(fieldName)) s.errorf(`${fieldName} is an unexported field of struct type ${typeName(receiver)}`);
        if (hasArgs) s.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return normalize((receiver as Record<string, unknown>)[fieldName]);
      }
      break;
    case 'map': {
      const keyType = mapKeyType(receiver);
      if (keyType !== 'string' && keyType !== 'interface {}') break;
      if (hasArgs) s.errorf(`${fieldName} is not a method but has arguments`);
      const [found, v] = mapGet(receiver, fieldName);
      if (found) return normalize(v);
      switch (s.env.missingKey) {
        case 'default':
          return undefined;
        case 'zero':
          return mapZero(receiver);
        case 'error':
          s.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
      }
    }
  }
  s.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
}

/** A callable value: a JS function or a GoFunc. */
function callableOf(v: unknown): TemplateFunction | undefined {
  if (typeof v === 'function') return v as TemplateFunction;
  if (v instanceof GoFunc) return v.fn as TemplateFunction;
  return undefined;
}

/**
 * Calls a function or method. args, if present, includes (in the manner of the shell) args[0]
 * as the function itself.
 */
function* evalCall(
  s: State,
  dot: unknown,
  fn: TemplateFunction,
  isBuiltin: boolean,
  node: Node,
  name: string,
  args: Node[] | undefined,
  final: Final,
  thisArg?: unknown,
): Gen<unknown> {
  const argNodes = args ? args.slice(1) : [];
  const sig = signatureOf(fn);
  const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
  let numFixed = argNodes.length;
  if (sig.variadic !== undefined) {
    numFixed = sig.params.length; // last arg is the variadic one.
    if (numIn < numFixed) s.errorf(`wrong number of args for ${name}: want at least ${sig.params.length} got ${argNodes.length}`);
  } else if (numIn !== sig.params.length) {
    s.errorf(`wrong number of args for ${name}: want ${sig.params.length} got ${numIn}`);
  }

  // Special case for builtin and/or, which short-circuit.
  if (isBuiltin && (name === 'and' || name === 'or')) {
    let v: unknown;
    for (const arg of argNodes) {
      v = yield* evalArg(s, dot, 'value', arg);
      if (isTrue(v) === (name === 'or')) return v;
    }
    if (final !== MISSING) v = final;
    return v;
  }

  // Build the arg list. Fixed args first, then the ... args, then the piped value.
  const argv: unknown[] = [];
  let i = 0;
  for (; i < numFixed && i < argNodes.length; i++) argv.push(yield* evalArg(s, dot, sig.params[i] as ParamType, argNodes[i] as Node));
  if (sig.variadic !== undefined) for (; i < argNodes.length; i++) argv.push(yield* evalArg(s, dot, sig.variadic, argNodes[i] as Node));
  if (final !== MISSING) {
    let t: ParamType;
    if (sig.variadic !== undefined) t = numIn - 1 < numFixed ? (sig.params[numIn - 1] as ParamType) : sig.variadic;
    else t = sig.params[sig.params.length - 1] as ParamType;
    argv.push(validateType(s, final, t));
  }

  if (isBuiltin && name === 'call') {
    const calleeName = argNodes[0] ? nodeString(argNodes[0]) : 'call';
    return yield* callBuiltin(s, node, calleeName, argv[0], argv.slice(1));
  }

  let result: unknown;
  try {
    result = fn.apply(thisArg, argv);
    if (isThenable(result)) result = yield result;
  } catch (e) {
    s.at(node);
    s.errorf(`error calling ${name}: ${errorMessage(e)}`, e);
  }
  return normalize(result);
}

/** The call builtin: calls its first argument with the others (funcs.go call). */
function* callBuiltin(s: State, node: Node, calleeName: string, fnValue: unknown, args: unknown[]): Gen<unknown> {
  const fail = (message: string, cause?: unknown): never => {
    s.at(node);
    return s.errorf(`error calling call: ${message}`, cause);
  };
  if (fnValue === undefined || fnValue === null) fail('call of nil');
  const fn = callableOf(fnValue);
  if (!fn) fail(`non-function ${calleeName} of type ${typeName(fnValue)}`);
  const target = fn as TemplateFunction;
  const sig = signatureOf(target);
  const numIn = sig.params.length;
  if (sig.variadic !== undefined) {
    if (args.length < numIn) fail(`wrong number of args for ${calleeName}: got ${args.length} want at least ${numIn}`);
  } else if (args.length !== numIn) {
    fail(`wrong number of args for ${calleeName}: got ${args.length} want ${numIn}`);
  }
  const argv = args.map((arg, i) => {
    const t = (i < numIn ? sig.params[i] : sig.variadic) as ParamType;
    const problem = prepareArgProblem(arg, t);
    if (problem) fail(`arg ${i}: ${problem}`);
    return arg === undefined && t !== 'value' ? null : arg;
  });
  let result: unknown;
  try {
    result = target(...argv);
    if (isThenable(result)) result = yield result;
  } catch (e) {
    fail(errorMessage(e), e);
  }
  return normalize(result);
}

function prepareArgProblem(v: unknown, t: ParamType): string | undefined {
  if (v === undefined || v === null) return canBeNil(t) ? undefined : `value is nil; should be of type ${paramTypeName(t)}`;
  if (acceptsType(v, t)) return undefined;
  return `value has type ${typeName(v)}; should be ${paramTypeName(t)}`;
}

function canBeNil(t: ParamType): boolean {
  if (t === 'any' || t === 'value') return true;
  if (typeof t === 'object') return t.nillable === true;
  return false;
}

function acceptsType(v: unknown, t: ParamType): boolean {
  switch (t) {
    case 'any':
    case 'value':
      return true;
    case 'string':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'bigint';
    case 'float64':
      return typeof v === 'number';
    default:
      return t.accepts(v);
  }
}

/** Guarantees that the value is valid and assignable to the type. */
function validateType(s: State, value: unknown, t: ParamType): unknown {
  if (value === undefined) {
    if (t === 'value') return undefined;
    if (canBeNil(t)) return null; // A nil interface, or the zero value of a nillable type.
    s.errorf(`invalid value; expected ${paramTypeName(t)}`);
  }
  if (value === null && canBeNil(t)) return null;
  if (!acceptsType(value, t)) s.errorf(`wrong type for value; expected ${paramTypeName(t)}; got ${typeName(value)}`);
  return value;
}

function* evalArg(s: State, dot: unknown, t: ParamType, n: Node): Gen<unknown> {
  s.at(n);
  switch (n.type) {
    case 'dot':
      return validateType(s, dot, t);
    case 'nil':
      if (t === 'value') return undefined;
      if (canBeNil(t)) return null;
      s.errorf(`cannot assign nil to ${paramTypeName(t)}`);
    // falls through (unreachable)
    case 'field':
      return validateType(s, yield* evalFieldNode(s, dot, n, [n], MISSING), t);
    case 'variable':
      return validateType(s, yield* evalVariableNode(s, dot, n, undefined, MISSING), t);
    case 'pipe':
      return validateType(s, yield* evalPipeline(s, dot, n), t);
    case 'identifier':
      return validateType(s, yield* evalFunction(s, dot, n, n, undefined, MISSING), t);
    case 'chain':
      return validateType(s, yield* evalChainNode(s, dot, n, undefined, MISSING), t);
  }
  const literal = typeof t === 'object' ? (t.literal ?? t) : t;
  switch (literal) {
    case 'bool':
      if (n.type === 'bool') return n.value;
      s.errorf(`expected bool; found ${nodeString(n)}`);
    // falls through (unreachable)
    case 'string':
      if (n.type === 'string') return n.text;
      s.errorf(`expected string; found ${nodeString(n)}`);
    // falls through (unreachable)
    case 'int':
      if (n.type === 'number' && n.isInt) return n.int;
      s.errorf(`expected integer; found ${nodeString(n)}`);
    // falls through (unreachable)
    case 'float64':
      if (n.type === 'number' && n.isFloat) return n.float;
      s.errorf(`expected float; found ${nodeString(n)}`);
    // falls through (unreachable)
    case 'any':
    case 'value':
      return evalEmptyInterface(s, n);
  }
  s.errorf(`can't handle ${nodeString(n)} for arg of type ${paramTypeName(t)}`);
}

function evalEmptyInterface(s: State, n: Node): unknown {
  s.at(n);
  switch (n.type) {
    case 'bool':
      return n.value;
    case 'number':
      return idealConstant(s, n);
    case 'string':
      return n.text;
  }
  s.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
}

function blankFlags(): Parameters<typeof formatValue>[2] {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, wid: undefined, prec: undefined, plusV: false };
}

/** Writes the textual representation of the value (fmt.Fprint), or "<no value>". */
function printValue(s: State, n: Node, v: unknown): void {
  s.at(n);
  if (v === undefined) {
    s.out.push('<no value>');
    return;
  }
  const k: Kind = kindOf(v);
  if (k === 'func') s.errorf(`can't print ${nodeString(n)} of type ${typeName(v)}`);
  try {
    s.out.push(formatValue(v, 'v', blankFlags()));
  } catch (e) {
    s.errorf(errorMessage(e), e);
  }
}

// --- drivers ---------------------------------------------------------------------------------

function start(env: ExecEnv, name: string, data: unknown): { gen: Gen<void>; out: string[] } {
  const out: string[] = [];
  const root = env.lookup(name);
  const dot = normalize(data);
  const s = new State(env, out, name, [{ name: '$', value: dot }], 0);
  if (!root) {
    const gen = (function* (): Gen<void> {
      s.errorf(`${JSON.stringify(name)} is an incomplete or empty template`);
    })();
    return { gen, out };
  }
  return { gen: walk(s, dot, root.root), out };
}

/** Runs a template; a function that returns a Promise is an error here. */
export function executeTreeSync(env: ExecEnv, name: string, data: unknown): string {
  const { gen, out } = start(env, name, data);
  let step = gen.next();
  while (!step.done) {
    step = gen.throw(new Error('function returned a Promise: use the async execute() for templates with async functions'));
  }
  return out.join('');
}

/** Runs a template, awaiting the Promises that template functions return. */
export async function executeTree(env: ExecEnv, name: string, data: unknown): Promise<string> {
  const { gen, out } = start(env, name, data);
  let step = gen.next();
  while (!step.done) {
    let resolved: unknown;
    try {
      resolved = await step.value;
    } catch (e) {
      step = gen.throw(e);
      continue;
    }
    step = gen.next(resolved);
  }
  return out.join('');
}
