// The compact etcd encoding of a target record (`<prefix>targets/<id>`), about 40 % of the plain
// JSON of a TargetRecord: 100,000 targets must fit etcd comfortably (docs/sharding.md, sizes).
// What the record would repeat is left out and derived again on decoding, losslessly:
//   - the id (it is the key's last segment);
//   - labels and discovered labels whose value follows from the job, the URL, the interval and the
//     timeout (job, instance, __address__, __scheme__, __metrics_path__, __scrape_interval__,
//     __scrape_timeout__): written only when they differ, and named in `x` when absent;
//   - field names are one letter.
// Self-contained on purpose: decoding needs no other key (a job record arriving later, or changed
// by another writer, cannot change how a target decodes). Pure.
import type { TargetRecord } from './cluster-state.ts';
import { formatDuration } from '../core/duration.ts';

/** The stored form. `x` lists derivable names that the record does not have ("l:job", "d:__scheme__"). */
export interface CompactTarget {
  j: string;
  u: string;
  l?: Record<string, string>;
  d?: Record<string, string>;
  x?: string[];
  i: number;
  t: number;
  s?: string;
}

const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/;

/** The values a target's labels take unless relabeling said otherwise, from its own fields. */
function derived(job: string, url: string, intervalMs: number, timeoutMs: number): { labels: Record<string, string>; discovered: Record<string, string> } {
  const m = URL_PARTS.exec(url);
  const scheme = m?.[1] ?? '';
  const address = m?.[2] ?? '';
  const path = m?.[3] ?? '';
  return {
    labels: { instance: address, job },
    discovered: {
      __address__: address,
      __metrics_path__: path === '' ? '/' : path,
      __scheme__: scheme,
      __scrape_interval__: formatDuration(intervalMs),
      __scrape_timeout__: formatDuration(timeoutMs),
      job,
    },
  };
}

function elide(values: Record<string, string>, defaults: Record<string, string>, tag: string, absent: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(values)) {
    if (defaults[k] === v) continue;
    out[k] = v;
    n++;
  }
  for (const k of Object.keys(defaults)) if (!Object.hasOwn(values, k)) absent.push(`${tag}:${k}`);
  return n === 0 ? undefined : out;
}

export function encodeTarget(t: TargetRecord): string {
  const d = derived(t.job, t.url, t.intervalMs, t.timeoutMs);
  const absent: string[] = [];
  const labels = elide(Object.fromEntries(t.labels), d.labels, 'l', absent);
  const discovered = elide(t.discoveredLabels, d.discovered, 'd', absent);
  const c: CompactTarget = { j: t.job, u: t.url, i: t.intervalMs, t: t.timeoutMs };
  if (labels !== undefined) c.l = labels;
  if (discovered !== undefined) c.d = discovered;
  if (absent.length > 0) c.x = absent;
  if (t.source !== '') c.s = t.source;
  return JSON.stringify(c);
}

/** A parsed record in the compact form (a plain record has `url`, the compact one `u`). */
export function isCompactTarget(v: Record<string, unknown>): boolean {
  return typeof v.u === 'string' && v.url === undefined;
}

function restore(explicit: unknown, defaults: Record<string, string>, tag: string, absent: ReadonlySet<string>, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(defaults)) if (!absent.has(`${tag}:${k}`)) out[k] = v;
  if (explicit !== undefined) {
    if (typeof explicit !== 'object' || explicit === null || Array.isArray(explicit)) throw new Error(`etcd key ${key}: ${tag} is not an object`);
    for (const [k, v] of Object.entries(explicit)) {
      if (typeof v !== 'string') throw new Error(`etcd key ${key}: label ${k} is not a string`);
      out[k] = v;
    }
  }
  return out;
}

/** The full record from the compact form; the id is the key's last segment. Throws naming the key. */
export function decodeCompactTarget(key: string, v: Record<string, unknown>): TargetRecord {
  if (typeof v.j !== 'string' || typeof v.u !== 'string' || typeof v.i !== 'number' || typeof v.t !== 'number') {
    throw new Error(`etcd key ${key}: not a target record`);
  }
  if (v.s !== undefined && typeof v.s !== 'string') throw new Error(`etcd key ${key}: s is not a string`);
  if (v.x !== undefined && (!Array.isArray(v.x) || v.x.some((e) => typeof e !== 'string'))) throw new Error(`etcd key ${key}: x is not a list of names`);
  const absent = new Set((v.x as string[] | undefined) ?? []);
  const d = derived(v.j, v.u, v.i, v.t);
  const labels = restore(v.l, d.labels, 'l', absent, key);
  const discoveredLabels = restore(v.d, d.discovered, 'd', absent, key);
  return {
    id: key.slice(key.lastIndexOf('/') + 1),
    job: v.j,
    url: v.u,
    labels: Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    discoveredLabels,
    intervalMs: v.i,
    timeoutMs: v.t,
    source: (v.s as string | undefined) ?? '',
  };
}
