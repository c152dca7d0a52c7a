import { describe, expect, it } from 'vitest';
import { compareCodePoints } from './code-point-order.ts';

describe('compareCodePoints', () => {
  it('orders by code point, not UTF-16 unit', () => {
    expect(compareCodePoints('\uFF21', '\u{1F600}')).toBeLessThan(0);
    expect('\uFF21' < '\u{1F600}').toBe(false); // JavaScript's own order differs
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('b', 'ab')).toBeGreaterThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
    const sorted = ['\u{1F600}', 'z', '\uE000', 'A'].sort(compareCodePoints);
    expect(sorted).toEqual(['A', 'z', '\uE000', '\u{1F600}']);
  });
});
