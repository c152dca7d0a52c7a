// One rule group's evaluation loop on this replica (Prometheus' rules.Group.run): evaluations on
// the group's own phase-aligned slots, inside the window this replica owns the group for. A
// handoff ends the old owner's window at the slot where the new owner's begins, so each slot is
// evaluated by exactly one replica. Before its first evaluation the loop reads the group's alert
// state from etcd (written by whoever evaluated it last), so `for` progress survives restarts
// and moves; after every evaluation that changed something it writes the state back.
import type { Logger } from '../core/logger.ts';
import type { AlertStateStore } from './alert-state-store.ts';
import type { AlertingMetrics } from './alerting-metrics.ts';
import type { GroupEvaluationIO, RuleGroup, RuleGroupState } from './rule-group.ts';

export interface GroupLoopOptions {
  group: RuleGroup;
  io: GroupEvaluationIO;
  /** Called with the records of an evaluation's alert transitions and re-sends. */
  afterEvaluation: (report: Awaited<ReturnType<RuleGroup['evaluate']>>) => Promise<void>;
  stateStore?: AlertStateStore<RuleGroupState>;
  metrics: AlertingMetrics;
  logger: Logger;
}

export class GroupLoop {
  readonly group: RuleGroup;
  #fromMs = Number.NEGATIVE_INFINITY;
  #untilMs = Number.POSITIVE_INFINITY;
  readonly #opts: GroupLoopOptions;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastTs: number | undefined;
  #stateLoaded = false;
  #stopped = false;
  /** Resolves when the loop ended because its window closed. */
  #onEnded: (() => void) | undefined;

  constructor(opts: GroupLoopOptions) {
    this.#opts = opts;
    this.group = opts.group;
    this.#logger = opts.logger.child({ group: opts.group.name, file: opts.group.file });
  }

  get ended(): boolean {
    return this.#stopped;
  }

  /** Evaluates the slots in [fromMs, untilMs); a later call moves the window (a handoff). */
  setWindow(fromMs: number, untilMs: number, onEnded?: () => void): void {
    if (this.#stopped) return;
    this.#fromMs = fromMs;
    this.#untilMs = untilMs;
    if (onEnded !== undefined) this.#onEnded = onEnded;
    if (this.#running === undefined) this.#schedule();
  }

  /** Stops after the evaluation in flight, if any. The state in etcd stays for the next owner. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Resolves once no evaluation is in flight. */
  async idle(): Promise<void> {
    await this.#running;
  }

  #nextSlot(now: number): number {
    const schedule = this.group.schedule;
    let ts = this.#lastTs === undefined ? schedule.evalTimestamp(now) : schedule.next(this.#lastTs, now).ts;
    if (this.#lastTs === undefined && ts < now) ts += this.group.intervalMs;
    if (ts < this.#fromMs) ts = schedule.evalTimestamp(this.#fromMs) + (schedule.evalTimestamp(this.#fromMs) < this.#fromMs ? this.group.intervalMs : 0);
    return ts;
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const now = Date.now();
    const ts = this.#nextSlot(now);
    if (ts >= this.#untilMs) {
      this.#end();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#tick(ts).finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, Math.max(0, ts - now));
  }

  #end(): void {
    this.#stopped = true;
    this.#logger.info({ untilMs: this.#untilMs }, 'rule group handed over');
    this.#onEnded?.();
  }

  async #tick(ts: number): Promise<void> {
    if (this.#stopped || ts >= this.#untilMs) return;
    const m = this.#opts.metrics;
    const label = { rule_group: this.group.key };
    if (!this.#stateLoaded) await this.#loadState();
    if (this.#lastTs !== undefined) {
      const missed = Math.max(0, Math.round((ts - this.#lastTs) / this.group.intervalMs) - 1);
      if (missed > 0) {
        m.groupIterationsMissed.inc(label, missed);
        m.groupIterations.inc(label, missed);
        this.#logger.warn({ missed }, 'rule group evaluation missed slots');
      }
    }
    this.#lastTs = ts;
    m.groupIterations.inc(label);
    const began = performance.now();
    const report = await this.group.evaluate(ts, this.#opts.io);
    const seconds = (performance.now() - began) / 1000;
    m.groupDuration.observe(seconds);
    m.groupLastDuration.set(label, seconds);
    m.groupLastEvaluation.set(label, ts / 1000);
    m.groupRules.set(label, this.group.rules.length);
    for (const r of report.rules) {
      m.evaluations.inc(label);
      if (!r.ok) m.evaluationFailures.inc(label);
    }
    this.#logger.debug({ ts, seconds, rules: report.rules.length }, 'rule group evaluated');
    try {
      await this.#opts.afterEvaluation(report);
    } catch (err) {
      this.#logger.error({ err: (err as Error).message }, 'publishing the evaluation results failed');
    }
    await this.#opts.stateStore?.save(this.group.key, this.group.file, this.group.name, this.group.toState());
  }

  async #loadState(): Promise<void> {
    this.#stateLoaded = true;
    const store = this.#opts.stateStore;
    if (store === undefined) return;
    try {
      const stored = await store.load(this.group.key);
      if (stored === undefined) return;
      this.group.restoreState(stored.state);
      if (stored.state.lastEvalTimestamp !== undefined) this.#lastTs = stored.state.lastEvalTimestamp;
      this.#logger.info({ savedAt: new Date(stored.savedAt).toISOString(), alerts: this.group.alertingRules().reduce((n, r) => n + r.activeAlerts().length, 0) }, 'restored alert state');
    } catch (err) {
      // Without the state the group starts fresh, as a Prometheus restart without for-state would.
      this.#logger.error({ err: (err as Error).message }, 'reading alert state failed: starting fresh');
    }
  }
}
