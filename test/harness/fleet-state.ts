// Writes a target list straight into etcd, as the coordinator leader would, so that fleet tests do
// not depend on discovery.
import type { Etcd3 } from 'etcd3';
import { encodeRecord, KEYS, type JobRecord, type TargetRecord } from '../../cluster/cluster-state.ts';
import { targetId } from '../../model/scrape-target.ts';

export function demoFleetTargets(job: string, demoHost: string, count: number, intervalMs: number, timeoutMs: number): TargetRecord[] {
  return Array.from({ length: count }, (_, n) => {
    const labels: [string, string][] = [
      ['instance', `${demoHost}/t${n}`],
      ['job', job],
    ];
    const url = `http://${demoHost}/targets/${n}/metrics`;
    return {
      id: targetId(job, url, labels),
      job,
      url,
      labels,
      discoveredLabels: { __address__: demoHost, job },
      intervalMs,
      timeoutMs,
      source: 'test',
    };
  });
}

export async function writeJob(etcd: Etcd3, prefix: string, job: string, scrapeConfig: Record<string, unknown>): Promise<void> {
  const record: JobRecord = { scrapeConfig: { job_name: job, ...scrapeConfig } };
  await etcd.put(`${prefix}${KEYS.jobs}${job}`).value(encodeRecord(record)).exec();
}

export async function writeTargets(etcd: Etcd3, prefix: string, targets: readonly TargetRecord[]): Promise<void> {
  for (let i = 0; i < targets.length; i += 100) {
    const txn = etcd.if(`${prefix}${KEYS.jobs}`, 'Version', '>', -1);
    const ops = targets.slice(i, i + 100).map((t) => etcd.put(`${prefix}${KEYS.targets}${t.id}`).value(encodeRecord(t)));
    await txn.then(...ops).commit();
  }
}

export async function deleteTarget(etcd: Etcd3, prefix: string, id: string): Promise<void> {
  await etcd.delete().key(`${prefix}${KEYS.targets}${id}`).exec();
}
