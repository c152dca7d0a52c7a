// The scraper node: scrapes its targets and produces one Kafka message per scrape. Standalone it
// scrapes its own scrape_configs; with `etcd:` it is a member of a sharded fleet and scrapes the
// share of the coordinator's target list that the ring gives it.
import type { Hono } from 'hono';
import { createEtcd } from '../core/etcd-client.ts';
import type { EtcdConfig } from '../core/etcd-config.ts';
import { createKafka, ensureTopic } from '../core/kafka-client.ts';
import { createLogger, redactSecrets, type Logger } from '../core/logger.ts';
import { startNodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { ClusterView } from '../cluster/cluster-view.ts';
import { BoundedLoadRendezvous } from '../cluster/rendezvous-placement.ts';
import { KafkaSampleProducer } from './kafka-sample-producer.ts';
import { Membership } from '../cluster/membership.ts';
import { readGlobalConfig, readScrapeConfig, SCRAPE_CONFIG_KEYS, type JobScrapeOptions } from '../model/scrape-config.ts';
import { ScrapeManager } from './scrape-manager.ts';
import { readScraperConfig, type ScraperConfig } from './scraper-config.ts';
import { ScraperMetrics } from './scraper-metrics.ts';
import { ShardController } from './shard-controller.ts';
import { TargetAssigner } from '../cluster/target-assigner.ts';
import { buildTargets } from '../discovery/target-builder.ts';
import { takeDeprecationWarnings } from '../core/config-schema.ts';

export async function runScraper(rawConfig: unknown): Promise<void> {
  const config = readScraperConfig(rawConfig);
  const logger = createLogger(`scraper/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting scraper');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  const metrics = new ScraperMetrics();
  const kafka = createKafka(config.kafka, logger);
  const producer = new KafkaSampleProducer(kafka, config.kafka, config.producer, logger, metrics);
  let jobOptions: (job: string) => JobScrapeOptions | undefined = () => undefined;
  const manager = new ScrapeManager({ sink: producer, logger, metrics, jobOptions: (job) => jobOptions(job), maxMessageBytes: config.producer.maxMessageBytes,
    externalLabels: config.global.externalLabels,
  });
  let ready = false;
  const server = await startNodeServer({
    listenAddress: config.listenAddress,
    registry: metrics.registry,
    logger,
    notReadyReason: () => (ready ? null : 'starting'),
    routes: (app) => targetsApi(app, manager, config.nodeId),
  });

  await ensureTopic(kafka, config.kafka, logger);
  await producer.connect();

  let leave: () => Promise<void> = async () => {
    await manager.stopAll();
  };
  if (config.etcd === undefined) {
    const jobs = new Map<string, JobScrapeOptions>(config.scrapeConfigs.map((c) => [c.jobName, c]));
    jobOptions = (job) => jobs.get(job);
    const targets = config.scrapeConfigs.flatMap((job) => {
      const groups = job.staticConfigs.map((s, i) => ({ targets: s.targets, labels: s.labels, source: `static:${job.jobName}:${i}` }));
      const built = buildTargets(job, groups);
      for (const e of built.errors) logger.error({ job: job.jobName, labels: e.discoveredLabels, err: e.error }, 'invalid target');
      return built.targets;
    });
    metrics.targetsKnown.set(targets.length);
    await manager.sync(targets);
    logger.info({ targets: targets.length }, 'scraper running with its own scrape_configs');
  } else {
    const fleet = await joinFleet(config, config.etcd, manager, metrics, logger);
    jobOptions = fleet.jobOptions;
    leave = fleet.leave;
  }
  ready = true;

  onShutdownSignal(logger, async () => {
    await leave();
    ready = false;
    await producer.close();
    await server.close();
  });
}

async function joinFleet(
  config: ScraperConfig,
  etcdConfig: EtcdConfig,
  manager: ScrapeManager,
  metrics: ScraperMetrics,
  logger: Logger,
): Promise<{ jobOptions: (job: string) => JobScrapeOptions | undefined; leave: () => Promise<void> }> {
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
  const membership = new Membership(etcd, etcdConfig, { id: config.nodeId, address: config.advertiseAddress }, logger);
  const controller = new ShardController({
    view,
    assigner: new TargetAssigner(config.nodeId, () => new BoundedLoadRendezvous()),
    manager,
    metrics,
    logger,
  });
  await view.start();
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
  return { jobOptions, leave };
}

function targetsApi(app: Hono, manager: ScrapeManager, nodeId: string): void {
  app.get('/api/v1/targets', (c) =>
    c.json({
      status: 'success',
      data: {
        activeTargets: manager.all().map((loop) => ({
          discoveredLabels: loop.target.discoveredLabels,
          labels: Object.fromEntries(loop.target.labels),
          scrapePool: loop.target.job,
          scrapeUrl: loop.target.url,
          globalUrl: loop.target.url,
          lastError: loop.health.lastError,
          lastScrape: new Date(loop.health.lastScrape || 0).toISOString(),
          lastScrapeDuration: loop.health.lastScrapeDurationSeconds,
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
