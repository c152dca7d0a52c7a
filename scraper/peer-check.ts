// Past its lease deadline with etcd silent, a scraper asks its peers (GET
// /api/v1/status/membership on each member of its last view) whether anybody can have taken its
// targets over: a peer takes them only on seeing this node's member record go in etcd. If one
// has (its view, newer than ours, no longer lists our record), we stop; if none has (etcd down for
// everyone, or nobody answers), we keep our last assignment (docs/sharding.md, Crashes and
// partitions). The decision is pure (decideOwnership); the HTTP around it is peerOwnershipCheck.
import type { MemberRecord } from '../cluster/cluster-state.ts';
import type { CanStillOwn } from '../cluster/membership.ts';
import type { Logger } from '../core/logger.ts';

export const MEMBERSHIP_STATUS_PATH = '/api/v1/status/membership';

/** A member record's identity: which incarnation of which node. */
export interface Incarnation {
  id: string;
  startedAt: number;
  activeFrom: number;
}

/** What a scraper answers on MEMBERSHIP_STATUS_PATH. */
export interface MembershipStatus {
  self: Incarnation;
  /** etcd answered this node (keepalive or join) within the last lease TTL. */
  etcdReachable: boolean;
  /** How long ago etcd last answered, by the node's own clock; null: never. */
  etcdAnsweredAgoMs: number | null;
  /** The node acts as a member (its lease alive by its own clock, or no peer has taken over). */
  leaseHeld: boolean;
  /** Live past its lease deadline on its peers' word (etcd unreachable). */
  ownsPastLeaseDeadline: boolean;
  /** The etcd revision its view reflects. */
  revision: number;
  /** The member records its view holds. */
  members: Incarnation[];
}

export function incarnation(m: MemberRecord): Incarnation {
  return { id: m.id, startedAt: m.startedAt, activeFrom: m.activeFrom };
}

const sameIncarnation = (a: Incarnation, b: Incarnation): boolean => a.id === b.id && a.startedAt === b.startedAt && a.activeFrom === b.activeFrom;

/** A peer's answer, or undefined for junk. Tolerant of extra fields (a newer version). */
export function readMembershipStatus(body: unknown): MembershipStatus | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const inc = (v: unknown): Incarnation | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    const { id, startedAt, activeFrom } = v as Record<string, unknown>;
    return typeof id === 'string' && typeof startedAt === 'number' && typeof activeFrom === 'number' ? { id, startedAt, activeFrom } : undefined;
  };
  const self = inc(b.self);
  if (self === undefined || typeof b.etcdReachable !== 'boolean' || typeof b.leaseHeld !== 'boolean' || typeof b.revision !== 'number' || !Array.isArray(b.members)) return undefined;
  const members = (b.members as unknown[]).map(inc);
  if (members.some((m) => m === undefined)) return undefined;
  return {
    self,
    etcdReachable: b.etcdReachable,
    etcdAnsweredAgoMs: typeof b.etcdAnsweredAgoMs === 'number' ? b.etcdAnsweredAgoMs : null,
    leaseHeld: b.leaseHeld,
    ownsPastLeaseDeadline: b.ownsPastLeaseDeadline === true,
    revision: b.revision,
    members: members as Incarnation[],
  };
}

export interface OwnershipDecision {
  /** Keep the last assignment: no peer can have taken it over. */
  keep: boolean;
  /** Peers that have seen this node's record go (any one means stop). */
  takenOverBy: string[];
  answered: number;
  /** Answering peers that report etcd reachable. */
  reachingEtcd: number;
}

/**
 * A peer can have taken this node's targets over only if its view has seen this node's record go:
 * its view is newer than ours (it heard from etcd after we stopped hearing) and no longer holds our
 * incarnation. A peer reaching etcd whose view still holds us has not taken over (our lease lives,
 * or it has not seen the delete yet: asked again on the next check). No answer proves nothing
 * either way; so with no peer that has taken over, keep: no double scraping is possible through
 * etcd, and stopping would only lose the targets.
 */
export function decideOwnership(self: Incarnation, selfRevision: number, answers: readonly MembershipStatus[]): OwnershipDecision {
  const takenOverBy = answers
    .filter((a) => a.self.id !== self.id && a.revision > selfRevision && !a.members.some((m) => sameIncarnation(m, self)))
    .map((a) => a.self.id);
  return { keep: takenOverBy.length === 0, takenOverBy, answered: answers.length, reachingEtcd: answers.filter((a) => a.etcdReachable).length };
}

export function memberUrl(address: string, scheme: 'http' | 'https' = 'http'): string {
  return /^https?:\/\//.test(address) ? address.replace(/\/+$/, '') : `${scheme}://${address}`;
}

/** Bodies beyond this are not a status answer (a member list of thousands is well under it). */
const MAX_BODY_BYTES = 1 << 20;

async function readBoundedJson(res: Response): Promise<unknown> {
  const reader = res.body?.getReader();
  if (reader === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export interface PeerOwnershipCheckOptions {
  /** The members of this node's last view (self among them, skipped). */
  members: () => readonly MemberRecord[];
  /** The etcd revision of this node's view. */
  revision: () => number;
  /** Per peer; the peers are asked in parallel. */
  timeoutMs: number;
  logger: Logger;
  /** node.peer_http_client (core/http-client-config.ts peerFetch): peers behind their web config's auth or TLS. */
  fetch?: typeof fetch;
  /** How peers are called when their address has no scheme (peer_http_client.scheme). */
  scheme?: 'http' | 'https';
}

/** Membership's CanStillOwn, by asking every peer of the last view over HTTP. Never rejects. */
export function peerOwnershipCheck(opts: PeerOwnershipCheckOptions): CanStillOwn {
  const doFetch = opts.fetch ?? fetch;
  const logger = opts.logger.child({ component: 'peer-check' });
  let last = '';
  return async (self) => {
    const peers = opts.members().filter((m) => m.id !== self.id);
    const answers = await Promise.all(
      peers.map(async (m): Promise<MembershipStatus | undefined> => {
        try {
          const res = await doFetch(`${memberUrl(m.address, opts.scheme)}${MEMBERSHIP_STATUS_PATH}`, { signal: AbortSignal.timeout(opts.timeoutMs) });
          if (!res.ok) {
            await res.body?.cancel();
            return undefined;
          }
          return readMembershipStatus(await readBoundedJson(res));
        } catch {
          return undefined;
        }
      }),
    );
    const answered = answers.filter((a): a is MembershipStatus => a !== undefined);
    const decision = decideOwnership(incarnation(self), opts.revision(), answered);
    const fields = { member: self.id, peers: peers.length, answered: decision.answered, reachingEtcd: decision.reachingEtcd, takenOverBy: decision.takenOverBy, keep: decision.keep };
    // Asked on every keepalive retry while cut: log what changes, not every round.
    const summary = JSON.stringify(fields);
    if (summary !== last) logger.info(fields, decision.keep ? 'peer check: no peer has taken over' : 'peer check: a peer has taken over');
    last = summary;
    return decision.keep;
  };
}
