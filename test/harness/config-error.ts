// The ConfigError a configuration reader throws, for tests that check which field it names.
import { expect } from 'vitest';
import { ConfigError } from '../../core/config-schema.ts';

/** The ConfigError thrown by fn (fails the test if fn does not throw one). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
