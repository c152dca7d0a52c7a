// Checks, at the source, that a target was scraped exactly once per interval: between consecutive
// scrapes there is one interval (a double shows as ~0, a missed tick as ~2 intervals).
export interface CadenceViolation {
  target: number;
  kind: 'double' | 'missed' | 'none';
  at: number;
  gapMs: number;
}

export function cadenceViolations(
  servedByTarget: readonly (readonly number[])[],
  intervalMs: number,
  fromMs: number,
  toMs: number,
  ignoreTargets: ReadonlySet<number> = new Set(),
): CadenceViolation[] {
  const out: CadenceViolation[] = [];
  servedByTarget.forEach((times, target) => {
    if (ignoreTargets.has(target)) return;
    const inWindow = times.filter((t) => t >= fromMs && t <= toMs).sort((a, b) => a - b);
    if (inWindow.length === 0) {
      out.push({ target, kind: 'none', at: fromMs, gapMs: toMs - fromMs });
      return;
    }
    // The first and last scrape must be within one interval of the window's edges.
    const lead = (inWindow[0] as number) - fromMs;
    if (lead > intervalMs * 1.5) out.push({ target, kind: 'missed', at: fromMs, gapMs: lead });
    for (let i = 1; i < inWindow.length; i++) {
      const gap = (inWindow[i] as number) - (inWindow[i - 1] as number);
      if (gap < intervalMs * 0.5) out.push({ target, kind: 'double', at: inWindow[i] as number, gapMs: gap });
      else if (gap > intervalMs * 1.5) out.push({ target, kind: 'missed', at: inWindow[i] as number, gapMs: gap });
    }
    const tail = toMs - (inWindow[inWindow.length - 1] as number);
    if (tail > intervalMs * 1.5) out.push({ target, kind: 'missed', at: toMs, gapMs: tail });
  });
  return out;
}
