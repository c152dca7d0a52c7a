// The scanner of Go's text/template (text/template/parse/lex.go), token for token.
// Positions are string indices; the parser turns them into Go's byte columns for messages.

export type ItemType =
  | 'error'
  | 'bool'
  | 'char' // printable ASCII character; grab bag for comma etc.
  | 'charConstant'
  | 'comment'
  | 'complex'
  | 'assign' // '='
  | 'declare' // ':='
  | 'EOF'
  | 'field' // .Alphanumeric
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

const KEYWORDS: ReadonlySet<string> = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'nil', 'range', 'template', 'with']);

export function isKeyword(t: ItemType): boolean {
  return KEYWORDS.has(t) || t === 'dot';
}

export interface Item {
  type: ItemType;
  pos: number;
  val: string;
  line: number;
}

/** Go's item.String(), used in "unexpected X in Y" messages. */
export function itemString(i: Item): string {
  if (i.type === 'EOF') return 'EOF';
  if (i.type === 'error') return i.val;
  if (isKeyword(i.type)) return `<${i.val}>`;
  if ([...i.val].length > 10) return `${goQuoteTrunc(i.val, 10)}...`;
  return goQuoteTrunc(i.val, Infinity);
}

/** %.Nq: quote the first N runes. */
function goQuoteTrunc(s: string, n: number): string {
  const runes = [...s].slice(0, n === Infinity ? undefined : n).join('');
  return JSON.stringify(runes)
    .replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h}`)
    .replace(/\u2028/g, '\\u2028');
}

export interface LexOptions {
  leftDelim?: string;
  rightDelim?: string;
  emitComment?: boolean;
  breakOK?: boolean;
  continueOK?: boolean;
}

const SPACE_CHARS = ' \t\r\n';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  return c === '_' || /^[\p{L}\p{Nd}]$/u.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === '-' && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === '-';
}

type StateFn = (l: Lexer) => StateFn | null;

export class Lexer {
  readonly name: string;
  readonly input: string;
  readonly leftDelim: string;
  readonly rightDelim: string;
  readonly emitComment: boolean;
  readonly breakOK: boolean;
  readonly continueOK: boolean;
  pos = 0;
  start = 0;
  width = 0;
  parenDepth = 0;
  line = 1;
  startLine = 1;
  private state: StateFn | null = lexText;
  private pending: Item | undefined;

  constructor(name: string, input: string, options: LexOptions = {}) {
    this.name = name;
    this.input = input;
    this.leftDelim = options.leftDelim || '{{';
    this.rightDelim = options.rightDelim || '}}';
    this.emitComment = options.emitComment ?? false;
    this.breakOK = options.breakOK ?? true;
    this.continueOK = options.continueOK ?? true;
  }

  /** Returns the next item; after EOF or an error, keeps returning EOF. */
  nextItem(): Item {
    while (this.state) {
      this.state = this.state(this);
      if (this.pending) {
        const item = this.pending;
        this.pending = undefined;
        if (item.type === 'error') this.state = null;
        return item;
      }
    }
    return { type: 'EOF', pos: this.pos, val: '', line: this.line };
  }

  next(): string | undefined {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return undefined;
    }
    const cp = this.input.codePointAt(this.pos) as number;
    const ch = String.fromCodePoint(cp);
    this.width = ch.length;
    this.pos += this.width;
    if (ch === '\n') this.line++;
    return ch;
  }

  peek(): string | undefined {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    this.pos -= this.width;
    if (this.width === 1 && this.input[this.pos] === '\n') this.line--;
  }

  emit(type: ItemType): void {
    this.pending = { type, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine };
    this.start = this.pos;
    this.startLine = this.line;
  }

  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== undefined && valid.includes(r)) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === undefined || !valid.includes(r)) break;
    }
    this.backup();
  }

  errorf(message: string): null {
    this.pending = { type: 'error', pos: this.start, val: message, line: this.startLine };
    return null;
  }

  atRightDelim(): [delim: boolean, trimSpaces: boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(this.rightDelim, this.pos + 2)) return [true, true];
    if (this.input.startsWith(this.rightDelim, this.pos)) return [true, false];
    return [false, false];
  }

  /** Breaks .X.Y into two pieces; rejects $x+2 without a space. */
  atTerminator(): boolean {
    const r = this.peek();
    if (r === undefined || isSpace(r)) return true;
    switch (r) {
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
    }
    return r === String.fromCodePoint(this.rightDelim.codePointAt(0) as number);
  }

  scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      // Note: Leading 0 does not mean octal in floats.
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 10 + 1 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 16 + 6 + 1 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function rightTrimLength(s: string): number {
  let n = 0;
  while (n < s.length && SPACE_CHARS.includes(s[s.length - 1 - n] as string)) n++;
  return n;
}

function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && SPACE_CHARS.includes(s[i] as string)) i++;
  return i - from;
}

function lexText(l: Lexer): StateFn | null {
  l.width = 0;
  const x = l.input.indexOf(l.leftDelim, l.pos);
  if (x >= 0) {
    const ldn = l.leftDelim.length;
    l.pos = x;
    let trimLength = 0;
    if (hasLeftTrimMarker(l.input, l.pos + ldn)) trimLength = rightTrimLength(l.input.slice(l.start, l.pos));
    l.pos -= trimLength;
    if (l.pos > l.start) {
      l.line += countNewlines(l.input, l.start, l.pos);
      l.emit('text');
    }
    l.pos += trimLength;
    l.ignore();
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  if (l.pos > l.start) {
    l.line += countNewlines(l.input, l.start, l.pos);
    l.emit('text');
    return lexEOF;
  }
  l.emit('EOF');
  return null;
}

function lexEOF(l: Lexer): StateFn | null {
  l.emit('EOF');
  return null;
}

function lexLeftDelim(l: Lexer): StateFn | null {
  l.pos += l.leftDelim.length;
  const trimSpace = hasLeftTrimMarker(l.input, l.pos);
  const afterMarker = trimSpace ? 2 : 0;
  if (l.input.startsWith('/*', l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.emit('leftDelim');
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return lexInsideAction;
}

function lexComment(l: Lexer): StateFn | null {
  l.pos += 2;
  const i = l.input.indexOf('*/', l.pos);
  if (i < 0) return l.errorf('unclosed comment');
  l.pos = i + 2;
  const [delim, trimSpace] = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  if (l.emitComment) l.emit('comment');
  if (trimSpace) l.pos += 2;
  l.pos += l.rightDelim.length;
  if (trimSpace) l.pos += leftTrimLength(l.input, l.pos);
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): StateFn | null {
  const trimSpace = hasRightTrimMarker(l.input, l.pos);
  if (trimSpace) {
    l.pos += 2;
    l.ignore();
  }
  l.pos += l.rightDelim.length;
  l.emit('rightDelim');
  if (trimSpace) {
    l.pos += leftTrimLength(l.input, l.pos);
    l.ignore();
  }
  return lexText;
}

function lexInsideAction(l: Lexer): StateFn | null {
  const [delim] = l.atRightDelim();
  if (delim) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === undefined) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup(); // Put space back in case we have " -}}".
    return lexSpace;
  }
  switch (r) {
    case '=':
      l.emit('assign');
      return lexInsideAction;
    case ':':
      if (l.next() !== '=') return l.errorf('expected :=');
      l.emit('declare');
      return lexInsideAction;
    case '|':
      l.emit('pipe');
      return lexInsideAction;
    case '"':
      return lexQuote;
    case '`':
      return lexRawQuote;
    case '$':
      return lexVariable;
    case "'":
      return lexChar;
    case '(':
      l.emit('leftParen');
      l.parenDepth++;
      return lexInsideAction;
    case ')':
      l.emit('rightParen');
      l.parenDepth--;
      if (l.parenDepth < 0) return l.errorf(`unexpected right paren ${unicodeDesc(r)}`);
      return lexInsideAction;
  }
  if (r === '.') {
    // special look-ahead for ".field" so we don't break l.backup().
    if (l.pos < l.input.length) {
      const c = l.input[l.pos] as string;
      if (c < '0' || c > '9') return lexField;
    }
    l.backup();
    return lexNumber;
  }
  if (r === '+' || r === '-' || (r >= '0' && r <= '9')) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  const cp = r.codePointAt(0) as number;
  if (cp <= 0x7f && cp >= 0x20 && cp !== 0x7f) {
    l.emit('char');
    return lexInsideAction;
  }
  return l.errorf(`unrecognized character in action: ${unicodeDesc(r)}`);
}

/** Go's %#U: U+00A0, with the character when printable: U+0023 '#'. */
export function unicodeDesc(r: string): string {
  const cp = r.codePointAt(0) as number;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(r) || r === ' ';
  return printable ? `U+${hex} '${r}'` : `U+${hex}`;
}

function lexSpace(l: Lexer): StateFn | null {
  let numSpaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    numSpaces++;
  }
  // Be careful about a trim-marked closing delimiter, which has a minus after a space.
  if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(l.rightDelim, l.pos - 1 + 2)) {
    l.backup(); // Before the space.
    if (numSpaces === 1) return lexRightDelim;
  }
  l.emit('space');
  return lexInsideAction;
}

function lexIdentifier(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${unicodeDesc(r ?? '')}`);
    if (KEYWORDS.has(word)) {
      if ((word === 'break' && !l.breakOK) || (word === 'continue' && !l.continueOK)) l.emit('identifier');
      else l.emit(word as ItemType);
    } else if (word[0] === '.') l.emit('field');
    else if (word === 'true' || word === 'false') l.emit('bool');
    else l.emit('identifier');
    return lexInsideAction;
  }
}

function lexField(l: Lexer): StateFn | null {
  return lexFieldOrVariable(l, 'field');
}

function lexVariable(l: Lexer): StateFn | null {
  if (l.atTerminator()) {
    l.emit('variable');
    return lexInsideAction;
  }
  return lexFieldOrVariable(l, 'variable');
}

function lexFieldOrVariable(l: Lexer, type: 'field' | 'variable'): StateFn | null {
  if (l.atTerminator()) {
    l.emit(type === 'variable' ? 'variable' : 'dot');
    return lexInsideAction;
  }
  let r: string | undefined;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${unicodeDesc(r ?? '')}`);
  l.emit(type);
  return lexInsideAction;
}

function lexChar(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (r === '\\') {
      const e = l.next();
      if (e !== undefined && e !== '\n') continue;
      return l.errorf('unterminated character constant');
    }
    if (r === undefined || r === '\n') return l.errorf('unterminated character constant');
    if (r === "'") break;
  }
  l.emit('charConstant');
  return lexInsideAction;
}

function lexNumber(l: Lexer): StateFn | null {
  if (!l.scanNumber()) return l.errorf(`bad number syntax: ${JSON.stringify(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign === '+' || sign === '-') {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!l.scanNumber() || l.input[l.pos - 1] !== 'i') return l.errorf(`bad number syntax: ${JSON.stringify(l.input.slice(l.start, l.pos))}`);
    l.emit('complex');
    return lexInsideAction;
  }
  l.emit('number');
  return lexInsideAction;
}

function lexQuote(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (r === '\\') {
      const e = l.next();
      if (e !== undefined && e !== '\n') continue;
      return l.errorf('unterminated quoted string');
    }
    if (r === undefined || r === '\n') return l.errorf('unterminated quoted string');
    if (r === '"') break;
  }
  l.emit('string');
  return lexInsideAction;
}

function lexRawQuote(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (r === undefined) return l.errorf('unterminated raw quoted string');
    if (r === '`') break;
  }
  l.emit('rawString');
  return lexInsideAction;
}
