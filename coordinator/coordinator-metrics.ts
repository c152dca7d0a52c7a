// The coordinator's own /metrics.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { sourceMechanism } from '../discovery/discoverer.ts';
import type { TargetList } from './target-list.ts';

export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly isLeader = new Gauge({ name: 'ringwatch_coordinator_is_leader', help: '1 while this coordinator is the leader (writes the target list).', registers: [this.registry] });
  readonly targets = new Gauge({
    name: 'ringwatch_coordinator_targets',
    help: 'Targets in the target list by job and discovery mechanism (static, file_sd, http_sd, api).',
    labelNames: ['job', 'source'],
    registers: [this.registry],
  });
  readonly droppedTargets = new Gauge({ name: 'ringwatch_coordinator_dropped_targets', help: 'Discovered targets dropped by relabeling, by job.', labelNames: ['job'], registers: [this.registry] });
  readonly invalidTargets = new Gauge({ name: 'ringwatch_coordinator_invalid_targets', help: 'Discovered targets that could not be built (bad address, scheme...), by job.', labelNames: ['job'], registers: [this.registry] });
  readonly discoveryErrors = new Counter({
    name: 'ringwatch_coordinator_discovery_errors_total',
    help: 'Failed reads or refreshes of a target source (the last good targets are kept).',
    labelNames: ['mechanism'],
    registers: [this.registry],
  });
  readonly targetLimitExceeded = new Counter({
    name: 'ringwatch_coordinator_target_limit_exceeded_total',
    help: 'Target list builds in which a job exceeded its target_limit (it then gets no targets).',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly writes = new Counter({
    name: 'ringwatch_coordinator_target_list_writes_total',
    help: 'Keys written to the target list in etcd (op="put" or "delete").',
    labelNames: ['op'],
    registers: [this.registry],
  });
  readonly syncErrors = new Counter({ name: 'ringwatch_coordinator_target_list_sync_errors_total', help: 'Failed attempts to write the target list (retried).', registers: [this.registry] });
  readonly lastSync = new Gauge({
    name: 'ringwatch_coordinator_last_sync_timestamp_seconds',
    help: 'When the leader last made etcd hold the current target list.',
    registers: [this.registry],
  });
  readonly registrations = new Counter({
    name: 'ringwatch_coordinator_api_target_changes_total',
    help: 'Targets registered or removed through the API.',
    labelNames: ['op'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const mechanism of ['static', 'file_sd', 'http_sd', 'api']) this.discoveryErrors.inc({ mechanism }, 0);
    for (const op of ['put', 'delete']) this.writes.inc({ op }, 0);
  }

  /** Gauges from a freshly built list; counts the jobs over their target_limit. */
  observeTargetList(list: TargetList): void {
    this.targets.reset();
    this.droppedTargets.reset();
    this.invalidTargets.reset();
    for (const job of list.perJob) {
      const bySource = new Map<string, number>();
      for (const t of job.targets) {
        const mechanism = sourceMechanism(t.source);
        bySource.set(mechanism, (bySource.get(mechanism) ?? 0) + 1);
      }
      for (const [source, n] of bySource) this.targets.set({ job: job.job, source }, n);
      this.droppedTargets.set({ job: job.job }, job.dropped.length);
      this.invalidTargets.set({ job: job.job }, job.invalid.length);
      if (job.limitError !== undefined) this.targetLimitExceeded.inc({ job: job.job });
    }
  }
}
