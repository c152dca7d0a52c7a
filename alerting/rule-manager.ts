// The rule manager (Prometheus' rules.Manager): loads the rule files, keeps one RuleGroup per
// group, and runs a GroupLoop for each group this replica owns. Ownership comes from the ring of
// alerting replicas (cluster/), the same announced-handoff discipline as scrape targets: for a
// slot at time t every replica uses the members active at t, so a join or graceful leave moves a
// group at one slot, evaluated by exactly one of the two. A reload that fails keeps the old rules.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MemberRecord } from '../cluster/cluster-state.ts';
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';
import { TargetAssigner } from '../cluster/target-assigner.ts';
import type { Logger } from '../core/logger.ts';
import { expandFilePatterns } from '../discovery/file-sd.ts';
import { ALERT_TEMPLATE_PREAMBLE, Expander, expandAlertTemplate } from '../template/prometheus-functions.ts';
import type { AlertStateStore } from './alert-state-store.ts';
import type { AlertingMetrics } from './alerting-metrics.ts';
import type { AlertRelabeler } from './alert-sending.ts';
import type { TemplateExpander } from './alerting-rule.ts';
import { GroupLoop } from './group-loop.ts';
import { loadRuleFiles } from './rule-file.ts';
import { RuleGroup, type GroupEvaluationIO, type GroupEvaluationReport, type RuleGroupState } from './rule-group.ts';

export interface RuleManagerOptions {
  nodeId: string;
  ruleFiles: readonly string[];
  /** Relative rule file paths are resolved against this directory (the config file's). */
  baseDir: string;
  defaultIntervalMs: number;
  defaultQueryOffsetMs: number;
  externalLabels: Record<string, string>;
  externalURL: string;
  resendDelayMs: number;
  relabel?: AlertRelabeler;
  /** Queries and notifications; writes go through writeSamples, which knows the group. */
  io: Omit<GroupEvaluationIO, 'write'>;
  /** Writes a rule's samples and staleness markers, keyed by the group (one Kafka key per group). */
  writeSamples: (groupKey: string, ...args: Parameters<GroupEvaluationIO['write']>) => Promise<void>;
  afterEvaluation: (group: RuleGroup, report: GroupEvaluationReport) => Promise<void>;
  stateStore?: AlertStateStore<RuleGroupState>;
  metrics: AlertingMetrics;
  logger: Logger;
}

export class RuleManager {
  readonly #opts: RuleManagerOptions;
  readonly #logger: Logger;
  readonly #assigner: TargetAssigner;
  #groups = new Map<string, RuleGroup>();
  readonly #loops = new Map<string, GroupLoop>();
  #members: readonly MemberRecord[] | undefined;
  #boundaryTimer: NodeJS.Timeout | undefined;
  #expand: TemplateExpander;

  constructor(opts: RuleManagerOptions) {
    this.#opts = opts;
    this.#logger = opts.logger.child({ component: 'rule-manager' });
    this.#assigner = new TargetAssigner(opts.nodeId, () => new BoundedLoadRendezvous());
    this.#expand = (text, data) =>
      expandAlertTemplate(data.templateName, text, {
        labels: { ...data.labels },
        externalLabels: { ...data.externalLabels },
        externalURL: data.externalURL,
        value: data.value,
        // `query` in templates runs against the same store at the evaluation's time.
        query: async (q: string) => {
          const result = await opts.io.query(q, data.evaluationTimeMs);
          if (!result.ok) throw new Error(result.error);
          return result.vector.map((s) => ({ labels: { ...s.labels }, value: s.value }));
        },
      });
  }

  /** Every group loaded, whether this replica owns it or not. */
  get groups(): readonly RuleGroup[] {
    return [...this.#groups.values()];
  }

  /** The groups this replica evaluates now. */
  ownedGroups(): RuleGroup[] {
    return [...this.#loops.values()].filter((l) => !l.ended).map((l) => l.group);
  }

  /**
   * (Re)loads the rule files. On any error the old groups stay and the error (naming file, group,
   * rule and reason) is thrown. Groups kept across a reload keep their alerts (copyStateFrom).
   */
  async load(): Promise<{ groups: number; rules: number }> {
    const paths = await expandFilePatterns(this.#opts.ruleFiles.map((f) => resolve(this.#opts.baseDir, f)));
    const files = await Promise.all(paths.map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
    const definitions = loadRuleFiles(files, {
      validateTemplate: (text, name) => {
        try {
          new Expander(ALERT_TEMPLATE_PREAMBLE + text, name, {}).parseTest();
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      },
    });
    const next = new Map<string, RuleGroup>();
    for (const def of definitions) {
      const group = new RuleGroup(def, {
        defaultIntervalMs: this.#opts.defaultIntervalMs,
        defaultQueryOffsetMs: this.#opts.defaultQueryOffsetMs,
        externalLabels: this.#opts.externalLabels,
        externalURL: this.#opts.externalURL,
        expand: this.#expand,
        resendDelayMs: this.#opts.resendDelayMs,
        owner: this.#opts.nodeId,
        ...(this.#opts.relabel !== undefined && { relabel: this.#opts.relabel }),
      });
      const old = this.#groups.get(group.key);
      if (old !== undefined) group.copyStateFrom(old);
      next.set(group.key, group);
    }
    // Loops of groups that changed or went away end here; reconcile() starts the new ones.
    const stopping: Promise<void>[] = [];
    for (const [key, loop] of this.#loops) {
      const replacement = next.get(key);
      if (replacement === undefined || replacement !== this.#groups.get(key)) {
        this.#loops.delete(key);
        stopping.push(loop.stop());
      }
    }
    await Promise.all(stopping);
    this.#groups = next;
    this.#opts.metrics.groupsKnown.set(next.size);
    this.reconcile();
    const rules = definitions.reduce((n, g) => n + g.rules.length, 0);
    this.#logger.info({ files: paths.length, groups: next.size, rules }, 'rule files loaded');
    return { groups: next.size, rules };
  }

  /** The ring changed (or there is none: undefined owns everything). */
  setMembers(members: readonly MemberRecord[] | undefined): void {
    this.#members = members;
    this.reconcile();
  }

  /** Starts, moves and ends loops so that they match who owns which group now and at the next boundary. */
  reconcile(): void {
    if (this.#boundaryTimer !== undefined) clearTimeout(this.#boundaryTimer);
    this.#boundaryTimer = undefined;
    const keys = [...this.#groups.keys()];
    let windows: Map<string, { fromMs: number; untilMs: number }>;
    if (this.#members === undefined) {
      windows = new Map(keys.map((k) => [k, { fromMs: Number.NEGATIVE_INFINITY, untilMs: Number.POSITIVE_INFINITY }]));
    } else {
      const now = Date.now();
      const plan = this.#assigner.plan(this.#members, keys, now);
      windows = plan.windows;
      this.#opts.metrics.membersSeen.set(plan.membersNow.length);
      if (plan.nextBoundaryMs !== undefined) {
        // Recompute once the announced change is in force, so later boundaries are seen too.
        this.#boundaryTimer = setTimeout(() => this.reconcile(), Math.max(0, plan.nextBoundaryMs - now) + 10);
        this.#boundaryTimer.unref();
      }
    }
    for (const [key, loop] of this.#loops) {
      const w = windows.get(key);
      if (w === undefined) {
        // Not ours now nor at the next boundary: a crash of the ring view or a target-list change.
        this.#loops.delete(key);
        void loop.stop();
      } else if (!loop.ended) {
        loop.setWindow(w.fromMs, w.untilMs);
      }
    }
    for (const [key, w] of windows) {
      const existing = this.#loops.get(key);
      if (existing !== undefined && !existing.ended) continue;
      const group = this.#groups.get(key);
      if (group === undefined) continue;
      this.#opts.stateStore?.forget(key);
      const loop = new GroupLoop({
        group,
        io: { ...this.#opts.io, write: (...args) => this.#opts.writeSamples(key, ...args) },
        afterEvaluation: (report) => this.#opts.afterEvaluation(group, report),
        ...(this.#opts.stateStore !== undefined && { stateStore: this.#opts.stateStore }),
        metrics: this.#opts.metrics,
        logger: this.#opts.logger,
      });
      this.#loops.set(key, loop);
      loop.setWindow(w.fromMs, w.untilMs, () => {
        if (this.#loops.get(key) === loop) this.#loops.delete(key);
        this.#updateGauges();
      });
    }
    this.#updateGauges();
  }

  #updateGauges(): void {
    this.#opts.metrics.groupsOwned.set(this.ownedGroups().length);
    const counts = { pending: 0, firing: 0 };
    for (const g of this.ownedGroups()) for (const r of g.alertingRules()) for (const a of r.activeAlerts()) if (a.state !== 'inactive') counts[a.state]++;
    this.#opts.metrics.alerts.set({ state: 'pending' }, counts.pending);
    this.#opts.metrics.alerts.set({ state: 'firing' }, counts.firing);
  }

  /** Whether every loop has ended (after a graceful leave). */
  allEnded(): boolean {
    return [...this.#loops.values()].every((l) => l.ended);
  }

  async stop(): Promise<void> {
    if (this.#boundaryTimer !== undefined) clearTimeout(this.#boundaryTimer);
    await Promise.all([...this.#loops.values()].map((l) => l.stop()));
    this.#loops.clear();
  }
}
