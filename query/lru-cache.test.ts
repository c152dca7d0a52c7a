import { describe, expect, it } from 'vitest';
import { ByteLruCache, entryBytes } from './lru-cache.ts';

describe('ByteLruCache', () => {
  it('charges key and value in UTF-8 bytes', () => {
    const c = new ByteLruCache(1000);
    c.set('k', 'é€');
    expect(c.bytes).toBe(1 + 2 + 3);
    expect(entryBytes('ab', 'cd')).toBe(4);
    c.set('k', 'x');
    expect(c.bytes).toBe(2);
    c.delete('k');
    expect(c.bytes).toBe(0);
  });
  it('evicts the least recently used entries to stay within the bound', () => {
    const evicted: string[] = [];
    const c = new ByteLruCache(30, { onEvict: (k) => evicted.push(k) });
    c.set('a', '123456789'); // 10 bytes
    c.set('b', '123456789');
    c.set('c', '123456789');
    expect(c.get('a')).toBe('123456789'); // a is now the most recent
    c.set('d', '123456789');
    expect(evicted).toEqual(['b']);
    expect(c.get('b')).toBeUndefined();
    expect(c.bytes).toBe(30);
    c.set('e', '1'.repeat(19)); // 20 bytes: c and a go
    expect(evicted).toEqual(['b', 'c', 'a']);
    expect(c.size).toBe(2);
    expect(c.bytes).toBe(30);
  });
  it('does not store an entry larger than the bound (and keeps the rest)', () => {
    const c = new ByteLruCache(10);
    c.set('a', '1');
    expect(c.set('big', '1'.repeat(20))).toBe(false);
    expect(c.get('a')).toBe('1');
    expect(c.bytes).toBe(2);
  });
  it('forgets an entry once its TTL has passed', () => {
    let now = 1000;
    const c = new ByteLruCache(1000, {}, () => now);
    c.set('a', 'x', 50);
    c.set('b', 'y');
    now = 1049;
    expect(c.get('a')).toBe('x');
    now = 1050;
    expect(c.get('a')).toBeUndefined();
    expect([c.size, c.bytes]).toEqual([1, 2]);
    expect(c.get('b')).toBe('y');
  });
});
