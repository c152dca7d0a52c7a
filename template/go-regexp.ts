// Go's regexp package as the template functions use it, on re2js (RE2 semantics):
// MatchString, and ReplaceAllString with Go's $1 / ${1} / $name expansion and Go's handling of
// empty matches (which differs from Java's and JavaScript's).
import { RE2JS } from 're2js';

const cache = new Map<string, RE2JS>();
const CACHE_LIMIT = 500;

/** regexp.Compile; throws with RE2's message ("error parsing regexp: missing closing ): `(`"). */
export function compileRegexp(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, re);
  }
  return re;
}

/** regexp.MustCompile's panic text: regexp: Compile(`(`): error parsing regexp: ... */
export function mustCompile(pattern: string): RE2JS {
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
  return compileRegexp(pattern).matcher(s).find();
}

/** Go's regexp extract: a $name or ${name} reference at the start of str. */
function extract(str: string): { name: string; num: number; rest: string } | undefined {
  if (str === '') return undefined;
  let brace = false;
  if (str[0] === '{') {
    brace = true;
    str = str.slice(1);
  }
  const m = /^[\p{L}\p{Nd}_]+/u.exec(str);
  if (!m) return undefined; // empty name is not okay
  const name = m[0];
  let i = name.length;
  if (brace) {
    if (str[i] !== '}') return undefined; // missing closing brace
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  // Disallow leading zeros.
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: str.slice(i) };
}

/** Expands a replacement template for one match: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, groups: Array<string | null>, names: Record<string, number>): string {
  let out = '';
  while (template.length > 0) {
    const i = template.indexOf('$');
    if (i < 0) break;
    out += template.slice(0, i);
    template = template.slice(i + 1);
    if (template.startsWith('$')) {
      out += '$';
      template = template.slice(1);
      continue;
    }
    const ref = extract(template);
    if (!ref) {
      out += '$'; // Malformed; treat $ as raw text.
      continue;
    }
    template = ref.rest;
    if (ref.num >= 0) out += groups[ref.num] ?? '';
    else {
      const idx = names[ref.name];
      if (idx !== undefined) out += groups[idx] ?? '';
    }
  }
  return out + template;
}

/** regexp.ReplaceAllString. */
export function replaceAllString(re: RE2JS, src: string, repl: string): string {
  const names = re.namedGroups();
  const m = re.matcher(src);
  const n = m.groupCount();
  let out = '';
  let lastMatchEnd = 0; // end position of the most recent match
  let searchPos = 0; // position where we next look for a match
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const start = m.start(0);
    const end = m.end(0);
    // Copy the unmatched characters before this match.
    out += src.slice(lastMatchEnd, start);
    // Insert the replacement, but not for a match of the empty string immediately after another
    // match (otherwise patterns that match both empty and non-empty strings replace twice).
    if (end > lastMatchEnd || start === 0) {
      const groups: Array<string | null> = [];
      for (let g = 0; g <= n; g++) groups.push(m.group(g));
      out += expand(repl, groups, names);
    }
    lastMatchEnd = end;
    // Advance past this match; always advance at least one character.
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}
