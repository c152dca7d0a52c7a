// When a rule group evaluates, as Prometheus' Group.run / EvalTimestamp (rules/group.go): every
// interval, at a phase derived from a hash of the group's file and name, so the same group
// evaluates at the same instants on any replica (and as Prometheus would for the same file path).
//
// The hash is labels.Labels{file, name}.Hash(): XXH64 of the label set's bytes. Their layout
// depends on how Prometheus was built: 2.x (and the project's peer, 2.42) used "slicelabels",
// `file\xff<file>\xffname\xff<name>\xff`; 3.x release builds use "stringlabels", each name and value
// preceded by its length. Prometheus works in nanoseconds: the offset is kept exact and the
// evaluation timestamp is returned in milliseconds, rounded down.
import { utf8Bytes } from './utf8.ts';
import { xxhash64 } from '../core/xxhash64.ts';

export type LabelsLayout = 'slicelabels' | 'stringlabels';

const NS_PER_MS = 1_000_000n;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

// stringlabels: a length below 255 is one byte, otherwise 255 and three bytes little-endian.
function lengthPrefixed(s: string): Uint8Array[] {
  const bytes = utf8Bytes(s);
  const n = bytes.length;
  const size = n < 255 ? Uint8Array.of(n) : Uint8Array.of(255, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff);
  return [size, bytes];
}

/** The group's hash, as Group.hash(). */
export function groupHash(file: string, name: string, layout: LabelsLayout = 'slicelabels'): bigint {
  if (layout === 'stringlabels') return xxhash64(concat([...lengthPrefixed('file'), ...lengthPrefixed(file), ...lengthPrefixed('name'), ...lengthPrefixed(name)]));
  const sep = Uint8Array.of(0xff);
  return xxhash64(concat([utf8Bytes('file'), sep, utf8Bytes(file), sep, utf8Bytes('name'), sep, utf8Bytes(name), sep]));
}

export interface GroupScheduleOptions {
  readonly file: string;
  readonly name: string;
  readonly intervalMs: number;
  /** Default 'slicelabels' (Prometheus 2.x, the project's peer); 'stringlabels' for Prometheus 3.x. */
  readonly layout?: LabelsLayout;
}

export interface NextEvaluation {
  /** The evaluation time to use. */
  readonly ts: number;
  /** Slots skipped because the previous evaluation overran: add to prometheus_rule_group_iterations_missed_total. */
  readonly missed: number;
}

export class GroupSchedule {
  readonly intervalMs: number;
  /** The group's phase within the interval, in nanoseconds. */
  readonly offsetNs: bigint;

  constructor(options: GroupScheduleOptions) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs <= 0) throw new Error(`group ${JSON.stringify(options.name)}: interval must be a positive number of milliseconds, got ${options.intervalMs}`);
    this.intervalMs = options.intervalMs;
    this.offsetNs = groupHash(options.file, options.name, options.layout) % (BigInt(options.intervalMs) * NS_PER_MS);
  }

  /** The slot at or immediately before startMs (Group.EvalTimestamp). */
  evalTimestamp(startMs: number): number {
    const interval = BigInt(this.intervalMs) * NS_PER_MS;
    const adjNow = BigInt(startMs) * NS_PER_MS - this.offsetNs;
    const base = adjNow - (adjNow % interval); // Go's % truncates towards zero, as BigInt's does
    return Number((base + this.offsetNs) / NS_PER_MS);
  }

  /** The first evaluation of a group started at nowMs: the next slot after the current one. */
  firstEvaluation(nowMs: number): number {
    return this.evalTimestamp(nowMs) + this.intervalMs;
  }

  /**
   * The evaluation after lastTs, when the timer fires at nowMs: Prometheus evaluates the latest
   * slot that has passed and counts the skipped ones as missed. A timer that fires early still
   * moves on to the next slot (Go's ticker never fires early; Node's timers can, by a millisecond).
   */
  next(lastTs: number, nowMs: number): NextEvaluation {
    const missed = Math.max(0, Math.floor((nowMs - lastTs) / this.intervalMs) - 1);
    return { ts: lastTs + (missed + 1) * this.intervalMs, missed };
  }
}

/** The time the query runs for: the evaluation time minus the group's query_offset. */
export function queryTime(tsMs: number, queryOffsetMs = 0): number {
  return tsMs - queryOffsetMs;
}
