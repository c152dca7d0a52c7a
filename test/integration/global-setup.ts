// Starts etcd, Kafka, Prometheus and Alertmanager once per integration run (local processes, or
// containers when Docker answers) and provides their addresses to test files as inject('infra').
import type { TestProject } from 'vitest/node';
import { serveInfrastructureControl, type ProvidedInfrastructure } from '../harness/infrastructure-control.ts';
import { startInfrastructure } from '../harness/infrastructure.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: ProvidedInfrastructure;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const began = performance.now();
  const infra = await startInfrastructure();
  let control;
  try {
    control = await serveInfrastructureControl(infra);
  } catch (err) {
    await infra.stop();
    throw err;
  }
  const times = Object.entries(infra.startupMs)
    .map(([name, ms]) => `${name} ${ms} ms`)
    .join(', ');
  console.log(`[integration] ${infra.kind} infrastructure ready in ${Math.round(performance.now() - began)} ms (${times})`);

  // Plain data only: it is cloned into the test workers.
  const provided: ProvidedInfrastructure = {
    kind: infra.kind,
    etcdEndpoints: infra.etcdEndpoints,
    kafkaBrokers: infra.kafkaBrokers,
    prometheusUrl: infra.prometheusUrl,
    remoteWriteUrl: infra.remoteWriteUrl,
    ...(infra.alertmanagerUrl === undefined ? {} : { alertmanagerUrl: infra.alertmanagerUrl }),
    startupMs: infra.startupMs,
    controlUrl: control.url,
  };
  project.provide('infra', provided);

  const controlServer = control;
  return async () => {
    const stopping = performance.now();
    await controlServer.close();
    await infra.stop();
    console.log(`[integration] infrastructure stopped in ${Math.round(performance.now() - stopping)} ms`);
  };
}
