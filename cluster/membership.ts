// This node's place in the fleet: a member record under a lease kept alive (Grafana ckit's
// membership, on etcd). Joining and leaving are announced with an instant in the near future at
// which they take effect, so every node switches ownership at the same tick (target-assigner.ts).
// The node keeps its own lease clock, so a partition from etcd cannot leave it scraping what the
// others have taken over for longer than its lease allows (see Membership); past that clock it
// asks, through a check passed in (the scraper asks its peers), whether anybody has.
import { EventEmitter } from 'node:events';
import { EtcdLeaseInvalidError, type Etcd3, type Lease } from 'etcd3';
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

/**
 * Asked past the lease deadline while etcd does not answer (then again on every keepalive retry):
 * may this node go on acting on its last assignment, because nobody can have taken it over? True
 * keeps it live; false stops it until etcd answers. Should settle within about a second (the node
 * stays live while it is pending).
 */
export type CanStillOwn = (self: MemberRecord) => Promise<boolean>;

/**
 * This node's place in the fleet, with its own lease clock: the lease is kept alive by keepalives
 * sent here (not the client's background loop), so the node knows, by its own clock, until when the
 * lease surely lives: send time of the last answered keepalive + the TTL etcd granted. etcd can
 * expire the lease no earlier than that. Past that deadline, plus the handoff delay (the same
 * allowance announced handoffs give a watch event to arrive, so the others' first tick comes before
 * this node's last), the node must assume its lease gone and stops acting as a member ('change'),
 * even when it cannot reach etcd at all. If etcd then answers that the lease lives (etcd itself was
 * down: a restarted etcd extends every lease), it resumes; if etcd answers that it expired, the
 * node joins again as a new member.
 *
 * With a `canStillOwn` check, the node past that deadline stops only when the check says someone
 * may have taken over (the scraper: a peer has seen its record go); when it says nobody can have
 * (etcd down for everyone), the node stays live on its last view, checked again on every keepalive
 * retry, so an outage of etcd itself does not stop the fleet (docs/sharding.md).
 */
export class Membership extends EventEmitter<{ change: [] }> {
  private readonly etcd: Etcd3;
  private readonly config: EtcdConfig;
  private readonly logger: Logger;
  private readonly key: string;
  private record: MemberRecord;
  private lease: Lease | undefined;
  private leaving = false;
  private rejoinTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** By this node's clock, the lease lives at least until this instant (ms since epoch). */
  private leaseDeadline = 0;
  private live = false;
  private failingSince: number | undefined;
  private readonly canStillOwn: CanStillOwn | undefined;
  /** When etcd last answered this node (keepalive or join), ms since epoch; 0: never. */
  private answeredAt = 0;
  /** Past the deadline: a check is pending / the node is live on the check's word / a check said stop. */
  private checking = false;
  private ownedPastDeadline = false;
  private replaced = false;

  /** membersKey: where under the prefix this kind of node registers (scrapers: members/). */
  constructor(
    etcd: Etcd3,
    config: EtcdConfig,
    self: { id: string; address: string },
    logger: Logger,
    membersKey: string = KEYS.members,
    canStillOwn?: CanStillOwn,
  ) {
    super();
    this.canStillOwn = canStillOwn;
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
   * Whether this node may act as a member now: joined, and its lease alive by its own clock (or,
   * past it with etcd unreachable, `canStillOwn` says nobody can have taken over).
   */
  get isLive(): boolean {
    return this.live;
  }

  /** When etcd last answered this node (a keepalive or the join), ms since epoch; 0: never. */
  get etcdAnsweredAt(): number {
    return this.answeredAt;
  }

  /** Live past its lease deadline, etcd unreachable, on `canStillOwn`'s word. */
  get ownsPastDeadline(): boolean {
    return this.live && this.ownedPastDeadline;
  }

  /**
   * Whether a member record seen in the view is this node's current place: its own id, the
   * incarnation it last joined as, while live. A record of an earlier incarnation (the view has not
   * yet seen it deleted) or any record once the lease is presumed gone does not count.
   */
  holds(record: MemberRecord): boolean {
    return this.live && record.id === this.record.id && record.activeFrom === this.record.activeFrom && record.startedAt === this.record.startedAt;
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
      const grantSentAt = Date.now();
      const lease = this.etcd.lease(ttlSeconds, { autoKeepAlive: false });
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
        this.failingSince = undefined;
        this.answeredAt = Date.now();
        this.extendDeadline(grantSentAt + ttlSeconds * 1000);
        this.scheduleKeepalive(lease, this.keepaliveIntervalMs());
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

  /** As etcd's Go client: a keepalive every third of the TTL. */
  private keepaliveIntervalMs(): number {
    return Math.max(200, Math.floor(this.config.leaseTtlMs / 3));
  }

  private scheduleKeepalive(lease: Lease, delayMs: number): void {
    if (this.keepaliveTimer !== undefined) clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = setTimeout(() => {
      this.keepaliveTimer = undefined;
      void this.keepalive(lease);
    }, delayMs);
  }

  private async keepalive(lease: Lease): Promise<void> {
    if (this.lease !== lease || lease.revoked()) return;
    const sentAt = Date.now();
    const timeoutMs = this.keepaliveIntervalMs();
    let timer: NodeJS.Timeout | undefined;
    try {
      // Bounded: a connection that hangs (packets dropped) must not hold the next keepalive back.
      const res = await Promise.race([
        lease.keepaliveOnce({ deadline: new Date(sentAt + timeoutMs) }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no keepalive answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (this.lease !== lease) return;
      this.answeredAt = Date.now();
      if (this.failingSince !== undefined) this.logger.info({ member: this.record.id, failedForMs: Date.now() - this.failingSince }, 'lease keepalive answered again: the lease lives');
      this.failingSince = undefined;
      this.extendDeadline(sentAt + Number(res.TTL) * 1000);
      this.scheduleKeepalive(lease, timeoutMs);
    } catch (err) {
      if (this.lease !== lease || this.leaving) return;
      if (err instanceof EtcdLeaseInvalidError) {
        // etcd says the lease expired (unreachable for longer than the TTL): the others have taken
        // our targets. Join again as a new member, announced like any join.
        this.logger.error({ member: this.record.id, err: err.message }, 'lease lost: rejoining as a new member');
        this.lease = undefined;
        this.ownedPastDeadline = false;
        this.setLive(false);
        this.clearLeaseTimers();
        this.scheduleRejoin(0);
        return;
      }
      if (this.failingSince === undefined) {
        this.failingSince = sentAt;
        this.logger.warn({ member: this.record.id, err: (err as Error).message, leaseDeadline: new Date(this.leaseDeadline).toISOString() }, 'lease keepalive failed: retrying');
      }
      // Still cut, past the deadline, live on the check's word: ask again.
      if (this.live && Date.now() >= this.leaseDeadline + this.config.handoffDelayMs) this.checkOwnership();
      this.scheduleKeepalive(lease, 500);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private extendDeadline(deadline: number): void {
    if (deadline > this.leaseDeadline) this.leaseDeadline = deadline;
    if (this.ownedPastDeadline) this.logger.info({ member: this.record.id }, 'etcd answers again: the lease lives, still owning the same targets');
    this.ownedPastDeadline = false;
    this.replaced = false;
    this.armDeadline();
    this.setLive(true);
  }

  private armDeadline(): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    const liveUntil = this.leaseDeadline + this.config.handoffDelayMs;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      if (this.leaving) return;
      // Timers may fire a millisecond before Date.now() reaches their instant: wait the rest.
      if (Date.now() < liveUntil) return this.armDeadline();
      if (this.canStillOwn !== undefined) return this.checkOwnership();
      this.logger.error(
        { member: this.record.id, leaseDeadline: new Date(this.leaseDeadline).toISOString() },
        'lease deadline passed without a keepalive answer: presuming the lease gone, acting as a member no longer',
      );
      this.setLive(false);
    }, Math.max(1, liveUntil - Date.now()));
  }

  /**
   * Past the deadline, etcd silent: stays live while `canStillOwn` says nobody can have taken over.
   * A "no" is final until etcd answers (a keepalive, or the rejoin): the node may have been replaced.
   */
  private checkOwnership(): void {
    const check = this.canStillOwn;
    if (check === undefined || this.checking || this.replaced || this.leaving || !this.live) return;
    const deadline = this.leaseDeadline;
    const answeredAt = this.answeredAt;
    const lease = this.lease;
    this.checking = true;
    const decided = (keep: boolean, err?: Error): void => {
      this.checking = false;
      // etcd answered meanwhile (deadline extended, or the lease lost): that settles it instead.
      if (this.answeredAt !== answeredAt || this.lease !== lease || this.leaving || !this.live) return;
      const fields = { member: this.record.id, leaseDeadline: new Date(deadline).toISOString(), ...(err !== undefined ? { err: err.message } : {}) };
      if (keep) {
        if (!this.ownedPastDeadline) this.logger.warn(fields, 'lease deadline passed without a keepalive answer, but no peer has taken over (etcd down for all, or no peer answers): keeping the last assignment');
        this.ownedPastDeadline = true;
        return;
      }
      this.logger.error(fields, 'lease deadline passed without a keepalive answer and a peer has taken over: acting as a member no longer');
      this.replaced = true;
      this.ownedPastDeadline = false;
      this.setLive(false);
    };
    check(this.record).then(
      (keep) => decided(keep),
      // A failing check proves nothing either way: stop, as without one.
      (err: unknown) => decided(false, err as Error),
    );
  }

  private setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    this.emit('change');
  }

  private clearLeaseTimers(): void {
    if (this.keepaliveTimer !== undefined) clearTimeout(this.keepaliveTimer);
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.keepaliveTimer = undefined;
    this.deadlineTimer = undefined;
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
    try {
      if (this.lease !== undefined) await this.lease.put(this.key).value(encodeRecord(this.record)).exec();
    } catch (err) {
      if (!(err instanceof EtcdLeaseInvalidError)) throw err;
      // The lease is gone already (lost in a partition): the others own our targets, nothing to hand over.
      this.logger.warn({ member: this.record.id }, 'terminating with no lease: nothing to hand over');
      this.setLive(false);
      return Date.now();
    }
    this.logger.info({ member: this.record.id, activeUntil: new Date(until).toISOString() }, 'terminating: announced leave');
    return until;
  }

  /** Removes the member record now (revoking the lease), after the handoff. */
  async revoke(): Promise<void> {
    this.leaving = true;
    if (this.rejoinTimer !== undefined) clearTimeout(this.rejoinTimer);
    this.clearLeaseTimers();
    const lease = this.lease;
    this.lease = undefined;
    this.setLive(false);
    await lease?.revoke();
    this.logger.info({ member: this.record.id }, 'left the fleet');
  }
}
