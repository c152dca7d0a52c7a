// A rule group and one evaluation cycle of it, as Prometheus' Group.Eval (rules/group.go): rules
// run in file order, each one's samples written before the next rule queries (so later rules see
// them), alerts sent only after a successful evaluation, series that vanished marked stale. The
// I/O (query, write, notify) and the clock are injected: this module does none itself.
import type { Alert } from './alert.ts';
import { DEFAULT_RESEND_DELAY_MS, toPostableAlerts, validUntil } from './alert-sending.ts';
import type { AlertRelabeler, PostableAlert } from './alert-sending.ts';
import { toAlertRecords } from './alert-record.ts';
import type { AlertRecord } from '../protocol/alert-record.ts';
import { AlertingRule } from './alerting-rule.ts';
import type { AlertingRuleState, AlertTransition, RestoreOptions, TemplateExpander } from './alerting-rule.ts';
import { GroupSchedule } from './group-schedule.ts';
import type { LabelsLayout } from './group-schedule.ts';
import { compareStrings, orderLabels } from './labels.ts';
import type { Labels } from './labels.ts';
import { queryFailure } from './query-result.ts';
import type { QueryResult } from './query-result.ts';
import { RecordingRule } from './recording-rule.ts';
import type { RecordingRuleState } from './recording-rule.ts';
import type { RuleGroupDefinition } from './rule-file.ts';
import type { OutputSample } from './rule-health.ts';

export type Rule = AlertingRule | RecordingRule;

/** Prometheus' global evaluation_interval default. */
export const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;

export interface RuleGroupOptions {
  /** The global evaluation_interval, for groups without their own (default 1m). */
  readonly defaultIntervalMs?: number;
  /** The global rule_query_offset, for groups without their own (default 0). */
  readonly defaultQueryOffsetMs?: number;
  readonly externalLabels?: Labels;
  readonly externalURL?: string;
  readonly expand?: TemplateExpander;
  /** alert_relabel_configs, applied to what is sent and recorded. */
  readonly relabel?: AlertRelabeler;
  /** --rules.alert.resend-delay (default 1m). */
  readonly resendDelayMs?: number;
  /** Which Prometheus the evaluation phase matches (see group-schedule.ts). */
  readonly layout?: LabelsLayout;
  /** The replica that owns the group: shown by the rules API and put in alert records. */
  readonly owner?: string;
}

export interface GroupEvaluationIO {
  /** Runs the instant query (a rejection is the rule's error). */
  query(expr: string, queryTimeMs: number): Promise<QueryResult>;
  /**
   * Writes a rule's samples and staleness markers (StaleNaN at timestampMs) for staleSeries. A
   * rejection makes the rule unhealthy with that error, as a failed append does in Prometheus.
   */
  write(samples: readonly OutputSample[], staleSeries: readonly Labels[], timestampMs: number): Promise<void>;
  /** Sends alerts to Alertmanager (POST /api/v2/alerts with payload). */
  notify?(payload: readonly PostableAlert[], rule: AlertingRule, alerts: readonly Alert[]): Promise<void>;
  /** Wall clock, for lastEvaluation and durations; defaults to the evaluation time (durations 0). */
  now?(): number;
}

export interface RuleEvaluationReport {
  readonly rule: Rule;
  readonly ok: boolean;
  readonly error?: string;
  readonly samples: number;
  readonly transitions: readonly AlertTransition[];
  /** One per transition, for the Kafka alerts topic. */
  readonly records: readonly AlertRecord[];
  readonly sent: readonly Alert[];
  readonly notifyError?: string;
}

export interface GroupEvaluationReport {
  readonly ts: number;
  readonly rules: readonly RuleEvaluationReport[];
  /** prometheus_rule_group_last_evaluation_samples */
  readonly samples: number;
  /** Set when writing the stale markers of rules removed by a reload failed (they are retried next time). */
  readonly staleWriteError?: string;
}

export interface RuleGroupState {
  readonly version: 1;
  readonly file: string;
  readonly name: string;
  readonly lastEvalTimestamp?: number;
  readonly rules: readonly { readonly labels: Labels; readonly state: AlertingRuleState | RecordingRuleState }[];
  /** Series of removed rules not yet marked stale. */
  readonly staleSeries: readonly Labels[];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Prometheus matches rules across reloads by name and labels (nameAndLabels). */
function ruleIdentity(rule: { name: string; labels: Labels }): string {
  return JSON.stringify([rule.name, Object.keys(rule.labels).sort(compareStrings).map((k) => [k, rule.labels[k]])]);
}

export class RuleGroup {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly queryOffsetMs: number;
  readonly limit: number;
  readonly rules: readonly Rule[];
  readonly schedule: GroupSchedule;
  owner: string | undefined;
  /** Wall-clock start of the last evaluation. */
  lastEvaluationMs: number | undefined;
  /** Duration of the last evaluation. */
  evaluationTimeMs = 0;
  /** The evaluation time (slot) of the last evaluation. */
  lastEvalTimestamp: number | undefined;
  private readonly options: RuleGroupOptions;
  private readonly definition: RuleGroupDefinition;
  private pendingStale: Labels[] = [];

  constructor(definition: RuleGroupDefinition, options: RuleGroupOptions = {}) {
    this.definition = definition;
    this.options = options;
    this.name = definition.name;
    this.file = definition.file;
    this.intervalMs = definition.intervalMs ?? options.defaultIntervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS;
    this.queryOffsetMs = definition.queryOffsetMs ?? options.defaultQueryOffsetMs ?? 0;
    this.limit = definition.limit;
    this.owner = options.owner;
    this.schedule = new GroupSchedule({ file: this.file, name: this.name, intervalMs: this.intervalMs, ...(options.layout && { layout: options.layout }) });
    this.rules = definition.rules.map((r): Rule => {
      const labels = orderLabels({ ...definition.labels, ...r.labels });
      if (r.kind === 'recording') return new RecordingRule({ name: r.name, expr: r.expr, labels });
      return new AlertingRule(
        { name: r.name, expr: r.expr, forMs: r.forMs, keepFiringForMs: r.keepFiringForMs, labels, annotations: r.annotations },
        { ...(options.externalLabels && { externalLabels: options.externalLabels }), ...(options.externalURL !== undefined && { externalURL: options.externalURL }), ...(options.expand && { expand: options.expand }) },
      );
    });
  }

  /** Groups are identified by file and name (GroupKey). */
  get key(): string {
    return `${this.file};${this.name}`;
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r.kind === 'alerting');
  }

  /**
   * True when a reload left the group unchanged (Group.Equals): the running group is then kept as
   * it is. Compares what evaluation depends on; expressions as written (we do not normalise PromQL).
   */
  sameDefinitionAs(other: RuleGroup): boolean {
    const describe = (g: RuleGroup) =>
      JSON.stringify([g.name, g.file, g.intervalMs, g.limit, g.definition.queryOffsetMs ?? null, g.queryOffsetMs, g.rules.map((r) => [r.kind, r.name, r.expr, r.labels, r.kind === 'alerting' ? [r.forMs, r.keepFiringForMs, r.annotations] : null])]);
    return describe(this) === describe(other);
  }

  /**
   * Takes over the state of the group this one replaces after a reload (Group.CopyState): rules
   * matched by name and labels (the n-th duplicate with the n-th) keep their alerts and series;
   * the series of old rules without a match are marked stale at the next evaluation.
   */
  copyStateFrom(previous: RuleGroup): void {
    this.evaluationTimeMs = previous.evaluationTimeMs;
    this.lastEvaluationMs = previous.lastEvaluationMs;
    const byIdentity = new Map<string, Rule[]>();
    for (const r of previous.rules) {
      const list = byIdentity.get(ruleIdentity(r)) ?? [];
      list.push(r);
      byIdentity.set(ruleIdentity(r), list);
    }
    for (const rule of this.rules) {
      const old = byIdentity.get(ruleIdentity(rule))?.shift();
      if (old === undefined) continue;
      if (rule.kind === 'alerting' && old.kind === 'alerting') rule.copyStateFrom(old);
      else rule.adoptSeries(old.lastSeries());
    }
    this.pendingStale = [...previous.pendingStale];
    for (const left of byIdentity.values()) for (const r of left) this.pendingStale.push(...r.lastSeries());
  }

  /** Every series the group's rules wrote last: the lead marks them stale when the group is removed. */
  allSeries(): Labels[] {
    return [...this.rules.flatMap((r) => r.lastSeries()), ...this.pendingStale];
  }

  /** One evaluation cycle at evaluation time tsMs (a slot of this.schedule). */
  async evaluate(tsMs: number, io: GroupEvaluationIO): Promise<GroupEvaluationReport> {
    const now = io.now ?? (() => tsMs);
    const start = now();
    const queryTimeMs = tsMs - this.queryOffsetMs;
    const resendDelayMs = this.options.resendDelayMs ?? DEFAULT_RESEND_DELAY_MS;
    const reports: RuleEvaluationReport[] = [];
    let samplesTotal = 0;

    for (const rule of this.rules) {
      const ruleStart = now();
      let result: QueryResult;
      try {
        result = await io.query(rule.expr, queryTimeMs);
      } catch (err) {
        result = queryFailure(message(err));
      }
      const evalOptions = { queryOffsetMs: this.queryOffsetMs, limit: this.limit, startedAtMs: ruleStart };
      let evaluation: { ok: boolean; error?: string; samples: readonly OutputSample[]; staleSeries: readonly Labels[] };
      let transitions: readonly AlertTransition[] = [];
      if (rule.kind === 'alerting') {
        const alerting = await rule.eval(result, tsMs, evalOptions);
        evaluation = alerting;
        transitions = alerting.transitions;
      } else {
        evaluation = rule.eval(result, tsMs, evalOptions);
      }
      let sent: Alert[] = [];
      let notifyError: string | undefined;
      let ok = evaluation.ok;
      let error = evaluation.error;
      if (evaluation.ok) {
        samplesTotal += evaluation.samples.length;
        if (rule.kind === 'alerting') {
          sent = rule.alertsToSend(tsMs, resendDelayMs, this.intervalMs);
          if (sent.length > 0 && io.notify !== undefined) {
            const payload = toPostableAlerts(sent, { expr: rule.expr, ...this.notificationOptions() });
            try {
              await io.notify(payload, rule, sent);
            } catch (err) {
              notifyError = message(err);
            }
          }
        }
        try {
          if (evaluation.samples.length > 0 || evaluation.staleSeries.length > 0) await io.write(evaluation.samples, evaluation.staleSeries, queryTimeMs);
        } catch (err) {
          ok = false;
          error = message(err);
          rule.status.fail(error);
        }
      }
      rule.status.evaluationDurationMs = now() - ruleStart;
      const records =
        rule.kind === 'alerting'
          ? toAlertRecords(transitions, sent, {
              file: this.file,
              group: this.name,
              rule: rule.name,
              expr: rule.expr,
              tsMs,
              validUntilMs: validUntil(tsMs, resendDelayMs, this.intervalMs),
              ...this.notificationOptions(),
              ...(this.owner !== undefined && { owner: this.owner }),
            })
          : [];
      reports.push({
        rule,
        ok,
        ...(error !== undefined && { error }),
        samples: evaluation.samples.length,
        transitions,
        records,
        sent,
        ...(notifyError !== undefined && { notifyError }),
      });
    }

    let staleWriteError: string | undefined;
    if (this.pendingStale.length > 0) {
      try {
        await io.write([], this.pendingStale, queryTimeMs);
        this.pendingStale = [];
      } catch (err) {
        staleWriteError = message(err);
      }
    }
    this.lastEvaluationMs = start;
    this.evaluationTimeMs = now() - start;
    this.lastEvalTimestamp = tsMs;
    return { ts: tsMs, rules: reports, samples: samplesTotal, ...(staleWriteError !== undefined && { staleWriteError }) };
  }

  private notificationOptions(): { externalURL?: string; externalLabels?: Labels; relabel?: AlertRelabeler } {
    const o = this.options;
    return { ...(o.externalURL !== undefined && { externalURL: o.externalURL }), ...(o.externalLabels && { externalLabels: o.externalLabels }), ...(o.relabel && { relabel: o.relabel }) };
  }

  /** The group's evaluation state, JSON-safe, for etcd. */
  toState(): RuleGroupState {
    return {
      version: 1,
      file: this.file,
      name: this.name,
      ...(this.lastEvalTimestamp !== undefined && { lastEvalTimestamp: this.lastEvalTimestamp }),
      rules: this.rules.map((r) => ({ labels: { ...r.labels }, state: r.toState() })),
      staleSeries: this.pendingStale.map((l) => ({ ...l })),
    };
  }

  /**
   * Resumes from a saved state (possibly written by another replica, possibly for an older version
   * of the rule file): rules are matched by name and labels as across a reload, the series of
   * saved rules that no longer exist are marked stale at the next evaluation.
   */
  restoreState(state: RuleGroupState, options: RestoreOptions = {}): void {
    if (state.version !== 1) throw new Error(`rule group ${JSON.stringify(this.name)}: unknown state version ${JSON.stringify(state.version)}`);
    const byIdentity = new Map<string, (typeof state.rules)[number][]>();
    for (const saved of state.rules) {
      const id = ruleIdentity({ name: saved.state.name, labels: saved.labels });
      const list = byIdentity.get(id) ?? [];
      list.push(saved);
      byIdentity.set(id, list);
    }
    for (const rule of this.rules) {
      const saved = byIdentity.get(ruleIdentity(rule))?.shift();
      if (saved === undefined) continue;
      if (rule.kind === 'alerting' && saved.state.kind === 'alerting') rule.restoreState(saved.state, options);
      else rule.adoptSeries(saved.state.series ?? []);
    }
    this.pendingStale = [...(state.staleSeries ?? [])];
    for (const left of byIdentity.values()) for (const saved of left) this.pendingStale.push(...(saved.state.series ?? []));
    this.lastEvalTimestamp = state.lastEvalTimestamp;
  }
}
