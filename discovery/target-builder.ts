// Discovered target groups -> scrape targets, as Prometheus' scrape.PopulateLabels does: job-level
// meta labels, relabel_configs, the instance default, then every __-prefixed label removed.
import type { LabelSet } from '../model/labels.ts';
import type { TargetGroup } from './target-group.ts';
import { relabel } from '../model/relabel.ts';
import type { JobScrapeOptions } from '../model/scrape-config.ts';
import { targetId, type ScrapeTarget } from '../model/scrape-target.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import { redactUrl } from '../core/logger.ts';

export interface BuildResult {
  targets: ScrapeTarget[];
  /** Targets that relabeling dropped, with their discovered labels. */
  dropped: Record<string, string>[];
  /** Targets that could not be built, with why. */
  errors: { discoveredLabels: Record<string, string>; error: string }[];
}

export function buildTargets(job: JobScrapeOptions, groups: readonly TargetGroup[]): BuildResult {
  const result: BuildResult = { targets: [], dropped: [], errors: [] };
  const seen = new Set<string>();
  for (const group of groups) {
    for (const address of group.targets) {
      const discovered: Record<string, string> = { ...group.labels, __address__: address };
      // As Prometheus: the job's values only fill in what discovery did not set, so a file_sd
      // group can carry its own job, __metrics_path__, __scheme__, __param_<name>...
      const defaults: [string, string][] = [
        ['job', job.jobName],
        ['__scheme__', job.scheme],
        ['__metrics_path__', job.metricsPath],
        ['__scrape_interval__', formatDuration(job.intervalMs)],
        ['__scrape_timeout__', formatDuration(job.timeoutMs)],
      ];
      for (const [name, values] of Object.entries(job.params)) {
        if (values[0] !== undefined) defaults.push([`__param_${name}`, values[0]]);
      }
      for (const [name, value] of defaults) {
        if (!discovered[name]) discovered[name] = value;
      }
      try {
        const target = populateTarget(job, discovered);
        if (target === null) {
          result.dropped.push(discovered);
        } else if (!seen.has(target.id)) {
          seen.add(target.id);
          result.targets.push(target);
        }
      } catch (err) {
        // The labels go to logs and API answers: never with the password of an address's userinfo.
        const shown = discovered.__address__?.includes('@') ? { ...discovered, __address__: redactUrl(discovered.__address__) } : discovered;
        result.errors.push({ discoveredLabels: shown, error: (err as Error).message });
      }
    }
  }
  return result;
}

function populateTarget(job: JobScrapeOptions, discovered: Record<string, string>): ScrapeTarget | null {
  const input: LabelSet = new Map(Object.entries(discovered));
  const labels = relabel(input, job.relabelConfigs);
  if (labels === null) return null;
  const address = labels.get('__address__');
  if (address === undefined || address === '') throw new Error('no address');
  const scheme = labels.get('__scheme__') ?? job.scheme;
  if (scheme !== 'http' && scheme !== 'https') throw new Error(`invalid scheme "${scheme}"`);
  if (/[/\s]/.test(address) || address.includes('://')) throw new Error(`invalid address "${redactUrl(address)}": expected host:port`);
  // user:password@host:port would put the password in etcd, the instance label and every series:
  // refused, as an address that does not parse as host:port (credentials go in the job's basic_auth).
  if (address.includes('@')) {
    throw new Error(`invalid address "${redactUrl(address)}": contains userinfo, expected host:port (set credentials with the job's basic_auth or authorization)`);
  }
  if (!labels.has('instance') || labels.get('instance') === '') labels.set('instance', address);

  const intervalMs = parseDurationLabel(labels.get('__scrape_interval__'), job.intervalMs, '__scrape_interval__');
  const timeoutMs = parseDurationLabel(labels.get('__scrape_timeout__'), job.timeoutMs, '__scrape_timeout__');
  if (timeoutMs > intervalMs) throw new Error(`scrape timeout ${formatDuration(timeoutMs)} greater than scrape interval ${formatDuration(intervalMs)}`);

  const url = new URL(`${scheme}://${address}${labels.get('__metrics_path__') ?? job.metricsPath}`);
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(job.params)) {
    const fromLabel = labels.get(`__param_${name}`);
    // A relabeled __param_<name> replaces the first configured value, as in Prometheus.
    const list = fromLabel !== undefined ? [fromLabel, ...values.slice(1)] : values;
    for (const v of list) params.append(name, v);
  }
  for (const [name, value] of labels) {
    if (name.startsWith('__param_') && job.params[name.slice(8)] === undefined) params.append(name.slice(8), value);
  }
  const query = params.toString();
  if (query !== '') url.search = query;

  const final: [string, string][] = [];
  for (const [name, value] of labels) {
    if (!name.startsWith('__') && value !== '') final.push([name, value]);
  }
  final.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const urlText = url.toString();
  return {
    id: targetId(job.jobName, urlText, final),
    job: job.jobName,
    url: urlText,
    labels: final,
    discoveredLabels: discovered,
    intervalMs,
    timeoutMs,
  };
}

function parseDurationLabel(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    throw new Error(`invalid ${name} "${value}"`);
  }
  if (ms <= 0) throw new Error(`${name} must be greater than 0, got "${value}"`);
  return ms;
}
