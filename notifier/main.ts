// The notifier node: consumes alert transitions from Kafka, obeys an Alertmanager configuration
// file, delivers notifications at least once, and serves Alertmanager's API v2 (amtool works).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, takeDeprecationWarnings } from '../core/config-schema.ts';
import { Membership } from '../cluster/membership.ts';
import { MemberView } from '../cluster/member-view.ts';
import { createEtcd } from '../core/etcd-client.ts';
import { createKafka, ensureTopic } from '../core/kafka-client.ts';
import { createLogger, redactSecrets } from '../core/logger.ts';
import { startNodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { isResolved } from './alert.ts';
import { AlertConsumer } from './alert-consumer.ts';
import { AlertStore } from './alert-store.ts';
import { loadAlertmanagerFile, type LoadedAlertmanagerConfig } from './alertmanager-file.ts';
import type { NotificationLogEntry } from './dedup.ts';
import { Dispatcher } from './dispatcher.ts';
import { GroupOwnership } from './group-ownership.ts';
import { extendReceivers } from './integrations/build-integrations.ts';
import { HttpClients } from './integrations/http-client.ts';
import { mountApiV2 } from './api-v2.ts';
import { Inhibitor } from './inhibitor.ts';
import { mountNotificationHistoryApi, NotificationHistory } from './notification-history.ts';
import { decodeNotificationLogEntry, NotificationLog } from './notification-log.ts';
import { NotificationPipeline } from './notification-pipeline.ts';
import { loggableNotifierConfig, readNotifierConfig } from './notifier-config.ts';
import { NotifierMetrics } from './notifier-metrics.ts';
import { EtcdSharedMap, MemorySharedMap, type SharedMap } from './shared-map.ts';
import type { Silence } from './silence.ts';
import { decodeSilence, SilenceStore } from './silence-store.ts';
import { mountStatusPage } from './status-page/page.ts';

export const NOTIFIER_VERSION = '0.28.1-ringwatch';

export async function runNotifier(rawConfig: unknown): Promise<void> {
  const config = readNotifierConfig(rawConfig);
  const logger = createLogger(`notifier/${config.nodeId}`);
  logger.info({ config: redactSecrets(loggableNotifierConfig(config)) }, 'starting notifier');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');

  const http = new HttpClients();
  const describeConfig = (loaded: LoadedAlertmanagerConfig): void => {
    for (const r of loaded.receivers.values()) {
      if (r.unsupported.length > 0) logger.warn({ receiver: r.name, integrations: r.unsupported }, 'receiver has integrations this notifier cannot send yet; they are skipped');
      if ((r.notApplied ?? []).length > 0) logger.warn({ receiver: r.name, fields: r.notApplied }, 'receiver has http_config fields this notifier does not apply');
    }
  };
  // The Alertmanager file's receivers plus the notifier file's receiver_extensions.
  const load = async (): Promise<LoadedAlertmanagerConfig> => {
    const loaded = await loadAlertmanagerFile(config.alertmanagerConfigPath, http, config.externalUrl);
    return { ...loaded, receivers: extendReceivers(loaded.receivers, config.receiverExtensions, http, loaded.templates) };
  };
  // Invalid at start: the node does not start (the ConfigError names the field).
  let amConfig = await load();
  describeConfig(amConfig);

  const etcd = config.etcd !== undefined ? createEtcd(config.etcd) : undefined;
  const prefix = config.etcd?.prefix ?? '';
  const silenceMap: SharedMap<Silence> = etcd !== undefined ? new EtcdSharedMap(etcd, `${prefix}notifier/silences/`, logger, decodeSilence) : new MemorySharedMap();
  const nflogMap: SharedMap<NotificationLogEntry> =
    etcd !== undefined ? new EtcdSharedMap(etcd, `${prefix}notifier/nflog/`, logger, decodeNotificationLogEntry) : new MemorySharedMap();
  await silenceMap.start();
  await nflogMap.start();

  // Replicas sharing one etcd form a ring: each flushes the groups it owns (group-ownership.ts).
  const MEMBERS_KEY = 'notifier/members/';
  const ownership = new GroupOwnership(config.nodeId);
  let membership: Membership | undefined;
  let memberView: MemberView | undefined;
  if (etcd !== undefined && config.etcd !== undefined) {
    memberView = new MemberView(etcd, config.etcd.prefix, logger, MEMBERS_KEY);
    const view = memberView;
    view.on('change', () => {
      ownership.setMembers([...view.members.values()]);
      logger.info({ members: [...view.members.keys()] }, 'notifier ring changed');
    });
    await view.start();
    ownership.setMembers([...view.members.values()]);
    membership = new Membership(etcd, config.etcd, { id: config.nodeId, address: config.advertiseAddress }, logger, MEMBERS_KEY);
    await membership.join();
  }
  const silences = new SilenceStore(silenceMap, config.dataRetentionMs);
  const nflog = new NotificationLog(nflogMap);
  const store = new AlertStore();
  const history = new NotificationHistory();

  let dispatcher: Dispatcher | undefined;
  const metrics = new NotifierMetrics({
    alerts: () => {
      const now = Date.now();
      const counts = { active: 0, suppressed: 0, unprocessed: 0 };
      const inhibitor = new Inhibitor(amConfig.inhibitRules, store.all(), now);
      for (const a of store.all()) {
        if (isResolved(a, now)) continue;
        if (silences.mutedBy(a.labels, now).length > 0 || inhibitor.isInhibited(a.labels)) counts.suppressed++;
        else counts.active++;
      }
      return counts;
    },
    silences: () => silences.countByState(Date.now()),
    groups: () => dispatcher?.groupCount ?? 0,
  });
  const hashOf = async (path: string): Promise<number> => parseInt(createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 12), 16);
  metrics.configReloadSuccessful.set(1);
  metrics.configReloadSuccessTimestamp.set(Date.now() / 1000);
  metrics.configHash.set(await hashOf(config.alertmanagerConfigPath));

  const pipeline = new NotificationPipeline({
    allAlerts: () => store.all(),
    silences,
    nflog,
    metrics,
    logger,
    externalUrl: config.externalUrl,
    retentionMs: config.dataRetentionMs,
    now: Date.now,
    history,
    ...(etcd !== undefined ? { owns: (groupKey: string, nowMs: number) => ownership.owns(groupKey, nowMs) } : {}),
  });
  const activeDispatcher = new Dispatcher(amConfig, pipeline, logger);
  dispatcher = activeDispatcher;
  store.subscribe((alert, obligation) => activeDispatcher.insert(alert, obligation));

  let reloading: Promise<string | undefined> | undefined;
  const reload = async (): Promise<string | undefined> => {
    try {
      const next = await load();
      describeConfig(next);
      amConfig = next;
      activeDispatcher.reload(next, store.all());
      metrics.configReloadSuccessful.set(1);
      metrics.configReloadSuccessTimestamp.set(Date.now() / 1000);
      metrics.configHash.set(await hashOf(config.alertmanagerConfigPath));
      logger.info({ file: config.alertmanagerConfigPath }, 'alertmanager configuration reloaded');
      return undefined;
    } catch (err) {
      metrics.configReloadSuccessful.set(0);
      const message = err instanceof ConfigError ? err.message : (err as Error).message;
      logger.error({ file: config.alertmanagerConfigPath, err: message }, 'alertmanager configuration reload failed; keeping the previous one');
      return message;
    }
  };
  // One reload at a time: a second request waits for the first and then runs its own.
  const serializedReload = async (): Promise<string | undefined> => {
    while (reloading !== undefined) await reloading.catch(() => undefined);
    reloading = reload();
    try {
      return await reloading;
    } finally {
      reloading = undefined;
    }
  };
  process.on('SIGHUP', () => void serializedReload());

  const kafka = createKafka(config.kafka, logger);
  // In a ring every replica needs every alert (it must know whole groups), so each reads the topic
  // in its own consumer group; a single replica uses group_id as is.
  const groupId = etcd !== undefined ? `${config.groupId}-${config.nodeId}` : config.groupId;
  const consumer = new AlertConsumer(kafka, groupId, config.alertsTopic, store, logger, metrics);
  const startedAtMs = Date.now();
  const server = await startNodeServer({
    listenAddress: config.listenAddress,
    registry: metrics.registry,
    logger,
    notReadyReason: () => (consumer.ready ? null : 'waiting for the alerts topic partition assignment'),
    routes: (app) => {
      // The status page at / and /status, reading the APIs below.
      mountStatusPage(app);
      mountNotificationHistoryApi(app, history);
      mountApiV2(app, {
        alerts: () => store.all(),
        putAlert: (a) => {
          metrics.alertsReceived.labels(isResolved(a, Date.now()) ? 'resolved' : 'firing', 'api').inc();
          store.put(a);
        },
        dispatcher: () => activeDispatcher,
        silences,
        resolveTimeoutMs: () => amConfig.config.global.resolve_timeout,
        startedAtMs,
        version: NOTIFIER_VERSION,
        peers: () =>
          memberView !== undefined ? [...memberView.members.values()].map((m) => ({ name: m.id, address: m.address })) : [{ name: config.nodeId, address: config.advertiseAddress }],
        clusterName: config.nodeId,
        clustered: etcd !== undefined,
        reload: serializedReload,
        ready: () => consumer.ready,
      });
    },
  });
  await ensureTopic(kafka, config.kafka, logger);
  await consumer.start();

  const gcTimer = setInterval(() => {
    const now = Date.now();
    const alerts = store.gc(now);
    metrics.pendingRecords.set(consumer.pendingRecords);
    void Promise.all([silences.gc(now), nflog.gc(now)]).then(
      ([s, n]) => logger.debug({ alerts, silences: s, nflog: n }, 'garbage collection'),
      (err: unknown) => logger.warn({ err: (err as Error).message }, 'garbage collection of shared state failed'),
    );
  }, Math.min(config.alertGcIntervalMs, 15 * 60_000));
  gcTimer.unref();
  const pendingTimer = setInterval(() => metrics.pendingRecords.set(consumer.pendingRecords), 1000);
  pendingTimer.unref();

  logger.info({ url: server.url, topic: config.alertsTopic, etcd: etcd !== undefined }, 'notifier running');

  onShutdownSignal(logger, async () => {
    if (membership !== undefined) {
      // Hand the groups over before going: others own them from the announced instant on.
      const until = await membership.announceLeave().catch(() => Date.now());
      await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
      await membership.revoke().catch(() => undefined);
    }
    await memberView?.close();
    clearInterval(gcTimer);
    clearInterval(pendingTimer);
    await consumer.stop().catch(() => undefined);
    activeDispatcher.stop();
    await server.close();
    await silenceMap.close();
    await nflogMap.close();
    etcd?.close();
    await http.close();
  });
}
