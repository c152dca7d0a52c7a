import { describe, expect, it } from 'vitest';
import { isLoopbackAddress } from './listen-address.ts';

describe('isLoopbackAddress', () => {
  it('is true only for addresses no other host can reach', () => {
    for (const a of ['127.0.0.1:9471', '127.1.2.3:1', 'localhost:80', '[::1]:9471']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['0.0.0.0:9471', ':9471', '10.0.0.5:9471', '[::]:9471', 'coordinator-1:9471']) expect(isLoopbackAddress(a), a).toBe(false);
  });
});
