import { describe, expect, it } from 'vitest';
import { matchesAnySet, parseSelector } from './label-matchers.ts';

describe('parseSelector', () => {
  it('parses the four operators, quotes and escapes', () => {
    const set = parseSelector(`{severity="page", team=~"db|stor.*", env!='dev', x!~\`a\\d\`, "quoted"="\\u00e9\\n"}`);
    expect(set.map((m) => [m.name, m.op, m.value])).toEqual([
      ['severity', '=', 'page'],
      ['team', '=~', 'db|stor.*'],
      ['env', '!=', 'dev'],
      ['x', '!~', 'a\\d'],
      ['quoted', '=', 'é\n'],
    ]);
  });

  it('matches fully anchored regexps, and a missing label as empty', () => {
    const [m] = parseSelector('{team=~"db"}');
    expect(m?.matches({ team: 'db' })).toBe(true);
    expect(m?.matches({ team: 'dbx' })).toBe(false);
    const [dot] = parseSelector('{a=~"x.y"}');
    expect(dot?.matches({ a: 'x\ny' })).toBe(true);
    const [missing] = parseSelector('{a!="b", c="d"}');
    expect(missing?.matches({})).toBe(true);
  });

  it('reads a metric name as a __name__ matcher', () => {
    expect(parseSelector('up').map((m) => [m.name, m.value])).toEqual([['__name__', 'up']]);
  });

  it.each([
    ['{}', /at least one non-empty matcher/],
    ['{a=""}', /at least one non-empty matcher/],
    ['{a="b"', /expected ',' or '}'/],
    ['{a:"b"}', /expected one of =, !=, =~, !~/],
    ['{a="b} ', /unterminated quoted string/],
    ['{a=~"("}', /bad regular expression/],
    ['{a="b"} x', /unexpected text/],
  ])('rejects %s', (selector, message) => {
    expect(() => parseSelector(selector)).toThrow(message);
  });

  it('ORs sets and ANDs matchers', () => {
    const sets = [parseSelector('{a="1", b="2"}'), parseSelector('{c="3"}')];
    expect(matchesAnySet(sets, { a: '1', b: '2' })).toBe(true);
    expect(matchesAnySet(sets, { a: '1' })).toBe(false);
    expect(matchesAnySet(sets, { c: '3' })).toBe(true);
    expect(matchesAnySet([], {})).toBe(true);
  });
});
