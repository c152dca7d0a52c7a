// Public API of the Go text/template engine: parse once, execute many.
//
//   const set = new TemplateSet({ funcs, missingKey: 'zero' });
//   set.parse('alerts.tmpl', fileText);            // {{define}}s become named templates
//   await set.execute('slack.default.title', data); // awaits async template functions
//   set.executeSync('slack.default.title', data);  // when every function is synchronous
//
//   const t = compile('{{ .Labels.job }}');  t.executeSync(data)
import { BUILTINS } from './builtins.ts';
import { TemplateError } from './errors.ts';
import { executeTree, executeTreeSync, type ExecEnv, type MissingKey } from './exec.ts';
import { isValidFunctionName, type FuncMap } from './functions.ts';
import { isEmptyTree, parseTemplate, type Tree } from './parser.ts';
import { escapeForHTML, htmlExecEnv } from './html-escape.ts';
import './go-time.ts'; // registers Date -> time.Time

export { TemplateError } from './errors.ts';
export type { MissingKey } from './exec.ts';
export type { FuncMap, TemplateFunction, ParamType, TypeCheck, FuncSignature } from './functions.ts';
export { withSignature } from './functions.ts';
export { SafeHTML, SafeURL } from './html-escape.ts';

export interface TemplateSetOptions {
  /** Functions callable from templates, in addition to Go's builtins (they may shadow them). */
  funcs?: FuncMap;
  /** Go's option missingkey: what a missing map key gives. Default 'default' (<no value>). */
  missingKey?: MissingKey;
  leftDelim?: string;
  rightDelim?: string;
  /** Nesting limit of {{template}} calls (Go: 100000). */
  maxExecDepth?: number;
}

const DEFAULT_MAX_EXEC_DEPTH = 100000;

/** A set of named templates sharing functions and options (Go's *template.Template and its associates). */
export class TemplateSet {
  private readonly trees = new Map<string, Tree>();
  private readonly funcMap: FuncMap = {};
  private missingKeyOption: MissingKey;
  private readonly leftDelim: string | undefined;
  private readonly rightDelim: string | undefined;
  private readonly maxExecDepth: number;
  /** HTML-escaped copies of templates, by entry template; cleared when templates change. */
  private readonly escaped = new Map<string, Map<string, Tree>>();

  constructor(options: TemplateSetOptions = {}) {
    this.missingKeyOption = options.missingKey ?? 'default';
    this.leftDelim = options.leftDelim;
    this.rightDelim = options.rightDelim;
    this.maxExecDepth = options.maxExecDepth ?? DEFAULT_MAX_EXEC_DEPTH;
    if (options.funcs) this.addFuncs(options.funcs);
  }

  /** Adds functions; like Go's Funcs, it must come before parsing templates that use them. */
  addFuncs(funcs: FuncMap): this {
    this.escaped?.clear();
    for (const [name, fn] of Object.entries(funcs)) {
      if (!isValidFunctionName(name)) throw new Error(`function name ${JSON.stringify(name)} is not a valid identifier`);
      if (typeof fn !== 'function') throw new Error(`value for ${name} not a function`);
      this.funcMap[name] = fn;
    }
    return this;
  }

  get missingKey(): MissingKey {
    return this.missingKeyOption;
  }

  /** Go's Option("missingkey=..."). */
  setMissingKey(mode: MissingKey): this {
    this.missingKeyOption = mode;
    return this;
  }

  /**
   * Parses text as the template `name`; its {{define}} and {{block}} templates join the set.
   * A later definition replaces an earlier one, except that an empty one never does (as in Go).
   */
  parse(name: string, text: string): this {
    const parsed = parseTemplate(name, text, {
      leftDelim: this.leftDelim,
      rightDelim: this.rightDelim,
      hasFunction: (fn) => Object.prototype.hasOwnProperty.call(this.funcMap, fn) || Object.prototype.hasOwnProperty.call(BUILTINS, fn),
    });
    for (const [treeName, tree] of parsed) {
      const old = this.trees.get(treeName);
      if (old && isEmptyTree(tree.root)) continue;
      this.trees.set(treeName, tree);
    }
    this.escaped.clear();
    return this;
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  /** Names of the templates in the set, sorted. */
  names(): string[] {
    return [...this.trees.keys()].sort();
  }

  /** A copy sharing the parsed trees, to which more templates or functions can be added. */
  clone(): TemplateSet {
    const c = new TemplateSet({
      missingKey: this.missingKeyOption,
      leftDelim: this.leftDelim,
      rightDelim: this.rightDelim,
      maxExecDepth: this.maxExecDepth,
      funcs: this.funcMap,
    });
    for (const [k, v] of this.trees) c.trees.set(k, v);
    return c;
  }

  private env(): ExecEnv {
    return {
      lookup: (n) => this.trees.get(n),
      funcs: this.funcMap,
      missingKey: this.missingKeyOption,
      maxExecDepth: this.maxExecDepth,
    };
  }

  private checkName(name: string): void {
    if (!this.trees.has(name)) {
      throw new TemplateError('lookup', name, `template: no template ${JSON.stringify(name)} associated with template set (defined templates are: ${this.names().map((n) => JSON.stringify(n)).join(', ')})`);
    }
  }

  /** Executes the named template with data as dot; awaits Promises that functions return. */
  async execute(name: string, data?: unknown): Promise<string> {
    this.checkName(name);
    return executeTree(this.env(), name, data);
  }

  /** Executes synchronously; fails if a template function returns a Promise. */
  executeSync(name: string, data?: unknown): string {
    this.checkName(name);
    return executeTreeSync(this.env(), name, data);
  }

  private htmlEnv(name: string): ExecEnv {
    this.checkName(name);
    let escaped = this.escaped.get(name);
    if (!escaped) {
      escaped = escapeForHTML(this.env(), name);
      this.escaped.set(name, escaped);
    }
    return htmlExecEnv(this.env(), escaped);
  }

  /** Executes as Go's html/template does: contextually auto-escaped HTML (see html-escape.ts). */
  async executeHTML(name: string, data?: unknown): Promise<string> {
    return executeTree(this.htmlEnv(name), name, data);
  }

  /** executeHTML, synchronously. */
  executeHTMLSync(name: string, data?: unknown): string {
    return executeTreeSync(this.htmlEnv(name), name, data);
  }
}

/** One parsed template (with any templates it defines), ready to execute many times. */
export class CompiledTemplate {
  readonly name: string;
  readonly set: TemplateSet;
  constructor(name: string, set: TemplateSet) {
    this.name = name;
    this.set = set;
  }
  execute(data?: unknown): Promise<string> {
    return this.set.execute(this.name, data);
  }
  executeSync(data?: unknown): string {
    return this.set.executeSync(this.name, data);
  }
}

/** Parses a template text once; throws TemplateError on a syntax error. */
export function compile(text: string, options: TemplateSetOptions & { name?: string } = {}): CompiledTemplate {
  const name = options.name ?? 'template';
  const set = new TemplateSet(options).parse(name, text);
  return new CompiledTemplate(name, set);
}
