// Which store answers a query: the first configured store whose time range (max_age: how far back
// it holds data; min_age: how recent its newest data may be) covers the request, as Thanos picks
// stores by their min/max time; the first configured store when none covers it all.
import type { QueryStoreConfig } from './query-config.ts';

export function storeCovers(store: Pick<QueryStoreConfig, 'maxAgeMs' | 'minAgeMs'>, startMs: number, endMs: number, nowMs: number): boolean {
  if (store.maxAgeMs !== undefined && startMs < nowMs - store.maxAgeMs) return false;
  if (store.minAgeMs !== undefined && endMs > nowMs - store.minAgeMs) return false;
  return true;
}

/** Index of the store for [startMs, endMs]; 0 when no store covers the range. */
export function chooseStore(stores: readonly Pick<QueryStoreConfig, 'maxAgeMs' | 'minAgeMs'>[], startMs: number, endMs: number, nowMs: number): number {
  const i = stores.findIndex((s) => storeCovers(s, startMs, endMs, nowMs));
  return i < 0 ? 0 : i;
}
