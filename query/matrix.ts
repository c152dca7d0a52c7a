// Prometheus range-query answers (resultType "matrix") as the cache stores and merges them: the
// pieces of one split query are concatenated per series in time order, a series present in some
// pieces only keeps the samples it has, and the series are ordered as Prometheus orders a matrix
// (by label set, names and values in Go's byte order), so a merged answer reads as the store's.
import { compareCodePoints } from '../core/code-point-order.ts';

export type SamplePair = [number, string];
/** A native histogram point: [time, histogram object] (kept as the store wrote it). */
export type HistogramPair = [number, unknown];

export interface MatrixSeries {
  metric: Record<string, string>;
  values?: SamplePair[];
  histograms?: HistogramPair[];
}

export interface MatrixAnswer {
  result: MatrixSeries[];
  warnings?: string[];
  infos?: string[];
}

/** The matrix inside a store's success envelope, or undefined when the body is anything else. */
export function readMatrixBody(body: string): MatrixAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const env = parsed as { status?: unknown; data?: { resultType?: unknown; result?: unknown }; warnings?: unknown; infos?: unknown };
  if (env.status !== 'success' || env.data?.resultType !== 'matrix' || !Array.isArray(env.data.result)) return undefined;
  const answer: MatrixAnswer = { result: env.data.result as MatrixSeries[] };
  if (Array.isArray(env.warnings)) answer.warnings = env.warnings as string[];
  if (Array.isArray(env.infos)) answer.infos = env.infos as string[];
  return answer;
}

/** The success envelope Prometheus writes around a matrix. */
export function writeMatrixBody(answer: MatrixAnswer): string {
  const envelope: Record<string, unknown> = { status: 'success', data: { resultType: 'matrix', result: answer.result } };
  if (answer.warnings !== undefined && answer.warnings.length > 0) envelope.warnings = answer.warnings;
  if (answer.infos !== undefined && answer.infos.length > 0) envelope.infos = answer.infos;
  return JSON.stringify(envelope);
}

/** A series' label set as one key (names are sorted first, so equal sets give equal keys). */
export function seriesKey(metric: Record<string, string>): string {
  return JSON.stringify(sortedPairs(metric));
}

function sortedPairs(metric: Record<string, string>): [string, string][] {
  return Object.entries(metric).sort(([a], [b]) => compareCodePoints(a, b));
}

/** labels.Compare: pairwise by name then value; a prefix sorts first. */
export function compareLabelSets(a: Record<string, string>, b: Record<string, string>): number {
  const x = sortedPairs(a);
  const y = sortedPairs(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const [xn, xv] = x[i] as [string, string];
    const [yn, yv] = y[i] as [string, string];
    const c = compareCodePoints(xn, yn) || compareCodePoints(xv, yv);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

/** Keeps only the points with startMs <= t <= endMs; series left without points are dropped. */
export function trimMatrix(answer: MatrixAnswer, startMs: number, endMs: number): MatrixAnswer {
  const inRange = (p: [number, unknown]): boolean => {
    const ms = Math.round(p[0] * 1000);
    return ms >= startMs && ms <= endMs;
  };
  const result: MatrixSeries[] = [];
  for (const s of answer.result) {
    const out: MatrixSeries = { metric: s.metric };
    if (s.values !== undefined) {
      const values = s.values.filter(inRange);
      if (values.length > 0) out.values = values;
    }
    if (s.histograms !== undefined) {
      const histograms = s.histograms.filter(inRange);
      if (histograms.length > 0) out.histograms = histograms;
    }
    if (out.values !== undefined || out.histograms !== undefined) result.push(out);
  }
  return { ...answer, result };
}

/** Pieces in time order -> one matrix: points concatenated per series, series in label order. */
export function mergeMatrices(pieces: readonly MatrixAnswer[]): MatrixAnswer {
  const byKey = new Map<string, MatrixSeries>();
  const warnings = new Set<string>();
  const infos = new Set<string>();
  for (const piece of pieces) {
    for (const w of piece.warnings ?? []) warnings.add(w);
    for (const i of piece.infos ?? []) infos.add(i);
    for (const s of piece.result) {
      const key = seriesKey(s.metric);
      let merged = byKey.get(key);
      if (merged === undefined) {
        merged = { metric: s.metric };
        byKey.set(key, merged);
      }
      if (s.values !== undefined) merged.values = appendInOrder(merged.values, s.values);
      if (s.histograms !== undefined) merged.histograms = appendInOrder(merged.histograms, s.histograms);
    }
  }
  const result = [...byKey.values()].sort((a, b) => compareLabelSets(a.metric, b.metric));
  const answer: MatrixAnswer = { result };
  if (warnings.size > 0) answer.warnings = [...warnings];
  if (infos.size > 0) answer.infos = [...infos];
  return answer;
}

/** Pieces do not overlap, but a point at a shared boundary is kept once (the earlier piece's). */
function appendInOrder<T extends [number, unknown]>(into: T[] | undefined, more: readonly T[]): T[] {
  const out = into ?? [];
  const last = out.length > 0 ? (out[out.length - 1] as T)[0] : -Infinity;
  for (const p of more) if (p[0] > last) out.push(p);
  return out;
}
