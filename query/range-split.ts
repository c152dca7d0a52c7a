// Step alignment and splitting of range queries, as Thanos/Mimir's query-frontend do: aligning
// start and end to multiples of the step makes the evaluation times of every request for the same
// query and step the same absolute instants, so that a piece computed once can answer later
// requests; splitting at fixed interval boundaries gives each piece a stable identity.

export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** start and end rounded down to a multiple of step (Mimir's StepAlign). */
export function alignToStep(range: TimeRange, stepMs: number): TimeRange {
  return { startMs: floorTo(range.startMs, stepMs), endMs: floorTo(range.endMs, stepMs) };
}

function floorTo(t: number, step: number): number {
  return t - (((t % step) + step) % step);
}

export interface Piece extends TimeRange {
  /** Start of the split interval this piece falls in: the piece's identity in the cache. */
  intervalStartMs: number;
  /** The piece covers every step of its interval (it was not cut by the request's start or end). */
  fullInterval: boolean;
}

/** The first and last evaluation time (multiples of step) inside the interval that holds t. */
export function intervalSteps(t: number, stepMs: number, intervalMs: number): Piece {
  const intervalStartMs = floorTo(t, intervalMs);
  const next = intervalStartMs + intervalMs;
  const first = Math.ceil(intervalStartMs / stepMs) * stepMs;
  const last = Math.ceil(next / stepMs) * stepMs - stepMs;
  return { startMs: first, endMs: last, intervalStartMs, fullInterval: true };
}

/**
 * The step-aligned range cut at every multiple of intervalMs. Each piece's start and end are
 * evaluation times (multiples of step); consecutive pieces are one step apart, so no step is
 * evaluated twice or skipped. A step longer than the interval gives one piece per step.
 */
export function splitByInterval(range: TimeRange, stepMs: number, intervalMs: number): Piece[] {
  if (stepMs <= 0) throw new Error(`step must be positive, got ${stepMs}`);
  const pieces: Piece[] = [];
  let t = range.startMs;
  while (t <= range.endMs) {
    const whole = intervalSteps(t, stepMs, intervalMs);
    const endMs = Math.min(whole.endMs < t ? t : whole.endMs, range.endMs);
    pieces.push({ startMs: t, endMs, intervalStartMs: whole.intervalStartMs, fullInterval: t === whole.startMs && endMs === whole.endMs });
    t = endMs + stepMs;
  }
  return pieces;
}
