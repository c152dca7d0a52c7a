// `scrape_configs`, as Prometheus writes them. The coordinator reads the same section to discover
// targets; scrapers read the per-job options to scrape them.
import {
  ConfigError,
  checkUrl,
  join,
  readBoolean,
  readByteSize,
  readDuration,
  readEnum,
  readList,
  readNumber,
  readObject,
  readString,
  readStringList,
  readStringMap,
  type ConfigObject,
} from '../core/config-schema.ts';
import { validateRelabelConfig, type RelabelConfig } from './relabel.ts';
import { HTTP_CLIENT_CONFIG_KEYS, readHttpClientConfig, type HttpClientConfig } from '../core/http-client-config.ts';
import { isValidLabelName, type NameValidationScheme } from './labels.ts';

/**
 * How names a store cannot take are rewritten (Prometheus 3's metric_name_escaping_scheme):
 * 'allow-utf-8' keeps them, 'underscores', 'dots' and 'values' escape as Prometheus' EscapeName.
 */
export type NameEscapingScheme = 'allow-utf-8' | 'underscores' | 'dots' | 'values';
export const NAME_ESCAPING_SCHEMES = ['allow-utf-8', 'underscores', 'dots', 'values'] as const;

/** Why a scraped series was dropped on its own (the rest of the scrape is kept). */
export type DroppedSeriesReason = 'invalid_metric_name' | 'invalid_label_name';

/** Per-job options every scrape of that job's targets uses. */
export interface JobScrapeOptions {
  jobName: string;
  intervalMs: number;
  timeoutMs: number;
  metricsPath: string;
  scheme: 'http' | 'https';
  params: Record<string, string[]>;
  honorLabels: boolean;
  honorTimestamps: boolean;
  /** Auth, TLS, proxy and redirects for every scrape of the job. */
  http: HttpClientConfig;
  /** 0 means no limit, as in Prometheus. */
  bodySizeLimit: number;
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  targetLimit: number;
  relabelConfigs: RelabelConfig[];
  metricRelabelConfigs: RelabelConfig[];
  /**
   * send_credentials_to_registered_targets: whether targets registered through the coordinator's
   * API get the job's basic_auth / authorization / TLS client certificate. Default false: whoever
   * may register a target must not be able to collect the job's credentials at a host of theirs.
   */
  sendCredentialsToRegisteredTargets: boolean;
  /**
   * metric_name_validation_scheme: 'utf8' (Prometheus 3's default) accepts any UTF-8 metric and
   * label name; 'legacy' accepts [a-zA-Z_:][a-zA-Z0-9_:]* only, and a series with another name is
   * dropped on its own (counted), never failing the scrape.
   */
  metricNameValidationScheme: NameValidationScheme;
  /** metric_name_escaping_scheme: default 'allow-utf-8' with utf8 validation, 'underscores' with legacy. */
  metricNameEscapingScheme: NameEscapingScheme;
  /** Set by the scraper node (not configuration): told of every series dropped on its own. */
  onDroppedSeries?: (reason: DroppedSeriesReason) => void;
}

/** The job's options without the credentials it would send (for a target it does not vouch for). */
export function withoutCredentials(job: JobScrapeOptions): JobScrapeOptions {
  const { certFile: _cert, keyFile: _key, ...tls } = job.http.tls;
  return { ...job, http: { ...job.http, auth: {}, tls } };
}

export interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}

export interface FileSdConfig {
  files: string[];
  refreshIntervalMs: number;
}

export interface HttpSdConfig {
  url: string;
  refreshIntervalMs: number;
  /** Redirects are not followed unless follow_redirects: true (a discovery URL is a trust anchor). */
  http: HttpClientConfig;
}

export interface ScrapeConfig extends JobScrapeOptions {
  staticConfigs: StaticConfig[];
  fileSdConfigs: FileSdConfig[];
  httpSdConfigs: HttpSdConfig[];
}

export interface GlobalScrapeConfig {
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  externalLabels: Record<string, string>;
}


export function readGlobalConfig(raw: unknown, path: string): GlobalScrapeConfig {
  const obj = readObject(raw, path, ['scrape_interval', 'scrape_timeout', 'external_labels', 'evaluation_interval']);
  const interval = readDuration(obj, 'scrape_interval', path, 60_000);
  const timeout = readDuration(obj, 'scrape_timeout', path, Math.min(10_000, interval));
  if (timeout > interval) throw new ConfigError(join(path, 'scrape_timeout'), `must not be greater than scrape_interval (${timeout} ms > ${interval} ms)`);
  const externalLabels = readStringMap(obj, 'external_labels', path);
  for (const name of Object.keys(externalLabels)) {
    if (!isValidLabelName(name)) throw new ConfigError(join(join(path, 'external_labels'), name), 'invalid label name');
  }
  return { scrapeIntervalMs: interval, scrapeTimeoutMs: timeout, externalLabels };
}

/** Every key a scrape_config may have (a newer coordinator may write more: see the scraper). */
export const SCRAPE_CONFIG_KEYS = [
  'job_name', 'scrape_interval', 'scrape_timeout', 'metrics_path', 'scheme', 'params', 'honor_labels', 'honor_timestamps',
  ...HTTP_CLIENT_CONFIG_KEYS, 'body_size_limit', 'sample_limit',
  'label_limit', 'label_name_length_limit', 'label_value_length_limit', 'target_limit', 'relabel_configs',
  'metric_relabel_configs', 'static_configs', 'file_sd_configs', 'http_sd_configs', 'send_credentials_to_registered_targets',
  'metric_name_validation_scheme', 'metric_name_escaping_scheme',
] as const;

export function readScrapeConfigs(raw: unknown, path: string, global: GlobalScrapeConfig): ScrapeConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(path, 'expected a list of scrape configs');
  const configs = raw.map((item, i) => readScrapeConfig(item, join(path, i), global));
  const seen = new Set<string>();
  configs.forEach((c, i) => {
    if (seen.has(c.jobName)) throw new ConfigError(join(join(path, i), 'job_name'), `found multiple scrape configs with job name "${c.jobName}"`);
    seen.add(c.jobName);
  });
  return configs;
}

export function readScrapeConfig(raw: unknown, path: string, global: GlobalScrapeConfig): ScrapeConfig {
  const obj = readObject(raw, path, SCRAPE_CONFIG_KEYS);
  const jobName = readString(obj, 'job_name', path);
  if (jobName === '') throw new ConfigError(join(path, 'job_name'), 'must not be empty');
  const intervalMs = readDuration(obj, 'scrape_interval', path, global.scrapeIntervalMs);
  if (intervalMs <= 0) throw new ConfigError(join(path, 'scrape_interval'), 'must be greater than 0');
  const timeoutMs = readDuration(obj, 'scrape_timeout', path, Math.min(global.scrapeTimeoutMs, intervalMs));
  if (timeoutMs > intervalMs) {
    throw new ConfigError(join(path, 'scrape_timeout'), `must not be greater than scrape_interval (${timeoutMs} ms > ${intervalMs} ms)`);
  }
  const metricNameValidationScheme = readEnum(obj, 'metric_name_validation_scheme', path, ['utf8', 'legacy'] as const, 'utf8');
  const metricNameEscapingScheme = readEnum(
    obj,
    'metric_name_escaping_scheme',
    path,
    NAME_ESCAPING_SCHEMES,
    metricNameValidationScheme === 'utf8' ? 'allow-utf-8' : 'underscores',
  );
  if (metricNameValidationScheme === 'legacy' && metricNameEscapingScheme === 'allow-utf-8') {
    // As Prometheus: legacy names cannot be kept unescaped.
    throw new ConfigError(join(path, 'metric_name_escaping_scheme'), 'must not be allow-utf-8 when metric_name_validation_scheme is legacy');
  }
  const metricsPath = readString(obj, 'metrics_path', path, '/metrics');
  if (!metricsPath.startsWith('/')) throw new ConfigError(join(path, 'metrics_path'), `must start with "/", got "${metricsPath}"`);
  return {
    jobName,
    intervalMs,
    timeoutMs,
    metricsPath,
    scheme: readEnum(obj, 'scheme', path, ['http', 'https'] as const, 'http'),
    params: readParams(obj, path),
    honorLabels: readBoolean(obj, 'honor_labels', path, false),
    honorTimestamps: readBoolean(obj, 'honor_timestamps', path, true),
    http: readHttpClientConfig(obj, path),
    bodySizeLimit: readByteSize(obj, 'body_size_limit', path, 0),
    sampleLimit: readNumber(obj, 'sample_limit', path, { fallback: 0, min: 0 }),
    labelLimit: readNumber(obj, 'label_limit', path, { fallback: 0, min: 0 }),
    labelNameLengthLimit: readNumber(obj, 'label_name_length_limit', path, { fallback: 0, min: 0 }),
    labelValueLengthLimit: readNumber(obj, 'label_value_length_limit', path, { fallback: 0, min: 0 }),
    targetLimit: readNumber(obj, 'target_limit', path, { fallback: 0, min: 0 }),
    relabelConfigs: readList(obj, 'relabel_configs', path, validateRelabelConfig),
    metricRelabelConfigs: readList(obj, 'metric_relabel_configs', path, (item, p) => validateRelabelConfig(item, p, { nameValidationScheme: metricNameValidationScheme })),
    metricNameValidationScheme,
    metricNameEscapingScheme,
    sendCredentialsToRegisteredTargets: readBoolean(obj, 'send_credentials_to_registered_targets', path, false),
    staticConfigs: readList(obj, 'static_configs', path, readStaticConfig),
    fileSdConfigs: readList(obj, 'file_sd_configs', path, (item, p) => {
      const o = readObject(item, p, ['files', 'refresh_interval']);
      const files = readStringList(o, 'files', p);
      if (files.length === 0) throw new ConfigError(join(p, 'files'), 'at least one file is required');
      return { files, refreshIntervalMs: readDuration(o, 'refresh_interval', p, 300_000) };
    }),
    httpSdConfigs: readList(obj, 'http_sd_configs', path, (item, p) => {
      const o = readObject(item, p, ['url', 'refresh_interval', ...HTTP_CLIENT_CONFIG_KEYS]);
      return {
        url: checkUrl(readString(o, 'url', p), join(p, 'url')),
        refreshIntervalMs: readDuration(o, 'refresh_interval', p, 60_000),
        http: readHttpClientConfig(o, p, { followRedirects: false }),
      };
    }),
  };
}

export function readStaticConfig(raw: unknown, path: string): StaticConfig {
  const obj = readObject(raw, path, ['targets', 'labels']);
  const targets = readStringList(obj, 'targets', path);
  targets.forEach((t, i) => {
    if (t === '' || /[/\s]/.test(t)) throw new ConfigError(join(join(path, 'targets'), i), `"${t}" is not a valid host:port target address`);
  });
  const labels = readStringMap(obj, 'labels', path);
  for (const name of Object.keys(labels)) {
    if (!isValidLabelName(name)) throw new ConfigError(join(join(path, 'labels'), name), 'invalid label name');
  }
  return { targets, labels };
}

function readParams(obj: ConfigObject, path: string): Record<string, string[]> {
  const raw = obj.params;
  const field = join(path, 'params');
  if (raw === undefined || raw === null) return {};
  const map = readObject(raw, field, Object.keys(raw as object));
  const out: Record<string, string[]> = {};
  for (const key of Object.keys(map)) out[key] = readStringList(map, key, field);
  return out;
}
