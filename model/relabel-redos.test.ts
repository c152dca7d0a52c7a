// Relabel regexes run on re2js (RE2: linear time in the input, no backtracking), so a target that
// controls a label value cannot stall a scraper with a pathological pattern. The patterns below
// take exponential time on a backtracking engine (V8's RegExp needs minutes for (a+)+b on 30
// characters); here each runs over 100,000 characters on the hot path (relabel(), as
// metric_relabel_configs run per new series). The time bound is deliberately generous (a shared
// machine): what it catches is the exponential case, which would never finish.
import { describe, expect, it } from 'vitest';
import { relabel, validateRelabelConfig } from './relabel.ts';

const LONG = 'a'.repeat(100_000);
const PATHOLOGICAL = ['(a+)+b', '(a|aa)*b', '(a|a?)+b', '(.*a){12}b', '([a-z]+)*[0-9]'];

describe('relabel regexes: no catastrophic backtracking', () => {
  for (const regex of PATHOLOGICAL) {
    it(`${regex} over a 100,000-character target-controlled value completes, with the right answer`, () => {
      const rules = [
        validateRelabelConfig({ source_labels: ['path'], regex, action: 'drop' }, 'r'),
        validateRelabelConfig({ source_labels: ['path'], regex, target_label: 'matched', replacement: 'yes' }, 'r'),
      ];
      const started = performance.now();
      const out = relabel(new Map([['__name__', 'http_requests_total'], ['path', `${LONG}!`]]), rules);
      const elapsedMs = performance.now() - started;
      // No match (the value ends in "!"): not dropped, nothing added.
      expect(out).not.toBeNull();
      expect(out?.get('matched')).toBeUndefined();
      expect(elapsedMs).toBeLessThan(20_000);
    });
  }

  it('the same patterns still match where they should (a linear engine, not a weaker one)', () => {
    const rule = validateRelabelConfig({ source_labels: ['path'], regex: '(a+)+b', target_label: 'matched', replacement: '${1}' }, 'r');
    expect(relabel(new Map([['path', `${'a'.repeat(1000)}b`]]), [rule])?.get('matched')).toBe('a'.repeat(1000));
  });

  it('constructs only RE2 has no linear-time algorithm for are refused when the config is read', () => {
    expect(() => validateRelabelConfig({ source_labels: ['a'], regex: '(a)\\1' }, 'r')).toThrow(/^r\.regex: /);
    expect(() => validateRelabelConfig({ source_labels: ['a'], regex: '(?=a)a' }, 'r')).toThrow(/^r\.regex: /);
  });
});
