// Ported from Alertmanager 0.28 pkg/labels/parse_test.go and matcher_test.go.
import { describe, expect, it } from 'vitest';
import {
  matcherString,
  matchersFromMatch,
  matchersFromMatchRe,
  matchersString,
  matchesLabels,
  matchesValue,
  newMatcher,
  parseMatcher,
  parseMatchers,
  sortMatchers,
  type MatchType,
} from './matchers.ts';

const m = (type: MatchType, name: string, value: string) => ({ type, name, value });
const plain = (ms: readonly { type: MatchType; name: string; value: string }[]) => ms.map((x) => ({ type: x.type, name: x.name, value: x.value }));

describe('parseMatchers (pkg/labels TestMatchers)', () => {
  const good: [string, ReturnType<typeof m>[]][] = [
    ['{}', []],
    [`{foo='}`, [m('=', 'foo', "'")]],
    ['{foo=`}', [m('=', 'foo', '`')]],
    ['{foo=\\"}', [m('=', 'foo', '"')]],
    ['{foo=bar}', [m('=', 'foo', 'bar')]],
    ['{foo="bar"}', [m('=', 'foo', 'bar')]],
    ['{foo=~bar.*}', [m('=~', 'foo', 'bar.*')]],
    ['{foo=~"bar.*"}', [m('=~', 'foo', 'bar.*')]],
    ['{foo!=bar}', [m('!=', 'foo', 'bar')]],
    ['{foo!="bar"}', [m('!=', 'foo', 'bar')]],
    ['{foo!~bar.*}', [m('!~', 'foo', 'bar.*')]],
    ['{foo!~"bar.*"}', [m('!~', 'foo', 'bar.*')]],
    ['{foo="bar", baz!="quux"}', [m('=', 'foo', 'bar'), m('!=', 'baz', 'quux')]],
    ['{foo="bar", baz!~"quux.*"}', [m('=', 'foo', 'bar'), m('!~', 'baz', 'quux.*')]],
    ['{foo="bar",baz!~".*quux", derp="wat"}', [m('=', 'foo', 'bar'), m('!~', 'baz', '.*quux'), m('=', 'derp', 'wat')]],
    ['{foo="bar", baz!="quux", derp="wat"}', [m('=', 'foo', 'bar'), m('!=', 'baz', 'quux'), m('=', 'derp', 'wat')]],
    ['{foo="bar", baz!~".*quux.*", derp="wat"}', [m('=', 'foo', 'bar'), m('!~', 'baz', '.*quux.*'), m('=', 'derp', 'wat')]],
    ['{foo="bar", instance=~"some-api.*"}', [m('=', 'foo', 'bar'), m('=~', 'instance', 'some-api.*')]],
    ['{foo=""}', [m('=', 'foo', '')]],
    ['{foo="bar,quux", job="job1"}', [m('=', 'foo', 'bar,quux'), m('=', 'job', 'job1')]],
    ['{foo = "bar", dings != "bums", }', [m('=', 'foo', 'bar'), m('!=', 'dings', 'bums')]],
    ['foo=bar,dings!=bums', [m('=', 'foo', 'bar'), m('!=', 'dings', 'bums')]],
    ['{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}', [m('=', 'quote', 'She said: "Hi, ladies! That\'s gender-neutral…"')]],
    ['statuscode=~"5.."', [m('=~', 'statuscode', '5..')]],
    ['tricky=~~~', [m('=~', 'tricky', '~~')]],
    ['trickier==\\\\=\\=\\"', [m('=', 'trickier', '=\\=\\="')]],
    ['contains_quote != "\\"" , contains_comma !~ "foo,bar" , ', [m('!=', 'contains_quote', '"'), m('!~', 'contains_comma', 'foo,bar')]],
    ['{foo=bar}}', [m('=', 'foo', 'bar}')]],
    ['{foo=bar}},}', [m('=', 'foo', 'bar}}')]],
    ['{foo=,bar=}}', [m('=', 'foo', ''), m('=', 'bar', '}')]],
    ['{foo=bar\\t}', [m('=', 'foo', 'bar\\t')]],
    ['{foo=bar\\n}', [m('=', 'foo', 'bar\n')]],
    ['{foo=bar\\}', [m('=', 'foo', 'bar\\')]],
    ['{foo=bar\\\\}', [m('=', 'foo', 'bar\\')]],
    ['{foo=bar\\"}', [m('=', 'foo', 'bar"')]],
    ['job=', [m('=', 'job', '')]],
    ['{foo=', [m('=', 'foo', '')]],
    ['{foo=}b', [m('=', 'foo', '}b')]],
  ];
  for (const [input, want] of good) {
    it(`parses ${input}`, () => expect(plain(parseMatchers(input))).toEqual(want));
  }

  const bad: [string, string][] = [
    [',', 'bad matcher format: '],
    ['{,}', 'bad matcher format: '],
    ['job="value', 'matcher value contains unescaped double quote: "value'],
    ['job=value"', 'matcher value contains unescaped double quote: value"'],
    ['trickier==\\\\=\\=\\""', 'matcher value contains unescaped double quote: =\\\\=\\=\\""'],
    ['contains_unescaped_quote = foo"bar', 'matcher value contains unescaped double quote: foo"bar'],
    ['{invalid-name = "valid label"}', 'bad matcher format: invalid-name = "valid label"'],
    ['{foo=~"invalid[regexp"}', 'error parsing regexp: missing closing ]: `[regexp)$`'],
    ['"{foo=\\"bar"}', 'bad matcher format: "{foo=\\"bar"'],
    ['"foo=\\"bar"', 'bad matcher format: "foo=\\"bar"'],
    ['"foo=\\"bar\\""', 'bad matcher format: "foo=\\"bar\\""'],
    ['"foo=\\"bar\\"', 'bad matcher format: "foo=\\"bar\\"'],
    ['"{foo=\\"bar\\"}"', 'bad matcher format: "{foo=\\"bar\\"}"'],
    ['"foo="bar""', 'bad matcher format: "foo="bar""'],
    ['{{foo=', 'bad matcher format: {foo='],
  ];
  for (const [input, err] of bad) {
    it(`rejects ${input}`, () => expect(() => parseMatchers(input)).toThrow(err));
  }

  it('accepts colons in names, as the classic parser does, and rejects UTF-8 names', () => {
    expect(plain([parseMatcher('a:b="c"')])).toEqual([m('=', 'a:b', 'c')]);
    expect(() => parseMatcher('"foo bar"="baz"')).toThrow('bad matcher format');
  });
});

describe('matching (TestMatcher)', () => {
  const cases: [MatchType, string, string, boolean][] = [
    ['=', 'bar', 'bar', true],
    ['=', 'bar', 'foo-bar', false],
    ['!=', 'bar', 'bar', false],
    ['!=', 'bar', 'foo-bar', true],
    ['=~', 'bar', 'bar', true],
    ['=~', 'bar', 'foo-bar', false],
    ['=~', '.*bar', 'foo-bar', true],
    ['!~', 'bar', 'bar', false],
    ['!~', 'bar', 'foo-bar', true],
    ['!~', '.*bar', 'foo-bar', false],
    ['=~', 'foo.bar', 'foo-bar', true],
    ['=~', 'foo\\.bar', 'foo-bar', false],
    ['=~', 'foo\\.bar', 'foo.bar', true],
    ['=', 'foo\nbar', 'foo\nbar', true],
    ['=~', 'foo.bar', 'foo\nbar', false],
    ['=~', '(?s)foo.bar', 'foo\nbar', true],
    ['=', '~!="', '~!="', true],
  ];
  for (const [type, pattern, value, want] of cases) {
    it(`${type}${JSON.stringify(pattern)} on ${JSON.stringify(value)} is ${want}`, () => {
      expect(matchesValue(newMatcher(type, '', pattern), value)).toBe(want);
    });
  }

  it('treats a missing label as the empty string', () => {
    expect(matchesLabels(parseMatchers('foo=""'), {})).toBe(true);
    expect(matchesLabels(parseMatchers('foo!="x"'), {})).toBe(true);
    expect(matchesLabels(parseMatchers('foo=~".+"'), {})).toBe(false);
    expect(matchesLabels(parseMatchers('a="1",b=~"2|3"'), { a: '1', b: '3' })).toBe(true);
    expect(matchesLabels(parseMatchers('a="1",b=~"2|3"'), { a: '1', b: '4' })).toBe(false);
  });

  it('compiles regexes of plain-data matchers (e.g. read back from JSON) on first use', () => {
    expect(matchesValue({ type: '=~', name: 'x', value: 'a.c' }, 'abc')).toBe(true);
    expect(() => newMatcher('=~', 'x', '(')).toThrow('error parsing regexp');
  });
});

describe('printing (TestMatcherString)', () => {
  const cases: [string, MatchType, string, string][] = [
    ['foo', '=', 'bar', 'foo="bar"'],
    ['foo', '!=', 'bar', 'foo!="bar"'],
    ['foo', '=~', 'bar', 'foo=~"bar"'],
    ['foo', '!~', 'bar', 'foo!~"bar"'],
    ['foo', '=', 'back\\slash', 'foo="back\\\\slash"'],
    ['foo', '=', 'double"quote', 'foo="double\\"quote"'],
    ['foo', '=', 'new\nline', 'foo="new\\nline"'],
    ['foo', '=', 'tab\tstop', 'foo="tab\tstop"'],
    ['foo', '=', '🙂', 'foo="🙂"'],
    ['foo!', '!=', 'bar', '"foo!"!="bar"'],
    ['foo🙂', '=', 'bar', 'foo🙂="bar"'],
    ['foo bar', '=', 'baz', '"foo bar"="baz"'],
  ];
  for (const [name, op, value, want] of cases) {
    it(want, () => expect(matcherString(newMatcher(op, name, value))).toBe(want));
  }

  it('prints lists without spaces and round-trips through the parser', () => {
    const ms = parseMatchers('{ b =~ "x|y" , a = "q\\"uote" }');
    expect(matchersString(ms)).toBe('{b=~"x|y",a="q\\"uote"}');
    expect(plain(parseMatchers(matchersString(ms)))).toEqual(plain(ms));
  });
});

describe('ordering and deprecated maps', () => {
  it('sorts by name, value, then type', () => {
    const ms = sortMatchers([newMatcher('!=', 'b', 'x'), newMatcher('=', 'b', 'x'), newMatcher('=', 'a', 'z'), newMatcher('=', 'b', 'a')]);
    expect(matchersString(ms)).toBe('{a="z",b="a",b="x",b!="x"}');
  });

  it('anchors match_re values as Alertmanager prints them', () => {
    expect(matchersString(matchersFromMatchRe({ owner: 'team-(B|C)' }))).toBe('{owner=~"^(?:team-(B|C))$"}');
    expect(matchersString(matchersFromMatch({ z: '1', a: '2' }))).toBe('{a="2",z="1"}');
    expect(matchesLabels(matchersFromMatchRe({ owner: 'team-(B|C)' }), { owner: 'team-C' })).toBe(true);
    expect(matchesLabels(matchersFromMatchRe({ owner: 'team-(B|C)' }), { owner: 'xteam-C' })).toBe(false);
  });
});
