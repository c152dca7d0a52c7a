// Targets registered through the API or CLI: RegisteredTarget records under <prefix>registered/,
// loaded once and then followed with a watch, so every coordinator sees the same ones and they
// survive restarts. One watcher serves every job; forJob() is that job's Discoverer.
import type { Etcd3 } from 'etcd3';
import { decodeRegistered, KEYS, type RegisteredTarget } from '../cluster/cluster-state.ts';
import { PrefixFollower } from '../cluster/etcd-state-client.ts';
import type { Logger } from '../core/logger.ts';
import type { TargetGroup } from './target-group.ts';
import { sourceMechanism, type Discoverer, type DiscoveryEvents } from './discoverer.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import type { GoRegexp } from '../model/go-regexp.ts';

/** A target list record that came from an API registration (its job's credentials are withheld unless the job opts in). */
export function isRegisteredSource(source: string | undefined): boolean {
  return source !== undefined && sourceMechanism(source) === 'api';
}

/**
 * What registrations may ask for (coordinator `api.registration`). A registered target comes from
 * whoever holds the API token, not from the operator's files, so its interval, job and address
 * are bounded here; the job's credentials are not sent to it unless the job opts in (scraper).
 */
export interface RegistrationPolicy {
  /** Jobs that accept registrations; undefined: every configured job. */
  allowedJobs?: ReadonlySet<string>;
  /** Smallest `__scrape_interval__` a registration may set. */
  minScrapeIntervalMs: number;
  /** Fully anchored RE2 patterns one of which every address must match; undefined: any address. */
  allowedAddresses?: readonly GoRegexp[];
}

export const DEFAULT_MIN_SCRAPE_INTERVAL_MS = 1000;
export const DEFAULT_REGISTRATION_POLICY: RegistrationPolicy = { minScrapeIntervalMs: DEFAULT_MIN_SCRAPE_INTERVAL_MS };

/** Why a registration is refused: 400 malformed, 403 not allowed by the policy. */
export interface Refusal {
  status: 400 | 403;
  message: string;
}

/**
 * Why the policy refuses a registration (also applied to records already in etcd, which may
 * predate the policy or come from elsewhere), or undefined when it is allowed.
 */
export function registrationRefusal(
  job: string,
  addresses: readonly string[],
  labels: Readonly<Record<string, string>>,
  policy: RegistrationPolicy,
): Refusal | undefined {
  if (policy.allowedJobs !== undefined && !policy.allowedJobs.has(job)) {
    const allowed = [...policy.allowedJobs].sort().join(', ');
    return { status: 403, message: `job: "${job}" does not accept registered targets (api.registration.allowed_jobs: ${allowed || 'none'})` };
  }
  const interval = labels.__scrape_interval__;
  if (interval !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(interval);
    } catch {
      return { status: 400, message: `labels.__scrape_interval__: "${interval}" is not a duration` };
    }
    if (ms < policy.minScrapeIntervalMs) {
      return {
        status: 400,
        message: `labels.__scrape_interval__: ${interval} is below the minimum of ${formatDuration(policy.minScrapeIntervalMs)} (api.registration.min_scrape_interval)`,
      };
    }
  }
  const timeout = labels.__scrape_timeout__;
  if (timeout !== undefined) {
    try {
      parseDuration(timeout);
    } catch {
      return { status: 400, message: `labels.__scrape_timeout__: "${timeout}" is not a duration` };
    }
  }
  const scheme = labels.__scheme__;
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return { status: 400, message: `labels.__scheme__: must be http or https, got "${scheme}"` };
  const path = labels.__metrics_path__;
  if (path !== undefined && !path.startsWith('/')) return { status: 400, message: `labels.__metrics_path__: must start with "/", got "${path}"` };
  if (policy.allowedAddresses !== undefined) {
    const patterns = policy.allowedAddresses;
    for (const [i, address] of addresses.entries()) {
      if (!patterns.some((p) => p.matchString(address))) {
        return { status: 403, message: `targets[${i}]: "${address}" matches none of api.registration.allowed_addresses` };
      }
    }
  }
  return undefined;
}


/** One group per registered target (each has its own labels), by job, ordered by address. */
export function registeredGroups(records: Iterable<RegisteredTarget>): Map<string, TargetGroup[]> {
  const byJob = new Map<string, RegisteredTarget[]>();
  for (const r of records) {
    const list = byJob.get(r.job);
    if (list === undefined) byJob.set(r.job, [r]);
    else list.push(r);
  }
  const out = new Map<string, TargetGroup[]>();
  for (const [job, list] of byJob) {
    list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    out.set(
      job,
      list.map((r) => ({ targets: [r.address], labels: { ...r.labels }, source: `api:${r.address}` })),
    );
  }
  return out;
}

type Listener = (groups: TargetGroup[]) => void;

export class RegisteredTargetsWatcher {
  private readonly logger: Logger;
  private readonly events: DiscoveryEvents;
  private readonly records = new Map<string, RegisteredTarget>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private groups = new Map<string, TargetGroup[]>();
  /** What each job's listeners last heard, to report changes only. */
  private readonly reported = new Map<string, string>();
  private loaded = false;
  private readonly follower: PrefixFollower;

  private readonly policy: () => RegistrationPolicy;
  /** Records refused by the policy, with the reason last logged (logged once per change). */
  private readonly refused = new Map<string, string>();

  /** `policy` also applies to records already in etcd: written before it, or by another tool. */
  constructor(etcd: Etcd3, prefix: string, logger: Logger, events: DiscoveryEvents, policy: () => RegistrationPolicy = () => DEFAULT_REGISTRATION_POLICY) {
    this.logger = logger.child({ component: 'registered-targets' });
    this.events = events;
    this.policy = policy;
    this.follower = new PrefixFollower(etcd, prefix + KEYS.registered, this.logger, {
      load: (kvs, revision) => {
        this.records.clear();
        for (const kv of kvs) this.apply('put', kv.key, kv.value);
        this.loaded = true;
        this.logger.info({ registered: this.records.size, revision }, 'loaded registered targets');
      },
      put: (key, value) => this.apply('put', key, value),
      delete: (key) => this.apply('delete', key, ''),
      changed: () => this.changed(),
    });
  }

  /** Loads and watches, retrying with backoff until etcd answers; does not wait for that. */
  start(): void {
    this.follower.follow();
  }

  stop(): Promise<void> {
    return this.follower.close();
  }

  /** Every registered target, for listings. */
  all(): RegisteredTarget[] {
    return [...this.records.values()];
  }

  forJob(job: string): Discoverer {
    let listener: Listener | undefined;
    return {
      mechanism: 'api',
      start: (update) => {
        listener = update;
        let set = this.listeners.get(job);
        if (set === undefined) this.listeners.set(job, (set = new Set()));
        set.add(update);
        if (this.loaded) update(this.groups.get(job) ?? []);
      },
      stop: async () => {
        if (listener !== undefined) this.listeners.get(job)?.delete(listener);
      },
    };
  }

  private apply(type: 'put' | 'delete', key: string, value: string): void {
    if (type === 'delete') {
      this.records.delete(key);
      return;
    }
    try {
      this.records.set(key, decodeRegistered(key, value));
    } catch (err) {
      this.logger.error({ key, err: (err as Error).message }, 'ignored an invalid registered target');
      this.events.error('api', key, err as Error);
    }
  }

  private changed(): void {
    const policy = this.policy();
    const allowed: RegisteredTarget[] = [];
    for (const [key, r] of this.records) {
      const refusal = registrationRefusal(r.job, [r.address], r.labels, policy);
      if (refusal === undefined) {
        this.refused.delete(key);
        allowed.push(r);
      } else if (this.refused.get(key) !== refusal.message) {
        this.refused.set(key, refusal.message);
        this.logger.error({ key, job: r.job, target: r.address, err: refusal.message }, 'registered target refused by api.registration: not scraped');
        this.events.error('api', key, new Error(refusal.message));
      }
    }
    for (const key of [...this.refused.keys()]) if (!this.records.has(key)) this.refused.delete(key);
    this.groups = registeredGroups(allowed);
    for (const [job, set] of this.listeners) {
      const groups = this.groups.get(job) ?? [];
      const text = JSON.stringify(groups);
      if (this.reported.get(job) === text) continue;
      this.reported.set(job, text);
      for (const l of set) l(groups);
    }
  }
}
