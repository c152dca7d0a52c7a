// Integration-test infrastructure as Docker containers (testcontainers), for machines where a
// Docker engine answers. Host ports are chosen up front and bound fixed, so that Kafka can
// advertise them and a stopped container comes back on the same addresses.
import type { StartedTestContainer } from 'testcontainers';
import { DEFAULT_ALERTMANAGER_CONFIG } from '../../deploy/local/services/alertmanager.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { kafkaDockerEnvironment, kafkaServerProperties, newKafkaClusterId } from '../../deploy/local/services/kafka-config.ts';
import { kafkaAdminProbe } from '../../deploy/local/services/kafka.ts';
import { renderPrometheusConfig } from '../../deploy/local/services/prometheus-config.ts';
import { httpProbe, pollUntilReady, type ReadinessProbe } from '../../deploy/local/services/readiness.ts';
import type { Infrastructure, InfrastructureOptions, ServiceControl, ServiceName } from './infrastructure.ts';

export const CONTAINER_IMAGES = {
  etcd: 'quay.io/coreos/etcd:v3.4.23',
  kafka: 'apache/kafka:3.9.1',
  prometheus: 'prom/prometheus:v2.42.0',
  alertmanager: 'prom/alertmanager:v0.25.0',
} as const;

const READY_TIMEOUT_MS = 120_000;

interface StartedService {
  container: StartedTestContainer;
  probe: ReadinessProbe;
  startupMs: number;
}

export async function startContainerInfrastructure(options: InfrastructureOptions = {}): Promise<Infrastructure> {
  // Loaded here so machines without Docker never pay for it.
  const { GenericContainer, Network, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  // Prometheus reaches Alertmanager by name on a network of their own.
  const network = await new Network().start();
  const host = client.info.containerRuntime.host;
  const withAlertmanager = options.withAlertmanager ?? true;
  const ports = { etcd: await freePort(), kafka: await freePort(), prometheus: await freePort(), alertmanager: await freePort() };

  const etcdUrl = `http://${host}:${ports.etcd}`;
  const kafkaBrokers = [`${host}:${ports.kafka}`];
  const prometheusUrl = `http://${host}:${ports.prometheus}`;
  const alertmanagerUrl = `http://${host}:${ports.alertmanager}`;

  const kafkaProperties = kafkaServerProperties({
    nodeId: 1,
    host: 'localhost',
    brokerPort: 9092,
    controllerPort: 9093,
    logDir: '/tmp/kraft-combined-logs', // the image's default, writable by its user
    numPartitions: options.kafkaPartitions ?? 4,
  });
  // Inside the container it listens on all interfaces; clients outside reach the fixed host port.
  kafkaProperties.set('listeners', 'PLAINTEXT://:9092,CONTROLLER://:9093');
  kafkaProperties.set('advertised.listeners', `PLAINTEXT://${host}:${ports.kafka}`);

  async function start(name: ServiceName, build: () => Promise<StartedTestContainer>, probe: ReadinessProbe): Promise<StartedService> {
    const began = performance.now();
    const container = await build();
    await pollUntilReady(probe, { timeoutMs: READY_TIMEOUT_MS });
    return { container, probe, startupMs: Math.round(performance.now() - began) };
  }

  const starts: Partial<Record<ServiceName, Promise<StartedService>>> = {
    etcd: start(
      'etcd',
      () =>
        new GenericContainer(CONTAINER_IMAGES.etcd)
          .withExposedPorts({ container: 2379, host: ports.etcd })
          .withCommand([
            '/usr/local/bin/etcd',
            '--name', 'ringwatch',
            '--data-dir', '/etcd-data',
            '--listen-client-urls', 'http://0.0.0.0:2379',
            '--advertise-client-urls', etcdUrl,
            '--heartbeat-interval', '50',
            '--election-timeout', '300',
          ])
          .withWaitStrategy(Wait.forHttp('/health', 2379).forStatusCode(200))
          .withStartupTimeout(READY_TIMEOUT_MS)
          .start(),
      httpProbe(`${etcdUrl}/health`, { acceptBody: (body) => (JSON.parse(body) as { health?: unknown }).health === 'true' }),
    ),
    kafka: start(
      'kafka',
      () =>
        new GenericContainer(CONTAINER_IMAGES.kafka)
          .withExposedPorts({ container: 9092, host: ports.kafka })
          .withEnvironment({
            CLUSTER_ID: newKafkaClusterId(),
            KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
            ...kafkaDockerEnvironment(kafkaProperties),
          })
          .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
          .withStartupTimeout(READY_TIMEOUT_MS)
          .start(),
      kafkaAdminProbe(kafkaBrokers),
    ),
    prometheus: start(
      'prometheus',
      () =>
        new GenericContainer(CONTAINER_IMAGES.prometheus)
          .withExposedPorts({ container: 9090, host: ports.prometheus })
          .withCopyContentToContainer([
            {
              content: renderPrometheusConfig(withAlertmanager ? { alertmanagers: ['alertmanager:9093'] } : {}),
              target: '/etc/prometheus/prometheus.yml',
            },
          ])
          .withNetwork(network)
          .withCommand([
            '--config.file=/etc/prometheus/prometheus.yml',
            '--storage.tsdb.path=/prometheus',
            '--web.enable-remote-write-receiver',
            '--web.enable-lifecycle',
          ])
          .withWaitStrategy(Wait.forHttp('/-/ready', 9090).forStatusCode(200))
          .withStartupTimeout(READY_TIMEOUT_MS)
          .start(),
      httpProbe(`${prometheusUrl}/-/ready`),
    ),
  };
  if (withAlertmanager) {
    starts.alertmanager = start(
      'alertmanager',
      () =>
        new GenericContainer(CONTAINER_IMAGES.alertmanager)
          .withNetwork(network)
          .withNetworkAliases('alertmanager')
          .withExposedPorts({ container: 9093, host: ports.alertmanager })
          .withCopyContentToContainer([{ content: DEFAULT_ALERTMANAGER_CONFIG, target: '/etc/alertmanager/alertmanager.yml' }])
          .withCommand(['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager', '--cluster.listen-address='])
          .withWaitStrategy(Wait.forHttp('/-/ready', 9093).forStatusCode(200))
          .withStartupTimeout(READY_TIMEOUT_MS)
          .start(),
      httpProbe(`${alertmanagerUrl}/-/ready`),
    );
  }

  const names = Object.keys(starts) as ServiceName[];
  const results = await Promise.allSettled(names.map((name) => starts[name] as Promise<StartedService>));
  const services: Partial<Record<ServiceName, StartedService>> = {};
  const failures: string[] = [];
  results.forEach((result, i) => {
    const name = names[i] as ServiceName;
    if (result.status === 'fulfilled') services[name] = result.value;
    else failures.push(`${name}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`);
  });
  if (failures.length > 0) {
    await Promise.allSettled(Object.values(services).map((s) => s.container.stop()));
    await network.stop().catch(() => undefined);
    throw new Error(`container infrastructure failed to start:\n${failures.join('\n')}`);
  }

  const startupMs: Partial<Record<ServiceName, number>> = {};
  for (const name of names) startupMs[name] = services[name]?.startupMs ?? 0;

  return {
    kind: 'container',
    etcdEndpoints: [etcdUrl],
    kafkaBrokers,
    prometheusUrl,
    remoteWriteUrl: `${prometheusUrl}/api/v1/write`,
    ...(withAlertmanager ? { alertmanagerUrl } : {}),
    startupMs,
    service(name: ServiceName): ServiceControl {
      const service = services[name];
      if (service === undefined) throw new Error(`${name} is not part of this infrastructure`);
      // testcontainers' stop() removes the container; go to the engine to stop and start it in place.
      const handle = () => client.container.getById(service.container.getId());
      return {
        stop: () => client.container.stop(handle(), { timeout: 10 }),
        start: async () => {
          const container = handle();
          if (!(await client.container.inspect(container)).State.Running) await client.container.start(container);
          await pollUntilReady(service.probe, { timeoutMs: READY_TIMEOUT_MS });
        },
        kill: async () => {
          await handle().kill();
        },
      };
    },
    async stop() {
      await Promise.allSettled(Object.values(services).map((s) => s.container.stop()));
      await network.stop();
    },
  };
}
