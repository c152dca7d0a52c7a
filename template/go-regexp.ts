// Go's regexp package as the template functions use it: model/go-regexp.ts (RE2 on re2js, with
// Go's Regexp.Expand and ReplaceAllString), compiled once per pattern and cached, plus Go's panic
// text for MustCompile.
import { GoRegexp } from '../model/go-regexp.ts';

const cache = new Map<string, GoRegexp>();
const CACHE_LIMIT = 500;

/** regexp.Compile; throws with RE2's message ("error parsing regexp: missing closing ): `(`"). */
export function compileRegexp(pattern: string): GoRegexp {
  let re = cache.get(pattern);
  if (!re) {
    re = new GoRegexp(pattern);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, re);
  }
  return re;
}

/** regexp.MustCompile's panic text: regexp: Compile(`(`): error parsing regexp: ... */
export function mustCompile(pattern: string): GoRegexp {
  try {
    return compileRegexp(pattern);
  } catch (e) {
    throw new Error(`regexp: Compile(${goQuoteRegexp(pattern)}): ${(e as Error).message}`);
  }
}

function goQuoteRegexp(s: string): string {
  // strconv.CanBackquote: no backquote, no control characters other than tab.
  if (!/[`\u0000-\u0008\u000a-\u001f\u007f\ufeff]/.test(s)) return `\`${s}\``;
  return JSON.stringify(s);
}

/** regexp.MatchString: whether the text contains a match (unanchored). */
export function matchString(pattern: string, s: string): boolean {
  return compileRegexp(pattern).exec(s) !== null;
}

/** regexp.ReplaceAllString. */
export function replaceAllString(re: GoRegexp, src: string, repl: string): string {
  return re.replaceAll(src, repl);
}
