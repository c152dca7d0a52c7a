import { describe, expect, it } from 'vitest';
import { GoRegexp } from './go-regexp.ts';

describe('GoRegexp: Go syntax and semantics (re2js)', () => {
  const full = (re: string, s: string): boolean => GoRegexp.anchored(re).matchString(s);

  it('translates named groups (?P<name>) and (?<name>) to numbered groups', () => {
    const re = GoRegexp.anchored('(?P<host>[^:]+):(?<port>\\d+)');
    expect(re.groupNames).toEqual([undefined, 'host', 'port']);
    const m = re.exec('example.com:9100');
    expect(m && re.expand('${port}@$host', m)).toBe('9100@example.com');
    expect(() => GoRegexp.anchored('(?P<>x)')).toThrow('invalid named capture');
    expect(() => GoRegexp.anchored('(?P<a-b>x)')).toThrow('invalid named capture');
    expect(() => GoRegexp.anchored('(?P=a)')).toThrow('invalid or unsupported Perl syntax');
  });

  it('supports flags: (?i), (?i:…), (?-i), (?s), (?m), (?U)', () => {
    expect(full('(?i)foo', 'FoO')).toBe(true);
    expect(full('foo(?i)bar', 'fooBAR')).toBe(true);
    expect(full('foo(?i)bar', 'FOObar')).toBe(false);
    expect(full('a(?i)b|c', 'C')).toBe(true); // flags carry over the alternation
    expect(full('a(?i)b|c', 'AB')).toBe(false);
    expect(full('(?i:a)b', 'Ab')).toBe(true);
    expect(full('(?i:a)b', 'AB')).toBe(false);
    expect(full('(?i)a(?-i)b', 'Ab')).toBe(true);
    expect(full('(?i)a(?-i)b', 'AB')).toBe(false);
    expect(full('(?i)[^a]', 'A')).toBe(false); // folding applies before negation, as in Go
    expect(full('(?i)k', '\u212A')).toBe(true); // Kelvin sign folds to k in Go too
    expect(full('(?-s:a.b)', 'a\nb')).toBe(false);
    expect(full('a.b', 'a\nb')).toBe(true); // Prometheus wraps the regex in (?s:…)
    expect(full('(?-s:a.b)', 'a\rb')).toBe(true); // Go's "." without s only excludes \n
    expect(full('(?m:a$\\n^b)', 'a\nb')).toBe(true);
    expect(full('(?m:a$\\r\\n^b)', 'a\r\nb')).toBe(false); // Go's multi-line $ only sees \n
    const lazy = GoRegexp.anchored('(?U)(a+)(a*)');
    const m = lazy.exec('aaa');
    expect(m?.[1]).toBe('a');
    const greedyAgain = GoRegexp.anchored('(?U)(a+?)(a*)').exec('aaa');
    expect(greedyAgain?.[1]).toBe('aaa');
  });

  it('supports Go escapes and classes', () => {
    expect(full('\\x41\\x{42}\\103\\0', 'ABC\0')).toBe(true);
    expect(full('\\Qa.b*\\E+', 'a.b**')).toBe(true);
    expect(new GoRegexp('\\Qa.b').matchString('xa.b')).toBe(true);
    expect(new GoRegexp('\\Qa.b').matchString('axb')).toBe(false);
    // An unterminated \Q also swallows Prometheus' closing anchor, so Prometheus rejects it too.
    expect(() => GoRegexp.anchored('\\Qa.b')).toThrow('missing closing ): `^(?s:\\Qa.b)$`');
    expect(full('[[:alpha:]]+[[:digit:]]', 'abC1')).toBe(true);
    expect(full('[[:^alpha:]]', '1')).toBe(true);
    expect(full('[[:^alpha:]]', 'a')).toBe(false);
    expect(full('[]a]+', ']a]')).toBe(true);
    expect(full('[a-]+', '-a-')).toBe(true);
    expect(full('[^\\d\\s]+', 'ab')).toBe(true);
    expect(full('\\s', '\v')).toBe(false); // Go's \s has no \v
    expect(full('\\s', '\u00a0')).toBe(false); // nor Unicode spaces
    expect(full('[\\s]', '\f')).toBe(true);
    expect(full('\\pL+\\p{Greek}\\PN', 'abλ-')).toBe(true);
    expect(full('\\p{^Greek}', 'λ')).toBe(false);
    expect(full('\\P{^Greek}', 'λ')).toBe(true);
    expect(full('\\pN', '٣')).toBe(true);
    expect(full('\\p{Han}+', '漢字')).toBe(true);
    expect(full('\\AX\\z', 'X')).toBe(true);
    expect(full('\\bfoo\\b.*', 'foo bar')).toBe(true);
    expect(full('a{,2}', 'a{,2}')).toBe(true); // not a repetition in Go: literal text
    expect(full('x{2}y{1,}z{0,1}', 'xxyyy')).toBe(true);
    expect(full('\\.\\-\\_\\:', '.-_:')).toBe(true);
    expect(full('😀+', '😀😀')).toBe(true); // a quantifier applies to the whole code point
    expect(full('.', '😀')).toBe(true);
  });

  it('rejects what Go rejects, with Go\'s messages', () => {
    const err = (re: string): string => {
      try {
        new GoRegexp(re);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err('(?=a)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect(err('(?!a)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?!`');
    expect(err('(?<=a)b')).toBe('error parsing regexp: invalid named capture: `(?<=a)b`');
    expect(err('(a)\\1')).toBe('error parsing regexp: invalid escape sequence: `\\1`');
    expect(err('\\C')).toBe('error parsing regexp: invalid escape sequence: `\\C`');
    expect(err('\\q')).toBe('error parsing regexp: invalid escape sequence: `\\q`');
    expect(err('\\8')).toBe('error parsing regexp: invalid escape sequence: `\\8`');
    expect(err('x**')).toBe('error parsing regexp: invalid nested repetition operator: `**`');
    expect(err('x{2}{3}')).toBe('error parsing regexp: invalid nested repetition operator: `{2}{3}`');
    expect(err('*x')).toBe('error parsing regexp: missing argument to repetition operator: `*`');
    expect(err('(|+)')).toBe('error parsing regexp: missing argument to repetition operator: `+`');
    expect(err('x{1001}')).toBe('error parsing regexp: invalid repeat count: `{1001}`');
    expect(err('x{2,1}')).toBe('error parsing regexp: invalid repeat count: `{2,1}`');
    expect(err('(x{500}){3}')).toBe('error parsing regexp: invalid repeat count: `{3}`');
    expect(err('(x{500}){2}')).toBe('');
    expect(err('(x{500}){0}')).toBe('');
    expect(err('a)')).toBe('error parsing regexp: unexpected ): `a)`');
    expect(err('(a')).toBe('error parsing regexp: missing closing ): `(a`');
    expect(err('[a')).toBe('error parsing regexp: missing closing ]: `[a`');
    expect(err('[z-a]')).toBe('error parsing regexp: invalid character class range: `z-a`');
    expect(err('[[:word2:]]')).toBe('error parsing regexp: invalid character class range: `[:word2:]`');
    expect(err('\\p{Klingon}')).toBe('error parsing regexp: invalid character class range: `\\p{Klingon}`');
    expect(err('a\\')).toBe('error parsing regexp: trailing backslash at end of expression: ``');
    expect(err('(?i')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?i`');
    expect(err('(?i-)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`');
    expect(err('\\x{110000}')).toMatch(/invalid escape sequence/);
  });

  it('accepts Go quirks: quantified anchors, and an unbalanced ) escaping Prometheus\' anchors', () => {
    expect(full('^*a$+', 'a')).toBe(true);
    // Prometheus builds "^(?s:" + regex + ")$": "a)|(b" leaves each side anchored on one end only.
    const re = GoRegexp.anchored('a)|(b');
    expect(re.matchString('ax')).toBe(true);
    expect(re.matchString('xb')).toBe(true);
    expect(re.groupNames).toHaveLength(2);
  });

  it('replaceAll follows Go: no replacement for an empty match right after a match', () => {
    expect(new GoRegexp('a*').replaceAll('baaac', 'X')).toBe('XbXcX');
    expect('baaac'.replace(/a*/g, 'X')).toBe('XbXXcX'); // JavaScript differs
    expect(new GoRegexp('(\\w+)@(\\w+)').replaceAll('a@b, c@d', '$2.$1')).toBe('b.a, d.c');
    expect(new GoRegexp('').replaceAll('😀x', '-')).toBe('-😀-x-');
    expect(GoRegexp.anchored('__meta_(.*)').replaceAll('__meta_x', '$1')).toBe('x');
  });
});
