// Which targets this node scrapes, and over which ticks: targets × members (with their activation
// windows) → a scrape window per owned target. Pure, so every node computes the same answer.
//
// Membership changes that are announced (a node joining, a node leaving gracefully) carry an
// instant in the near future at which they take effect (MemberRecord.activeFrom / activeUntil).
// For a tick at time t, every node uses the ring of the members active at t. So when ownership of
// a target changes at boundary B, the old owner's window ends at B and the new owner's starts at B:
// both scrape on the same phase-aligned tick grid, so each tick is scraped by exactly one of them.
// A crash is not announced: the member disappears when its lease expires and the survivors take
// its targets from the next tick on.
//
// Target list changes are announced the same way (target-epoch.ts): the next list and the instant
// it takes effect. A target that moves because of it (bounded loads) changes owner at that instant
// like any announced move; a target added appears, and one removed ends, at the instant.
import type { MemberRecord } from './cluster-state.ts';
import type { Placement } from './placement.ts';
import type { UpcomingTargets } from './target-epoch.ts';

export interface ScrapeWindow {
  fromMs: number;
  untilMs: number;
}

export interface AssignmentPlan {
  /** The targets this node scrapes now or from the next boundary on, with their windows. */
  windows: Map<string, ScrapeWindow>;
  /** When the member set or the target list next changes (recompute then), if any change is announced. */
  nextBoundaryMs: number | undefined;
  /** Members in force now, sorted. */
  membersNow: string[];
  /** Targets this node owns now. */
  ownedNow: number;
}

/** Member ids active at instant t. */
export function membersActiveAt(members: readonly MemberRecord[], t: number): string[] {
  return members
    .filter((m) => m.activeFrom <= t && (m.activeUntil === undefined || t < m.activeUntil))
    .map((m) => m.id)
    .sort();
}

/** The next instant after now at which some member's activity changes. */
export function nextBoundary(members: readonly MemberRecord[], nowMs: number): number | undefined {
  let next: number | undefined;
  for (const m of members) {
    for (const t of [m.activeFrom, m.activeUntil]) {
      if (t !== undefined && t > nowMs && (next === undefined || t < next)) next = t;
    }
  }
  return next;
}

export class TargetAssigner {
  private readonly self: string;
  private readonly makePlacement: () => Placement;

  constructor(self: string, makePlacement: () => Placement) {
    this.self = self;
    this.makePlacement = makePlacement;
  }

  /**
   * `targetIds`: the list in force now; `upcoming`: the next list and its instant, if announced.
   * Windows are given for the targets in force now only (one added later gets its window once its
   * list is in force).
   */
  plan(members: readonly MemberRecord[], targetIds: readonly string[], nowMs: number, upcoming?: UpcomingTargets): AssignmentPlan {
    const membersNow = membersActiveAt(members, nowMs);
    const ownersNow = this.owners(membersNow, targetIds);
    const memberBoundary = nextBoundary(members, nowMs);
    const listChange = upcoming !== undefined && upcoming.atMs > nowMs ? upcoming : undefined;
    const boundary = listChange !== undefined && (memberBoundary === undefined || listChange.atMs <= memberBoundary) ? listChange.atMs : memberBoundary;
    const idsNext = listChange !== undefined && boundary === listChange.atMs ? listChange.targetIds : targetIds;
    const ownersNext = boundary === undefined ? ownersNow : this.owners(membersActiveAt(members, boundary), idsNext);
    const windows = new Map<string, ScrapeWindow>();
    let ownedNow = 0;
    for (const id of targetIds) {
      const mineNow = ownersNow.get(id) === this.self;
      const mineNext = ownersNext.get(id) === this.self;
      if (mineNow) ownedNow++;
      // Owned now: no lower bound, so a running loop keeps its next tick even if that tick is due.
      if (mineNow && mineNext) windows.set(id, { fromMs: Number.NEGATIVE_INFINITY, untilMs: Number.POSITIVE_INFINITY });
      else if (mineNow) windows.set(id, { fromMs: Number.NEGATIVE_INFINITY, untilMs: boundary as number });
      else if (mineNext) windows.set(id, { fromMs: boundary as number, untilMs: Number.POSITIVE_INFINITY });
    }
    return { windows, nextBoundaryMs: boundary, membersNow, ownedNow };
  }

  private owners(memberIds: readonly string[], targetIds: readonly string[]): Map<string, string> {
    if (memberIds.length === 0) return new Map();
    const placement = this.makePlacement();
    placement.setMembers(memberIds);
    return placement.assign(targetIds);
  }
}
