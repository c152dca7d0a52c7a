import { describe, expect, it } from 'vitest';
import { chooseStore } from './store-selection.ts';

const H = 3_600_000;
const now = 1000 * H;

describe('chooseStore', () => {
  const stores = [{ maxAgeMs: 24 * H }, { minAgeMs: 2 * H }, {}];
  it('picks the first store whose time range covers the request', () => {
    expect(chooseStore(stores, now - 3 * H, now, now)).toBe(0); // recent: the short-retention store
    expect(chooseStore(stores, now - 48 * H, now - 3 * H, now)).toBe(1); // old: the long-term store
    expect(chooseStore(stores, now - 48 * H, now, now)).toBe(2); // both: the one without bounds
  });
  it('falls back to the first configured store when none covers it', () => {
    expect(chooseStore([{ maxAgeMs: H }, { minAgeMs: H }], now - 48 * H, now, now)).toBe(0);
  });
});
