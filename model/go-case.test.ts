import { describe, expect, it } from 'vitest';
import { goToLower, goToUpper } from './go-case.ts';

describe('Go case mapping', () => {
  it('goToLower/goToUpper map each code point like Go (simple case mapping)', () => {
    expect(goToUpper('straße')).toBe('STRAßE');
    expect(goToLower('İSTANBUL')).toBe('istanbul');
    expect(goToLower('ΟΔΟΣ')).toBe('οδοσ'); // no final-sigma rule in Go
    expect(goToUpper('ᾳ')).toBe('ᾼ');
    expect(goToUpper('ﬁ')).toBe('ﬁ');
    expect(goToUpper('ǆ')).toBe('Ǆ');
    expect(goToLower('Ǆ😀Ä')).toBe('ǆ😀ä');
    expect(goToUpper('mIxEd-123')).toBe('MIXED-123');
  });});
