// Members and targets as etcd has them, for the API. Concurrent requests share one read, and a
// read is reused for a moment, so a dashboard polling several endpoints costs one etcd round.
import type { Etcd3 } from 'etcd3';
import { decodeMember, decodeTarget, KEYS, type MemberRecord, type TargetRecord } from '../cluster/cluster-state.ts';
import { hexIdSplits, loadPrefix } from '../cluster/etcd-state-client.ts';
import type { Logger } from '../core/logger.ts';
import type { FleetState } from './api.ts';

export class FleetReader {
  private readonly etcd: Etcd3;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly maxAgeMs: number;
  private last: { at: number; state: Promise<FleetState> } | undefined;

  constructor(etcd: Etcd3, prefix: string, logger: Logger, maxAgeMs = 1000) {
    this.etcd = etcd;
    this.prefix = prefix;
    this.logger = logger;
    this.maxAgeMs = maxAgeMs;
  }

  read(): Promise<FleetState> {
    const now = Date.now();
    if (this.last !== undefined && now - this.last.at < this.maxAgeMs) return this.last.state;
    const state = this.load();
    const entry = { at: now, state };
    this.last = entry;
    // A failed read is not reused.
    state.catch(() => {
      if (this.last === entry) this.last = undefined;
    });
    return state;
  }

  private async load(): Promise<FleetState> {
    const [members, targets] = await Promise.all([
      loadPrefix(this.etcd, this.prefix + KEYS.members),
      loadPrefix(this.etcd, this.prefix + KEYS.targets, undefined, undefined, hexIdSplits(this.prefix + KEYS.targets, 8)),
    ]);
    const out: { members: MemberRecord[]; targets: TargetRecord[] } = { members: [], targets: [] };
    for (const kv of members.kvs) this.decode(() => out.members.push(decodeMember(kv.key, kv.value)));
    for (const kv of targets.kvs) this.decode(() => out.targets.push(decodeTarget(kv.key, kv.value)));
    return out;
  }

  private decode(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'skipped an invalid record');
    }
  }
}
