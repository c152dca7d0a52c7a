// Target placement (scraper/hash-ring.ts) at fleet scale: how long assign() takes for 1,000,000
// targets over 100 scrapers, how many targets change owner when one scraper joins (100 → 101) or
// leaves (100 → 99) compared with the ideal 1/N, and how even the load is.
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const TARGETS = 1_000_000;
const MEMBERS = 100;
// Best of two: the first run also pays for V8 flattening the freshly concatenated key strings.
const TIMED_RUNS = 2;

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// Realistic keys: job, address, metrics path.
function targetKeys(): string[] {
  const jobs = ['node', 'kube-state-metrics', 'cadvisor', 'app', 'blackbox'];
  const keys: string[] = new Array(TARGETS);
  for (let i = 0; i < TARGETS; i++) {
    const ip = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    keys[i] = `${jobs[i % jobs.length]}/http://${ip}:${9100 + (i % 7)}/metrics`;
  }
  return keys;
}

function movedShare(before: Map<string, string>, after: Map<string, string>): number {
  let moved = 0;
  for (const [key, owner] of before) if (after.get(key) !== owner) moved++;
  return moved / before.size;
}

function maxOverMean(owners: Map<string, string>, members: number): number {
  const counts = new Map<string, number>();
  for (const owner of owners.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return Math.max(...counts.values()) / (owners.size / members);
}

export async function runRingBench(): Promise<BenchResult[]> {
  const keys = targetKeys();
  const members = Array.from({ length: MEMBERS + 1 }, (_, i) => `scraper-${i}.ringwatch.svc:8080`);
  const ring = new BoundedLoadRendezvous();

  // Warm-up on a tenth of the keys so that timing measures optimized code.
  ring.setMembers(members.slice(0, MEMBERS));
  ring.assign(keys.slice(0, TARGETS / 10));

  let bestMs = Infinity;
  let base = new Map<string, string>();
  for (let r = 0; r < TIMED_RUNS; r++) {
    const t0 = performance.now();
    base = ring.assign(keys);
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  const load = maxOverMean(base, MEMBERS);

  ring.setMembers(members);
  const joined = movedShare(base, ring.assign(keys));
  ring.setMembers(members.slice(0, MEMBERS - 1));
  const left = movedShare(base, ring.assign(keys));

  return [
    { name: 'ring_assign_1m_targets_100_members', value: round(bestMs), unit: 'ms' },
    { name: 'ring_assign_per_target', value: round((bestMs * 1e6) / TARGETS), unit: 'ns' },
    { name: 'ring_load_max_over_mean_100_members', value: round(load, 4), unit: 'ratio' },
    { name: 'ring_join_100_to_101_moved', value: round(joined * 100, 3), unit: '%' },
    { name: 'ring_join_100_to_101_moved_vs_ideal', value: round(joined * (MEMBERS + 1), 4), unit: 'x 1/N' },
    { name: 'ring_leave_100_to_99_moved', value: round(left * 100, 3), unit: '%' },
    { name: 'ring_leave_100_to_99_moved_vs_ideal', value: round(left * MEMBERS, 4), unit: 'x 1/N' },
  ];
}

if (import.meta.main) {
  for (const r of await runRingBench()) console.log(`${r.name.padEnd(44)} ${String(r.value).padStart(12)} ${r.unit}`);
}
