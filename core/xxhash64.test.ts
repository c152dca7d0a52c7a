import { describe, expect, it } from 'vitest';
const utf8Bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
import { xxhash64 } from './xxhash64.ts';

// Expected values printed by github.com/cespare/xxhash/v2 v2.3.0 (Sum64String).
describe('xxhash64', () => {
  it.each([
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['abc', '44bc2cf5ad770999'],
    ['0123456789abcdef0123456789abcdef', '642a94958e71e6c5'],
    ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
    ['0123456789abcdef0123456789abcdef0123456789abcdefXYZ', '2068b5be32b6d8dc'],
    ['file\xffrules.yml\xffname\xffexample\xff', 'b63b7f17f860f19f'],
  ])('%j', (text, hex) => {
    // The 0xff separators are raw bytes, not the UTF-8 encoding of U+00FF.
    const bytes = text.includes('\xff') ? Uint8Array.from(text, (c) => c.charCodeAt(0)) : utf8Bytes(text);
    expect(xxhash64(bytes).toString(16).padStart(16, '0')).toBe(hex);
  });
});
