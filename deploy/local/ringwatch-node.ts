// Runs one Ringwatch node (`ringwatch <kind> --config <file>`) as a child process, for the local
// stack and for integration tests that need nodes as separate processes (to kill them, say).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from './services/install-locations.ts';
import { httpProbe, type ReadinessProbe } from './services/readiness.ts';
import { RestartableProcess } from './services/restartable-process.ts';

export type NodeKind = 'scraper' | 'storage-writer' | 'coordinator' | 'alerting' | 'notifier' | 'query' | 'demo-target';

export interface RingwatchNodeOptions {
  kind: NodeKind;
  /** Process name in logs and errors, e.g. "scraper-1". */
  name: string;
  /** The node's configuration: a YAML text or an object written as YAML. */
  config: string | Record<string, unknown>;
  /** The node's own HTTP address (host:port), for its readiness probe. */
  httpAddress: string;
  configDir: string;
  logDir: string;
  env?: Record<string, string | undefined>;
  readyTimeoutMs?: number;
  /** Probe /healthz instead of /readyz (a node that may legitimately not be ready yet). */
  waitForHealthOnly?: boolean;
  /** Replaces the readiness probe (a node behind its web config's basic auth). */
  probe?: ReadinessProbe;
}

export class RingwatchNode extends RestartableProcess {
  readonly kind: NodeKind;
  readonly url: string;
  readonly configFile: string;

  constructor(opts: RingwatchNodeOptions) {
    mkdirSync(opts.configDir, { recursive: true });
    const configFile = join(opts.configDir, `${opts.name}.yaml`);
    writeFileSync(configFile, typeof opts.config === 'string' ? opts.config : stringify(opts.config));
    const url = `http://${opts.httpAddress}`;
    super({
      name: opts.name,
      command: process.execPath,
      args: [join(repoRoot(), 'bin', 'ringwatch.ts'), opts.kind, '--config', configFile],
      logFile: join(opts.logDir, `${opts.name}.log`),
      cwd: repoRoot(),
      env: { ...opts.env },
      probe: opts.probe ?? httpProbe(`${url}${opts.waitForHealthOnly === true ? '/healthz' : '/readyz'}`),
      readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
      stopGraceMs: 15_000,
    });
    this.kind = opts.kind;
    this.url = url;
    this.configFile = configFile;
  }
}

export async function startRingwatchNode(opts: RingwatchNodeOptions): Promise<RingwatchNode> {
  const node = new RingwatchNode(opts);
  await node.start();
  return node;
}
