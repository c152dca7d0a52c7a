// The time range of data a PromQL query reads, for choosing a store: an evaluation at t reads back
// to t minus the longest range selector or subquery range, minus any offset, minus the lookback
// delta (5m by default), as Thanos widens a query's min time before picking stores. This is read
// from the text by pattern rather than by a parser: it only has to be conservative (too wide
// chooses a store with more history, which still answers right).
import { parseDuration } from '../core/duration.ts';

const DEFAULT_LOOKBACK_MS = 5 * 60_000;
/** `[5m]`, `[1h:30s]`, `[10m:]` */
const RANGE = /\[\s*([0-9a-z]+)\s*(?::\s*[0-9a-z]*\s*)?\]/gi;
/** `offset 1h`, `offset -5m` */
const OFFSET = /\boffset\s+(-?)\s*([0-9a-z]+)/gi;

function durationOrZero(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return 0;
  }
}

export function queryDataRange(query: string, startMs: number, endMs: number, lookbackMs: number = DEFAULT_LOOKBACK_MS): { startMs: number; endMs: number } {
  // Nested ranges (subquery of a range selector) add up; summing every range found is the
  // conservative bound.
  let back = lookbackMs;
  for (const m of query.matchAll(RANGE)) back += durationOrZero(m[1] as string);
  let forward = 0;
  for (const m of query.matchAll(OFFSET)) {
    const ms = durationOrZero(m[2] as string);
    if (m[1] === '-') forward = Math.max(forward, ms);
    else back += ms;
  }
  return { startMs: startMs - back, endMs: endMs + forward };
}
