// This node's place in the fleet: a member record under a lease kept alive (Grafana ckit's
// membership, on etcd). Joining and leaving are announced with an instant in the near future at
// which they take effect, so every node switches ownership at the same tick (target-assigner.ts).
import type { Etcd3, Lease } from 'etcd3';
import { encodeRecord, KEYS, type MemberRecord } from './cluster-state.ts';
import type { EtcdConfig } from '../core/etcd-config.ts';
import type { Logger } from '../core/logger.ts';

/** Another live process holds this node id. */
export class DuplicateMemberError extends Error {
  constructor(id: string, existingRecord: string) {
    let detail = '';
    try {
      const r = JSON.parse(existingRecord) as { address?: string; startedAt?: number };
      detail = ` (address ${r.address ?? '?'}, started ${r.startedAt !== undefined ? new Date(r.startedAt).toISOString() : '?'})`;
    } catch {
      // the record is shown as is below
    }
    super(`node.id "${id}" is already registered by a live member${detail}: every node needs its own node.id`);
    this.name = 'DuplicateMemberError';
  }
}

export class Membership {
  private readonly etcd: Etcd3;
  private readonly config: EtcdConfig;
  private readonly logger: Logger;
  private readonly key: string;
  private record: MemberRecord;
  private lease: Lease | undefined;
  private leaving = false;
  private rejoinTimer: NodeJS.Timeout | undefined;

  /** membersKey: where under the prefix this kind of node registers (scrapers: members/). */
  constructor(etcd: Etcd3, config: EtcdConfig, self: { id: string; address: string }, logger: Logger, membersKey: string = KEYS.members) {
    this.etcd = etcd;
    this.config = config;
    this.logger = logger.child({ component: 'membership' });
    this.key = `${config.prefix}${membersKey}${self.id}`;
    const now = Date.now();
    this.record = { id: self.id, address: self.address, startedAt: now, activeFrom: now };
  }

  get self(): MemberRecord {
    return this.record;
  }

  /**
   * Registers under a new lease; ownership starts handoff_delay from now (announced as joining).
   * The record is created only if no record of this id exists: a second live node started with the
   * same node.id is refused instead of silently taking the first one's place. A record left by a
   * crashed process of this id goes when its lease expires, so a restart waits at most one TTL.
   */
  async join(): Promise<void> {
    const ttlSeconds = Math.round(this.config.leaseTtlMs / 1000);
    const deadline = Date.now() + this.config.leaseTtlMs + 2000;
    for (;;) {
      const lease = this.etcd.lease(ttlSeconds, { autoKeepAlive: true });
      const leaseId = await lease.grant();
      const record: MemberRecord = { ...this.record, activeFrom: Date.now() + this.config.handoffDelayMs };
      delete record.activeUntil;
      const txn = await this.etcd
        .if(this.key, 'Create', '==', 0)
        .then(this.etcd.put(this.key).value(encodeRecord(record)).lease(leaseId))
        .else(this.etcd.get(this.key))
        .commit();
      if (txn.succeeded) {
        this.lease = lease;
        this.record = record;
        lease.on('lost', (err) => {
          if (this.leaving || this.lease !== lease) return;
          // The lease expired (etcd unreachable for longer than the TTL): the others have taken our
          // targets. Join again as a new member, announced like any join.
          this.logger.error({ err: err.message }, 'lease lost: rejoining');
          this.scheduleRejoin(0);
        });
        this.logger.info({ member: record.id, activeFrom: new Date(record.activeFrom).toISOString(), ttlSeconds }, 'joined the fleet');
        return;
      }
      await lease.revoke().catch(() => undefined);
      const existing = txn.responses[0]?.response_range?.kvs[0]?.value.toString() ?? '';
      if (Date.now() >= deadline) {
        throw new DuplicateMemberError(this.record.id, existing);
      }
      this.logger.warn({ member: this.record.id }, 'a record of this node id exists (a crashed predecessor?): waiting for its lease to expire');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private scheduleRejoin(delayMs: number): void {
    if (this.rejoinTimer !== undefined || this.leaving) return;
    this.rejoinTimer = setTimeout(() => {
      this.rejoinTimer = undefined;
      this.join().catch((err: unknown) => {
        this.logger.warn({ err: (err as Error).message }, 'rejoin failed, retrying');
        this.scheduleRejoin(Math.min(5000, Math.max(500, delayMs * 2)));
      });
    }, delayMs);
  }

  /** Announces a graceful leave: this node owns nothing for ticks at or after the returned instant. */
  async announceLeave(): Promise<number> {
    this.leaving = true;
    const until = Date.now() + this.config.handoffDelayMs;
    this.record = { ...this.record, activeUntil: until };
    if (this.lease !== undefined) await this.lease.put(this.key).value(encodeRecord(this.record)).exec();
    this.logger.info({ member: this.record.id, activeUntil: new Date(until).toISOString() }, 'terminating: announced leave');
    return until;
  }

  /** Removes the member record now (revoking the lease), after the handoff. */
  async revoke(): Promise<void> {
    this.leaving = true;
    if (this.rejoinTimer !== undefined) clearTimeout(this.rejoinTimer);
    await this.lease?.revoke();
    this.logger.info({ member: this.record.id }, 'left the fleet');
  }
}
