// Prometheus (Debian's 2.42) as the remote-write receiver at the end of the pipeline, on 127.0.0.1.
// Stop and start again keep the port and the TSDB, so tests can take it away and bring it back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { findExecutable } from './install-locations.ts';
import { renderPrometheusConfig, type PrometheusConfigOptions } from './prometheus-config.ts';
import { httpProbe } from './readiness.ts';
import { RestartableProcess } from './restartable-process.ts';
import type { ServiceOptions } from './service-options.ts';

export interface PrometheusOptions extends ServiceOptions, PrometheusConfigOptions {
  /** Appended to the command line, e.g. ["--enable-feature=native-histograms"]. */
  extraArgs?: readonly string[];
}

export interface VectorSample {
  metric: Record<string, string>;
  /** Milliseconds since the epoch. */
  timestamp: number;
  value: number;
}

export class RunningPrometheus extends RestartableProcess {
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:9090. */
  readonly url: string;
  /** Where remote write goes: `${url}/api/v1/write`. */
  readonly remoteWriteUrl: string;
  readonly configFile: string;

  constructor(options: PrometheusOptions, port: number, configFile: string) {
    const url = `http://127.0.0.1:${port}`;
    super({
      name: 'prometheus',
      command: findExecutable(['prometheus']),
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${options.dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        '--web.enable-lifecycle',
        ...(options.extraArgs ?? []),
      ],
      logFile: join(options.logDir, 'prometheus.log'),
      probe: httpProbe(`${url}/-/ready`),
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      stopGraceMs: 15_000,
    });
    this.port = port;
    this.url = url;
    this.remoteWriteUrl = `${url}/api/v1/write`;
    this.configFile = configFile;
  }

  /** Instant query; the result must be a vector. */
  query(promql: string, time?: Date): Promise<VectorSample[]> {
    return queryPrometheus(this.url, promql, time);
  }

  /** Re-reads the config file (POST /-/reload). */
  async reload(): Promise<void> {
    const response = await fetch(`${this.url}/-/reload`, { method: 'POST' });
    if (!response.ok) throw new Error(`prometheus reload: HTTP ${response.status}: ${await response.text()}`);
  }
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  mkdirSync(options.dataDir, { recursive: true });
  // The TSDB ignores files that are not block directories, so the config can live in there.
  const configFile = join(options.dataDir, 'prometheus.yml');
  writeFileSync(configFile, renderPrometheusConfig(options));
  const prometheus = new RunningPrometheus(options, options.port ?? (await freePort()), configFile);
  await prometheus.start();
  return prometheus;
}

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** Instant query against any Prometheus-compatible API at `baseUrl`; the result must be a vector. */
export async function queryPrometheus(baseUrl: string, promql: string, time?: Date): Promise<VectorSample[]> {
  const params = new URLSearchParams({ query: promql });
  if (time !== undefined) params.set('time', String(time.getTime() / 1000));
  const response = await fetch(`${baseUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
  });
  const body = (await response.json()) as QueryResponse;
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(`query ${JSON.stringify(promql)} failed: HTTP ${response.status}: ${body.error ?? 'no data'}`);
  }
  if (body.data.resultType !== 'vector') {
    throw new Error(`query ${JSON.stringify(promql)} returned a ${body.data.resultType}, not a vector`);
  }
  return body.data.result.map((r) => ({
    metric: r.metric,
    timestamp: Math.round(r.value[0] * 1000),
    // Prometheus encodes values as strings ("NaN", "+Inf" included); Number() reads them all.
    value: Number(r.value[1]),
  }));
}
