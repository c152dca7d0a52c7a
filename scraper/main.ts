// The scraper node: scrapes its targets and produces one Kafka message per scrape. Standalone it
// scrapes its own scrape_configs; with `etcd:` it is a member of a sharded fleet and scrapes the
// share of the coordinator's target list that the ring gives it.
import type { Hono } from 'hono';
import { createEtcd } from '../core/etcd-client.ts';
import type { EtcdConfig } from '../core/etcd-config.ts';
import { createKafka, createKafkaProducer, ensureTopic } from '../core/kafka-client.ts';
import { createLogger, redactSecrets, type Logger } from '../core/logger.ts';
import { startNodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { ClusterView } from '../cluster/cluster-view.ts';
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';
import { KafkaSampleProducer } from './kafka-sample-producer.ts';
import { Membership } from '../cluster/membership.ts';
import { readGlobalConfig, readScrapeConfig, SCRAPE_CONFIG_KEYS, type JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeManager } from './scrape-manager.ts';
import { ScrapeWorkers, type ScrapeLoops } from './scrape-workers.ts';
import { readScraperConfig, type ScraperConfig } from './scraper-config.ts';
import { ScraperMetrics } from './scraper-metrics.ts';
import { ShardController } from './shard-controller.ts';
import { TargetAssigner, type AssignmentPlan } from '../cluster/target-assigner.ts';
import type { UpcomingTargets } from '../cluster/target-epoch.ts';
import type { MemberRecord } from '../cluster/cluster-state.ts';
import type { Placement } from '../cluster/placement.ts';
import { buildTargets } from '../discovery/target-builder.ts';
import { takeDeprecationWarnings } from '../core/config-schema.ts';
import { ConfigReloader, stableJson } from '../core/config-reload.ts';
import { incarnation, MEMBERSHIP_STATUS_PATH, peerOwnershipCheck, type MembershipStatus } from './peer-check.ts';
import { peerFetch } from '../core/http-client-config.ts';

export async function runScraper(rawConfig: unknown, context: { configPath?: string } = {}): Promise<void> {
  const config = readScraperConfig(rawConfig);
  const logger = createLogger(`scraper/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting scraper');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  const metrics = new ScraperMetrics();
  const kafka = createKafka(config.kafka, logger);
  // No retries inside the client: KafkaSampleProducer counts each failed attempt and retries it itself.
  const producer = new KafkaSampleProducer(createKafkaProducer(config.kafka, { retries: 0, idempotent: false }, logger), config.kafka, config.producer, logger, metrics);
  let jobOptions: (job: string) => JobScrapeOptions | undefined = () => undefined;
  // node.scrape_workers > 1: the targets are split over worker threads (scrape-workers.ts), the
  // producer stays here; 1: the loops run on this thread.
  const workers = config.scrapeWorkers > 1
    ? new ScrapeWorkers({ workers: config.scrapeWorkers, nodeId: config.nodeId, registry: metrics.registry, sink: producer, logger, jobOptions: (job) => jobOptions(job),
      maxMessageBytes: config.producer.maxMessageBytes, externalLabels: config.global.externalLabels })
    : undefined;
  const manager: ScrapeLoops = workers ?? new ScrapeManager({ sink: producer, logger, metrics, jobOptions: (job) => jobOptions(job), maxMessageBytes: config.producer.maxMessageBytes,
    externalLabels: config.global.externalLabels,
  });
  if (workers !== undefined) logger.info({ workers: workers.workers }, 'scraping on worker threads');
  // Standalone, the scraper's own scrape_configs (and global) are reloadable; in a fleet its jobs
  // come from etcd and what its file holds (node, etcd, kafka, producer) needs a restart.
  let jobTexts = new Map<string, string>();
  const applyStandaloneJobs = async (cfg: ScraperConfig): Promise<void> => {
    const jobs = new Map<string, JobScrapeOptions>(cfg.scrapeConfigs.map((c) => [c.jobName, c]));
    const texts = new Map(cfg.scrapeConfigs.map((c) => [c.jobName, stableJson(c)]));
    const changed = new Set([...texts].filter(([name, text]) => jobTexts.has(name) && jobTexts.get(name) !== text).map(([name]) => name));
    jobTexts = texts;
    jobOptions = (job) => jobs.get(job);
    const targets = cfg.scrapeConfigs.flatMap((job) => {
      const groups = job.staticConfigs.map((s, i) => ({ targets: s.targets, labels: s.labels, source: `static:${job.jobName}:${i}` }));
      const built = buildTargets(job, groups);
      for (const e of built.errors) logger.error({ job: job.jobName, labels: e.discoveredLabels, err: e.error }, 'invalid target');
      return built.targets;
    });
    metrics.targetsKnown.set(targets.length);
    // A job whose settings changed restarts its running loops at their next tick (no tick missed
    // or doubled); sync then adds and ends targets as the new list says.
    for (const t of targets) if (changed.has(t.job) && manager.get(t.id) !== undefined) manager.reload(t, Date.now(), Number.POSITIVE_INFINITY);
    await manager.sync(targets);
    logger.info({ targets: targets.length }, 'scraper running with its own scrape_configs');
  };
  const reloader = new ConfigReloader<ScraperConfig>(
    {
      ...(context.configPath !== undefined ? { configPath: context.configPath } : {}),
      read: readScraperConfig,
      current: config,
      restartOnly: config.etcd === undefined ? ['node', 'etcd', 'kafka', 'producer', 'global.external_labels'] : ['node', 'etcd', 'kafka', 'producer', 'global'],
      apply: async (next) => {
        if (next.etcd === undefined) await applyStandaloneJobs(next);
      },
      logger,
      registry: metrics.registry,
    },
    rawConfig,
  );
  let ready = false;
  // Set once this node has joined a fleet: what its peers ask when they lose etcd (peer-check.ts).
  let membershipStatus: (() => MembershipStatus) | undefined;
  const server = await startNodeServer({
    listenAddress: config.listenAddress,
    ...(config.webConfigFile !== undefined ? { webConfigFile: config.webConfigFile } : {}),
    registry: workers?.registry ?? metrics.registry,
    logger,
    notReadyReason: () => (ready ? null : 'starting'),
    routes: (app) => {
      reloader.listen(app);
      targetsApi(app, manager, config.nodeId);
      app.get(MEMBERSHIP_STATUS_PATH, (c) => (membershipStatus === undefined ? c.json({ status: 'error', error: 'not a fleet member (yet)' }, 503) : c.json(membershipStatus())));
    },
  });

  await ensureTopic(kafka, config.kafka, logger);
  await producer.connect();

  let leave: () => Promise<void> = async () => {
    await manager.stopAll();
  };
  if (config.etcd === undefined) {
    await applyStandaloneJobs(config);
  } else {
    const fleet = await joinFleet(config, config.etcd, manager, metrics, logger);
    jobOptions = fleet.jobOptions;
    leave = fleet.leave;
    membershipStatus = fleet.status;
  }
  ready = true;

  onShutdownSignal(logger, async () => {
    await leave();
    await workers?.close();
    ready = false;
    await producer.close();
    await server.close();
  });
}

async function joinFleet(
  config: ScraperConfig,
  etcdConfig: EtcdConfig,
  manager: ScrapeLoops,
  metrics: ScraperMetrics,
  logger: Logger,
): Promise<{ jobOptions: (job: string) => JobScrapeOptions | undefined; leave: () => Promise<void>; status: () => MembershipStatus }> {
  const etcd = createEtcd(etcdConfig);
  const view = new ClusterView(etcd, etcdConfig, logger);
  const defaults = readGlobalConfig({}, 'global');
  const jobCache = new Map<string, { text: string; options: JobScrapeOptions | undefined }>();
  const jobOptions = (job: string): JobScrapeOptions | undefined => {
    const record = view.jobs.get(job);
    if (record === undefined) return undefined;
    const text = JSON.stringify(record.scrapeConfig);
    const cached = jobCache.get(job);
    if (cached !== undefined && cached.text === text) return cached.options;
    let options: JobScrapeOptions | undefined;
    // A rolling upgrade: a newer coordinator may write fields this scraper does not know. Ignore
    // them, logged once per job and text, rather than losing the job's targets.
    const known: Record<string, unknown> = {};
    const unknown: string[] = [];
    for (const [k, v] of Object.entries(record.scrapeConfig)) {
      if ((SCRAPE_CONFIG_KEYS as readonly string[]).includes(k)) known[k] = v;
      else unknown.push(k);
    }
    if (unknown.length > 0) logger.warn({ job, fields: unknown }, 'job record has fields this scraper does not know (a newer coordinator?): ignored');
    try {
      options = readScrapeConfig(known, `etcd ${etcdConfig.prefix}jobs/${job}`, defaults);
    } catch (err) {
      logger.error({ job, err: (err as Error).message }, 'invalid job record in etcd');
    }
    jobCache.set(job, { text, options });
    return options;
  };
  // Past its lease deadline with etcd silent, a scraper keeps its targets unless a peer has seen
  // its record go (an outage of etcd itself must not stop the fleet: docs/sharding.md).
  const canStillOwn = peerOwnershipCheck({
    members: () => [...view.members.values()],
    revision: () => view.revision,
    timeoutMs: Math.min(1000, Math.floor(etcdConfig.leaseTtlMs / 3)),
    logger,
    fetch: peerFetch(config.peerHttpClient),
    ...(config.peerHttpClient !== undefined ? { scheme: config.peerHttpClient.scheme } : {}),
  });
  const membership = new Membership(etcd, etcdConfig, { id: config.nodeId, address: config.advertiseAddress }, logger, undefined, canStillOwn);
  const status = (): MembershipStatus => {
    const answeredAt = membership.etcdAnsweredAt;
    const ago = answeredAt === 0 ? null : Date.now() - answeredAt;
    return {
      self: incarnation(membership.self),
      etcdReachable: ago !== null && ago < etcdConfig.leaseTtlMs,
      etcdAnsweredAgoMs: ago,
      leaseHeld: membership.isLive,
      ownsPastLeaseDeadline: membership.ownsPastDeadline,
      revision: view.revision,
      members: [...view.members.values()].map(incarnation),
    };
  };
  const controller = new ShardController({
    view,
    assigner: new LeaseBoundAssigner(config.nodeId, () => new BoundedLoadRendezvous(), membership),
    manager,
    metrics,
    logger,
  });
  await view.start();
  // Lease presumed gone (or back): re-plan at once, the view frozen by a partition will not tell us.
  // After the current job, as the view's own changes: join() emits this before runScraper has
  // installed jobOptions.
  membership.on('change', () => setImmediate(() => controller.reconcile()));
  await membership.join();
  logger.info({ member: config.nodeId }, 'scraper running as a fleet member');

  const leave = async (): Promise<void> => {
    // Announce, keep scraping until the boundary so the others start at that very tick, let the
    // last scrapes finish, then remove the member record.
    const until = await membership.announceLeave();
    controller.reconcile();
    const deadline = until + 60_000;
    while (manager.all().some((l) => !l.ended) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(manager.all().map((l) => l.idle()));
    controller.stop();
    await manager.stopAll();
    await membership.revoke();
    await view.close();
    etcd.close();
  };
  return { jobOptions, leave, status };
}

/**
 * This node's own member record counts only while its lease holds by its own clock, and only the
 * incarnation it joined as: cut from etcd past its lease deadline, once a peer has taken over
 * (peer-check.ts), it owns nothing, although its view, frozen by the same cut, still lists it
 * (docs/sharding.md, Crashes and partitions).
 */
class LeaseBoundAssigner extends TargetAssigner {
  readonly #selfId: string;
  readonly #membership: Membership;

  constructor(selfId: string, makePlacement: () => Placement, membership: Membership) {
    super(selfId, makePlacement);
    this.#selfId = selfId;
    this.#membership = membership;
  }

  override plan(members: readonly MemberRecord[], targetIds: readonly string[], nowMs: number, upcoming?: UpcomingTargets): AssignmentPlan {
    return super.plan(members.filter((m) => m.id !== this.#selfId || this.#membership.holds(m)), targetIds, nowMs, upcoming);
  }
}

function targetsApi(app: Hono, manager: ScrapeLoops, nodeId: string): void {
  app.get('/api/v1/targets', (c) =>
    c.json({
      status: 'success',
      data: {
        // Redacted: discovered labels, URLs and errors may carry URL userinfo or secret meta labels.
        activeTargets: manager.all().map((loop) => redactSecrets({
          discoveredLabels: loop.target.discoveredLabels,
          labels: Object.fromEntries(loop.target.labels),
          scrapePool: loop.target.job,
          scrapeUrl: loop.target.url,
          globalUrl: loop.target.url,
          lastError: loop.health.lastError,
          lastScrape: new Date(loop.health.lastScrape || 0).toISOString(),
          lastScrapeDuration: loop.health.lastScrapeDurationSeconds,
          // Not in Prometheus' API (its clients ignore unknown fields): the samples the last scrape
          // kept after metric relabelling, summed per member on the coordinator's status page.
          lastScrapeSamples: loop.health.lastScrapeSamples,
          // Also ours: the first break of the formats' semantic rules in the last scrape (rule, line,
          // family), or null. The scrape stays "up": the samples were stored.
          lastExpositionViolation: loop.health.lastExpositionViolation ?? null,
          health: loop.health.health,
          scrapeInterval: `${loop.target.intervalMs / 1000}s`,
          scrapeTimeout: `${loop.target.timeoutMs / 1000}s`,
          owner: nodeId,
        })),
        droppedTargets: [],
      },
    }),
  );
}
