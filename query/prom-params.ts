// Prometheus API parameters as the query node needs them: times and steps in milliseconds, read
// the way Prometheus' API reads them (float Unix seconds or RFC 3339; a step as float seconds or a
// duration). Anything that does not parse is left to the store, which answers with its own error.
import { parseDuration } from '../core/duration.ts';

/** Milliseconds since the epoch, or undefined when Prometheus would reject the value. */
export function parsePromTime(text: string | undefined | null): number | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (/^\d{4}-\d\d-\d\dT/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** A step or timeout in milliseconds (float seconds or a duration), or undefined. */
export function parsePromDuration(text: string | undefined | null): number | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** A time as Prometheus prints it in requests: Unix seconds, fractional only when needed. */
export function formatPromTime(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3);
}
