// Go's html/template, the part notification and console templates rely on: contextual
// auto-escaping of HTML text, RCDATA (<title>, <textarea>), attribute values and URL attributes,
// HTML comments removed, and safeHtml / safeUrl values passed through. As html/template does,
// each template is rewritten once per context it is called in: its actions get escaper
// functions appended to their pipelines, and {{template}} calls are redirected to the copy of
// the callee escaped for the calling context.
//
// Not covered: actions inside <script> or <style> elements, or inside on*= and style=
// attributes, and srcset; those fail with a TemplateError instead of being escaped wrongly.
import { TemplateError } from './errors.ts';
import type { ExecEnv } from './exec.ts';
import { withSignature, type FuncMap } from './functions.ts';
import { nodeString, type BranchNode, type CommandNode, type ListNode, type Node, type PipeNode, type Tree } from './parser.ts';
import { sprint } from './format.ts';

/** html/template.HTML: trusted markup, not escaped in HTML text. Prints as its text. */
export class SafeHTML {
  static readonly goTypeName = 'template.HTML';
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  String(): string {
    return this.value;
  }
}

/** html/template.URL: a trusted URL, not filtered or escaped in URL attributes. */
export class SafeURL {
  static readonly goTypeName = 'template.URL';
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  String(): string {
    return this.value;
  }
}

// --- escapers ----------------------------------------------------------------------------------

type ContentType = 'plain' | 'html' | 'url';

/** html/template's stringify: untyped nil (a missing value) prints nothing. */
function stringify(args: unknown[]): [string, ContentType] {
  if (args.length === 1) {
    const a = args[0];
    if (typeof a === 'string') return [a, 'plain'];
    if (a instanceof SafeHTML) return [a.value, 'html'];
    if (a instanceof SafeURL) return [a.value, 'url'];
  }
  return [sprint(args.filter((a) => a !== undefined)), 'plain'];
}

const HTML_TABLE: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', '&': '&amp;', "'": '&#39;', '+': '&#43;', '<': '&lt;', '>': '&gt;' };
const HTML_NORM_TABLE: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '+': '&#43;', '<': '&lt;', '>': '&gt;' };
const HTML_NOSPACE_TABLE: Record<string, string> = {
  '\0': '&#xfffd;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\v': '&#11;',
  '\f': '&#12;',
  '\r': '&#13;',
  ' ': '&#32;',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '=': '&#61;',
  '>': '&gt;',
  '`': '&#96;',
};

function replace(s: string, table: Record<string, string>): string {
  let out = '';
  for (const ch of s) out += table[ch] ?? ch;
  return out;
}

/** Removes tags from HTML content placed in an attribute (a simplified html/template stripTags). */
function stripTags(html: string): string {
  return html.replace(/<!--[\s\S]*?-->/g, '').replace(/<\/?[A-Za-z][^>]*>/g, '');
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** html/template's urlProcessor: percent-encodes bytes not allowed in URLs (lower-case hex). */
function urlProcessor(norm: boolean, s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    const ch = String.fromCharCode(c);
    if ('!#$&*+,/:;=?@[]'.includes(ch)) {
      if (norm) {
        out += ch;
        continue;
      }
    } else if ('-._~'.includes(ch) || /[A-Za-z0-9]/.test(ch)) {
      out += ch;
      continue;
    } else if (ch === '%' && norm && i + 2 < bytes.length && isHex(String.fromCharCode(bytes[i + 1] as number)) && isHex(String.fromCharCode(bytes[i + 2] as number))) {
      out += ch;
      continue;
    }
    out += `%${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function isSafeURL(s: string): boolean {
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const protocol = s.slice(0, colon);
    if (!protocol.includes('/')) return ['http', 'https', 'mailto'].includes(protocol.toLowerCase());
  }
  return true;
}

const ESCAPERS: FuncMap = {
  _html_template_htmlescaper: withSignature((...args: unknown[]) => {
    const [s, t] = stringify(args);
    return t === 'html' ? s : replace(s, HTML_TABLE);
  }, [], 'value'),
  _html_template_rcdataescaper: withSignature((...args: unknown[]) => {
    const [s, t] = stringify(args);
    return replace(s, t === 'html' ? HTML_NORM_TABLE : HTML_TABLE);
  }, [], 'value'),
  _html_template_attrescaper: withSignature((...args: unknown[]) => {
    const [s, t] = stringify(args);
    return t === 'html' ? replace(stripTags(s), HTML_NORM_TABLE) : replace(s, HTML_TABLE);
  }, [], 'value'),
  _html_template_nospaceescaper: withSignature((...args: unknown[]) => {
    const [s, t] = stringify(args);
    return replace(t === 'html' ? stripTags(s) : s, HTML_NOSPACE_TABLE);
  }, [], 'value'),
  _html_template_urlfilter: withSignature((...args: unknown[]) => {
    const [s, t] = stringify(args);
    if (t === 'url') return new SafeURL(s);
    return isSafeURL(s) ? s : '#ZgotmplZ';
  }, [], 'value'),
  _html_template_urlnormalizer: withSignature((...args: unknown[]) => {
    const [s, t] = stringify(args);
    const out = urlProcessor(true, s);
    return t === 'url' ? new SafeURL(out) : out;
  }, [], 'value'),
  _html_template_urlescaper: withSignature((...args: unknown[]) => {
    const [s, t] = stringify(args);
    return urlProcessor(t === 'url', s);
  }, [], 'value'),
  _html_template_commentescaper: withSignature(() => '', [], 'value'),
  _eval_args_: withSignature((...args: unknown[]) => stringify(args)[0], [], 'value'),
};

/** Escapers that a predefined text/template escaper at the end of a pipeline can stand for. */
const EQUIV_ESCAPERS: Record<string, string> = {
  _html_template_attrescaper: 'html',
  _html_template_htmlescaper: 'html',
  _html_template_rcdataescaper: 'html',
  _html_template_urlescaper: 'urlquery',
  _html_template_urlnormalizer: 'urlquery',
};

// --- contexts ----------------------------------------------------------------------------------

type State = 'text' | 'rcdata' | 'tag' | 'attrName' | 'afterName' | 'beforeValue' | 'attr' | 'url' | 'css' | 'js' | 'htmlCmt';
type Delim = 'none' | 'double' | 'single' | 'space';
type UrlPart = 'none' | 'pre' | 'query' | 'unknown';
type Element = 'none' | 'script' | 'style' | 'textarea' | 'title';
type Attr = 'none' | 'url' | 'css' | 'js';

interface Context {
  state: State;
  delim: Delim;
  urlPart: UrlPart;
  element: Element;
  attr: Attr;
}

const TEXT: Context = { state: 'text', delim: 'none', urlPart: 'none', element: 'none', attr: 'none' };

function ctxKey(c: Context): string {
  return `${c.state}_${c.delim}_${c.urlPart}_${c.element}_${c.attr}`;
}

function same(a: Context, b: Context): boolean {
  return ctxKey(a) === ctxKey(b);
}

const ELEMENT_CONTENT: Record<Element, State> = { none: 'text', script: 'js', style: 'css', textarea: 'rcdata', title: 'rcdata' };
const ATTR_START: Record<Attr, State> = { none: 'attr', url: 'url', css: 'css', js: 'js' };

/** html/template's attrType, for the attributes that matter here. */
function attrType(name: string): Attr {
  if (name.startsWith('on')) return 'js';
  if (name === 'style') return 'css';
  const urlAttrs = ['action', 'archive', 'background', 'cite', 'classid', 'codebase', 'data', 'formaction', 'href', 'icon', 'longdesc', 'manifest', 'poster', 'profile', 'src', 'usemap', 'xmlns'];
  if (urlAttrs.includes(name)) return 'url';
  const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  if (name.startsWith('xmlns:')) return 'url';
  if (local.includes('src') || local.includes('uri') || local.includes('url')) return 'url';
  return 'none';
}

const SPACE = /[ \t\n\f\r]/;

function eatWhiteSpace(s: string, i: number): number {
  while (i < s.length && SPACE.test(s[i] as string)) i++;
  return i;
}

/** Transitions through a run of template text; returns the new context and the count consumed. */
function transition(c: Context, s: string): [Context, number] {
  switch (c.state) {
    case 'text':
      return tText(c, s);
    case 'rcdata':
    case 'css':
    case 'js':
      return tSpecial(c, s);
    case 'tag':
      return tTag(c, s);
    case 'attrName': {
      const j = eatAttrName(s, 0);
      return j === s.length ? [c, j] : [{ ...c, state: 'afterName' }, j];
    }
    case 'afterName': {
      const i = eatWhiteSpace(s, 0);
      if (i === s.length) return [c, s.length];
      if (s[i] !== '=') return [{ ...c, state: 'tag' }, i]; // tag end, or a valueless attribute
      return [{ ...c, state: 'beforeValue' }, i + 1];
    }
    case 'beforeValue': {
      let i = eatWhiteSpace(s, 0);
      if (i === s.length) return [c, s.length];
      let delim: Delim = 'space';
      if (s[i] === "'") [delim, i] = ['single', i + 1];
      else if (s[i] === '"') [delim, i] = ['double', i + 1];
      return [{ ...c, state: ATTR_START[c.attr], delim, attr: c.attr }, i];
    }
    case 'url': {
      if (/[#?]/.test(s)) return [{ ...c, urlPart: 'query' }, s.length];
      if (eatWhiteSpace(s, 0) !== s.length && c.urlPart === 'none') return [{ ...c, urlPart: 'pre' }, s.length];
      return [c, s.length];
    }
    case 'attr':
      return [c, s.length];
    case 'htmlCmt': {
      const i = s.indexOf('-->');
      return i >= 0 ? [TEXT, i + 3] : [c, s.length];
    }
  }
}

function tText(c: Context, s: string): [Context, number] {
  let k = 0;
  for (;;) {
    const i = s.indexOf('<', k);
    if (i < 0 || i + 1 === s.length) return [c, s.length];
    if (s.startsWith('<!--', i)) return [{ ...TEXT, state: 'htmlCmt' }, i + 4];
    let j = i + 1;
    let end = false;
    if (s[j] === '/') {
      if (j + 1 === s.length) return [c, s.length];
      end = true;
      j++;
    }
    const m = /^[A-Za-z][A-Za-z0-9:-]*/.exec(s.slice(j));
    if (m) {
      const name = m[0].toLowerCase();
      const element: Element = !end && (name === 'script' || name === 'style' || name === 'textarea' || name === 'title') ? name : 'none';
      return [{ ...TEXT, state: 'tag', element }, j + m[0].length];
    }
    k = j;
  }
}

/** Inside <script>, <style>, <title>, <textarea>: everything up to the closing tag. */
function tSpecial(c: Context, s: string): [Context, number] {
  const i = s.toLowerCase().indexOf(`</${c.element}`);
  if (i < 0) return [c, s.length];
  return [TEXT, i];
}

function eatAttrName(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const ch = s[j] as string;
    if (SPACE.test(ch) || ch === '=' || ch === '>') return j;
    if (ch === "'" || ch === '"' || ch === '<') throw new Error(`${JSON.stringify(s.slice(j))} in attribute name: ${JSON.stringify(s.slice(0, j + 1))}`);
  }
  return s.length;
}

function tTag(c: Context, s: string): [Context, number] {
  let i = eatWhiteSpace(s, 0);
  while (s[i] === '/') i = eatWhiteSpace(s, i + 1); // self-closing slash
  if (i === s.length) return [c, s.length];
  if (s[i] === '>') return [{ ...TEXT, state: ELEMENT_CONTENT[c.element], element: c.element }, i + 1];
  const j = eatAttrName(s, i);
  if (i === j) throw new Error(`expected space, attr name, or end of tag, but got ${JSON.stringify(s.slice(i))}`);
  const name = s.slice(i, j).toLowerCase();
  const attr: Attr = c.element === 'script' && name === 'type' ? 'none' : attrType(name);
  return [{ ...c, state: j === s.length ? 'attrName' : 'afterName', attr }, j];
}

/** Runs template text through the state machine; returns the text to output and the end context. */
function escapeText(c: Context, s: string): [string, Context] {
  let out = '';
  let written = 0;
  let i = 0;
  while (i < s.length) {
    let c1: Context;
    let nread: number;
    if (c.delim !== 'none') {
      // Inside an attribute value: find where it ends.
      const rest = s.slice(i);
      let end: number;
      if (c.delim === 'space') {
        const m = /[ \t\n\f\r>]/.exec(rest);
        end = m ? m.index : -1;
      } else end = rest.indexOf(c.delim === 'double' ? '"' : "'");
      if (end < 0) {
        [c1] = transition(c, rest);
        nread = rest.length;
      } else {
        transition(c, rest.slice(0, end));
        // The quote closes the value (a space-delimited value ends before the space or '>').
        c1 = { ...TEXT, state: 'tag', element: c.element };
        nread = end + (c.delim === 'space' ? 0 : 1);
      }
    } else {
      [c1, nread] = transition(c, s.slice(i));
    }
    const i1 = i + nread;
    if (c.state === 'text' || c.state === 'rcdata') {
      // A '<' that starts no tag is escaped (html/template writes &lt;).
      let end = i1;
      if (c1.state !== c.state) {
        const lt = s.lastIndexOf('<', i1 - 1);
        if (lt >= i) end = lt;
      }
      for (let j = i; j < end; j++) {
        if (s[j] === '<' && !s.slice(j, j + 9).toUpperCase().startsWith('<!DOCTYPE')) {
          out += s.slice(written, j) + '&lt;';
          written = j + 1;
        }
      }
    } else if (c.state === 'htmlCmt') {
      written = i1; // comments are elided
    }
    if (c.state !== c1.state && c1.state === 'htmlCmt') {
      // Keep what precedes the "<!--".
      out += s.slice(written, i1 - 4);
      written = i1;
    }
    c = c1;
    i = i1;
  }
  if (c.state !== 'htmlCmt') out += s.slice(written);
  return [out, c];
}

/** Empty-string transitions: where an action right here would be (html/template's nudge). */
function nudge(c: Context): Context {
  switch (c.state) {
    case 'tag':
    case 'afterName':
      return { ...c, state: 'attrName' };
    case 'beforeValue':
      return { ...c, state: ATTR_START[c.attr], delim: 'space', attr: 'none' };
    default:
      return c;
  }
}

// --- rewriting trees ---------------------------------------------------------------------------

class Escaper {
  private readonly source: (name: string) => Tree | undefined;
  readonly derived = new Map<string, Tree>();
  /** End context of each derived template, once known. */
  private readonly ends = new Map<string, Context>();

  constructor(source: (name: string) => Tree | undefined) {
    this.source = source;
  }

  fail(node: Node | undefined, message: string): never {
    const where = node ? `${node.tr.parseName}:${lineOf(node)}` : '';
    throw new TemplateError('exec', node?.tr.name ?? '', `html/template:${where}: ${message}`);
  }

  /** The name of the copy of `name` escaped for context c; escapes it if not done yet. */
  template(name: string, c: Context, at: Node | undefined): [string, Context] {
    const derivedName = same(c, TEXT) ? name : `${name}$htmltemplate_${ctxKey(c)}`;
    const end = this.ends.get(derivedName);
    if (end) return [derivedName, end];
    const tree = this.source(name);
    if (!tree) this.fail(at, `no such template ${JSON.stringify(name)}`);
    // Assume the template ends where it starts while escaping it (recursive templates).
    this.ends.set(derivedName, c);
    const [root, out] = this.list(tree.root, c);
    this.ends.set(derivedName, out);
    this.derived.set(derivedName, { ...tree, name: derivedName, root });
    return [derivedName, out];
  }

  list(n: ListNode, c: Context): [ListNode, Context] {
    const nodes: Node[] = [];
    for (const child of n.nodes) {
      const [m, c1] = this.node(child, c);
      nodes.push(m);
      c = c1;
    }
    return [{ ...n, nodes }, c];
  }

  node(n: Node, c: Context): [Node, Context] {
    switch (n.type) {
      case 'text': {
        let out: string;
        let c1: Context;
        try {
          [out, c1] = escapeText(c, n.text);
        } catch (e) {
          this.fail(n, (e as Error).message);
        }
        return [{ ...n, text: out }, c1];
      }
      case 'action':
        return this.action(n, c);
      case 'if':
      case 'with':
        return this.branch(n, c);
      case 'range':
        return this.range(n, c);
      case 'template': {
        const [derived, c1] = this.template(n.name, c, n);
        return [{ ...n, name: derived }, c1];
      }
      case 'list':
        return this.list(n, c);
      default:
        return [n, c];
    }
  }

  private branch(n: BranchNode, c: Context): [Node, Context] {
    const [list, c1] = this.list(n.list, c);
    let elseList: ListNode | undefined;
    let c2 = c;
    if (n.elseList) [elseList, c2] = this.list(n.elseList, c);
    return [{ ...n, list, elseList }, this.join(c1, c2, n)];
  }

  private range(n: BranchNode, c: Context): [Node, Context] {
    const [list, c1] = this.list(n.list, c);
    if (!same(c1, c)) this.fail(n, `on range loop re-entry: ${nodeString(n.pipe)} ends in a different context than it starts`);
    let elseList: ListNode | undefined;
    let c2 = c;
    if (n.elseList) [elseList, c2] = this.list(n.elseList, c);
    return [{ ...n, list, elseList }, this.join(c1, c2, n)];
  }

  private join(a: Context, b: Context, n: Node): Context {
    if (same(a, b)) return a;
    if (same({ ...a, urlPart: 'none' }, { ...b, urlPart: 'none' })) return { ...a, urlPart: 'unknown' };
    this.fail(n, `{{${n.type}}} branches end in different contexts: ${ctxKey(a)}, ${ctxKey(b)}`);
  }

  private action(n: Extract<Node, { type: 'action' }>, c: Context): [Node, Context] {
    if (n.pipe.decl.length > 0) return [n, c]; // an assignment, not an interpolation
    c = nudge(c);
    const s: string[] = [];
    switch (c.state) {
      case 'url':
        switch (c.urlPart) {
          case 'none':
            s.push('_html_template_urlfilter', '_html_template_urlnormalizer');
            break;
          case 'pre':
            s.push('_html_template_urlnormalizer');
            break;
          case 'query':
            s.push('_html_template_urlescaper');
            break;
          default:
            this.fail(n, `${nodeString(n)} appears in an ambiguous context within a URL`);
        }
        break;
      case 'text':
        s.push('_html_template_htmlescaper');
        break;
      case 'rcdata':
        s.push('_html_template_rcdataescaper');
        break;
      case 'attr':
        break;
      case 'htmlCmt':
        s.push('_html_template_commentescaper');
        break;
      default:
        this.fail(n, `${nodeString(n)}: actions in ${c.state === 'attrName' ? 'tag names or attribute names' : `${c.state} contexts`} are not supported`);
    }
    if (c.delim === 'space') s.push('_html_template_nospaceescaper');
    else if (c.delim !== 'none') s.push('_html_template_attrescaper');
    return [{ ...n, pipe: this.withEscapers(n.pipe, s) }, c];
  }

  /** html/template's ensurePipelineContains: appends the escapers, merging a trailing html/urlquery. */
  private withEscapers(p: PipeNode, s: string[]): PipeNode {
    let cmds = [...p.cmds];
    const last = cmds[cmds.length - 1];
    const first = last?.args[0];
    if (last && first?.type === 'identifier' && (first.ident === 'html' || first.ident === 'urlquery')) {
      const esc = first.ident;
      if (cmds.length === 1 && last.args.length > 1) {
        // {{esc a b}} is {{_eval_args_ a b | esc}}
        cmds = [{ ...last, args: [{ ...first, ident: '_eval_args_' }, ...last.args.slice(1)] }, identCmd(esc, p)];
      }
      let dup = false;
      s = s.map((e) => {
        if (EQUIV_ESCAPERS[e] === esc) {
          dup = true;
          return esc;
        }
        return e;
      });
      if (dup) cmds.pop();
    }
    return { ...p, cmds: [...cmds, ...s.map((e) => identCmd(e, p))] };
  }
}

function identCmd(name: string, p: PipeNode): CommandNode {
  return { type: 'command', pos: p.pos, tr: p.tr, args: [{ type: 'identifier', pos: p.pos, tr: p.tr, ident: name }] };
}

function lineOf(n: Node): number {
  let line = 1;
  for (let i = 0; i < n.pos && i < n.tr.text.length; i++) if (n.tr.text.charCodeAt(i) === 10) line++;
  return line;
}

/** What an HTML execution needs: the source templates and the functions. */
export interface HtmlSource {
  lookup(name: string): Tree | undefined;
  funcs: FuncMap;
  missingKey: ExecEnv['missingKey'];
  maxExecDepth: number;
}

/**
 * Escapes the named template, and the templates it calls, for HTML: returns the rewritten
 * trees by name (the entry keeps its name). Throws TemplateError when a context is unsupported.
 */
export function escapeForHTML(source: HtmlSource, name: string): Map<string, Tree> {
  if (!source.lookup(name)) throw new TemplateError('lookup', name, `html/template: ${JSON.stringify(name)} is undefined`);
  const escaper = new Escaper((n) => source.lookup(n));
  const [, end] = escaper.template(name, TEXT, undefined);
  if (!same(end, TEXT)) throw new TemplateError('exec', name, `html/template:${name}: ends in a non-text context: ${ctxKey(end)}`);
  return escaper.derived;
}

/** The execution env of escaped trees: escaped names first, the escaper functions added. */
export function htmlExecEnv(source: HtmlSource, escaped: Map<string, Tree>): ExecEnv {
  return {
    lookup: (n) => escaped.get(n) ?? source.lookup(n),
    funcs: { ...source.funcs, ...ESCAPERS },
    missingKey: source.missingKey,
    maxExecDepth: source.maxExecDepth,
  };
}
