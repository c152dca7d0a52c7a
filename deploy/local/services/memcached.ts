// A single memcached (Debian's) on 127.0.0.1, for a query node results cache in memcached:
// memory bounded (it evicts least recently used items itself), nothing on disk.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { findExecutable } from './install-locations.ts';
import { tcpProbe } from './readiness.ts';
import { RestartableProcess } from './restartable-process.ts';
import type { ServiceOptions } from './service-options.ts';

const HOST = '127.0.0.1';

export interface MemcachedOptions extends ServiceOptions {
  /** Memory for items, in megabytes (default 64). */
  memoryMb?: number;
  /** Largest item memcached accepts, e.g. "2m" (default; above the query node's 1 MiB max_item_size). */
  maxItemSize?: string;
}

export class RunningMemcached extends RestartableProcess {
  readonly port: number;
  /** host:port, as cache.memcached.addresses takes it. */
  readonly address: string;

  constructor(options: MemcachedOptions, port: number) {
    super({
      name: 'memcached',
      command: findExecutable(['memcached']),
      args: [
        '--listen', HOST,
        '--port', String(port),
        '--udp-port', '0',
        '--memory-limit', String(options.memoryMb ?? 64),
        '--max-item-size', options.maxItemSize ?? '2m',
        // memcached refuses to run as root unless told which user to become.
        ...(process.getuid?.() === 0 ? ['--user', 'nobody'] : []),
      ],
      logFile: join(options.logDir, 'memcached.log'),
      probe: tcpProbe(HOST, port),
      readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
      stopGraceMs: 5_000,
    });
    this.port = port;
    this.address = `${HOST}:${port}`;
  }
}

export async function startMemcached(options: MemcachedOptions): Promise<RunningMemcached> {
  // memcached writes nothing to disk; the directory is made as for every other service.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const memcached = new RunningMemcached(options, options.port ?? (await freePort()));
  await memcached.start();
  return memcached;
}
