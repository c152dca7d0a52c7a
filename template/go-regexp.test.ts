// Cases of Go's regexp all_test.go replaceTests, expected outputs verbatim.
import { describe, expect, it } from 'vitest';
import { compileRegexp, matchString, mustCompile, replaceAllString } from './go-regexp.ts';

const replaceTests: Array<[pattern: string, replacement: string, input: string, output: string]> = [
  // Test empty input and/or replacement, with pattern that matches the empty string.
  ['', '', '', ''],
  ['', 'x', '', 'x'],
  ['', '', 'abc', 'abc'],
  ['', 'x', 'abc', 'xaxbxcx'],
  // Test empty input and/or replacement, with pattern that does not match the empty string.
  ['b', '', '', ''],
  ['b', 'x', '', ''],
  ['b', '', 'abc', 'ac'],
  ['b', 'x', 'abc', 'axc'],
  ['y', '', '', ''],
  ['y', 'x', '', ''],
  ['y', '', 'abc', 'abc'],
  ['y', 'x', 'abc', 'abc'],
  // Multibyte characters -- verify that we don't try to match in the middle of a character.
  ['[a-c]*', 'x', '\u65e5', 'x\u65e5x'],
  ['[^\u65e5]', 'x', 'abc\u65e5def', 'xxx\u65e5xxx'],
  // Start and end of a string.
  ['^[a-c]*', 'x', 'abcdabc', 'xdabc'],
  ['[a-c]*$', 'x', 'abcdabc', 'abcdx'],
  ['^[a-c]*$', 'x', 'abcdabc', 'abcdabc'],
  ['^[a-c]*', 'x', 'abc', 'x'],
  ['[a-c]*$', 'x', 'abc', 'x'],
  ['^[a-c]*$', 'x', 'abc', 'x'],
  ['^[a-c]*', 'x', 'dabce', 'xdabce'],
  ['[a-c]*$', 'x', 'dabce', 'dabcex'],
  ['^[a-c]*$', 'x', 'dabce', 'dabce'],
  ['^[a-c]*', 'x', '', 'x'],
  ['[a-c]*$', 'x', '', 'x'],
  ['^[a-c]*$', 'x', '', 'x'],
  ['^[a-c]+', 'x', 'abcdabc', 'xdabc'],
  ['[a-c]+$', 'x', 'abcdabc', 'abcdx'],
  ['^[a-c]+$', 'x', 'abcdabc', 'abcdabc'],
  ['^[a-c]+', 'x', 'abc', 'x'],
  ['[a-c]+$', 'x', 'abc', 'x'],
  ['^[a-c]+$', 'x', 'abc', 'x'],
  ['^[a-c]+', 'x', 'dabce', 'dabce'],
  ['[a-c]+$', 'x', 'dabce', 'dabce'],
  ['^[a-c]+$', 'x', 'dabce', 'dabce'],
  ['^[a-c]+', 'x', '', ''],
  ['[a-c]+$', 'x', '', ''],
  ['^[a-c]+$', 'x', '', ''],
  // Other cases.
  ['abc', 'def', 'abcdefg', 'defdefg'],
  ['bc', 'BC', 'abcbcdcdedef', 'aBCBCdcdedef'],
  ['abc', '', 'abcdabc', 'd'],
  ['x', 'xXx', 'xxxXxxx', 'xXxxXxxXxXxXxxXxxXx'],
  ['abc', 'd', '', ''],
  ['abc', 'd', 'abc', 'd'],
  ['.+', 'x', 'abc', 'x'],
  ['[a-c]*', 'x', 'def', 'xdxexfx'],
  ['[a-c]+', 'x', 'abcbcdcdedef', 'xdxdedef'],
  ['[a-c]*', 'x', 'abcbcdcdedef', 'xdxdxexdxexfx'],
  // Substitutions
  ['a+', '($0)', 'banana', 'b(a)n(a)n(a)'],
  ['a+', '(${0})', 'banana', 'b(a)n(a)n(a)'],
  ['a+', '(${0})$0', 'banana', 'b(a)an(a)an(a)a'],
  ['hello, (.+)', 'goodbye, ${1}', 'hello, world', 'goodbye, world'],
  ['hello, (.+)', 'goodbye, $1x', 'hello, world', 'goodbye, '],
  ['hello, (.+)', 'goodbye, ${1}x', 'hello, world', 'goodbye, worldx'],
  ['hello, (.+)', '<$0><$1><$2><$3>', 'hello, world', '<hello, world><world><><>'],
  ['hello, (?P<noun>.+)', 'goodbye, $noun!', 'hello, world', 'goodbye, world!'],
  ['hello, (?P<noun>.+)', 'goodbye, ${noun}', 'hello, world', 'goodbye, world'],
  ['a+', '${oops', 'aaa', '${oops'],
  ['a+', '$$', 'aaa', '$'],
  ['a+', '$', 'aaa', '$'],
  // Substitution when subexpression isn't found
  ['(x)?', '$1', '123', '123'],
  ['abc', '$1', '123', '123'],
  // Substitutions involving a (x){0}
  ['(a)(b){0}(c)', '.$1|$3.', 'xacxacx', 'x.a|c.x.a|c.x'],
  ['(a)(((b))){0}c', '.$1.', 'xacxacx', 'x.a.x.a.x'],
  ['((a(b){0}){3}){5}(h)', 'y caramb$2', 'say aaaaaaaaaaaaaaaah', 'say ay caramba'],
  ['((a(b){0}){3}){5}h', 'y caramb$2', 'say aaaaaaaaaaaaaaaah', 'say ay caramba'],
];

describe('regexp.ReplaceAllString (all_test.go replaceTests)', () => {
  it.each(replaceTests)('%j -> %j on %j', (pattern, repl, input, output) => {
    expect(replaceAllString(compileRegexp(pattern), input, repl)).toBe(output);
  });
});

describe('regexp.MatchString and MustCompile', () => {
  it('matches unanchored', () => {
    expect(matchString('^a', 'abc')).toBe(true);
    expect(matchString('abcd', 'abc')).toBe(false);
  });
  it('reports compile errors with Go wording', () => {
    expect(() => mustCompile('(')).toThrow('regexp: Compile(`(`): error parsing regexp: missing closing ): `(`');
  });
});
