// Prometheus' AlertingRule (rules/alerting.go): the alert state machine driven by one query result
// per evaluation. No I/O: the caller runs the query, writes the returned samples, marks the
// returned stale series, and sends what alertsToSend() hands out.
import type { Alert, AlertState, SerializedAlert } from './alert.ts';
import { cloneAlert, deserializeAlert, RESOLVED_RETENTION_MS, serializeAlert } from './alert.ts';
import { takeAlertsToSend } from './alert-sending.ts';
import { ALERT_NAME_LABEL, buildLabels, labelsKey, METRIC_NAME_LABEL, orderLabels, sortLabels, withoutLabel } from './labels.ts';
import type { Labels } from './labels.ts';
import type { QueryResult } from './query-result.ts';
import type { OutputSample, RuleHealth } from './rule-health.ts';
import { RuleStatus } from './rule-health.ts';
import { SeriesTracker } from './series-staleness.ts';

export const ALERTS_METRIC = 'ALERTS';
export const ALERTS_FOR_STATE_METRIC = 'ALERTS_FOR_STATE';
export const ALERT_STATE_LABEL = 'alertstate';

/** Prometheus' ErrDuplicateAlertLabelSet. */
export const DUPLICATE_ALERT_LABELSET = 'vector contains metrics with the same labelset after applying alert labels';

/** What a label or annotation template sees, as Prometheus' template.AlertTemplateData plus context. */
export interface AlertTemplateData {
  /** The series' labels, __name__ included ($labels). */
  readonly labels: Labels;
  /** The sample value ($value). */
  readonly value: number;
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /** `__alert_<rule name>`, the name Prometheus gives the template (it appears in template errors). */
  readonly templateName: string;
  /** The evaluation time, for template functions that query. */
  readonly evaluationTimeMs: number;
}

/**
 * Expands one template. It must provide $labels, $value, $externalLabels and $externalURL as
 * Prometheus does. A rejection becomes `<error expanding template: message>` in the label or
 * annotation, as in Prometheus: the alert still fires.
 */
export type TemplateExpander = (text: string, data: AlertTemplateData) => Promise<string>;

/** Used when no expander is injected: plain text passes, a template is an expansion error. */
export const plainTextExpander: TemplateExpander = async (text) => {
  if (text.includes('{{')) throw new Error('no template expander configured');
  return text;
};

export interface AlertingRuleDefinitionInput {
  readonly name: string;
  readonly expr: string;
  readonly forMs?: number;
  readonly keepFiringForMs?: number;
  /** Group labels already merged in (rule labels win), as Prometheus' FromMaps(group, rule). */
  readonly labels?: Labels;
  readonly annotations?: Labels;
}

export interface AlertingRuleOptions {
  readonly externalLabels?: Labels;
  readonly externalURL?: string;
  readonly expand?: TemplateExpander;
}

export interface EvaluationOptions {
  /** The group's query_offset: the query ran at ts - queryOffsetMs and samples are written there. */
  readonly queryOffsetMs?: number;
  /** The group's limit; 0 or negative means none. */
  readonly limit?: number;
  /** Wall-clock start of the evaluation (the API's lastEvaluation); defaults to ts. */
  readonly startedAtMs?: number;
}

/**
 * One state change, for the Kafka alerts topic: 'pending' and 'firing' when an alert enters them
 * (a `for: 0` alert goes straight to 'firing'), 'resolved' when a firing alert resolves, 'inactive'
 * when a pending alert disappears or when the limit drops active alerts.
 */
export interface AlertTransition {
  readonly from: AlertState | 'none';
  readonly to: 'pending' | 'firing' | 'resolved' | 'inactive';
  readonly alert: Alert;
}

export interface AlertingEvaluation {
  readonly ok: boolean;
  readonly error?: string;
  /** ALERTS and ALERTS_FOR_STATE samples to write. */
  readonly samples: readonly OutputSample[];
  /** Series written at the previous evaluation and not at this one: write staleness markers for them at ts - queryOffset. */
  readonly staleSeries: readonly Labels[];
  readonly transitions: readonly AlertTransition[];
}

export interface AlertingRuleState {
  readonly kind: 'alerting';
  readonly name: string;
  /** The evaluation time of the last evaluation that produced this state. */
  readonly evaluatedAt?: number;
  readonly alerts: readonly SerializedAlert[];
  /** The series of the last evaluation, so the next owner can mark the ones that disappear stale. */
  readonly series: readonly Labels[];
}

export interface RestoreOptions {
  /**
   * Apply Prometheus' restart semantics (Group.RestoreForState) instead of resuming exactly: time
   * the rule was not evaluated (from evaluatedAt to nowMs) does not count towards `for`, and an
   * alert is never closer than forGracePeriodMs to firing. Without nowMs the state is taken as is,
   * which is right for a handover where the next owner evaluates the next slot.
   */
  readonly nowMs?: number;
  /** Prometheus' --rules.alert.for-grace-period, default 10m. */
  readonly forGracePeriodMs?: number;
  /** Prometheus' --rules.alert.for-outage-tolerance, default 1h: older state is not restored. */
  readonly outageToleranceMs?: number;
}

const STATE_ORDER: Record<AlertState, number> = { inactive: 0, pending: 1, firing: 2 };

export class AlertingRule {
  readonly kind = 'alerting' as const;
  readonly name: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly status = new RuleStatus();
  private readonly externalLabels: Labels;
  private readonly externalURL: string;
  private readonly expand: TemplateExpander;
  private active = new Map<string, Alert>();
  private readonly series = new SeriesTracker();
  private evaluatedAt: number | undefined;

  constructor(def: AlertingRuleDefinitionInput, options: AlertingRuleOptions = {}) {
    this.name = def.name;
    // Prometheus shows its parsed, printed form, which never has surrounding whitespace.
    this.expr = def.expr.trim();
    this.forMs = def.forMs ?? 0;
    this.keepFiringForMs = def.keepFiringForMs ?? 0;
    this.labels = orderLabels(def.labels ?? {});
    this.annotations = orderLabels(def.annotations ?? {});
    this.externalLabels = sortLabels(options.externalLabels ?? {});
    this.externalURL = options.externalURL ?? '';
    this.expand = options.expand ?? plainTextExpander;
  }

  get health(): RuleHealth {
    return this.status.health;
  }

  get lastError(): string | undefined {
    return this.status.lastError;
  }

  private async expandText(text: string, data: AlertTemplateData): Promise<string> {
    try {
      return await this.expand(text, data);
    } catch (err) {
      return `<error expanding template: ${err instanceof Error ? err.message : String(err)}>`;
    }
  }

  /** Processes the result of the rule's query run for evaluation time tsMs. */
  async eval(result: QueryResult, tsMs: number, options: EvaluationOptions = {}): Promise<AlertingEvaluation> {
    this.status.startEvaluation(options.startedAtMs ?? tsMs);
    if (!result.ok) return this.failure(result.error, []);
    const queryOffsetMs = options.queryOffsetMs ?? 0;
    const limit = options.limit ?? 0;

    // Build this evaluation's alerts: labels and annotations templated with the current value.
    const fresh = new Map<string, Alert>();
    const templateName = `__alert_${this.name}`;
    for (const sample of result.vector) {
      const data: AlertTemplateData = {
        labels: sample.labels,
        value: sample.value,
        externalLabels: this.externalLabels,
        externalURL: this.externalURL,
        templateName,
        evaluationTimeMs: tsMs,
      };
      const ruleLabels: Record<string, string> = {};
      for (const [name, text] of Object.entries(this.labels)) ruleLabels[name] = await this.expandText(text, data);
      const annotations: Record<string, string> = {};
      for (const [name, text] of Object.entries(this.annotations)) annotations[name] = await this.expandText(text, data);
      const labels = buildLabels(withoutLabel(sample.labels, METRIC_NAME_LABEL), ruleLabels, { [ALERT_NAME_LABEL]: this.name });
      const key = labelsKey(labels);
      if (fresh.has(key)) return this.failure(DUPLICATE_ALERT_LABELSET, []);
      fresh.set(key, { state: 'pending', labels, annotations: orderLabels(annotations), value: sample.value, activeAt: tsMs });
    }

    const before = new Map([...this.active].map(([key, a]) => [key, { alert: a, state: a.state }] as const));

    for (const [key, a] of fresh) {
      const existing = this.active.get(key);
      if (existing !== undefined && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }

    let numActive = 0;
    const live: Alert[] = [];
    for (const [key, a] of this.active) {
      if (!fresh.has(key)) {
        // Gone from the result. keep_firing_for holds a firing alert for a while.
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringForMs > 0) {
          a.keepFiringSince ??= tsMs;
          if (tsMs - a.keepFiringSince < this.keepFiringForMs) keepFiring = true;
        }
        // Pending alerts go at once; resolved ones stay resolvedRetention, so Alertmanager hears
        // about the resolution even across send failures.
        if (a.state === 'pending' || (a.resolvedAt !== undefined && tsMs - a.resolvedAt > RESOLVED_RETENTION_MS)) {
          this.active.delete(key);
        }
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = tsMs;
        }
        if (!keepFiring) continue;
      } else {
        delete a.keepFiringSince;
      }
      numActive++;

      if (a.state === 'pending' && tsMs - a.activeAt >= this.forMs) {
        a.state = 'firing';
        a.firedAt = tsMs;
      }
      // A longer `for` after a reload (or a restored state) sends a firing alert back to pending.
      if (a.state === 'firing' && tsMs - a.activeAt < this.forMs) {
        a.state = 'pending';
        delete a.firedAt;
        delete a.lastSentAt;
        delete a.keepFiringSince;
      }
      live.push(a);
    }

    if (limit > 0 && numActive > limit) {
      this.active = new Map();
      this.evaluatedAt = tsMs;
      return this.failure(`exceeded limit of ${limit} with ${numActive} alerts`, this.transitions(before));
    }

    const sampleTs = tsMs - queryOffsetMs;
    const samples: OutputSample[] = [];
    for (const a of live) {
      samples.push({ labels: this.seriesLabels(a, ALERTS_METRIC, { [ALERT_STATE_LABEL]: a.state }), value: 1, timestampMs: sampleTs });
      samples.push({ labels: this.seriesLabels(a, ALERTS_FOR_STATE_METRIC, {}), value: Math.floor(a.activeAt / 1000), timestampMs: sampleTs });
    }
    const staleSeries = this.series.update(samples.map((s) => s.labels));
    this.evaluatedAt = tsMs;
    this.status.succeed();
    return { ok: true, samples, staleSeries, transitions: this.transitions(before) };
  }

  // Prometheus builds these from the rule's raw labels, then the alert's: a rule label whose
  // template expanded to "" is absent from the alert, so its raw text shows in the series.
  private seriesLabels(a: Alert, metric: string, extra: Record<string, string>): Labels {
    return buildLabels(this.labels, a.labels, { [METRIC_NAME_LABEL]: metric, [ALERT_NAME_LABEL]: this.name }, extra);
  }

  private failure(error: string, transitions: AlertTransition[]): AlertingEvaluation {
    this.status.fail(error);
    return { ok: false, error, samples: [], staleSeries: [], transitions };
  }

  private transitions(before: Map<string, { alert: Alert; state: AlertState }>): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const [key, prev] of before) {
      if (this.active.get(key) === prev.alert || prev.state === 'inactive') continue;
      // Deleted while pending, or dropped by the limit.
      out.push({ from: prev.state, to: 'inactive', alert: { ...cloneAlert(prev.alert), state: 'inactive' } });
    }
    for (const [key, a] of this.active) {
      const prev = before.get(key);
      if (prev === undefined || prev.alert !== a) {
        out.push({ from: prev?.state ?? 'none', to: a.state === 'firing' ? 'firing' : 'pending', alert: cloneAlert(a) });
      } else if (prev.state !== a.state) {
        out.push({ from: prev.state, to: a.state === 'inactive' ? 'resolved' : a.state, alert: cloneAlert(a) });
      }
    }
    return out;
  }

  /** The highest state of its alerts; 'unknown' before the first evaluation (Prometheus 3). */
  state(): AlertState | 'unknown' {
    if (this.status.lastEvaluationMs === undefined) return 'unknown';
    let max: AlertState = 'inactive';
    for (const a of this.active.values()) if (STATE_ORDER[a.state] > STATE_ORDER[max]) max = a.state;
    return max;
  }

  /** Pending and firing alerts (copies), as the API lists them. */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.resolvedAt === undefined).map(cloneAlert);
  }

  /** Every alert held, resolved ones included (copies). */
  currentAlerts(): Alert[] {
    return [...this.active.values()].map(cloneAlert);
  }

  /**
   * After a successful evaluation: the alerts to send to Alertmanager now, marked as sent
   * (lastSentAt = ts, validUntil = ts + 4 * max(interval, resendDelay)). Copies.
   */
  alertsToSend(tsMs: number, resendDelayMs: number, intervalMs: number): Alert[] {
    return takeAlertsToSend(this.active.values(), tsMs, resendDelayMs, intervalMs);
  }

  /** The series written at the last successful evaluation (all of them go stale if the rule is removed). */
  lastSeries(): Labels[] {
    return this.series.series();
  }

  toState(): AlertingRuleState {
    return {
      kind: 'alerting',
      name: this.name,
      ...(this.evaluatedAt !== undefined && { evaluatedAt: this.evaluatedAt }),
      alerts: [...this.active.values()].map(serializeAlert),
      series: this.series.series().map((l) => ({ ...l })),
    };
  }

  /** Takes over a saved state (from toState, possibly of another replica). Throws AlertStateError on a malformed one. */
  restoreState(state: AlertingRuleState, options: RestoreOptions = {}): void {
    const alerts = (state.alerts ?? []).map((raw, i) => deserializeAlert(raw, `alerts[${i}]`));
    const active = new Map(alerts.map((a) => [labelsKey(a.labels), a]));
    const now = options.nowMs;
    if (now !== undefined && state.evaluatedAt !== undefined) {
      const downAt = state.evaluatedAt;
      if (now - downAt > (options.outageToleranceMs ?? 3_600_000)) active.clear();
      const grace = options.forGracePeriodMs ?? 600_000;
      // As Prometheus, rules whose `for` is shorter than the grace period are not adjusted.
      if (this.forMs >= grace) {
        for (const a of active.values()) {
          if (a.state === 'inactive') continue;
          const remaining = this.forMs - (downAt - a.activeAt);
          if (remaining <= 0) continue; // it was firing: it stays so if still returned
          a.activeAt = remaining < grace ? now + grace - this.forMs : a.activeAt + (now - downAt);
        }
      }
    }
    this.active = active;
    this.series.restore(state.series ?? []);
    this.evaluatedAt = state.evaluatedAt;
  }

  /** Takes the previous-evaluation series of a rule this one replaces (staleness carries over a reload). */
  adoptSeries(series: readonly Labels[]): void {
    this.series.restore(series);
  }

  /** Carries alerts and series over from the same rule before a reload (Group.CopyState). */
  copyStateFrom(previous: AlertingRule): void {
    this.active = new Map([...previous.active].map(([k, a]) => [k, cloneAlert(a)]));
    this.series.restore(previous.series.series());
    this.evaluatedAt = previous.evaluatedAt;
  }
}
