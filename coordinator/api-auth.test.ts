import { describe, expect, it } from 'vitest';
import { bearerTokenMatches } from './api-auth.ts';

describe('bearerTokenMatches', () => {
  it('lets everything through when no token is configured', () => {
    expect(bearerTokenMatches(undefined, undefined)).toBe(true);
    expect(bearerTokenMatches('Bearer whatever', undefined)).toBe(true);
  });

  it('accepts exactly the configured token, with any case of the scheme', () => {
    expect(bearerTokenMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(bearerTokenMatches('bearer s3cret', 's3cret')).toBe(true);
  });

  it('rejects a missing header, another scheme, a prefix, a longer token and an empty one', () => {
    expect(bearerTokenMatches(undefined, 's3cret')).toBe(false);
    expect(bearerTokenMatches('Basic s3cret', 's3cret')).toBe(false);
    expect(bearerTokenMatches('Bearer s3cre', 's3cret')).toBe(false);
    expect(bearerTokenMatches('Bearer s3cret2', 's3cret')).toBe(false);
    expect(bearerTokenMatches('Bearer ', 's3cret')).toBe(false);
    expect(bearerTokenMatches('s3cret', 's3cret')).toBe(false);
  });
});
