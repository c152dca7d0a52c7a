// The series a rule wrote at its previous evaluation, so the ones it no longer writes can get a
// staleness marker (Prometheus' Group.seriesInPreviousEval). The caller writes the markers.
import { labelsKey } from './labels.ts';
import type { Labels } from './labels.ts';

export class SeriesTracker {
  private previous = new Map<string, Labels>();

  /** Records this evaluation's series and returns those of the previous one that are gone. */
  update(series: readonly Labels[]): Labels[] {
    const current = new Map<string, Labels>();
    for (const labels of series) current.set(labelsKey(labels), labels);
    const stale: Labels[] = [];
    for (const [key, labels] of this.previous) if (!current.has(key)) stale.push(labels);
    this.previous = current;
    return stale;
  }

  /** The series of the last successful evaluation: all of them go stale when the rule is removed. */
  series(): Labels[] {
    return [...this.previous.values()];
  }

  restore(series: readonly Labels[]): void {
    this.previous = new Map(series.map((labels) => [labelsKey(labels), labels]));
  }
}
