// What every benchmark returns: a figure for Ringwatch, optionally beside the same figure measured
// for peers (vmagent, Prometheus agent) in the same run. The plain { name, value, unit } shape of
// the micro-benchmarks is a BenchResult without peers.

export interface PeerFigure {
  /** e.g. "vmagent", "prometheus-agent". */
  peer: string;
  /** null: the peer row is missing (not built, crashed...); `note` says why. */
  value: number | null;
  note?: string;
}

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Same figure for the peers; the table shows Ringwatch / peer next to each. */
  peers?: PeerFigure[];
  /** How to read the figure (what it includes), printed under the table. */
  note?: string;
}

/** Peers benchmarked against, in table column order. */
export const PEERS = ['vmagent', 'prometheus-agent'] as const;
export type PeerName = (typeof PEERS)[number];

/** Either a measured value or why there is none. */
export type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Rounds to `significant` significant digits (tables mix 0.0123 and 1234567). */
export function roundSignificant(x: number, significant = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = significant - Math.ceil(Math.log10(Math.abs(x)));
  return digits > 0 ? round(x, digits) : Math.round(x / 10 ** -digits) * 10 ** -digits;
}
