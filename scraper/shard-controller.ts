// Glue between the fleet's state and this node's scrape loops: on every change of the view (and
// at every announced boundary) it plans which targets this node scrapes over which ticks and sets
// the loops' windows accordingly.
import type { TargetRecord } from '../cluster/cluster-state.ts';
import type { Logger } from '../core/logger.ts';
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { ScrapeLoops } from './scrape-workers.ts';
import type { ScraperMetrics } from './scraper-metrics.ts';
import type { TargetAssigner } from '../cluster/target-assigner.ts';

export interface ShardControllerOptions {
  view: ClusterView;
  assigner: TargetAssigner;
  /** A ScrapeManager, or the scrape workers' facade with its API. */
  manager: ScrapeLoops;
  metrics: ScraperMetrics;
  logger: Logger;
}

export class ShardController {
  private readonly opts: ShardControllerOptions;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  /** The target and job records each running loop was started from, to notice changed settings. */
  private readonly running = new Map<string, string>();
  private stopped = false;

  constructor(opts: ShardControllerOptions) {
    this.opts = opts;
    this.logger = opts.logger.child({ component: 'shard-controller' });
    opts.view.on('change', () => this.reconcile());
  }

  /** Plans and applies now; called on every view change and at every announced boundary. */
  reconcile(): void {
    if (this.stopped) return;
    const { view, assigner, manager, metrics } = this.opts;
    const now = Date.now();
    const members = [...view.members.values()];
    const plan = assigner.plan(members, [...view.targets.keys()], now, view.upcomingTargets(now));
    metrics.membersSeen.set(plan.membersNow.length);
    metrics.ringRevision.set(view.revision);
    metrics.targetsKnown.set(view.targets.size);

    for (const [id, w] of plan.windows) {
      const target = view.targets.get(id) as TargetRecord | undefined;
      if (target === undefined) continue; // an invalid record (logged by the view): nothing to scrape
      // A loop runs on its target record and its job's record (relabeling, limits, auth, TLS...):
      // a change to either restarts it, as Prometheus' scrapePool.reload does.
      const encoded = `${JSON.stringify(target)}\n${JSON.stringify(view.jobs.get(target.job) ?? null)}`;
      const previous = this.running.get(id);
      if (previous !== undefined && previous !== encoded && manager.get(id) !== undefined) {
        // Same identity, new settings: the old loop ends before its next tick, the new loop takes
        // that tick (or realigns to a new interval's grid); no staleness markers, no gap, no double.
        if (manager.reload(target, w.fromMs, w.untilMs)) {
          this.running.set(id, encoded);
          continue;
        }
        // Unusable new settings: the loop keeps its old ones (and its window follows the plan).
        manager.scrapeWindow(target, w.fromMs, w.untilMs);
        continue;
      }
      if (manager.get(id) === undefined && w.fromMs > now) {
        metrics.handoffs.inc({ direction: 'in' });
        this.logger.info({ target: target.url, job: target.job, fromMs: w.fromMs }, 'taking over at the next boundary');
      }
      this.running.set(id, encoded);
      manager.scrapeWindow(target, w.fromMs, w.untilMs);
    }
    for (const loop of manager.all()) {
      const id = loop.target.id;
      if (plan.windows.has(id)) continue;
      this.running.delete(id);
      const removed = !view.targets.has(id);
      // Gone from the target list: end its series. Owned by someone else now: hand over silently.
      void manager.stop(id, { staleMarkers: removed });
      if (!removed) metrics.handoffs.inc({ direction: 'out' });
      this.logger.info({ target: loop.target.url, job: loop.target.job, reason: removed ? 'removed from target list' : 'owned by another member' }, 'stopped scraping');
    }
    for (const id of [...this.running.keys()]) if (!plan.windows.has(id)) this.running.delete(id);

    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (plan.nextBoundaryMs !== undefined) {
      // Re-plan just after the boundary, for the boundary after it.
      this.timer = setTimeout(() => this.reconcile(), Math.max(0, plan.nextBoundaryMs - Date.now() + 1));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
