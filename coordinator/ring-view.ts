// Who owns which target now, as the scrapers themselves compute it: the members active at this
// instant, the whole target list, the same placement. Pure.
import type { MemberRecord } from '../cluster/cluster-state.ts';
import type { Placement } from '../cluster/placement.ts';
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';
import { membersActiveAt } from '../cluster/target-assigner.ts';

export interface RingView {
  /** Ids of the members that own targets now, sorted. */
  activeMembers: string[];
  /** Target id -> owning member id. */
  owners: Map<string, string>;
  /** Member id -> targets owned now (0 for members not active). */
  load: Map<string, number>;
  maxLoad: number;
  meanLoad: number;
}

export function computeRingView(
  members: readonly MemberRecord[],
  targetIds: readonly string[],
  nowMs: number,
  makePlacement: () => Placement = () => new BoundedLoadRendezvous(),
): RingView {
  const activeMembers = membersActiveAt(members, nowMs);
  let owners = new Map<string, string>();
  if (activeMembers.length > 0) {
    const placement = makePlacement();
    placement.setMembers(activeMembers);
    owners = placement.assign(targetIds);
  }
  const load = new Map<string, number>();
  for (const m of members) load.set(m.id, 0);
  for (const owner of owners.values()) load.set(owner, (load.get(owner) ?? 0) + 1);
  let maxLoad = 0;
  for (const id of activeMembers) maxLoad = Math.max(maxLoad, load.get(id) ?? 0);
  const meanLoad = activeMembers.length === 0 ? 0 : owners.size / activeMembers.length;
  return { activeMembers, owners, load, maxLoad, meanLoad };
}
