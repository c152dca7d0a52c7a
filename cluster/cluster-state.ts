// What the fleet keeps in etcd, under the configured prefix, and how it is encoded. Written by
// coordinators (targets, jobs) and scrapers (members); read by everyone.
//
//   <prefix>members/<node id>      MemberRecord, under the node's lease (gone when the node is)
//   <prefix>jobs/<job name>        JobRecord: the job's scrape_config as written in YAML
//   <prefix>targets/<target id>    TargetRecord: one scrape target after discovery and relabeling
//                                  (compact form, target-record-codec.ts; the plain JSON is read too)
//   <prefix>targets-epoch          TargetEpochRecord: the change written last, and when it applies
//   <prefix>registered/<job>/<address>  RegisteredTarget: added through the API or CLI
//   <prefix>election/coordinator   coordinator leader election
import type { ScrapeTarget } from '../model/scrape-target.ts';
import { decodeCompactTarget, isCompactTarget } from './target-record-codec.ts';

export const KEYS = {
  members: 'members/',
  jobs: 'jobs/',
  targets: 'targets/',
  targetsEpoch: 'targets-epoch',
  registered: 'registered/',
  election: 'election/coordinator',
} as const;

export type MemberState = 'joining' | 'active' | 'terminating';

export interface MemberRecord {
  id: string;
  /** The node's HTTP address (its /metrics and /api/v1/targets). */
  address: string;
  startedAt: number;
  /** The node owns targets for scrape ticks at or after this instant (ms since epoch). */
  activeFrom: number;
  /** Set when it leaves gracefully: it owns nothing for ticks at or after this instant. */
  activeUntil?: number;
}

/** joining before activeFrom, terminating once a leave is announced, active otherwise (ckit's peer states). */
export function memberState(m: MemberRecord, nowMs: number): MemberState {
  if (m.activeUntil !== undefined) return 'terminating';
  return nowMs < m.activeFrom ? 'joining' : 'active';
}

export interface JobRecord {
  /** The job's scrape_config, as the coordinator read it (YAML as JSON). */
  scrapeConfig: Record<string, unknown>;
}

export type TargetRecord = ScrapeTarget & { source: string };

export interface RegisteredTarget {
  job: string;
  address: string;
  labels: Record<string, string>;
  addedAt: number;
}

export function encodeRecord(value: unknown): string {
  return JSON.stringify(value);
}

/** Parses a JSON record and checks the fields every reader relies on; throws naming the key. */
export function decodeMember(key: string, text: string): MemberRecord {
  const v = parseObject(key, text);
  if (typeof v.id !== 'string' || typeof v.address !== 'string' || typeof v.activeFrom !== 'number' || typeof v.startedAt !== 'number') {
    throw new Error(`etcd key ${key}: not a member record`);
  }
  if (v.activeUntil !== undefined && typeof v.activeUntil !== 'number') throw new Error(`etcd key ${key}: activeUntil is not a number`);
  return v as unknown as MemberRecord;
}

export function decodeTarget(key: string, text: string): TargetRecord {
  const v = parseObject(key, text);
  if (isCompactTarget(v)) return decodeCompactTarget(key, v);
  if (
    typeof v.id !== 'string' ||
    typeof v.job !== 'string' ||
    typeof v.url !== 'string' ||
    !Array.isArray(v.labels) ||
    typeof v.intervalMs !== 'number' ||
    typeof v.timeoutMs !== 'number'
  ) {
    throw new Error(`etcd key ${key}: not a target record`);
  }
  return v as unknown as TargetRecord;
}

export function decodeJob(key: string, text: string): JobRecord {
  const v = parseObject(key, text);
  if (typeof v.scrapeConfig !== 'object' || v.scrapeConfig === null) throw new Error(`etcd key ${key}: not a job record`);
  return v as unknown as JobRecord;
}

export function decodeRegistered(key: string, text: string): RegisteredTarget {
  const v = parseObject(key, text);
  if (typeof v.job !== 'string' || typeof v.address !== 'string' || typeof v.labels !== 'object' || v.labels === null) {
    throw new Error(`etcd key ${key}: not a registered target`);
  }
  return v as unknown as RegisteredTarget;
}

function parseObject(key: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`etcd key ${key}: invalid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`etcd key ${key}: expected a JSON object`);
  return v as Record<string, unknown>;
}
