// Which coordinator writes the target list: an etcd election (<prefix>election/coordinator/) that
// every coordinator campaigns in with its node id. The campaign's key lives under a lease of
// etcd.lease_ttl, so a leader that dies is replaced within that TTL; a leader that stops resigns
// and is replaced at once. On any campaign error we stop leading and campaign again, with backoff.
import type { Campaign, Election, Etcd3 } from 'etcd3';
import { KEYS } from '../cluster/cluster-state.ts';
import type { Logger } from '../core/logger.ts';

export interface Leadership {
  /** The election key this leader holds: it exists exactly as long as we lead (fence writes on it). */
  key: string;
  since: number;
}

export interface LeaderElectionOptions {
  etcd: Etcd3;
  prefix: string;
  nodeId: string;
  ttlSeconds: number;
  logger: Logger;
  onElected: (leadership: Leadership) => void;
  onLost: (reason: string) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** KEYS.election is "election/coordinator": etcd3's Election puts "election/" in front of the name itself. */
const ELECTION_NAME = KEYS.election.slice('election/'.length);

export class LeaderElection {
  private readonly opts: LeaderElectionOptions;
  private readonly election: Election;
  private readonly logger: Logger;
  private campaign: Campaign | undefined;
  private leadership: Leadership | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private stopped = false;

  constructor(opts: LeaderElectionOptions) {
    this.opts = opts;
    this.election = opts.etcd.namespace(opts.prefix).election(ELECTION_NAME, opts.ttlSeconds);
    this.logger = opts.logger.child({ component: 'leader-election' });
    this.backoffMs = opts.initialBackoffMs ?? 500;
  }

  get isLeader(): boolean {
    return this.leadership !== undefined;
  }

  start(): void {
    this.stopped = false;
    this.run();
  }

  /** The node id of the leader now, as etcd has it (undefined when there is none). */
  async leader(): Promise<string | undefined> {
    return this.election.leader();
  }

  /** Resigns, so another coordinator takes over at once instead of after the lease TTL. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    const campaign = this.campaign;
    this.campaign = undefined;
    this.lose('stopping');
    await campaign?.resign().catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'resigning failed; the lease will expire'));
  }

  /** Gives up leadership (e.g. a fenced write found our key gone) and campaigns again. */
  relinquish(reason: string): void {
    const campaign = this.campaign;
    if (campaign !== undefined) this.failed(campaign, new Error(reason));
  }

  private run(): void {
    if (this.stopped) return;
    const campaign = this.election.campaign(this.opts.nodeId);
    this.campaign = campaign;
    this.logger.info({ node: this.opts.nodeId }, 'campaigning for leadership');
    campaign.on('elected', () => {
      if (this.campaign !== campaign) return;
      campaign.getCampaignKey().then(
        (key) => {
          if (this.campaign !== campaign || this.stopped) return;
          this.backoffMs = this.opts.initialBackoffMs ?? 500;
          this.leadership = { key, since: Date.now() };
          this.logger.info({ key }, 'elected leader');
          this.opts.onElected(this.leadership);
        },
        (err: unknown) => this.failed(campaign, err as Error),
      );
    });
    campaign.on('error', (err) => this.failed(campaign, err));
  }

  private failed(campaign: Campaign, err: Error): void {
    if (this.campaign !== campaign) return;
    this.campaign = undefined;
    campaign.resign().catch(() => undefined);
    this.lose(`campaign failed: ${err.message}`);
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 10_000);
    this.logger.warn({ err: err.message, retryInMs: delay }, 'leader election failed; campaigning again');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.run();
    }, delay);
  }

  private lose(reason: string): void {
    if (this.leadership === undefined) return;
    this.leadership = undefined;
    this.logger.warn({ reason }, 'no longer the leader');
    this.opts.onLost(reason);
  }
}
