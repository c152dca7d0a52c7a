// The coordinator node: discovers targets from its scrape_configs (static, file_sd, http_sd) and
// from the API, builds the target list, and, while it is the elected leader, keeps etcd holding
// exactly that list for the scrapers. Every coordinator discovers and serves the API; one writes.
import { createEtcd } from '../core/etcd-client.ts';
import { createLogger, redactSecrets } from '../core/logger.ts';
import { startNodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { mountCoordinatorApi } from './api.ts';
import { readCoordinatorConfig, resolveApiToken, type CoordinatorConfig } from './coordinator-config.ts';
import { CoordinatorMetrics } from './coordinator-metrics.ts';
import { DiscoveryManager, type GroupsByJob } from '../discovery/discovery-manager.ts';
import type { DiscoveryEvents } from '../discovery/discoverer.ts';
import { FileSdDiscoverer } from '../discovery/file-sd.ts';
import { HttpSdDiscoverer } from '../discovery/http-sd.ts';
import { DEFAULT_REGISTRATION_POLICY, RegisteredTargetsWatcher } from '../discovery/registered.ts';
import { StaticDiscoverer } from '../discovery/static.ts';
import { FleetReader } from './fleet-reader.ts';
import { LeaderElection } from './leader-election.ts';
import { RegisteredTargetStore } from './registered-targets.ts';
import { fetchScrapeHealth } from './scraper-health.ts';
import { peerFetch } from '../core/http-client-config.ts';
import { buildTargetList, jobRecord, keepUnknownSources, targetListKeys, type JobDefinition, type TargetList } from './target-list.ts';
import { TargetListSync } from './target-list-sync.ts';
import { TargetListWriter } from './target-list-writer.ts';
import { takeDeprecationWarnings } from '../core/config-schema.ts';
import { ConfigReloader } from '../core/config-reload.ts';

const DISCOVERY_DEBOUNCE_MS = 200;
const SCRAPER_API_TIMEOUT_MS = 2000;

export async function runCoordinator(raw: unknown, context: { configPath?: string } = {}): Promise<void> {
  const config = readCoordinatorConfig(raw);
  const token = resolveApiToken(config.api);
  const logger = createLogger(`coordinator/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting coordinator');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  if (token === undefined) logger.warn('api.token is not set: anyone who can reach this node can add and remove targets');
  const metrics = new CoordinatorMetrics();
  const prefix = config.etcd.prefix;
  const etcd = createEtcd(config.etcd, logger);

  let jobs = jobDefinitions(config);
  let knownJobs: ReadonlySet<string> = new Set(jobs.map((j) => j.options.jobName));
  const events: DiscoveryEvents = { error: (mechanism) => metrics.discoveryErrors.inc({ mechanism }) };
  const registered = new RegisteredTargetsWatcher(etcd, prefix, logger, events, () => config.api.registration ?? DEFAULT_REGISTRATION_POLICY);

  const writer = new TargetListWriter({ etcd, prefix, logger });
  let latest: TargetList | undefined;
  // Declared before use by the sync's callback; assigned just below.
  let election: LeaderElection | undefined;
  const sync = new TargetListSync({ writer, metrics, logger, onFenceLost: () => election?.relinquish('the election key disappeared') });
  election = new LeaderElection({
    etcd,
    prefix,
    nodeId: config.nodeId,
    ttlSeconds: config.etcd.leaseTtlMs / 1000,
    logger,
    onElected: (leadership) => {
      metrics.isLeader.set(1);
      sync.lead(leadership);
    },
    onLost: () => {
      metrics.isLeader.set(0);
      sync.follow();
    },
  });
  const leaderElection = election;

  const onDiscovered = (groups: GroupsByJob, unknownSources: ReadonlyMap<string, readonly string[]>): void => {
    const list = buildTargetList(jobs, groups);
    latest = list;
    metrics.observeTargetList(list);
    for (const job of list.perJob) {
      if (job.limitError !== undefined) logger.error({ job: job.job, err: job.limitError }, 'job exceeds its target_limit: it gets no targets');
      if (job.invalid.length > 0) {
        logger.warn({ job: job.job, invalid: job.invalid.length, first: job.invalid.slice(0, 3) }, 'discovered targets that cannot be scraped were skipped');
      }
    }
    logger.info({ targets: list.targets.size, jobs: list.jobs.size }, 'target list built');
    for (const [job, sources] of unknownSources) logger.warn({ job, sources }, 'target sources not read yet: keeping their targets in etcd as they are');
    sync.setDesired(targetListKeys(list, prefix), keepUnknownSources(unknownSources, prefix));
  };

  const newDiscovery = (cfg: CoordinatorConfig): DiscoveryManager => new DiscoveryManager({
    jobs: cfg.scrapeConfigs.map((c) => ({
      job: c.jobName,
      discoverers: [
        new StaticDiscoverer(c.staticConfigs),
        ...c.fileSdConfigs.map((sd) => new FileSdDiscoverer({ config: sd, events, logger: logger.child({ job: c.jobName }) })),
        ...c.httpSdConfigs.map((sd) => new HttpSdDiscoverer({ config: sd, events, logger: logger.child({ job: c.jobName }) })),
        registered.forJob(c.jobName),
      ],
    })),
    debounceMs: DISCOVERY_DEBOUNCE_MS,
    onUpdate: onDiscovered,
    logger,
  });
  let discovery = newDiscovery(config);

  // Reload: new jobs and target sources; the target list in etcd stays as it is until every new
  // source has reported (a source not read yet keeps its targets), then the difference is written.
  const reloader = new ConfigReloader<CoordinatorConfig>(
    {
      ...(context.configPath !== undefined ? { configPath: context.configPath } : {}),
      read: readCoordinatorConfig,
      current: config,
      restartOnly: ['node', 'etcd', 'api'],
      apply: async (next) => {
        const previous = discovery;
        await previous.stop();
        jobs = jobDefinitions(next);
        knownJobs = new Set(jobs.map((j) => j.options.jobName));
        discovery = newDiscovery(next);
        discovery.start();
        logger.info({ jobs: jobs.length }, 'scrape_configs reloaded');
      },
      logger,
      registry: metrics.registry,
    },
    raw,
  );

  const fleet = new FleetReader(etcd, prefix, logger);
  // The scrapers' /api/v1/targets, with node.peer_http_client's credentials when they require some.
  const scraperFetch = peerFetch(config.peerHttpClient);
  const store = new RegisteredTargetStore(etcd, prefix);
  const server = await startNodeServer({
    listenAddress: config.listenAddress,
    ...(config.webConfigFile !== undefined ? { webConfigFile: config.webConfigFile } : {}),
    registry: metrics.registry,
    logger,
    notReadyReason: () => (latest !== undefined ? null : 'waiting for every target source (and etcd) to report'),
    routes: (app) => {
      reloader.listen(app);
      mountCoordinatorApi(app, {
        nodeId: config.nodeId,
        token,
        knownJobs: () => knownJobs,
        registrationPolicy: () => config.api.registration ?? DEFAULT_REGISTRATION_POLICY,
        readFleet: () => fleet.read(),
        localTargetList: () => latest,
        scrapeHealth: (members, preferredOwner) =>
          fetchScrapeHealth(members, preferredOwner, { timeoutMs: SCRAPER_API_TIMEOUT_MS, fetch: scraperFetch, ...(config.peerHttpClient !== undefined ? { scheme: config.peerHttpClient.scheme } : {}) }),
        leader: () => leaderElection.leader(),
        isLeader: () => leaderElection.isLeader,
        registered: store,
        onTargetsChanged: (op, n) => metrics.registrations.inc({ op }, n),
        logger,
      });
    },
  });

  registered.start();
  discovery.start();
  leaderElection.start();
  logger.info({ jobs: jobs.length, url: server.url }, 'coordinator running');

  onShutdownSignal(logger, async () => {
    // Stop writing first, then resign so another coordinator takes over at once.
    await sync.stop();
    await leaderElection.stop();
    metrics.isLeader.set(0);
    await discovery.stop();
    await registered.stop();
    await server.close();
    etcd.close();
  });
}

function jobDefinitions(config: CoordinatorConfig): JobDefinition[] {
  return config.scrapeConfigs.map((options, i) => ({ options, record: jobRecord(config.rawScrapeConfigs[i] ?? {}, options) }));
}
