// A cheap syntax guard for rule expressions. We do not parse PromQL: this follows the PromQL
// lexer (promql/parser/lex.go) far enough to catch what is cheap and certain (unbalanced
// parentheses, brackets and braces, unterminated strings, bad escapes, characters PromQL has no
// use for, an expression that is only comments) and reports it with the lexer's own words and
// position. Anything that lexes is accepted: type errors such as `rate(up)` or a dangling operator
// pass here, and the store's query API is the real judge at evaluation time.
import { quoteRune } from './go-format.ts';
import { utf8Length } from './utf8.ts';

class SyntaxGuardError extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function isAlpha(c: string): boolean {
  return c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isHex(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/** Go's %#U: U+0071 'q'. */
function goUnicode(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${ch}'`;
}

class Lexer {
  private readonly input: string;
  private pos = 0;
  private parenDepth = 0;
  private bracketOpen = false;
  private braceOpen = false;
  tokens = 0;

  constructor(input: string) {
    this.input = input;
  }

  private peek(offset = 0): string {
    return this.input.charAt(this.pos + offset);
  }

  private fail(offset: number, message: string): never {
    throw new SyntaxGuardError(offset, message);
  }

  run(): void {
    for (;;) {
      const c = this.peek();
      if (c === '#') {
        this.skipComment();
        continue;
      }
      if (this.braceOpen) {
        this.insideBraces();
        continue;
      }
      const start = this.pos;
      if (c === '') {
        if (this.parenDepth !== 0) this.fail(start, 'unclosed left parenthesis');
        if (this.bracketOpen) this.fail(start, 'unclosed left bracket');
        return;
      }
      this.pos++;
      if (isSpace(c)) continue;
      this.tokens++;
      if (',*/%+-^@<>'.includes(c)) continue;
      if (c === '=') {
        if (this.peek() === '=') this.pos++;
        else if (this.peek() === '~') this.fail(start, `unexpected character after '=': ${quoteRune('~')}`);
        continue;
      }
      if (c === '!') {
        const next = this.peek();
        if (next !== '=') this.fail(start, `unexpected character after '!': ${quoteRune(next)}`);
        this.pos++;
        continue;
      }
      if (isDigit(c) || (c === '.' && isDigit(this.peek()))) {
        this.number(start);
        continue;
      }
      if (c === '"' || c === "'") {
        this.string(start, c);
        continue;
      }
      if (c === '`') {
        this.rawString(start);
        continue;
      }
      if (isAlpha(c) || c === ':') {
        while (isAlpha(this.peek()) || isDigit(this.peek()) || this.peek() === ':') this.pos++;
        continue;
      }
      if (c === '(') {
        this.parenDepth++;
        continue;
      }
      if (c === ')') {
        this.parenDepth--;
        // The lexer has already emitted the ')' when it notices, so the error sits just after it.
        if (this.parenDepth < 0) this.fail(start + 1, `unexpected right parenthesis ${quoteRune(')')}`);
        continue;
      }
      if (c === '{') {
        this.braceOpen = true;
        continue;
      }
      if (c === '[') {
        if (this.bracketOpen) this.fail(start, `unexpected left bracket ${quoteRune('[')}`);
        this.bracketOpen = true;
        continue;
      }
      if (c === ']') {
        if (!this.bracketOpen) this.fail(start, `unexpected right bracket ${quoteRune(']')}`);
        this.bracketOpen = false;
        continue;
      }
      const ch = String.fromCodePoint(this.input.codePointAt(start) as number);
      this.fail(start, `unexpected character: ${quoteRune(ch)}`);
    }
  }

  private insideBraces(): void {
    const start = this.pos;
    const c = this.peek();
    if (c === '') this.fail(start, 'unexpected end of input inside braces');
    this.pos++;
    if (isSpace(c) || c === ',') return;
    if (isAlpha(c)) {
      while (isAlpha(this.peek()) || isDigit(this.peek())) this.pos++;
      return;
    }
    if (c === '"' || c === "'") return this.string(start, c);
    if (c === '`') return this.rawString(start);
    if (c === '=') {
      if (this.peek() === '~') this.pos++;
      return;
    }
    if (c === '!') {
      const next = this.peek();
      if (next !== '~' && next !== '=') this.fail(start, `unexpected character after '!' inside braces: ${quoteRune(next)}`);
      this.pos++;
      return;
    }
    if (c === '{') this.fail(start, `unexpected left brace ${quoteRune('{')}`);
    if (c === '}') {
      this.braceOpen = false;
      return;
    }
    const ch = String.fromCodePoint(this.input.codePointAt(start) as number);
    this.fail(start, `unexpected character inside braces: ${quoteRune(ch)}`);
  }

  private skipComment(): void {
    while (this.peek() !== '' && this.peek() !== '\n') this.pos++;
  }

  // Numbers and durations: digits, letters (hex digits, units, Inf), dots, and an exponent sign.
  private number(start: number): void {
    const hex = /^0[xX]/.test(this.input.slice(start, start + 2));
    for (;;) {
      const c = this.peek();
      const exponentSign = (c === '+' || c === '-') && !hex && /[eE]/.test(this.input.charAt(this.pos - 1));
      if (!(isAlpha(c) || isDigit(c) || c === '.' || exponentSign)) return;
      this.pos++;
    }
  }

  private string(start: number, quote: string): void {
    for (;;) {
      const c = this.peek();
      this.pos++;
      if (c === '' || c === '\n') this.fail(start, 'unterminated quoted string');
      if (c === quote) return;
      if (c === '\\') this.escape(start, quote);
    }
  }

  private escape(start: number, quote: string): void {
    const c = this.peek();
    this.pos++;
    if (c === '') this.fail(start, 'escape sequence not terminated');
    if ('abfnrtv\\'.includes(c) || c === quote) return;
    let digits: number;
    let test: (c: string) => boolean;
    if (c >= '0' && c <= '7') {
      digits = 2; // the first octal digit is c itself
      test = (d) => d >= '0' && d <= '7';
    } else if (c === 'x') {
      digits = 2;
      test = isHex;
    } else if (c === 'u') {
      digits = 4;
      test = isHex;
    } else if (c === 'U') {
      digits = 8;
      test = isHex;
    } else {
      const ch = String.fromCodePoint(this.input.codePointAt(this.pos - 1) as number);
      this.fail(start, `unknown escape sequence ${goUnicode(ch)}`);
    }
    for (let i = 0; i < digits; i++) {
      const d = this.peek();
      if (d === '') this.fail(start, 'escape sequence not terminated');
      if (!test(d)) this.fail(start, `illegal character ${goUnicode(d)} in escape sequence`);
      this.pos++;
    }
  }

  private rawString(start: number): void {
    const end = this.input.indexOf('`', this.pos);
    if (end < 0) this.fail(start, 'unterminated raw string');
    this.pos = end + 1;
  }
}

/** line:col of a string offset the way PromQL reports it: 1-based, columns counted in UTF-8 bytes. */
function position(input: string, offset: number): string {
  const before = input.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  const line = before.split('\n').length;
  const col = utf8Length(before.slice(lastBreak + 1)) + 1;
  return `${line}:${col}`;
}

/**
 * undefined when the expression passes the guard, otherwise the message PromQL would give, e.g.
 * `1:16: parse error: unclosed left parenthesis`.
 */
export function checkPromQLSyntax(expr: string): string | undefined {
  const lexer = new Lexer(expr);
  try {
    lexer.run();
  } catch (err) {
    if (err instanceof SyntaxGuardError) return `${position(expr, err.offset)}: parse error: ${err.message}`;
    throw err;
  }
  if (lexer.tokens === 0) return '1:1: parse error: no expression found in input';
  return undefined;
}
