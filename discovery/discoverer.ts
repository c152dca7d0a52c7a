// What every target source looks like to the discovery manager: something that, once started,
// reports its complete current list of target groups whenever it changes.
import type { TargetGroup } from './target-group.ts';

export type DiscoveryMechanism = 'static' | 'file_sd' | 'http_sd' | 'api';

/**
 * What a source reports: its complete group list and, when it has not read its source even once
 * yet, the source prefixes (`http_sd:<url>`) whose targets nobody knows: the leader keeps what
 * etcd already holds for them instead of deleting it (a new leader whose http_sd endpoint is
 * briefly down must not wipe that endpoint's targets and stale every series).
 */
export type DiscoveryUpdate = (groups: TargetGroup[], unknownSources?: readonly string[]) => void;

export interface Discoverer {
  readonly mechanism: DiscoveryMechanism;
  /**
   * Starts discovering. `update` gets the complete group list (not a delta) at least once, after
   * the first attempt, even when that attempt failed (then an empty list), so the manager knows
   * when every source has been heard from.
   */
  start(update: DiscoveryUpdate): void;
  stop(): Promise<void>;
}

/** What discoverers report besides their groups. */
export interface DiscoveryEvents {
  /** A failed read or refresh (the last good groups are kept). */
  error(mechanism: DiscoveryMechanism, source: string, err: Error): void;
}

/** The mechanism part of a group's source ("file_sd:/etc/x.json:0" -> "file_sd"). */
export function sourceMechanism(source: string): string {
  const i = source.indexOf(':');
  return i < 0 ? source : source.slice(0, i);
}
