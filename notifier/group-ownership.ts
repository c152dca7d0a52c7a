// Which notifier replica flushes which aggregation group. Every replica reads every alert record
// (each has its own consumer group) and keeps every group; only the owner of a group's key sends
// its notifications. Owners come from rendezvous hashing over the live members under
// `<prefix>notifier/members/`: plain HRW (no load bound), because a bounded placement depends on
// the whole set of keys, and two replicas can briefly hold different sets of groups; with plain
// HRW a group's owner depends only on its key and the members, so replicas never disagree for
// longer than a membership change takes to reach them (after the announced handoff delay).
import type { MemberRecord } from '../cluster/cluster-state.ts';
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';
import { membersActiveAt } from '../cluster/target-assigner.ts';

export class GroupOwnership {
  readonly #self: string;
  readonly #placement = new BoundedLoadRendezvous({ loadFactor: Infinity });
  #members: readonly MemberRecord[] = [];
  #activeKey = '';

  constructor(self: string) {
    this.#self = self;
    this.#placement.setMembers([self]);
  }

  /** The member records as the MemberView has them. */
  setMembers(members: readonly MemberRecord[]): void {
    this.#members = members;
  }

  /** Ids of the members that own groups at `nowMs`. */
  activeMembers(nowMs: number): readonly string[] {
    const ids = membersActiveAt(this.#members, nowMs);
    const key = ids.join('\n');
    if (key !== this.#activeKey) {
      this.#activeKey = key;
      // No live member known yet (etcd just answered, or this node is leaving): own everything
      // rather than nothing, so that a lone replica never goes silent.
      this.#placement.setMembers(ids.length > 0 ? ids : [this.#self]);
    }
    return this.#placement.members();
  }

  owns(groupKey: string, nowMs: number): boolean {
    this.activeMembers(nowMs);
    return this.#placement.assign([groupKey]).get(groupKey) === this.#self;
  }
}
