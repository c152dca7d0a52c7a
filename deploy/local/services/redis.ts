// A single Redis (Debian's redis-server) on 127.0.0.1, as the query nodes' shared results cache:
// memory bounded and least-recently-used entries evicted, as a cache wants, and no persistence
// (every entry can be fetched again from the store), so a restart starts empty.
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { findExecutable } from './install-locations.ts';
import { allProbes, tcpProbe, type ReadinessProbe } from './readiness.ts';
import { RestartableProcess } from './restartable-process.ts';
import type { ServiceOptions } from './service-options.ts';

const HOST = '127.0.0.1';

export interface RedisOptions extends ServiceOptions {
  /** Redis' maxmemory, e.g. "64mb" (default); beyond it the least recently used keys go. */
  maxMemory?: string;
  /** Sets requirepass: clients must AUTH with it. */
  password?: string;
}

export class RunningRedis extends RestartableProcess {
  readonly port: number;
  /** host:port, as cache.redis.address takes it. */
  readonly address: string;

  constructor(options: RedisOptions, port: number) {
    super({
      name: 'redis',
      command: findExecutable(['redis-server']),
      // A password goes through a private config file (the first argument), never the command line,
      // which ps shows and the log's "starting ..." line records.
      args: [
        ...(options.password !== undefined ? [authConfigFile(options.dataDir, options.password)] : []),
        '--bind', HOST,
        '--port', String(port),
        '--dir', options.dataDir,
        '--daemonize', 'no',
        '--save', '',
        '--appendonly', 'no',
        '--maxmemory', options.maxMemory ?? '64mb',
        '--maxmemory-policy', 'allkeys-lru',
        // The log goes to stdout, which ManagedProcess appends to <logDir>/redis.log.
        '--logfile', '',
      ],
      logFile: join(options.logDir, 'redis.log'),
      probe: allProbes(tcpProbe(HOST, port), pingProbe(port, options.password)),
      readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
      stopGraceMs: 5_000,
    });
    this.port = port;
    this.address = `${HOST}:${port}`;
  }
}

export async function startRedis(options: RedisOptions): Promise<RunningRedis> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const redis = new RunningRedis(options, options.port ?? (await freePort()));
  await redis.start();
  return redis;
}

function authConfigFile(dataDir: string, password: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'auth.conf');
  writeFileSync(file, `requirepass ${JSON.stringify(password)}\n`, { mode: 0o600 });
  return file;
}

/** PING answered with PONG: Redis has loaded and accepts commands (after AUTH, if it wants one). */
function pingProbe(port: number, password: string | undefined, timeoutMs = 1000): ReadinessProbe {
  return {
    description: `redis PING ${HOST}:${port}`,
    check: () =>
      new Promise((resolve, reject) => {
        const socket = connect({ host: HOST, port });
        let answer = '';
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no PONG within ${timeoutMs} ms: ${answer.trim()}`));
        }, timeoutMs);
        const finish = (err?: Error): void => {
          clearTimeout(timer);
          socket.destroy();
          if (err !== undefined) reject(err);
          else resolve(true);
        };
        socket.once('connect', () => {
          const auth = password === undefined ? '' : `*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n`;
          socket.write(`${auth}PING\r\n`);
        });
        socket.on('data', (chunk) => {
          answer += chunk.toString('utf8');
          if (answer.includes('+PONG')) finish();
          else if (answer.includes('-')) finish(new Error(answer.trim()));
        });
        socket.once('error', (err) => finish(err));
      }),
  };
}
