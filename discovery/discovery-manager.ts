// Merges what every source reports into one group list per job and hands it on, debounced, like
// Prometheus' discovery manager. The first update waits until every source has reported once, so
// that a leader never writes a target list with a source missing (which would delete its targets).
import type { Logger } from '../core/logger.ts';
import type { TargetGroup } from './target-group.ts';
import type { Discoverer } from './discoverer.ts';

export interface JobDiscovery {
  job: string;
  /** In the order their groups are merged (static, file_sd, http_sd, api). */
  discoverers: Discoverer[];
}

export type GroupsByJob = ReadonlyMap<string, readonly TargetGroup[]>;

export interface DiscoveryManagerOptions {
  jobs: readonly JobDiscovery[];
  /** Updates closer together than this are merged into one. */
  debounceMs: number;
  /** The merged groups, and per job the sources whose etcd targets must be kept (unknown yet). */
  onUpdate: (groups: GroupsByJob, unknownSources: ReadonlyMap<string, readonly string[]>) => void;
  logger: Logger;
}

export class DiscoveryManager {
  private readonly opts: DiscoveryManagerOptions;
  /** Latest groups per job and source; undefined until that source has reported. */
  private readonly latest: (TargetGroup[] | undefined)[][];
  /** Per job and source: source prefixes it could not read yet (see DiscoveryUpdate). */
  private readonly unknown: (readonly string[])[][];
  private waitingFor: number;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private started = false;
  private stopped = false;

  constructor(opts: DiscoveryManagerOptions) {
    this.opts = opts;
    this.latest = opts.jobs.map((j) => j.discoverers.map(() => undefined));
    this.unknown = opts.jobs.map((j) => j.discoverers.map(() => []));
    this.waitingFor = opts.jobs.reduce((n, j) => n + j.discoverers.length, 0);
  }

  /** True once every source has reported at least once. */
  get initialized(): boolean {
    return this.waitingFor === 0;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.waitingFor === 0) this.schedule();
    this.opts.jobs.forEach((job, j) => {
      job.discoverers.forEach((d, k) => {
        d.start((groups, unknownSources) => this.report(j, k, groups, unknownSources ?? []));
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await Promise.all(this.opts.jobs.flatMap((j) => j.discoverers.map((d) => d.stop())));
  }

  /** The merged groups now (also what the last update carried, once it has fired). */
  current(): Map<string, TargetGroup[]> {
    const out = new Map<string, TargetGroup[]>();
    this.opts.jobs.forEach((job, j) => {
      const merged: TargetGroup[] = [];
      for (const groups of this.latest[j] ?? []) if (groups !== undefined) merged.push(...groups);
      out.set(job.job, merged);
    });
    return out;
  }

  /** Per job, the source prefixes whose targets in etcd must be kept as they are. */
  unknownSources(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    this.opts.jobs.forEach((job, j) => {
      const list = (this.unknown[j] ?? []).flat();
      if (list.length > 0) out.set(job.job, list);
    });
    return out;
  }

  private report(j: number, k: number, groups: TargetGroup[], unknownSources: readonly string[]): void {
    if (this.stopped) return;
    (this.unknown[j] as (readonly string[])[])[k] = unknownSources;
    const row = this.latest[j] as (TargetGroup[] | undefined)[];
    if (row[k] === undefined) {
      this.waitingFor--;
      if (this.waitingFor === 0) this.opts.logger.info({ jobs: this.opts.jobs.length }, 'every target source has reported');
    }
    row[k] = groups;
    this.schedule();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.waitingFor > 0 || this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => this.flush(), this.opts.debounceMs);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.dirty || this.stopped) return;
    this.dirty = false;
    this.opts.onUpdate(this.current(), this.unknownSources());
  }
}
