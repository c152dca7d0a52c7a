// Go-compatible printing and fingerprints of label sets (prometheus/common model).
import { describe, expect, it } from 'vitest';
import { compareGoStrings, fingerprint, goQuote, isValidLabelName, labelSetString } from './labels.ts';

describe('labels', () => {
  it('quotes as strconv.Quote', () => {
    expect(goQuote('plain')).toBe('"plain"');
    expect(goQuote('a"b\\c\n\t')).toBe('"a\\"b\\\\c\\n\\t"');
    expect(goQuote('\x01\x7f')).toBe('"\\x01\\x7f"');
    expect(goQuote('\u00a0é🙂')).toBe('"\\u00a0é🙂"');
  });
  it('prints label sets sorted with ", "', () => {
    expect(labelSetString({ b: '2', a: '1' })).toBe('{a="1", b="2"}');
    expect(labelSetString({})).toBe('{}');
  });
  it('fingerprints as model.LabelSet.Fingerprint (signature_test.go values)', () => {
    expect(fingerprint({})).toBe((14695981039346656037n).toString(16));
    expect(BigInt(`0x${fingerprint({ name: 'garland, briggs', fear: 'love is not enough' })}`)).toBe(5799056148416392346n);
  });
  it('validates classic label names and sorts in Go order', () => {
    expect(isValidLabelName('a_1')).toBe(true);
    expect(isValidLabelName('1a')).toBe(false);
    expect(isValidLabelName('a-b')).toBe(false);
    expect(['\u{1F600}', '\uffff'].sort(compareGoStrings)).toEqual(['\uffff', '\u{1F600}']);
  });
});
