// What every rule reports about its last evaluation, as the rules API shows it.
import type { Labels } from './labels.ts';

export type RuleHealth = 'ok' | 'err' | 'unknown';

/** A sample a rule produces: the caller writes it to the store. */
export interface OutputSample {
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs: number;
}

export class RuleStatus {
  health: RuleHealth = 'unknown';
  lastError: string | undefined;
  /** Wall-clock start of the last evaluation; undefined before the first one. */
  lastEvaluationMs: number | undefined;
  /** How long the last evaluation took (query included): set by whoever timed it. */
  evaluationDurationMs = 0;

  startEvaluation(startedAtMs: number): void {
    this.lastEvaluationMs = startedAtMs;
  }

  succeed(): void {
    this.health = 'ok';
    this.lastError = undefined;
  }

  /** Also for a failed write of the rule's samples, which Prometheus reports the same way. */
  fail(error: string): void {
    this.health = 'err';
    this.lastError = error;
  }
}
