// The parser of Go's text/template (text/template/parse/parse.go and node.go): the same grammar,
// the same tree, the same messages. A Tree is one named template; parsing a text can define several.
import { TemplateError } from './errors.ts';
import { quote } from './format.ts';
import { Lexer, itemString, type Item, type ItemType } from './lexer.ts';
import { MAX_INT64, MIN_INT64, MAX_UINT64, parseFloat64, parseIntLiteral, unquote, unquoteChar } from './strconv.ts';

export interface Tree {
  name: string;
  /** Name of the top-level template during parsing, for error messages. */
  parseName: string;
  root: ListNode;
  /** The text parsed to create the template (or its parent), for error positions. */
  text: string;
}

interface Base {
  pos: number;
  tr: Tree;
}
export interface ListNode extends Base {
  type: 'list';
  nodes: Node[];
}
export interface TextNode extends Base {
  type: 'text';
  text: string;
}
export interface CommentNode extends Base {
  type: 'comment';
  text: string;
}
export interface PipeNode extends Base {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface ActionNode extends Base {
  type: 'action';
  line: number;
  pipe: PipeNode;
}
export interface CommandNode extends Base {
  type: 'command';
  args: Node[];
}
export interface IdentifierNode extends Base {
  type: 'identifier';
  ident: string;
}
export interface VariableNode extends Base {
  type: 'variable';
  ident: string[];
}
export interface DotNode extends Base {
  type: 'dot';
}
export interface NilNode extends Base {
  type: 'nil';
}
export interface FieldNode extends Base {
  type: 'field';
  ident: string[];
}
export interface ChainNode extends Base {
  type: 'chain';
  node: Node;
  field: string[];
}
export interface BoolNode extends Base {
  type: 'bool';
  value: boolean;
}
export interface NumberNode extends Base {
  type: 'number';
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  uint: bigint;
  float: number;
  text: string;
}
export interface StringNode extends Base {
  type: 'string';
  quoted: string;
  text: string;
}
export interface BranchNode extends Base {
  type: 'if' | 'range' | 'with';
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface BreakNode extends Base {
  type: 'break';
  line: number;
}
export interface ContinueNode extends Base {
  type: 'continue';
  line: number;
}
export interface TemplateNode extends Base {
  type: 'template';
  line: number;
  name: string;
  pipe: PipeNode | undefined;
}
interface EndNode extends Base {
  type: 'end';
}
interface ElseNode extends Base {
  type: 'else';
  line: number;
}

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | PipeNode
  | ActionNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | BranchNode
  | BreakNode
  | ContinueNode
  | TemplateNode;

type AnyNode = Node | EndNode | ElseNode;

/** Go's Node.String(): the template source the node stands for, used in error contexts. */
export function nodeString(n: AnyNode, quoteText = false): string {
  const str = (m: AnyNode): string => nodeString(m, quoteText);
  switch (n.type) {
    case 'list':
      return n.nodes.map(str).join('');
    case 'text':
      return quoteText ? quote(n.text) : n.text;
    case 'comment':
      return `{{${n.text}}}`;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = `${n.decl.map(str).join(', ')}${n.isAssign ? ' = ' : ' := '}`;
      return s + n.cmds.map(str).join(' | ');
    }
    case 'action':
      return `{{${str(n.pipe)}}}`;
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${str(a)})` : str(a))).join(' ');
    case 'identifier':
      return n.ident;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return n.ident.map((i) => `.${i}`).join('');
    case 'chain':
      return (n.node.type === 'pipe' ? `(${str(n.node)})` : str(n.node)) + n.field.map((f) => `.${f}`).join('');
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.type} ${str(n.pipe)}}}${str(n.list)}${n.elseList ? `{{else}}${str(n.elseList)}` : ''}{{end}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'template':
      return `{{template ${JSON.stringify(n.name)}${n.pipe ? ` ${str(n.pipe)}` : ''}}}`;
    case 'end':
      return '{{end}}';
    case 'else':
      return '{{else}}';
  }
}

/** Go's ErrorContext: "name:line:col" (col in bytes from the line start) and the node's source. */
export function errorContext(n: Node): { location: string; context: string } {
  const text = n.tr.text.slice(0, n.pos);
  const nl = text.lastIndexOf('\n');
  const col = Buffer.byteLength(nl === -1 ? text : text.slice(nl + 1), 'utf8');
  let line = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return { location: `${n.tr.parseName}:${line}:${col}`, context: nodeString(n) };
}

/** Whether a tree holds nothing but space and comments (Go's parse.IsEmptyTree). */
export function isEmptyTree(n: Node | undefined): boolean {
  if (!n) return true;
  switch (n.type) {
    case 'comment':
      return true;
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    default:
      return false;
  }
}

export interface ParseOptions {
  leftDelim?: string;
  rightDelim?: string;
  /** Keep {{/* comments *\/}} in the tree. */
  parseComments?: boolean;
  /** Whether a function name is defined; undefined functions are parse errors as in Go. */
  hasFunction?: (name: string) => boolean;
}

function isFloatText(text: string): boolean {
  try {
    parseFloat64(text);
    return true;
  } catch {
    return false;
  }
}

const MAX_STACK_DEPTH = 10000;
const MAX_PIPELINE_CMDS = 100000;

class Parser {
  tree: Tree;
  private lex: Lexer;
  private token: [Item, Item, Item];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private readonly treeSet: Map<string, Tree>;
  private actionLine = 0;
  private rangeDepth = 0;
  private stackDepth = 0;
  private readonly options: ParseOptions;

  constructor(tree: Tree, lex: Lexer, treeSet: Map<string, Tree>, options: ParseOptions) {
    this.tree = tree;
    this.lex = lex;
    this.treeSet = treeSet;
    this.options = options;
    const eof: Item = { type: 'EOF', pos: 0, val: '', line: 1 };
    this.token = [eof, eof, eof];
  }

  /** A parser for a nested {{define}} or {{block}}, sharing the lexer and the lookahead. */
  private child(name: string): Parser {
    const p = new Parser({ name, parseName: this.tree.parseName, root: undefined as unknown as ListNode, text: this.tree.text }, this.lex, this.treeSet, this.options);
    p.token = this.token;
    p.peekCount = this.peekCount;
    return p;
  }

  private adopt(child: Parser): void {
    this.token = child.token;
    this.peekCount = child.peekCount;
  }

  // --- token stream ---------------------------------------------------------------------------

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount] as Item;
  }
  private backup(): void {
    this.peekCount++;
  }
  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }
  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === 'space');
    return token;
  }
  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // --- errors ---------------------------------------------------------------------------------

  errorf(message: string): never {
    throw new TemplateError('parse', this.tree.parseName, `template: ${this.tree.parseName}:${this.token[0].line}: ${message}`);
  }
  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }
  private expectOneOf(e1: ItemType, e2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== e1 && token.type !== e2) this.unexpected(token, context);
    return token;
  }
  private unexpected(token: Item, context: string): never {
    if (token.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.tree.parseName}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  // --- nodes ----------------------------------------------------------------------------------

  private newList(pos: number): ListNode {
    return { type: 'list', pos, tr: this.tree, nodes: [] };
  }
  private newVariable(pos: number, ident: string): VariableNode {
    return { type: 'variable', pos, tr: this.tree, ident: ident.split('.') };
  }
  private newField(pos: number, ident: string): FieldNode {
    return { type: 'field', pos, tr: this.tree, ident: ident.slice(1).split('.') };
  }

  private newNumber(pos: number, text: string, typ: ItemType): NumberNode {
    const n: NumberNode = { type: 'number', pos, tr: this.tree, isInt: false, isUint: false, isFloat: false, int: 0n, uint: 0n, float: 0, text };
    if (typ === 'charConstant') {
      let r: { value: number; tail: string };
      try {
        r = unquoteChar(text);
      } catch {
        this.errorf('invalid syntax');
      }
      if (r.tail !== "'") this.errorf(`malformed character constant: ${text}`);
      n.int = BigInt(r.value);
      n.uint = n.int;
      n.float = r.value;
      n.isInt = n.isUint = n.isFloat = true;
      return n;
    }
    // Complex constants (1+2i, 4i) are Go-only: JavaScript has no complex type.
    if (typ === 'complex' || (text.endsWith('i') && isFloatText(text.slice(0, -1)))) this.errorf(`complex number ${text} is not supported`);
    const i = parseIntLiteral(text);
    if (i !== undefined && !text.startsWith('+') && !text.startsWith('-') && i >= 0n && i <= MAX_UINT64) {
      n.isUint = true;
      n.uint = i;
    }
    if (i !== undefined && i >= MIN_INT64 && i <= MAX_INT64) {
      n.isInt = true;
      n.int = i;
      if (i === 0n) {
        n.isUint = true; // in case of -0.
        n.uint = 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float = Number(n.int);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float = Number(n.uint);
    } else {
      let f: number | undefined;
      try {
        f = parseFloat64(text);
      } catch {
        f = undefined;
      }
      if (f !== undefined && !/^[+-]?(inf|infinity|nan)$/i.test(text)) {
        // If we parsed it as a float but it looks like an integer, it's a huge number too large to fit in an int.
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${JSON.stringify(text)}`);
        n.isFloat = true;
        n.float = f;
        if (Number.isInteger(f)) {
          const b = BigInt(f);
          if (b >= MIN_INT64 && b <= MAX_INT64 && Number(b) === f) {
            n.isInt = true;
            n.int = b;
          }
          if (b >= 0n && b <= MAX_UINT64) {
            n.isUint = true;
            n.uint = b;
          }
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    return n;
  }

  // --- grammar --------------------------------------------------------------------------------

  private hasFunction(name: string): boolean {
    return this.options.hasFunction ? this.options.hasFunction(name) : true;
  }

  /** Adds the tree to the set; an empty tree never replaces a non-empty one. */
  add(): void {
    const existing = this.treeSet.get(this.tree.name);
    if (!existing || isEmptyTree(existing.root)) {
      this.treeSet.set(this.tree.name, this.tree);
      return;
    }
    if (!isEmptyTree(this.tree.root)) this.errorf(`template: multiple definition of template ${JSON.stringify(this.tree.name)}`);
  }

  /** The top level: like itemList, but also parses {{define}}; runs to EOF. */
  parse(): void {
    this.tree.root = this.newList(this.peek().pos);
    while (this.peek().type !== 'EOF') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          const p = this.child('definition');
          p.parseDefinition();
          this.adopt(p);
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.tree.root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf('string', 'rawString', context);
    try {
      this.tree.name = unquote(name.val);
    } catch {
      this.errorf('invalid syntax');
    }
    this.expect('rightDelim', context);
    const [list, end] = this.itemList();
    this.tree.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().type !== 'EOF') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): AnyNode {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'text':
        return { type: 'text', pos: token.pos, tr: this.tree, text: token.val };
      case 'leftDelim': {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case 'comment':
        return { type: 'comment', pos: token.pos, tr: this.tree, text: token.val };
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): AnyNode {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'block':
        return this.blockControl();
      case 'break':
        return this.breakControl(token.pos, token.line);
      case 'continue':
        return this.continueControl(token.pos, token.line);
      case 'else':
        return this.elseControl();
      case 'end':
        return this.endControl();
      case 'if':
        return this.branchControl('if');
      case 'range':
        return this.branchControl('range');
      case 'template':
        return this.templateControl();
      case 'with':
        return this.branchControl('with');
    }
    this.backup();
    const t = this.peek();
    // Do not pop variables; they persist until "end".
    return { type: 'action', pos: t.pos, tr: this.tree, line: t.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  private breakControl(pos: number, line: number): BreakNode {
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return { type: 'break', pos, tr: this.tree, line };
  }

  private continueControl(pos: number, line: number): ContinueNode {
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return { type: 'continue', pos, tr: this.tree, line };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: token.pos, tr: this.tree, line: token.line, isAssign: false, decl: [], cmds: [] };
    // Are there declarations or assignments?
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      this.next();
      // Since space is a token, we need 3-token look-ahead here in the worst case: in "$x foo"
      // we need to read "foo" (as opposed to ":=") to know that $x is an argument variable.
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue decls; // second initialized variable in a range pipeline
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.type === 'space') {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.type) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          if (pipe.cmds.length > MAX_PIPELINE_CMDS) this.errorf('pipeline too long');
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    // Only the first command of a pipeline can start with a non executable operand.
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = (c.args[0] as Node).type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private parseControl(context: 'if' | 'range' | 'with'): [number, number, PipeNode, ListNode, ListNode | undefined] {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        // "{{else if ...}}" and "{{else with ...}}" are "{{else}}{{if ...}}...{{end}}{{end}}".
        if (context === 'if' && this.peek().type === 'if') {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branchControl('if'));
        } else if (context === 'with' && this.peek().type === 'with') {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branchControl('with'));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return [pipe.pos, pipe.line, pipe, list, elseList];
    } finally {
      this.vars.length = mark;
    }
  }

  private branchControl(type: 'if' | 'range' | 'with'): BranchNode {
    const [pos, line, pipe, list, elseList] = this.parseControl(type);
    return { type, pos, tr: this.tree, line, pipe, list, elseList };
  }

  private endControl(): EndNode {
    return { type: 'end', pos: this.expect('rightDelim', 'end').pos, tr: this.tree };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    // "{{else if ...}}" and "{{else with ...}}": leave the keyword pending.
    if (peek.type === 'if' || peek.type === 'with') return { type: 'else', pos: peek.pos, tr: this.tree, line: peek.line };
    const token = this.expect('rightDelim', 'else');
    return { type: 'else', pos: token.pos, tr: this.tree, line: token.line };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const block = this.child(name);
    const [list, end] = block.itemList();
    block.tree.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    this.adopt(block);
    return { type: 'template', pos: token.pos, tr: this.tree, line: token.line, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      // Do not pop variables; they persist until "end".
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: token.pos, tr: this.tree, line: token.line, name, pipe };
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.type === 'string' || token.type === 'rawString') {
      try {
        return unquote(token.val);
      } catch {
        this.errorf('invalid syntax');
      }
    }
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, tr: this.tree, args: [] };
    for (;;) {
      this.peekNonSpace(); // skip leading spaces.
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.backup();
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | undefined {
    let node = this.term();
    if (!node) return undefined;
    if (this.peek().type === 'field') {
      const chain: ChainNode = { type: 'chain', pos: this.peek().pos, tr: this.tree, node, field: [] };
      while (this.peek().type === 'field') chain.field.push(this.next().val.slice(1));
      // Compatibility with the original API: fields on a field or variable extend it.
      switch (node.type) {
        case 'field':
          node = this.newField(chain.pos, nodeString(chain));
          break;
        case 'variable':
          node = this.newVariable(chain.pos, nodeString(chain));
          break;
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
          break;
        default:
          node = chain;
      }
    }
    return node;
  }

  private term(): Node | undefined {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'identifier':
        if (!this.hasFunction(token.val)) this.errorf(`function ${JSON.stringify(token.val)} not defined`);
        return { type: 'identifier', pos: token.pos, tr: this.tree, ident: token.val };
      case 'dot':
        return { type: 'dot', pos: token.pos, tr: this.tree };
      case 'nil':
        return { type: 'nil', pos: token.pos, tr: this.tree };
      case 'variable':
        return this.useVar(token.pos, token.val);
      case 'field':
        return this.newField(token.pos, token.val);
      case 'bool':
        return { type: 'bool', pos: token.pos, tr: this.tree, value: token.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.newNumber(token.pos, token.val, token.type);
      case 'leftParen': {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf('max expression depth exceeded');
        this.stackDepth++;
        try {
          return this.pipeline('parenthesized pipeline', 'rightParen');
        } finally {
          this.stackDepth--;
        }
      }
      case 'string':
      case 'rawString': {
        let text: string;
        try {
          text = unquote(token.val);
        } catch {
          this.errorf('invalid syntax');
        }
        return { type: 'string', pos: token.pos, tr: this.tree, quoted: token.val, text };
      }
    }
    this.backup();
    return undefined;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.vars.includes(v.ident[0] as string)) this.errorf(`undefined variable ${JSON.stringify(v.ident[0])}`);
    return v;
  }
}

/**
 * Parses a template text named `name`: returns the trees it defines (the top-level one under
 * `name`, plus every {{define}} and {{block}}). Throws TemplateError on a syntax error.
 */
export function parseTemplate(name: string, text: string, options: ParseOptions = {}): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  const lex = new Lexer(name, text, {
    leftDelim: options.leftDelim,
    rightDelim: options.rightDelim,
    emitComment: options.parseComments ?? false,
    breakOK: !(options.hasFunction?.('break') ?? false),
    continueOK: !(options.hasFunction?.('continue') ?? false),
  });
  const tree: Tree = { name, parseName: name, root: undefined as unknown as ListNode, text };
  const p = new Parser(tree, lex, treeSet, options);
  p.parse();
  p.add();
  return treeSet;
}
