// A target after discovery and relabeling: what one scrape loop needs, and what the coordinator
// writes to etcd. Its id is stable across nodes so that every node puts it at the same place.
import { createHash } from 'node:crypto';

export interface ScrapeTarget {
  /** Stable identity (hash of job, URL and labels), also the Kafka message key. */
  id: string;
  job: string;
  url: string;
  /** Final target labels attached to every sample (job, instance, ...), sorted by name. */
  labels: ReadonlyArray<readonly [string, string]>;
  /** Labels before relabeling, as Prometheus shows them in discoveredLabels. */
  discoveredLabels: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
}

export function targetId(job: string, url: string, labels: ReadonlyArray<readonly [string, string]>): string {
  const h = createHash('sha256');
  h.update(job).update('\0').update(url);
  for (const [k, v] of labels) h.update('\0').update(k).update('=').update(v);
  return h.digest('hex').slice(0, 16);
}
