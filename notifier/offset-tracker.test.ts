import { describe, expect, it } from 'vitest';
import { PartitionOffsets } from './offset-tracker.ts';

describe('PartitionOffsets', () => {
  it('commits only past records that are settled together with all before them', () => {
    const p = new PartitionOffsets();
    for (const o of ['10', '11', '12']) p.add(o);
    expect(p.settle('11')).toBeUndefined();
    expect(p.pending).toBe(3);
    expect(p.settle('10')).toBe('12');
    expect(p.settle('12')).toBe('13');
    expect(p.pending).toBe(0);
  });

  it('keeps offsets beyond 2^53 exact and ignores unknown offsets', () => {
    const p = new PartitionOffsets();
    p.add('9007199254740993');
    expect(p.settle('5')).toBeUndefined();
    expect(p.settle('9007199254740993')).toBe('9007199254740994');
  });
});
