// Alertmanager (Debian's prometheus-alertmanager, 0.25) on 127.0.0.1, clustering disabled.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { findExecutable } from './install-locations.ts';
import { httpProbe } from './readiness.ts';
import { RestartableProcess } from './restartable-process.ts';
import type { ServiceOptions } from './service-options.ts';

// Routes everything to a receiver that does nothing: enough to accept and list alerts.
export const DEFAULT_ALERTMANAGER_CONFIG = `route:
  receiver: discard
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: discard
`;

export interface AlertmanagerOptions extends ServiceOptions {
  /** alertmanager.yml text; DEFAULT_ALERTMANAGER_CONFIG when absent. */
  configYaml?: string;
}

export class RunningAlertmanager extends RestartableProcess {
  readonly port: number;
  /** Base URL; alerts go to `${url}/api/v2/alerts`. */
  readonly url: string;
  readonly configFile: string;

  constructor(options: AlertmanagerOptions, port: number, configFile: string) {
    const url = `http://127.0.0.1:${port}`;
    super({
      name: 'alertmanager',
      command: findExecutable(['prometheus-alertmanager', 'alertmanager']),
      args: [
        `--config.file=${configFile}`,
        `--storage.path=${options.dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Empty disables the gossip cluster (it would otherwise bind 0.0.0.0:9094).
        '--cluster.listen-address=',
      ],
      logFile: join(options.logDir, 'alertmanager.log'),
      probe: httpProbe(`${url}/-/ready`),
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
      stopGraceMs: 10_000,
    });
    this.port = port;
    this.url = url;
    this.configFile = configFile;
  }
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  mkdirSync(options.dataDir, { recursive: true });
  const configFile = join(options.dataDir, 'alertmanager.yml');
  writeFileSync(configFile, options.configYaml ?? DEFAULT_ALERTMANAGER_CONFIG);
  const alertmanager = new RunningAlertmanager(options, options.port ?? (await freePort()), configFile);
  await alertmanager.start();
  return alertmanager;
}
