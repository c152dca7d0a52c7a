// Integration-test infrastructure as local processes (deploy/local/services), data under
// <repo>/.data/test-<random>, all started in parallel.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAlertmanager } from '../../deploy/local/services/alertmanager.ts';
import { startEtcd } from '../../deploy/local/services/etcd.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { startKafka } from '../../deploy/local/services/kafka.ts';
import { startPrometheus } from '../../deploy/local/services/prometheus.ts';
import type { RunningService } from '../../deploy/local/services/service-options.ts';
import type { Infrastructure, InfrastructureOptions, ServiceControl, ServiceName } from './infrastructure.ts';

export interface LocalInfrastructureOptions extends InfrastructureOptions {
  /** Default <repo>/.data/test-<random>. */
  dataRoot?: string;
  /** Leave the data and logs behind after stop() (default: RINGWATCH_KEEP_TEST_DATA=1). */
  keepData?: boolean;
}

const OWNER_FILE = 'owner.pid';

export async function startLocalInfrastructure(options: LocalInfrastructureOptions = {}): Promise<Infrastructure> {
  let dataRoot = options.dataRoot;
  if (dataRoot === undefined) {
    const dataParent = join(repoRoot(import.meta.url), '.data');
    removeAbandonedTestDirs(dataParent);
    dataRoot = join(dataParent, `test-${randomBytes(4).toString('hex')}`);
  }
  const logDir = join(dataRoot, 'logs');
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(dataRoot, OWNER_FILE), `${process.pid}\n`);
  const keepData = options.keepData ?? process.env['RINGWATCH_KEEP_TEST_DATA'] === '1';
  const withAlertmanager = options.withAlertmanager ?? true;

  // Alertmanager first so Prometheus can be pointed at it.
  const starts = {
    etcd: startEtcd({ dataDir: join(dataRoot, 'etcd'), logDir }),
    kafka: startKafka({ dataDir: join(dataRoot, 'kafka'), logDir, numPartitions: options.kafkaPartitions ?? 4 }),
    alertmanager: withAlertmanager ? startAlertmanager({ dataDir: join(dataRoot, 'alertmanager'), logDir }) : undefined,
  };
  const prometheusStart = (async () => {
    const alertmanager = await starts.alertmanager?.catch(() => undefined);
    return startPrometheus({
      dataDir: join(dataRoot, 'prometheus'),
      logDir,
      ...(alertmanager === undefined ? {} : { alertmanagers: [`127.0.0.1:${alertmanager.port}`] }),
    });
  })();

  const [etcd, kafka, alertmanager, prometheus] = await Promise.allSettled([
    starts.etcd,
    starts.kafka,
    starts.alertmanager ?? Promise.resolve(undefined),
    prometheusStart,
  ]);
  const started = [etcd, kafka, alertmanager, prometheus].flatMap((r) => (r.status === 'fulfilled' && r.value !== undefined ? [r.value] : []));
  const failures = [etcd, kafka, alertmanager, prometheus].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (etcd.status !== 'fulfilled' || kafka.status !== 'fulfilled' || alertmanager.status !== 'fulfilled' || prometheus.status !== 'fulfilled') {
    await Promise.allSettled(started.map((s) => s.stop()));
    const messages = failures.map((f) => (f instanceof Error ? f.message : String(f)));
    throw new Error(`local infrastructure failed to start (data and logs kept in ${dataRoot}):\n${messages.join('\n\n')}`);
  }

  const services: Partial<Record<ServiceName, RunningService>> = {
    etcd: etcd.value,
    kafka: kafka.value,
    prometheus: prometheus.value,
    ...(alertmanager.value === undefined ? {} : { alertmanager: alertmanager.value }),
  };
  const startupMs: Partial<Record<ServiceName, number>> = {};
  for (const [name, service] of Object.entries(services) as [ServiceName, RunningService][]) startupMs[name] = service.startupMs;
  // Formatting storage is part of what a fresh Kafka costs.
  startupMs.kafka = kafka.value.formatMs + kafka.value.startupMs;

  return {
    kind: 'local',
    etcdEndpoints: etcd.value.endpoints,
    kafkaBrokers: kafka.value.brokers,
    prometheusUrl: prometheus.value.url,
    remoteWriteUrl: prometheus.value.remoteWriteUrl,
    ...(alertmanager.value === undefined ? {} : { alertmanagerUrl: alertmanager.value.url }),
    startupMs,
    service(name: ServiceName): ServiceControl {
      const service = services[name];
      if (service === undefined) throw new Error(`${name} is not part of this infrastructure`);
      return {
        stop: () => service.stop(),
        start: async () => {
          await service.start();
        },
        kill: () => service.kill(),
      };
    },
    async stop() {
      await Promise.allSettled(Object.values(services).map((s) => s.stop()));
      if (!keepData) rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Test data directories whose owning process is gone (a run killed before its teardown; the
 * services died with it through their parent-death signal). Runs still alive keep theirs.
 */
function removeAbandonedTestDirs(dataParent: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dataParent).filter((name) => /^test-[0-9a-f]+$/.test(name));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(dataParent, name);
    let owner: number;
    try {
      owner = Number.parseInt(readFileSync(join(dir, OWNER_FILE), 'utf8'), 10);
    } catch {
      continue; // not ours to judge
    }
    if (Number.isInteger(owner) && !processAlive(owner)) rmSync(dir, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
