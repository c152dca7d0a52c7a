// The label name checks run only when a name could fail them (see scanLabelBlock): these cases
// probe the edges of that shortcut.
import { describe, expect, it } from 'vitest';
import { parseExposition } from './parser.ts';

function parseText(text: string): number {
  return parseExposition(new TextEncoder().encode(text), 'prometheus-text', { onSample() {} });
}

describe('label name checks', () => {
  it.each([
    'm{ab="1",cd="2",ef="3"} 1\n',
    `m{${'x'.repeat(40)}="1",${'x'.repeat(39)}y="2"} 1\n`,
    `m{${'x'.repeat(31)}="1",${'x'.repeat(32)}="2"} 1\n`,
    'm{__a="1",__b="2",_name__="3"} 1\n',
    '{__name__x="1","m"} 1\n',
    'm{"a\\\\b"="1","a\\\\c"="2","a\\nb"="3"} 1\n',
  ])('accepts distinct names %j', (text) => {
    expect(parseText(text)).toBe(1);
  });

  it.each([
    ['m{a="1",b="2",c="3",b="4"} 1\n', /duplicate label name "b"/],
    [`m{${'x'.repeat(40)}="1",y="2",${'x'.repeat(40)}="3"} 1\n`, /duplicate label name "x{40}"/],
    ['m{"a\\\\b"="1",z="2","a\\\\b"="3"} 1\n', /duplicate label name "a\\\\b"/],
    ['m{"a.b"="1",a_b="2","a.b"="3"} 1\n', /duplicate label name "a.b"/],
    ['m{a="1",b="2",__name__="3"} 1\n', /duplicate label name "__name__"/],
    ['{a="1",__name__="3","m"} 1\n', /duplicate label name "__name__"/],
    ['m{"__name__"="3"} 1\n', /duplicate label name "__name__"/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseText(text)).toThrow(reason);
  });

  it('checks the names of every series, not only the first of a body', () => {
    expect(() => parseText('m{a="1"} 1\nm{b="1",b="2"} 2\n')).toThrow(/line 2: duplicate label name "b"/);
  });
});
