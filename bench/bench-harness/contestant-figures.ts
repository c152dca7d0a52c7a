// What one contestant of the scrape pipeline benchmark measured in one window, and how windows
// (rounds) add up: CPU seconds and samples are summed, so the combined CPU per million samples is
// the samples-weighted mean of the rounds.
import type { Measured } from './bench-result.ts';

export interface ContestantFigures {
  windowSeconds: number;
  samples: number;
  /** CPU seconds over the window by process: the contestant's own and the shared ones (kafka, sink, targets). */
  cpuSeconds: Record<string, number>;
  /** The part of cpuSeconds spent in the kernel (system time), by process. */
  systemSeconds: Record<string, number>;
  /** Which of cpuSeconds' processes are charged to the contestant. */
  charged: string[];
  peakRssBytes: number;
  /** Share of the whole machine busy during the window (all processes, ours or not), 0..1. */
  machineBusy: number;
  /** Extra figures read at the end of the window (e.g. V8 heap sizes). */
  details: Record<string, number>;
}

export function chargedCpuSeconds(f: ContestantFigures): number {
  return f.charged.reduce((sum, name) => sum + (f.cpuSeconds[name] ?? 0), 0);
}

export function cpuSecondsPerMillion(f: ContestantFigures): number {
  return f.samples === 0 ? Number.NaN : chargedCpuSeconds(f) / (f.samples / 1e6);
}

/**
 * The rounds that succeeded, added up (peak RSS: the highest; machine busy: the time-weighted
 * mean; details: the last round's). When none succeeded, the first failure.
 */
export function combineRounds(rounds: readonly Measured<ContestantFigures>[]): Measured<ContestantFigures> {
  const ok = rounds.filter((r): r is { ok: true; value: ContestantFigures } => r.ok).map((r) => r.value);
  if (ok.length === 0) {
    const failed = rounds.find((r): r is { ok: false; reason: string } => !r.ok);
    return failed ?? { ok: false, reason: 'no rounds run' };
  }
  const cpuSeconds: Record<string, number> = {};
  const systemSeconds: Record<string, number> = {};
  let windowSeconds = 0;
  let samples = 0;
  let busyWeighted = 0;
  for (const f of ok) {
    windowSeconds += f.windowSeconds;
    samples += f.samples;
    busyWeighted += f.machineBusy * f.windowSeconds;
    for (const [name, s] of Object.entries(f.cpuSeconds)) cpuSeconds[name] = (cpuSeconds[name] ?? 0) + s;
    for (const [name, s] of Object.entries(f.systemSeconds)) systemSeconds[name] = (systemSeconds[name] ?? 0) + s;
  }
  const last = ok[ok.length - 1] as ContestantFigures;
  return {
    ok: true,
    value: {
      windowSeconds,
      samples,
      cpuSeconds,
      systemSeconds,
      charged: last.charged,
      peakRssBytes: Math.max(...ok.map((f) => f.peakRssBytes)),
      machineBusy: windowSeconds === 0 ? 0 : busyWeighted / windowSeconds,
      details: last.details,
    },
  };
}
