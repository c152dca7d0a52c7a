// Who owns which target now, as the scrapers themselves compute it: the members active at this
// instant, the whole target list, the same sharder. Pure.
import type { MemberRecord } from '../core/cluster-state.ts';
import { HashRing, type Sharder } from '../scraper/hash-ring.ts';
import { membersActiveAt } from '../scraper/target-assigner.ts';

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
  makeSharder: () => Sharder = () => new HashRing(),
): RingView {
  const activeMembers = membersActiveAt(members, nowMs);
  let owners = new Map<string, string>();
  if (activeMembers.length > 0) {
    const sharder = makeSharder();
    sharder.setMembers(activeMembers);
    owners = sharder.assign(targetIds);
  }
  const load = new Map<string, number>();
  for (const m of members) load.set(m.id, 0);
  for (const owner of owners.values()) load.set(owner, (load.get(owner) ?? 0) + 1);
  let maxLoad = 0;
  for (const id of activeMembers) maxLoad = Math.max(maxLoad, load.get(id) ?? 0);
  const meanLoad = activeMembers.length === 0 ? 0 : owners.size / activeMembers.length;
  return { activeMembers, owners, load, maxLoad, meanLoad };
}
