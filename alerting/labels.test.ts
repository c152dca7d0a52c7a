import { describe, expect, it } from 'vitest';
import { buildLabels, compareLabels, compareStrings, formatLabels, isValidLabelName, isValidMetricName, labelsKey, orderLabels, sortLabels } from './labels.ts';

describe('labels', () => {
  it('orders names by code point, as Go compares UTF-8 bytes', () => {
    expect(['b', 'a', '_', 'B', 'Z'].sort(compareStrings)).toEqual(['B', 'Z', '_', 'a', 'b']);
    // U+FF21 (fullwidth A) sorts before U+1F600 in UTF-8, though its UTF-16 unit is higher than the surrogate.
    expect(Math.sign(compareStrings('\u{ff21}', '\u{1f600}'))).toBe(-1);
    expect('\u{ff21}' < '\u{1f600}').toBe(false);
    expect(compareStrings('a', 'ab')).toBe(-1);
  });

  it('sortLabels drops empty values, orderLabels keeps them', () => {
    expect(Object.entries(sortLabels({ b: '1', a: '', c: '2' }))).toEqual([['b', '1'], ['c', '2']]);
    expect(Object.entries(orderLabels({ b: '1', a: '' }))).toEqual([['a', ''], ['b', '1']]);
  });

  it('buildLabels overrides in order, an empty value deleting (labels.Builder)', () => {
    expect(buildLabels({ a: '1', b: '2' }, { b: '', c: '3' }, { c: '4' })).toEqual({ a: '1', c: '4' });
  });

  it('labelsKey identifies label sets whatever their key order, and cannot be fooled by separators', () => {
    expect(labelsKey({ a: '1', b: '2' })).toBe(labelsKey({ b: '2', a: '1' }));
    expect(labelsKey({ ab: 'c' })).not.toBe(labelsKey({ a: 'bc' }));
    expect(labelsKey({ a: 'x","b' })).not.toBe(labelsKey({ a: 'x', b: 'y' }));
    expect(labelsKey({ a: 'x', b: '' })).toBe(labelsKey({ a: 'x' }));
  });

  it('compares label sets as labels.Compare', () => {
    expect(compareLabels({ a: '1' }, { a: '2' })).toBeLessThan(0);
    expect(compareLabels({ a: '1' }, { a: '1', b: '1' })).toBeLessThan(0);
    expect(compareLabels({ b: '1' }, { a: '9' })).toBeGreaterThan(0);
  });

  it('validates names per scheme', () => {
    expect(isValidLabelName('ins_tance', 'legacy')).toBe(true);
    expect(isValidLabelName('ins-tance', 'legacy')).toBe(false);
    expect(isValidLabelName('ins-tance', 'utf8')).toBe(true);
    expect(isValidLabelName('', 'utf8')).toBe(false);
    expect(isValidMetricName('job:up:sum', 'legacy')).toBe(true);
    expect(isValidMetricName('1abc', 'legacy')).toBe(false);
    expect(isValidLabelName('\ud800', 'utf8')).toBe(false);
  });

  it('prints label sets as Prometheus', () => {
    expect(formatLabels({ b: 'x"y', a: '1' })).toBe('{a="1", b="x\\"y"}');
  });
});
