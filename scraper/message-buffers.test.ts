import { describe, expect, it } from 'vitest';
import { freeMessageBufferBytes, giveBackMessageBuffer, MAX_FREE_BYTES, takeMessageBuffer } from './message-buffers.ts';

describe('message buffers', () => {
  it('gives a buffer of the asked size and reuses its memory once given back', () => {
    const a = takeMessageBuffer(9473);
    expect(a.length).toBe(9473);
    a.fill(7);
    giveBackMessageBuffer(a);
    const b = takeMessageBuffer(9000);
    expect(b.length).toBe(9000);
    expect(b.buffer).toBe(a.buffer);
  });

  it('does not hand out a taken buffer twice, also when it is given back twice', () => {
    const a = takeMessageBuffer(5000);
    giveBackMessageBuffer(a);
    giveBackMessageBuffer(a);
    const b = takeMessageBuffer(5000);
    const c = takeMessageBuffer(5000);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
    giveBackMessageBuffer(b);
    giveBackMessageBuffer(c);
  });

  it('ignores buffers it did not make (a slice of Node pool, a plain allocation, a view at an offset)', () => {
    const before = freeMessageBufferBytes();
    const small = Buffer.from('a small value'); // a slice of Node's shared 8 KiB pool
    giveBackMessageBuffer(small);
    giveBackMessageBuffer(Buffer.allocUnsafeSlow(8192));
    const taken = takeMessageBuffer(6000);
    giveBackMessageBuffer(taken.subarray(10));
    expect(freeMessageBufferBytes()).toBe(before - 8192);
    const next = takeMessageBuffer(6000);
    expect(next.buffer).not.toBe(taken.buffer);
    expect(next.buffer).not.toBe(small.buffer);
  });

  it('keeps free buffers within its bound and allocates huge values on their own', () => {
    const taken = Array.from({ length: 20 }, () => takeMessageBuffer(1024 * 1024));
    for (const b of taken) giveBackMessageBuffer(b);
    expect(freeMessageBufferBytes()).toBeLessThanOrEqual(MAX_FREE_BYTES);
    expect(freeMessageBufferBytes()).toBeGreaterThan(MAX_FREE_BYTES / 2);
    const huge = takeMessageBuffer(5 * 1024 * 1024);
    expect(huge.buffer.byteLength).toBe(5 * 1024 * 1024);
    const bytes = freeMessageBufferBytes();
    giveBackMessageBuffer(huge);
    expect(freeMessageBufferBytes()).toBe(bytes);
  });
});
