// Go regular expressions (RE2 syntax and semantics) for relabeling, Alertmanager matchers and
// template functions, on re2js, a pure-JavaScript port of RE2: matching is linear in the input,
// so a pathological pattern or a hostile label value cannot stall a node (V8's backtracking
// engine can), and syntax errors carry Go's own messages ("error parsing regexp: …").
// What re2js lacks is Go's Regexp.Expand and ReplaceAllString; both are here, to the letter.
import { RE2JS } from 're2js';

/** The submatches of one match: index 0 is the whole match, undefined for a group that did not take part. */
export type GoSubmatches = readonly (string | undefined)[];

export class GoRegexp {
  /** The expression as written (for a relabel regex: without Prometheus' anchors). */
  readonly source: string;
  /** Capture group names by group number (index 0 is the whole match); undefined when unnamed. */
  readonly groupNames: readonly (string | undefined)[];
  readonly #re: RE2JS;

  constructor(expr: string, source: string = expr) {
    let renamed: Map<string, string> | undefined;
    try {
      this.#re = RE2JS.compile(expr);
    } catch (err) {
      const message = (err as Error).message;
      // Go allows a name on several groups (SubexpIndex takes the leftmost); RE2 does not.
      if (!message.includes('duplicate capture group name')) throw goError(message);
      const unique = uniqueGroupNames(expr);
      renamed = unique.renamed;
      this.#re = RE2JS.compile(unique.expr);
    }
    this.source = source;
    const names: (string | undefined)[] = new Array(this.#re.groupCount() + 1).fill(undefined);
    for (const [name, index] of Object.entries(this.#re.namedGroups())) names[index] = renamed?.get(name) ?? name;
    this.groupNames = names;
  }

  /** As Prometheus compiles a relabel regex or Alertmanager a regex matcher: fully anchored, "." matching newlines. */
  static anchored(source: string): GoRegexp {
    return new GoRegexp(`^(?s:${source})$`, source);
  }

  matchString(s: string): boolean {
    return this.#re.test(s);
  }

  /** Leftmost match with submatches (Go's FindStringSubmatch), or null. */
  exec(s: string): GoSubmatches | null {
    const m = this.#re.matcher(s);
    if (!m.find()) return null;
    return submatches(m, this.groupNames.length);
  }

  /** Go's Regexp.Expand of template against a match from exec(). */
  expand(template: string, match: GoSubmatches): string {
    let out = '';
    let rest = template;
    for (;;) {
      const dollar = rest.indexOf('$');
      if (dollar < 0) break;
      out += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith('$')) {
        out += '$';
        rest = rest.slice(1);
        continue;
      }
      const ref = extractTemplateRef(rest);
      if (ref === undefined) {
        out += '$'; // malformed: the $ is literal text
        continue;
      }
      rest = rest.slice(ref.length);
      if (ref.num >= 0) {
        out += match[ref.num] ?? '';
      } else {
        for (let g = 1; g < this.groupNames.length; g++) {
          if (this.groupNames[g] === ref.name && match[g] !== undefined) {
            out += match[g];
            break;
          }
        }
      }
    }
    return out + rest;
  }

  /** Go's ReplaceAllString: every leftmost non-overlapping match replaced by the expanded template. */
  replaceAll(src: string, template: string): string {
    const m = this.#re.matcher(src);
    let out = '';
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= src.length && m.find(searchPos)) {
      const a0 = m.start();
      const a1 = m.end();
      out += src.slice(lastMatchEnd, a0);
      // Go adds no replacement for an empty match right after the previous match.
      if (a1 > lastMatchEnd || a0 === 0) out += this.expand(template, submatches(m, this.groupNames.length));
      lastMatchEnd = a1;
      // Advance past this match; always advance at least one code point.
      if (a1 > searchPos) searchPos = a1;
      else {
        const cp = src.codePointAt(searchPos);
        searchPos += cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
      }
    }
    return out + src.slice(lastMatchEnd);
  }
}

/** re2js words a few errors unlike Go; Prometheus users see Go's words in Prometheus, so here too. */
function goError(message: string): Error {
  if (message.endsWith('trailing backslash at end of expression')) return new Error(`${message}: \`\``);
  return new Error(message);
}

/**
 * Renames the second and later groups of one name to fresh names (mapped back to the original),
 * skipping escapes, \Q…\E quoting and character classes, where "(?P<" is literal text.
 */
function uniqueGroupNames(expr: string): { expr: string; renamed: Map<string, string> } {
  const seen = new Set<string>();
  const renamed = new Map<string, string>();
  let out = '';
  let i = 0;
  let inClass = false;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '\\') {
      if (expr[i + 1] === 'Q') {
        const end = expr.indexOf('\\E', i + 2);
        const stop = end < 0 ? expr.length : end + 2;
        out += expr.slice(i, stop);
        i = stop;
        continue;
      }
      out += expr.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      let j = i + 1;
      if (expr[j] === '^') j++;
      if (expr[j] === ']') j++; // a leading ] is a literal
      out += expr.slice(i, j);
      i = j;
      continue;
    }
    const group = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(expr.slice(i, i + 260));
    if (group !== null) {
      const name = group[1] as string;
      let use = name;
      if (seen.has(name)) {
        use = `${name}__dup${renamed.size}`;
        renamed.set(use, name);
      }
      seen.add(name);
      out += `(?P<${use}>`;
      i += group[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return { expr: out, renamed };
}

function submatches(m: ReturnType<RE2JS['matcher']>, groups: number): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(groups);
  for (let g = 0; g < groups; g++) out[g] = m.group(g) ?? undefined;
  return out;
}

const TEMPLATE_NAME_CHAR = /^[\p{L}\p{Nd}_]/u;

/** Go's regexp extract(): a leading "name" or "{name}" after a "$"; num ≥ 0 when the name is a number. */
function extractTemplateRef(str: string): { name: string; num: number; length: number } | undefined {
  if (str === '') return undefined;
  const brace = str[0] === '{';
  let i = brace ? 1 : 0;
  const nameStart = i;
  while (i < str.length) {
    const m = TEMPLATE_NAME_CHAR.exec(str.slice(i, i + 2));
    if (m === null) break;
    i += m[0].length;
  }
  if (i === nameStart) return undefined;
  const name = str.slice(nameStart, i);
  if (brace) {
    if (i >= str.length || str[i] !== '}') return undefined;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const d = name.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + d;
  }
  if (name[0] === '0' && name.length > 1) num = -1; // no leading zeros
  return { name, num, length: i };
}
