import { describe, expect, it } from 'vitest';
import { checkPromQLSyntax } from './promql-syntax-guard.ts';

describe('checkPromQLSyntax', () => {
  it.each([
    'up',
    'up == 0',
    'sum without(instance) (rate(errors_total[5m]))\n/\nsum without(instance) (rate(requests_total[5m]))\n',
    'rate(http_requests_total{job="api", code=~"5..", path!~\'/health\'}[5m]) > 0.5',
    'max_over_time(up[1h:5m] offset -1m @ 1609746000)',
    '1e-3 + 0x1F + .5 + Inf - NaN',
    'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m]))) # p90\n',
    'label_replace(up, "a", "$1", "instance", `(.*):\\d+`)',
    '{__name__="up", "utf8.name"="x"}',
    '"escapes \\n \\t \\" \\x41 \\u00e9 \\101"',
    'a <= b >= c != d',
  ])('accepts %j', (expr) => {
    expect(checkPromQLSyntax(expr)).toBeUndefined();
  });

  // Messages and positions as promtool 2.42 printed them for the same expressions.
  it.each([
    ['sum(rate(x[5m])', '1:16: parse error: unclosed left parenthesis'],
    ['up{job="a}', '1:8: parse error: unterminated quoted string'],
    ['up $ 1', "1:4: parse error: unexpected character: '$'"],
    ['# only comment', '1:1: parse error: no expression found in input'],
    ['up ! 1', "1:4: parse error: unexpected character after '!': ' '"],
    ['', '1:1: parse error: no expression found in input'],
  ])('rejects %j like promtool', (expr, message) => {
    expect(checkPromQLSyntax(expr)).toBe(message);
  });

  it.each([
    ['up)', "1:4: parse error: unexpected right parenthesis ')'"],
    ['up]', "1:3: parse error: unexpected right bracket ']'"],
    ['x[5m', '1:5: parse error: unclosed left bracket'],
    ['x[5m[1m]]', "1:5: parse error: unexpected left bracket '['"],
    ['up{job="a"', '1:11: parse error: unexpected end of input inside braces'],
    ['up{{}', "1:4: parse error: unexpected left brace '{'"],
    ['up{a!b}', "1:5: parse error: unexpected character after '!' inside braces: 'b'"],
    ['up{1="a"}', "1:4: parse error: unexpected character inside braces: '1'"],
    ['"\\q"', "1:1: parse error: unknown escape sequence U+0071 'q'"],
    ['`raw', '1:1: parse error: unterminated raw string'],
    ['a =~ b', "1:3: parse error: unexpected character after '=': '~'"],
    ['sum(\n  up\n', '3:1: parse error: unclosed left parenthesis'],
    ['up\n  and é $', "2:7: parse error: unexpected character: 'é'"],
    ['(up))', "1:6: parse error: unexpected right parenthesis ')'"],
    ['a && b', "1:3: parse error: unexpected character: '&'"],
  ])('rejects %j', (expr, message) => {
    expect(checkPromQLSyntax(expr)).toBe(message);
  });
});
