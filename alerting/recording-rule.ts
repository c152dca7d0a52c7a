// Prometheus' RecordingRule (rules/recording.go): the query result renamed to the record name,
// with the rule labels applied. The caller writes the samples and the staleness markers.
import { buildLabels, labelsKey, METRIC_NAME_LABEL, orderLabels } from './labels.ts';
import type { Labels } from './labels.ts';
import type { QueryResult } from './query-result.ts';
import type { OutputSample, RuleHealth } from './rule-health.ts';
import { RuleStatus } from './rule-health.ts';
import { SeriesTracker } from './series-staleness.ts';

/** Prometheus' ErrDuplicateRecordingLabelSet. */
export const DUPLICATE_RECORDING_LABELSET = 'vector contains metrics with the same labelset after applying rule labels';

export interface RecordingRuleDefinitionInput {
  readonly name: string;
  readonly expr: string;
  /** Group labels already merged in (rule labels win). */
  readonly labels?: Labels;
}

export interface RecordingEvaluation {
  readonly ok: boolean;
  readonly error?: string;
  readonly samples: readonly OutputSample[];
  /** Series of the previous evaluation no longer produced: write staleness markers at ts - queryOffset. */
  readonly staleSeries: readonly Labels[];
}

export interface RecordingRuleState {
  readonly kind: 'recording';
  readonly name: string;
  readonly series: readonly Labels[];
}

export class RecordingRule {
  readonly kind = 'recording' as const;
  readonly name: string;
  readonly expr: string;
  readonly labels: Labels;
  readonly status = new RuleStatus();
  private readonly series = new SeriesTracker();

  constructor(def: RecordingRuleDefinitionInput) {
    this.name = def.name;
    // Prometheus shows its parsed, printed form, which never has surrounding whitespace.
    this.expr = def.expr.trim();
    this.labels = orderLabels(def.labels ?? {});
  }

  get health(): RuleHealth {
    return this.status.health;
  }

  get lastError(): string | undefined {
    return this.status.lastError;
  }

  /**
   * Processes the result of the rule's query run for evaluation time tsMs (a scalar result is one
   * sample without labels). On error nothing is written and no series goes stale, as in Prometheus.
   */
  eval(result: QueryResult, tsMs: number, options: { queryOffsetMs?: number; limit?: number; startedAtMs?: number } = {}): RecordingEvaluation {
    this.status.startEvaluation(options.startedAtMs ?? tsMs);
    if (!result.ok) return this.failure(result.error);
    const timestampMs = tsMs - (options.queryOffsetMs ?? 0);
    const seen = new Set<string>();
    const samples: OutputSample[] = [];
    for (const sample of result.vector) {
      const labels = buildLabels(sample.labels, { [METRIC_NAME_LABEL]: this.name }, this.labels);
      const key = labelsKey(labels);
      if (seen.has(key)) return this.failure(DUPLICATE_RECORDING_LABELSET);
      seen.add(key);
      samples.push({ labels, value: sample.value, timestampMs });
    }
    const limit = options.limit ?? 0;
    if (limit > 0 && samples.length > limit) return this.failure(`exceeded limit of ${limit} with ${samples.length} series`);
    const staleSeries = this.series.update(samples.map((s) => s.labels));
    this.status.succeed();
    return { ok: true, samples, staleSeries };
  }

  private failure(error: string): RecordingEvaluation {
    this.status.fail(error);
    return { ok: false, error, samples: [], staleSeries: [] };
  }

  lastSeries(): Labels[] {
    return this.series.series();
  }

  toState(): RecordingRuleState {
    return { kind: 'recording', name: this.name, series: this.series.series().map((l) => ({ ...l })) };
  }

  restoreState(state: RecordingRuleState): void {
    this.series.restore(state.series ?? []);
  }

  /** Takes the previous-evaluation series of a rule this one replaces (staleness carries over a reload). */
  adoptSeries(series: readonly Labels[]): void {
    this.series.restore(series);
  }

  copyStateFrom(previous: RecordingRule): void {
    this.series.restore(previous.series.series());
  }
}
