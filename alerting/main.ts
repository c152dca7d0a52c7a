// The alerting node: evaluates Prometheus rule files against a Prometheus-compatible store, shares
// the rule groups with the other alerting replicas on a ring (alert state in etcd), writes
// recording-rule results and ALERTS series through Kafka to the stores, sends alerts to
// Alertmanagers as Prometheus does, and publishes every alert transition on the alerts topic.
import { dirname, resolve } from 'node:path';
import type { Hono } from 'hono';
import type { Etcd3 } from 'etcd3';
import { KEYS } from '../cluster/cluster-state.ts';
import { MemberView } from '../cluster/member-view.ts';
import { Membership } from '../cluster/membership.ts';
import { takeDeprecationWarnings } from '../core/config-schema.ts';
import { createEtcd } from '../core/etcd-client.ts';
import { createKafka, createKafkaProducer, ensureTopic } from '../core/kafka-client.ts';
import { createLogger, redactSecrets } from '../core/logger.ts';
import { startNodeServer } from '../core/node-server.ts';
import { onShutdownSignal } from '../core/shutdown.ts';
import { relabel } from '../model/relabel.ts';
import { readAlertingConfig } from './alerting-config.ts';
import { AlertingMetrics } from './alerting-metrics.ts';
import { AlertmanagerSender } from './alertmanager-sender.ts';
import { AlertStateStore } from './alert-state-store.ts';
import type { AlertRelabeler } from './alert-sending.ts';
import { QueryClient } from './query-client.ts';
import { parseQueryResponse } from './query-result.ts';
import { RuleManager } from './rule-manager.ts';
import type { RuleGroupState } from './rule-group.ts';
import { RuleOutputProducer, type OutputSample } from './rule-output-producer.ts';
import { alertsResponse, rulesResponse } from './rules-api.ts';

export interface NodeContext {
  /** The configuration file, for paths relative to it (rule_files). */
  configPath?: string;
}

export async function runAlerting(rawConfig: unknown, context: NodeContext = {}): Promise<void> {
  const config = readAlertingConfig(rawConfig);
  const logger = createLogger(`alerting/${config.nodeId}`);
  logger.info({ config: redactSecrets(config) }, 'starting alerting node');
  for (const warning of takeDeprecationWarnings()) logger.warn({ warning }, 'deprecated configuration');
  const metrics = new AlertingMetrics();
  const query = new QueryClient(config.query);
  const sender = new AlertmanagerSender(config.alertmanagers, logger, metrics);

  let output: RuleOutputProducer | undefined;
  if (config.kafka !== undefined) {
    const kafka = createKafka(config.kafka, logger);
    await ensureTopic(kafka, config.kafka, logger);
    await ensureTopic(kafka, { ...config.kafka, topic: config.kafka.alertsTopic }, logger);
    output = new RuleOutputProducer(createKafkaProducer(config.kafka, { retries: 5, idempotent: true }, logger), { samples: config.kafka.topic, alerts: config.kafka.alertsTopic }, logger, metrics);
    await output.connect();
  } else {
    logger.warn('no kafka section: recording rules, ALERTS series and alert records are not written anywhere');
  }

  let etcd: Etcd3 | undefined;
  let stateStore: AlertStateStore<RuleGroupState> | undefined;
  if (config.etcd !== undefined) {
    etcd = createEtcd(config.etcd);
    stateStore = new AlertStateStore<RuleGroupState>(etcd, config.etcd.prefix, logger, metrics);
  }

  const alertRelabel: AlertRelabeler | undefined =
    config.alertRelabelConfigs.length === 0
      ? undefined
      : (labels) => {
          const out = relabel(new Map(Object.entries(labels)), config.alertRelabelConfigs);
          return out === null ? null : Object.fromEntries(out);
        };

  const manager = new RuleManager({
    nodeId: config.nodeId,
    ruleFiles: config.ruleFiles,
    baseDir: context.configPath !== undefined ? dirname(resolve(context.configPath)) : process.cwd(),
    defaultIntervalMs: config.evaluationIntervalMs,
    defaultQueryOffsetMs: config.queryOffsetMs,
    externalLabels: config.externalLabels,
    externalURL: config.externalUrl,
    resendDelayMs: config.resendDelayMs,
    ...(alertRelabel !== undefined && { relabel: alertRelabel }),
    io: {
      query: async (expr, timeMs) => parseQueryResponse(await query.query(expr, timeMs)),
      notify: async (payload) => {
        sender.send(payload);
      },
      now: () => Date.now(),
    },
    writeSamples: async (groupKey, samples, staleSeries, timestampMs) => {
      if (output === undefined) return;
      const out: OutputSample[] = samples.map((s) => ({ labels: { ...s.labels }, value: s.value, timestampMs: s.timestampMs }));
      for (const labels of staleSeries) out.push({ labels: { ...labels }, value: Number.NaN, timestampMs, stale: true });
      // Keyed by group: every series of a group stays in one partition, in evaluation order.
      await output.publishSamples(groupKey, out);
    },
    afterEvaluation: async (_group, report) => {
      if (output === undefined) return;
      const records = report.rules.flatMap((r) => r.records);
      if (records.length > 0) await output.publishAlertRecords(records.map((r) => ({ key: r.fingerprint, value: r })));
    },
    ...(stateStore !== undefined && { stateStore }),
    metrics,
    logger,
  });

  let lastReloadOk = true;
  const reload = async (): Promise<{ ok: boolean; error?: string }> => {
    try {
      await manager.load();
      lastReloadOk = true;
      return { ok: true };
    } catch (err) {
      lastReloadOk = false;
      logger.error({ err: (err as Error).message }, 'loading rule files failed: keeping the previous rules');
      return { ok: false, error: (err as Error).message };
    }
  };
  // At start an invalid rule file is fatal, as in Prometheus: the node never runs wrong rules.
  await manager.load();

  let ready = false;
  const server = await startNodeServer({
    listenAddress: config.listenAddress,
    ...(config.webConfigFile !== undefined ? { webConfigFile: config.webConfigFile } : {}),
    registry: metrics.registry,
    logger,
    notReadyReason: () => (ready ? null : 'starting'),
    routes: (app: Hono) => {
      app.get('/api/v1/rules', (c) => {
        const res = rulesResponse(manager.ownedGroups(), new URL(c.req.url).searchParams);
        return c.json(res.body, res.httpStatus as 200);
      });
      app.get('/api/v1/alerts', (c) => {
        const res = alertsResponse(manager.ownedGroups());
        return c.json(res.body, res.httpStatus as 200);
      });
      app.post('/-/reload', async (c) => {
        const result = await reload();
        return result.ok ? c.text('OK\n') : c.text(`failed to reload rule files: ${result.error}\n`, 500);
      });
      app.get('/api/v1/status/reload', (c) => c.json({ status: 'success', data: { lastReloadSuccessful: lastReloadOk } }));
    },
  });
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading rule files');
    void reload();
  });

  let leave = async (): Promise<void> => undefined;
  if (etcd !== undefined && config.etcd !== undefined) {
    const view = new MemberView(etcd, config.etcd.prefix, logger);
    view.on('change', () => manager.setMembers([...view.members.values()]));
    await view.start();
    manager.setMembers([...view.members.values()]);
    const membership = new Membership(etcd, config.etcd, { id: config.nodeId, address: config.advertiseAddress }, logger, KEYS.members);
    await membership.join();
    logger.info({ member: config.nodeId }, 'alerting replica joined the ring');
    leave = async () => {
      // Announce, evaluate up to the boundary so the others start at that very slot, then leave.
      const until = await membership.announceLeave();
      manager.reconcile();
      const deadline = until + 60_000;
      while (!manager.allEnded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await manager.stop();
      await membership.revoke();
      await view.close();
    };
  } else {
    manager.setMembers(undefined);
  }
  ready = true;
  logger.info({ groups: manager.groups.length, alertmanagers: sender.alertmanagers }, 'alerting node running');

  onShutdownSignal(logger, async () => {
    await leave();
    await manager.stop();
    await sender.close();
    await output?.disconnect();
    await query.close();
    etcd?.close();
    await server.close();
  });
}
