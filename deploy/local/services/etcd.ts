// A single-member etcd (Debian's etcd-server, 3.4) on 127.0.0.1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { findExecutable } from './install-locations.ts';
import { httpProbe } from './readiness.ts';
import { RestartableProcess } from './restartable-process.ts';
import type { ServiceOptions } from './service-options.ts';

export interface EtcdOptions extends ServiceOptions {
  /** Raft peer port; a free one is chosen when absent. */
  peerPort?: number;
  /** Member name, default "ringwatch". */
  name?: string;
}

export class RunningEtcd extends RestartableProcess {
  readonly clientPort: number;
  readonly peerPort: number;
  /** Client URLs for etcd3's `hosts`. */
  readonly endpoints: string[];
  /** etcd's own Prometheus metrics. */
  readonly metricsUrl: string;

  constructor(options: EtcdOptions, clientPort: number, peerPort: number) {
    const clientUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const name = options.name ?? 'ringwatch';
    super({
      name: 'etcd',
      command: findExecutable(['etcd']),
      args: [
        '--name', name,
        '--data-dir', options.dataDir,
        '--listen-client-urls', clientUrl,
        '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', `${name}=${peerUrl}`,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', `ringwatch-${clientPort}`,
        // A single member elects itself after one election timeout: keep it short so start and
        // restart take a fraction of a second instead of the default second.
        '--heartbeat-interval', '50',
        '--election-timeout', '300',
        '--logger', 'zap',
        '--log-outputs', 'stderr',
      ],
      logFile: join(options.logDir, 'etcd.log'),
      // 3.4's /health answers {"health":"true"} only once the member has a leader.
      probe: httpProbe(`${clientUrl}/health`, { acceptBody: (body) => (JSON.parse(body) as { health?: unknown }).health === 'true' }),
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
      stopGraceMs: 10_000,
    });
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.endpoints = [clientUrl];
    this.metricsUrl = `${clientUrl}/metrics`;
  }
}

export async function startEtcd(options: EtcdOptions): Promise<RunningEtcd> {
  // etcd wants its data directory private.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const etcd = new RunningEtcd(options, options.port ?? (await freePort()), options.peerPort ?? (await freePort()));
  await etcd.start();
  return etcd;
}
