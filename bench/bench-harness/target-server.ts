// Scrape targets for the benchmarks: one small Node process serving a real /metrics body (the
// node_exporter fixture) as N targets, /t/<n>/metrics. Each target has its own host address
// (127.0.0.2, 127.0.0.3, ..., all loopback) so that scrapers pool connections per target as they
// would across real hosts, rather than squeezing every scrape through one origin's pool. Bodies
// sit in memory and a few counters tick per request, so serving costs next to nothing: this
// process' CPU is not what is measured.
//
// Run directly (the launcher below does): node target-server.ts --port P --targets N --body FILE
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { ManagedProcess } from '../../deploy/local/services/managed-process.ts';
import { httpProbe } from '../../deploy/local/services/readiness.ts';
import { bumpValue, findCounterValues, type ValueSpan } from './counter-bumper.ts';

export const TARGET_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Distinct loopback hosts 127.0.0.2 ... 127.0.0.251; more targets share them (by path). */
export const TARGET_HOSTS = 250;
const COUNTERS_BUMPED_PER_REQUEST = 2;

export interface TargetEndpoint {
  /** host:port, the scrape config's target address. */
  address: string;
  /** The scrape config's __metrics_path__ for this target. */
  metricsPath: string;
}

export function targetHost(n: number): string {
  return `127.0.0.${2 + (n % TARGET_HOSTS)}`;
}

/** Where target n (0-based) is served. */
export function targetEndpoints(targets: number, port: number): TargetEndpoint[] {
  return Array.from({ length: targets }, (_, n) => ({ address: `${targetHost(n)}:${port}`, metricsPath: `/t/${n}/metrics` }));
}

export interface TargetServerOptions {
  targets: number;
  /** The exposition body every target serves. */
  bodyFile: string;
  logDir: string;
}

export interface RunningTargetServer {
  port: number;
  targets: TargetEndpoint[];
  /** Samples in one body (sample lines), to check the scrapers' counts against. */
  samplesPerBody: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startTargetServer(options: TargetServerOptions): Promise<RunningTargetServer> {
  const port = await freePort();
  const child = new ManagedProcess({
    name: 'bench-targets',
    command: process.execPath,
    args: [import.meta.filename, '--port', String(port), '--targets', String(options.targets), '--body', options.bodyFile],
    logFile: join(options.logDir, 'bench-targets.log'),
    env: { NODE_NO_WARNINGS: '1' },
  });
  await child.waitUntilReady(httpProbe(`http://${targetHost(0)}:${port}/healthz`), 15_000);
  const body = readFileSync(options.bodyFile, 'utf8');
  return {
    port,
    targets: targetEndpoints(options.targets, port),
    samplesPerBody: body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
    process: child,
    stop: async () => {
      await child.stop(5000);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The server process.

function serve(port: number, targets: number, bodyFile: string): void {
  const template = readFileSync(bodyFile);
  const spans: ValueSpan[] = findCounterValues(template, COUNTERS_BUMPED_PER_REQUEST);
  // One copy per target, so each target's counters move on their own.
  const bodies = Array.from({ length: targets }, () => Buffer.from(template));
  const headers = { 'Content-Type': TARGET_CONTENT_TYPE, 'Content-Length': String(template.length) };
  const path = /^\/t\/(\d+)\/metrics(?:\?|$)/;
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const url = req.url ?? '';
    if (url === '/healthz') {
      res.writeHead(200).end('ok');
      return;
    }
    const match = path.exec(url);
    const body = match === null ? undefined : bodies[Number(match[1])];
    if (body === undefined) {
      res.writeHead(404).end('no such target\n');
      return;
    }
    for (const span of spans) bumpValue(body, span);
    res.writeHead(200, headers).end(body);
  };
  const hosts = new Set(Array.from({ length: Math.min(targets, TARGET_HOSTS) }, (_, n) => targetHost(n)));
  const servers: Server[] = [];
  for (const host of hosts) {
    // Scrapers keep connections between scrapes; keep them longer than any scrape interval.
    const server = createServer({ keepAliveTimeout: 120_000 }, handler);
    server.on('error', (err) => {
      console.error(`target server on ${host}:${port}: ${err.message}`);
      process.exit(1);
    });
    server.listen(port, host);
    servers.push(server);
  }
  console.log(`serving ${targets} targets (${template.length} bytes each) on ${hosts.size} hosts, port ${port}`);
  process.on('SIGTERM', () => {
    for (const s of servers) s.closeAllConnections();
    process.exit(0);
  });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, targets: { type: 'string' }, body: { type: 'string' } } });
  if (values.port === undefined || values.targets === undefined || values.body === undefined) {
    console.error('usage: node target-server.ts --port P --targets N --body FILE');
    process.exit(2);
  }
  serve(Number(values.port), Number(values.targets), values.body);
}
