// The infrastructure integration tests run against: etcd, Kafka, Prometheus (remote-write receiver)
// and Alertmanager, either as local processes or as Docker containers.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startContainerInfrastructure } from './container-infrastructure.ts';
import { startLocalInfrastructure } from './local-infrastructure.ts';

export type ServiceName = 'etcd' | 'kafka' | 'prometheus' | 'alertmanager';
export const SERVICE_NAMES: readonly ServiceName[] = ['etcd', 'kafka', 'prometheus', 'alertmanager'];

/** Take one service away and bring it back (same addresses, same data). */
export interface ServiceControl {
  /** Graceful stop (SIGTERM, SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Starts again and waits until ready; no-op when running. */
  start(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

/** Addresses only: what globalSetup hands to test files (it must survive structured cloning). */
export interface InfrastructureAddresses {
  kind: 'local' | 'container';
  etcdEndpoints: string[];
  kafkaBrokers: string[];
  prometheusUrl: string;
  remoteWriteUrl: string;
  alertmanagerUrl?: string;
  /** Milliseconds from spawn (or container create) to ready, per service. */
  startupMs: Partial<Record<ServiceName, number>>;
}

export interface Infrastructure extends InfrastructureAddresses {
  /** Throws for a service this infrastructure does not run. */
  service(name: ServiceName): ServiceControl;
  stop(): Promise<void>;
}

export interface InfrastructureOptions {
  /** Start Alertmanager too (default true). */
  withAlertmanager?: boolean;
  /** Kafka's num.partitions (default 4). */
  kafkaPartitions?: number;
}

export { startContainerInfrastructure } from './container-infrastructure.ts';
export { startLocalInfrastructure } from './local-infrastructure.ts';

/**
 * Containers when a Docker engine answers, local processes otherwise. RINGWATCH_INFRA=local or
 * RINGWATCH_INFRA=container forces one.
 */
export async function startInfrastructure(options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const forced = process.env['RINGWATCH_INFRA'];
  if (forced === 'local') return startLocalInfrastructure(options);
  if (forced === 'container') return startContainerInfrastructure(options);
  if (forced !== undefined && forced !== '') throw new Error(`RINGWATCH_INFRA must be "local" or "container", not ${JSON.stringify(forced)}`);
  return (await dockerEngineAnswers()) ? startContainerInfrastructure(options) : startLocalInfrastructure(options);
}

/** True when testcontainers finds a container runtime that answers. */
export async function dockerEngineAnswers(): Promise<boolean> {
  // Looking for a socket first keeps machines without Docker from loading testcontainers at all.
  const candidates = [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    ...(process.env['XDG_RUNTIME_DIR'] === undefined ? [] : [join(process.env['XDG_RUNTIME_DIR'], 'docker.sock')]),
    join(homedir(), '.testcontainers.properties'),
  ];
  if (process.env['DOCKER_HOST'] === undefined && !candidates.some((path) => existsSync(path))) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
