// The dispatcher (dispatch.go): routes every alert update to the aggregation groups of the routes
// it matches, creating groups as needed, and drops groups once they are empty. A configuration
// reload replaces every group (as Alertmanager rebuilds its dispatcher), re-inserting the stored
// alerts; Kafka obligations still waiting move to the new groups.
import type { Logger } from '../core/logger.ts';
import { AggregationGroup, type FlushOutcome } from './aggregation-group.ts';
import type { Alert } from './alert.ts';
import type { LoadedAlertmanagerConfig } from './alertmanager-file.ts';
import type { NotificationPipeline } from './notification-pipeline.ts';
import { Obligation } from './obligation.ts';
import { groupFingerprint, groupKey, groupLabels, matchRoutes, type Route } from './route.ts';

export class Dispatcher {
  #config: LoadedAlertmanagerConfig;
  /** route id → group fingerprint → group */
  #groups = new Map<string, Map<string, AggregationGroup>>();
  readonly #pipeline: NotificationPipeline;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(config: LoadedAlertmanagerConfig, pipeline: NotificationPipeline, logger: Logger, now: () => number = Date.now) {
    this.#config = config;
    this.#pipeline = pipeline;
    this.#logger = logger;
    this.#now = now;
  }

  get config(): LoadedAlertmanagerConfig {
    return this.#config;
  }

  /** dispatch.processAlert for every route the alert takes. */
  insert(alert: Alert, obligation?: Obligation): void {
    for (const route of matchRoutes(this.#config.route, alert.labels)) this.#groupFor(route, alert).insert(alert, obligation);
  }

  /** The receivers (route receivers) an alert goes to, for the API. */
  receiversOf(alert: Alert): string[] {
    return [...new Set(matchRoutes(this.#config.route, alert.labels).map((r) => r.opts.receiver))];
  }

  groups(): AggregationGroup[] {
    const out: AggregationGroup[] = [];
    for (const byFp of this.#groups.values()) out.push(...byFp.values());
    return out;
  }

  get groupCount(): number {
    let n = 0;
    for (const byFp of this.#groups.values()) n += byFp.size;
    return n;
  }

  /** Swaps in a new configuration: every group is rebuilt from `alerts`. */
  reload(config: LoadedAlertmanagerConfig, alerts: readonly Alert[]): void {
    const waiting: (() => void)[] = [];
    for (const g of this.groups()) waiting.push(...g.stop());
    this.#groups = new Map();
    this.#config = config;
    // One obligation for the moved shares: settled when every new group that takes an alert is.
    const moved = new Obligation(() => {
      for (const release of waiting) release();
    });
    for (const a of alerts) this.insert(a, waiting.length > 0 ? moved : undefined);
    moved.seal();
  }

  /** Stops every group; the obligations they hold stay unsettled (their records will be replayed). */
  stop(): void {
    for (const g of this.groups()) g.stop();
    this.#groups.clear();
  }

  #groupFor(route: Route, alert: Alert): AggregationGroup {
    let byFp = this.#groups.get(route.id);
    if (byFp === undefined) {
      byFp = new Map();
      this.#groups.set(route.id, byFp);
    }
    const fp = groupFingerprint(route, alert.labels);
    let group = byFp.get(fp);
    if (group === undefined) {
      const key = groupKey(route, alert.labels);
      const labels = groupLabels(route, alert.labels);
      const config = this.#config;
      const owner = byFp;
      group = new AggregationGroup(
        route,
        key,
        labels,
        (g, snapshot): Promise<FlushOutcome> => this.#pipeline.flush({ config, route: g.route, groupKey: g.groupKey, groupLabels: g.labels, alerts: snapshot }),
        (g) => {
          if (owner.get(fp) === g) owner.delete(fp);
        },
        this.#now,
      );
      byFp.set(fp, group);
      this.#logger.debug({ groupKey: key }, 'aggregation group created');
    }
    return group;
  }
}
