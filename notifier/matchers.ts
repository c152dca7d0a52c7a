// Alertmanager label matchers (pkg/labels): `=`, `!=`, `=~`, `!~`, the classic matcher parser used
// for config `matchers:` lists, amtool and API filters, and printing as Alertmanager prints them.
//
// Parser choice: Alertmanager 0.27+ parses with a new UTF-8 parser and falls back to this classic
// one (matcher/compat, "fallback mode"). Both agree on every input the classic parser accepts, except
// that when they disagree Alertmanager itself keeps the classic result; what only the UTF-8 parser
// accepts (quoted or non-ASCII label names such as `"foo bar"="x"`) is rejected here, as in
// Alertmanager's `--enable-feature=classic-mode` and in amtool 0.25.
import { RE2JS } from 're2js';
import { compareGoStrings, goQuote, type LabelSet } from './labels.ts';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher. Plain data (it can be stored as JSON); regexes are compiled on first use. */
export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
}

const MATCH_TYPE_ORDER: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };
const compiled = new WeakMap<Matcher, RE2JS>();

/** Alertmanager anchors regex matchers: the whole value must match. Throws Go's regexp error text. */
export function compileMatcherRegexp(value: string): RE2JS {
  return RE2JS.compile(`^(?:${value})$`);
}

/** labels.NewMatcher: validates (compiles) a regex value; throws "error parsing regexp: ..." when bad. */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  const m: Matcher = { type, name, value };
  if (type === '=~' || type === '!~') compiled.set(m, compileMatcherRegexp(value));
  return m;
}

function regexpOf(m: Matcher): RE2JS {
  let re = compiled.get(m);
  if (re === undefined) {
    re = compileMatcherRegexp(m.value);
    compiled.set(m, re);
  }
  return re;
}

/** Matcher.Matches on one label value. */
export function matchesValue(m: Matcher, value: string): boolean {
  switch (m.type) {
    case '=': return value === m.value;
    case '!=': return value !== m.value;
    case '=~': return regexpOf(m).matches(value);
    case '!~': return !regexpOf(m).matches(value);
  }
}

/** Matchers.Matches: every matcher holds; a missing label is the empty string. */
export function matchesLabels(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const m of matchers) {
    if (!matchesValue(m, labels[m.name] ?? '')) return false;
  }
  return true;
}

// matcher/parse's isReserved: names with these print quoted (they can only come from the UTF-8 parser).
const RESERVED = /[\s{}!=~,\\"'`]/u;

function openMetricsEscape(s: string): string {
  return s.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Matcher.String(): `name="value"` with OpenMetrics escaping (`\\`, `\n`, `\"`). */
export function matcherString(m: Matcher): string {
  if (RESERVED.test(m.name)) return `${goQuote(m.name)}${m.type}${goQuote(m.value)}`;
  return `${m.name}${m.type}"${openMetricsEscape(m.value)}"`;
}

/** Matchers.String(): `{a="1",b=~"x"}` (comma without space, in the given order). */
export function matchersString(matchers: readonly Matcher[]): string {
  return `{${matchers.map(matcherString).join(',')}}`;
}

/** Matchers.Less: by name, then value, then type (=, !=, =~, !~). */
export function compareMatchers(a: Matcher, b: Matcher): number {
  return compareGoStrings(a.name, b.name) || compareGoStrings(a.value, b.value) || MATCH_TYPE_ORDER[a.type] - MATCH_TYPE_ORDER[b.type];
}

export function sortMatchers(matchers: readonly Matcher[]): Matcher[] {
  return [...matchers].sort(compareMatchers);
}

// Go's \s is [\t\n\f\r ]; `=~` before `=` so that `=~` is not read as `=` plus a value starting with `~`.
const MATCHER_RE = /^[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*([\s\S]*?)[\t\n\f\r ]*$/;

/**
 * labels.ParseMatcher: `name op value`, the value optionally double-quoted, with `\"`, `\n`, `\\`
 * escapes; other backslashes are literal. Errors carry Alertmanager's messages.
 */
export function parseMatcher(s: string): Matcher {
  const ms = MATCHER_RE.exec(s);
  if (ms === null) throw new Error(`bad matcher format: ${s}`);
  const name = ms[1] as string;
  const op = ms[2] as MatchType;
  const raw = ms[3] as string;
  let rawValue = raw;
  let expectTrailingQuote = false;
  if (rawValue.startsWith('"')) {
    rawValue = rawValue.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  for (let i = 0; i < rawValue.length; i++) {
    const r = rawValue[i] as string;
    if (escaped) {
      escaped = false;
      if (r === 'n') value += '\n';
      else if (r === '"' || r === '\\') value += r;
      else value += `\\${r}`; // a spurious escape: the backslash is literal
      continue;
    }
    if (r === '\\') {
      if (i < rawValue.length - 1) {
        escaped = true;
        continue;
      }
      value += '\\'; // a trailing backslash is literal
    } else if (r === '"') {
      if (!expectTrailingQuote || i < rawValue.length - 1) throw new Error(`matcher value contains unescaped double quote: ${raw}`);
      expectTrailingQuote = false;
    } else {
      value += r;
    }
  }
  if (expectTrailingQuote) throw new Error(`matcher value contains unescaped double quote: ${raw}`);
  return newMatcher(op, name, value);
}

/**
 * labels.ParseMatchers: a comma-separated list, optionally in `{...}`; commas inside double quotes
 * do not separate; a trailing comma is allowed. `{}` is the empty list.
 */
export function parseMatchers(input: string): Matcher[] {
  let s = input.startsWith('{') ? input.slice(1) : input;
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let insideQuotes = false;
  let escaped = false;
  let token = '';
  for (const r of s) {
    switch (r) {
      case ',':
        if (!insideQuotes) {
          tokens.push(token);
          token = '';
          continue;
        }
        break;
      case '"':
        if (!escaped) insideQuotes = !insideQuotes;
        else escaped = false;
        break;
      case '\\':
        escaped = !escaped;
        break;
      default:
        escaped = false;
    }
    token += r;
  }
  const last = token.trim();
  if (last !== '') tokens.push(last);
  return tokens.map(parseMatcher);
}

/** The deprecated `match:` map: one `=` matcher per entry, sorted by name. */
export function matchersFromMatch(match: Readonly<Record<string, string>>): Matcher[] {
  return Object.keys(match).sort(compareGoStrings).map((name) => newMatcher('=', name, match[name] as string));
}

/**
 * The deprecated `match_re:` map. Alertmanager builds these from the compiled config regexp, whose
 * String() already is `^(?:value)$`, so that is the matcher's value and how it prints:
 * `owner=~"^(?:team-(B|C))$"`.
 */
export function matchersFromMatchRe(matchRe: Readonly<Record<string, string>>): Matcher[] {
  return Object.keys(matchRe).sort(compareGoStrings).map((name) => newMatcher('=~', name, `^(?:${matchRe[name] as string})$`));
}
