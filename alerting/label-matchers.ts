// Series selectors as the rules API's match[] parameter takes them (`{severity="page"}`,
// `{team=~"db|storage", env!="dev"}`, `up{...}`), matched against rule labels. Regular expressions
// are RE2, fully anchored and with `.` matching newlines, as Prometheus' FastRegexMatcher.
import { RE2JS } from 're2js';
import type { Labels } from './labels.ts';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  matches(labels: Labels): boolean;
}

export class SelectorError extends Error {
  constructor(selector: string, message: string) {
    super(`invalid selector ${JSON.stringify(selector)}: ${message}`);
    this.name = 'SelectorError';
  }
}

function matcher(name: string, op: MatchOp, value: string, selector: string): LabelMatcher {
  let test: (v: string) => boolean;
  if (op === '=~' || op === '!~') {
    let re: RE2JS;
    try {
      re = RE2JS.compile(`^(?s:${value})$`);
    } catch (err) {
      throw new SelectorError(selector, `bad regular expression ${JSON.stringify(value)}: ${(err as Error).message}`);
    }
    test = op === '=~' ? (v) => re.matcher(v).find() : (v) => !re.matcher(v).find();
  } else {
    test = op === '=' ? (v) => v === value : (v) => v !== value;
  }
  // A missing label matches as the empty value, as in Prometheus.
  return { name, op, value, matches: (labels) => test(labels[name] ?? '') };
}

const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const METRIC = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const SPACE = /\s*/y;

/** Parses one selector into the matchers that must all hold. */
export function parseSelector(selector: string): LabelMatcher[] {
  let pos = 0;
  const fail = (message: string): never => {
    throw new SelectorError(selector, `${message} at position ${pos + 1}`);
  };
  const skip = () => {
    SPACE.lastIndex = pos;
    SPACE.exec(selector);
    pos = SPACE.lastIndex;
  };
  const take = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(selector);
    if (m === null) return undefined;
    pos = re.lastIndex;
    return m[0];
  };
  const quoted = (): string => {
    const q = selector[pos];
    if (q === '`') {
      const end = selector.indexOf('`', pos + 1);
      if (end < 0) fail('unterminated raw string');
      const v = selector.slice(pos + 1, end);
      pos = end + 1;
      return v;
    }
    if (q !== '"' && q !== "'") return fail('expected a quoted string');
    let out = '';
    for (pos++; pos < selector.length; pos++) {
      const c = selector[pos] as string;
      if (c === q) {
        pos++;
        return out;
      }
      if (c === '\\') {
        const e = selector[++pos];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
        if (e !== undefined && e in simple) out += simple[e];
        else if (e === 'u' || e === 'x' || e === 'U') {
          const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = selector.slice(pos + 1, pos + 1 + n);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail('bad escape sequence');
          out += String.fromCodePoint(parseInt(hex, 16));
          pos += n;
        } else fail(`unknown escape sequence \\${e ?? ''}`);
        continue;
      }
      out += c;
    }
    return fail('unterminated quoted string');
  };

  const matchers: LabelMatcher[] = [];
  skip();
  const metric = take(METRIC);
  if (metric !== undefined) matchers.push(matcher('__name__', '=', metric, selector));
  skip();
  if (selector[pos] === '{') {
    pos++;
    for (;;) {
      skip();
      if (selector[pos] === '}') {
        pos++;
        break;
      }
      const name = selector[pos] === '"' ? quoted() : take(NAME);
      if (name === undefined) fail('expected a label name');
      skip();
      const op = (['=~', '!~', '!=', '='] as const).find((o) => selector.startsWith(o, pos));
      if (op === undefined) return fail('expected one of =, !=, =~, !~');
      pos += op.length;
      skip();
      matchers.push(matcher(name as string, op, quoted(), selector));
      skip();
      if (selector[pos] === ',') {
        pos++;
        continue;
      }
      if (selector[pos] === '}') {
        pos++;
        break;
      }
      fail("expected ',' or '}'");
    }
  }
  skip();
  if (pos !== selector.length) fail('unexpected text');
  if (matchers.length === 0 || matchers.every((m) => m.matches({}))) {
    throw new SelectorError(selector, 'vector selector must contain at least one non-empty matcher');
  }
  return matchers;
}

/** Prometheus' matchesMatcherSets: any set may match, every matcher of a set must. No sets match everything. */
export function matchesAnySet(sets: readonly (readonly LabelMatcher[])[], labels: Labels): boolean {
  return sets.length === 0 || sets.some((set) => set.every((m) => m.matches(labels)));
}
