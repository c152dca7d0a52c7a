// Writes targets registered through the API into etcd (<prefix>registered/<job>/<address>), where
// every coordinator's discovery sees them (discovery/registered.ts). Any coordinator may write
// them: the leader picks them up from etcd like everyone else.
import type { Etcd3 } from 'etcd3';
import { encodeRecord, KEYS, type RegisteredTarget } from '../cluster/cluster-state.ts';

export function registeredKey(prefix: string, job: string, address: string): string {
  return `${prefix}${KEYS.registered}${job}/${address}`;
}

export interface RemoveResult {
  removed: string[];
  notFound: string[];
}

export class RegisteredTargetStore {
  private readonly etcd: Etcd3;
  private readonly prefix: string;

  constructor(etcd: Etcd3, prefix: string) {
    this.etcd = etcd;
    this.prefix = prefix;
  }

  /** Registers (or re-registers with new labels) each address under the job. */
  async add(job: string, addresses: readonly string[], labels: Record<string, string>, nowMs = Date.now()): Promise<RegisteredTarget[]> {
    const records = [...new Set(addresses)].map((address): RegisteredTarget => ({ job, address, labels: { ...labels }, addedAt: nowMs }));
    await Promise.all(records.map((r) => this.etcd.put(registeredKey(this.prefix, job, r.address)).value(encodeRecord(r)).exec()));
    return records;
  }

  async remove(job: string, addresses: readonly string[]): Promise<RemoveResult> {
    const unique = [...new Set(addresses)];
    const results = await Promise.all(unique.map((a) => this.etcd.delete().key(registeredKey(this.prefix, job, a)).exec()));
    const out: RemoveResult = { removed: [], notFound: [] };
    unique.forEach((a, i) => (Number(results[i]?.deleted ?? 0) > 0 ? out.removed : out.notFound).push(a));
    return out;
  }
}
