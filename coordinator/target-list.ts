// Discovered groups -> the target list the fleet scrapes: per job, Prometheus' target building
// (relabel_configs, PopulateLabels), then target_limit; plus one JobRecord per job so scrapers can
// rebuild the job's options. Also the diff between two lists as etcd key operations. Pure.
import { encodeRecord, KEYS, type JobRecord, type TargetRecord } from '../cluster/cluster-state.ts';
import { encodeTarget } from '../cluster/target-record-codec.ts';
import { formatDuration } from '../core/duration.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { buildTargets } from '../discovery/target-builder.ts';
import type { TargetGroup } from '../discovery/target-group.ts';

export interface JobDefinition {
  options: JobScrapeOptions;
  record: JobRecord;
}

/** Discovery sections are the coordinator's business; scrapers only need the scrape options. */
const DISCOVERY_KEYS = new Set(['static_configs', 'file_sd_configs', 'http_sd_configs']);

/** The job's scrape_config as written, without discovery, with interval and timeout made explicit. */
export function jobRecord(raw: Record<string, unknown>, options: JobScrapeOptions): JobRecord {
  const scrapeConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!DISCOVERY_KEYS.has(k)) scrapeConfig[k] = v;
  scrapeConfig.scrape_interval = formatDuration(options.intervalMs);
  scrapeConfig.scrape_timeout = formatDuration(options.timeoutMs);
  return { scrapeConfig };
}

export interface JobTargets {
  job: string;
  /** What goes to etcd: empty when target_limit is exceeded. */
  targets: TargetRecord[];
  /** Dropped by relabeling: their discovered labels. */
  dropped: Record<string, string>[];
  /** Could not be built (bad address, scheme, interval...), with why. */
  invalid: { discoveredLabels: Record<string, string>; error: string }[];
  /** Set when the job has more targets than target_limit: it then gets none. */
  limitError?: string;
  /** The targets the job would have had, when target_limit withheld them. */
  withheld: TargetRecord[];
}

export interface TargetList {
  /** Target id -> record, over every job. */
  targets: Map<string, TargetRecord>;
  jobs: Map<string, JobRecord>;
  perJob: JobTargets[];
}

export function buildTargetList(jobs: readonly JobDefinition[], groupsByJob: ReadonlyMap<string, readonly TargetGroup[]>): TargetList {
  const list: TargetList = { targets: new Map(), jobs: new Map(), perJob: [] };
  for (const job of jobs) {
    const name = job.options.jobName;
    list.jobs.set(name, job.record);
    const built = buildJobTargets(job.options, groupsByJob.get(name) ?? []);
    list.perJob.push(built);
    for (const t of built.targets) list.targets.set(t.id, t);
  }
  return list;
}

export function buildJobTargets(options: JobScrapeOptions, groups: readonly TargetGroup[]): JobTargets {
  const out: JobTargets = { job: options.jobName, targets: [], dropped: [], invalid: [], withheld: [] };
  const seen = new Set<string>();
  // Group by group, so each target carries the source it came from (the first one, if several).
  for (const group of groups) {
    const built = buildTargets(options, [group]);
    out.dropped.push(...built.dropped);
    out.invalid.push(...built.errors);
    for (const t of built.targets) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      out.targets.push({ ...t, source: group.source });
    }
  }
  // Prometheus' target_limit: over the limit, the whole job is withheld rather than a random part.
  if (options.targetLimit > 0 && out.targets.length > options.targetLimit) {
    out.limitError = `target_limit exceeded (number of targets: ${out.targets.length}, limit: ${options.targetLimit})`;
    out.withheld = out.targets;
    out.targets = [];
  }
  return out;
}

/** The list as etcd keys and encoded values (<prefix>targets/<id> in the compact form, <prefix>jobs/<name>). */
export function targetListKeys(list: TargetList, prefix: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [name, record] of list.jobs) keys.set(prefix + KEYS.jobs + name, encodeRecord(record));
  for (const [id, record] of list.targets) keys.set(prefix + KEYS.targets + id, encodeTarget(record));
  return keys;
}

export type KeyOperation = { type: 'put'; key: string; value: string } | { type: 'delete'; key: string };

/**
 * The operations that turn `current` into `desired`, in an order that never leaves a target
 * without its job record: job puts, then target puts and deletes, then job deletes.
 */
/** Keys etcd holds that are not desired but must stay (targets of a source not read yet). */
export type KeepExisting = (key: string, value: string) => boolean;

export function diffKeys(current: ReadonlyMap<string, string>, desired: ReadonlyMap<string, string>, prefix: string, keep?: KeepExisting): KeyOperation[] {
  const jobsPrefix = prefix + KEYS.jobs;
  const jobPuts: KeyOperation[] = [];
  const targetOps: KeyOperation[] = [];
  const jobDeletes: KeyOperation[] = [];
  for (const [key, value] of desired) {
    if (current.get(key) === value) continue;
    (key.startsWith(jobsPrefix) ? jobPuts : targetOps).push({ type: 'put', key, value });
  }
  for (const [key, value] of current) {
    if (desired.has(key) || keep?.(key, value) === true) continue;
    (key.startsWith(jobsPrefix) ? jobDeletes : targetOps).push({ type: 'delete', key });
  }
  return [...jobPuts, ...targetOps, ...jobDeletes];
}

/** Consecutive slices of at most `size` (etcd limits operations per transaction, 128 by default). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Keeps the etcd targets of sources that have not been read yet (DiscoveryManager.unknownSources):
 * their `source` is `<source prefix>:<group index>` and their job is the source's job.
 */
export function keepUnknownSources(unknown: ReadonlyMap<string, readonly string[]>, prefix: string): KeepExisting | undefined {
  if (unknown.size === 0) return undefined;
  const targetsPrefix = prefix + KEYS.targets;
  return (key, value) => {
    if (!key.startsWith(targetsPrefix)) return false;
    try {
      // Plain records name them job and source, compact ones (target-record-codec.ts) j and s.
      const record = JSON.parse(value) as { job?: unknown; source?: unknown; j?: unknown; s?: unknown };
      const job = record.job ?? record.j;
      const source = record.source ?? record.s;
      const sources = typeof job === 'string' ? unknown.get(job) : undefined;
      return sources !== undefined && typeof source === 'string' && sources.some((s) => source.startsWith(`${s}:`));
    } catch {
      return false;
    }
  };
}
