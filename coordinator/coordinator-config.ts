// The coordinator node's YAML file: Prometheus' global and scrape_configs sections (the target
// sources), the etcd the target list goes to, and who may register targets through the API.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, checkHostPort, join, readBoolean, readDuration, readObject, readOptionalString, readString, readStringList } from '../core/config-schema.ts';
import { GoRegexp } from '../model/go-regexp.ts';
import { DEFAULT_MIN_SCRAPE_INTERVAL_MS, type RegistrationPolicy } from '../discovery/registered.ts';
import { readEtcdConfig, type EtcdConfig } from '../core/etcd-config.ts';
import { readGlobalConfig, readScrapeConfigs, type GlobalScrapeConfig, type ScrapeConfig } from '../model/scrape-config.ts';
import { isLoopbackAddress } from '../core/listen-address.ts';
import { readWebConfigField } from '../core/web-config.ts';
import { readPeerHttpClientField, type PeerHttpClient } from '../core/http-client-config.ts';

export interface ApiConfig {
  /** Bearer token required to register or remove targets; unset: anyone may. */
  token?: string;
  tokenFile?: string;
  /** Serve the write API beyond loopback without a token: an explicit opt-in. */
  insecure?: boolean;
  /** What targets registered through the API may be (api.registration); always set when read from a file. */
  registration?: RegistrationPolicy;
}

export interface CoordinatorConfig {
  nodeId: string;
  listenAddress: string;
  /** node.web_config_file: TLS and basic auth on this node's server (Prometheus' web config format). */
  webConfigFile?: string;
  /** node.peer_http_client: credentials and TLS for calls to the scrapers (their web_config_file). */
  peerHttpClient?: PeerHttpClient;
  etcd: EtcdConfig;
  global: GlobalScrapeConfig;
  scrapeConfigs: ScrapeConfig[];
  /** Each job's scrape_config exactly as written (YAML as JSON), in the order of scrapeConfigs. */
  rawScrapeConfigs: Record<string, unknown>[];
  api: ApiConfig;
}

// Prometheus' patternRe: no pattern in the directory, at most one `*` run in the name.
const FILE_SD_PATTERN = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;
const FILE_SD_EXTENSION = /\.(json|ya?ml)$/i;

export function readCoordinatorConfig(raw: unknown): CoordinatorConfig {
  const root = readObject(raw, '', ['node', 'etcd', 'global', 'scrape_configs', 'api']);
  const node = readObject(root.node, 'node', ['id', 'listen_address', 'web_config_file', 'peer_http_client']);
  const listenAddress = checkHostPort(readString(node, 'listen_address', 'node', '127.0.0.1:9471'), 'node.listen_address');
  const etcd = readEtcdConfig(root.etcd, 'etcd');
  const global = readGlobalConfig(root.global, 'global');
  const scrapeConfigs = readScrapeConfigs(root.scrape_configs, 'scrape_configs', global);
  scrapeConfigs.forEach((job, i) => {
    job.fileSdConfigs.forEach((sd, j) => {
      sd.files.forEach((file, k) => {
        const field = join(join(join(join(join('scrape_configs', i), 'file_sd_configs'), j), 'files'), k);
        // As Prometheus (discovery/file): a `*` only in the last path element.
        if (!FILE_SD_PATTERN.test(file)) {
          if (!FILE_SD_EXTENSION.test(file)) throw new ConfigError(field, `"${file}": file_sd files must end in .json, .yml or .yaml`);
          throw new ConfigError(field, `"${file}": path patterns may only use "*", and only in the file name`);
        }
      });
    });
  });
  const rawScrapeConfigs = (Array.isArray(root.scrape_configs) ? root.scrape_configs : []) as Record<string, unknown>[];
  rawScrapeConfigs.forEach((raw, i) => refuseInlineSecrets(raw, join('scrape_configs', i)));
  return {
    nodeId: readString(node, 'id', 'node', `${hostname()}:${listenAddress.slice(listenAddress.lastIndexOf(':') + 1)}`),
    listenAddress,
    ...readWebConfigField(node, 'node'),
    ...readPeerHttpClientField(node, 'node'),
    etcd,
    global,
    scrapeConfigs,
    rawScrapeConfigs,
    api: checkApiExposure(readApiConfig(root.api, 'api', new Set(scrapeConfigs.map((c) => c.jobName))), listenAddress),
  };
}

/**
 * A job's scrape options go to etcd (jobs/<job>) for every scraper to read, so an inline secret
 * there would sit in etcd in clear: the coordinator refuses it and names the `*_file` to use
 * instead, a file on the scraper nodes that they re-read for every scrape (docs/configuration.md,
 * "Secrets"). Discovery sections (http_sd_configs) stay on the coordinator and may keep theirs.
 */
function refuseInlineSecrets(raw: Record<string, unknown>, path: string): void {
  const inline = (field: string, alternative: string): ConfigError =>
    new ConfigError(
      join(path, field),
      `inline secrets are not accepted by the coordinator: the job is stored in etcd, where every node can read it; put the secret in a file on the scraper nodes and set ${alternative} instead`,
    );
  const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
  const basic = raw.basic_auth as Record<string, unknown> | null | undefined;
  if (typeof basic === 'object' && basic !== null && isSet(basic.password)) throw inline('basic_auth.password', 'basic_auth.password_file');
  const authorization = raw.authorization as Record<string, unknown> | null | undefined;
  if (typeof authorization === 'object' && authorization !== null && isSet(authorization.credentials)) {
    throw inline('authorization.credentials', 'authorization.credentials_file');
  }
  if (isSet(raw.bearer_token)) throw inline('bearer_token', 'authorization.credentials_file (or bearer_token_file)');
  if (typeof raw.proxy_url === 'string') {
    let password = '';
    try {
      password = new URL(raw.proxy_url).password;
    } catch {
      // readScrapeConfigs already named an invalid URL.
    }
    if (password !== '') throw inline('proxy_url', 'a proxy that authenticates the scraper hosts another way (its password would be in etcd)');
  }
}

/** A write API reachable from other hosts needs a token, unless api.insecure says otherwise. */
function checkApiExposure(api: ApiConfig, listenAddress: string): ApiConfig {
  if (api.token !== undefined || api.tokenFile !== undefined || api.insecure === true || isLoopbackAddress(listenAddress)) return api;
  throw new ConfigError(
    'api.token',
    `required: node.listen_address ${listenAddress} is reachable from other hosts, and without a token anyone there could add and remove targets (set api.token or api.token_file, or api.insecure: true to allow it)`,
  );
}

function readApiConfig(raw: unknown, path: string, jobs: ReadonlySet<string>): ApiConfig {
  const obj = readObject(raw, path, ['token', 'token_file', 'insecure', 'registration']);
  const token = readOptionalString(obj, 'token', path);
  const tokenFile = readOptionalString(obj, 'token_file', path);
  if (token !== undefined && tokenFile !== undefined) throw new ConfigError(path, 'at most one of token and token_file must be configured');
  if (token === '') throw new ConfigError(join(path, 'token'), 'must not be empty (leave it out to allow unauthenticated changes)');
  const api: ApiConfig = { registration: readRegistrationPolicy(obj.registration, join(path, 'registration'), jobs) };
  if (token !== undefined) api.token = token;
  if (tokenFile !== undefined) api.tokenFile = tokenFile;
  if (readBoolean(obj, 'insecure', path, false)) api.insecure = true;
  return api;
}

/** api.registration: { allowed_jobs, min_scrape_interval, allowed_addresses }. */
function readRegistrationPolicy(raw: unknown, path: string, jobs: ReadonlySet<string>): RegistrationPolicy {
  const obj = readObject(raw, path, ['allowed_jobs', 'min_scrape_interval', 'allowed_addresses']);
  const minScrapeIntervalMs = readDuration(obj, 'min_scrape_interval', path, DEFAULT_MIN_SCRAPE_INTERVAL_MS);
  if (minScrapeIntervalMs <= 0) throw new ConfigError(join(path, 'min_scrape_interval'), 'must be greater than 0');
  const policy: RegistrationPolicy = { minScrapeIntervalMs };
  if (obj.allowed_jobs !== undefined && obj.allowed_jobs !== null) {
    const allowed = readStringList(obj, 'allowed_jobs', path);
    allowed.forEach((job, i) => {
      if (!jobs.has(job)) throw new ConfigError(join(join(path, 'allowed_jobs'), i), `"${job}" is not a job of scrape_configs`);
    });
    policy.allowedJobs = new Set(allowed);
  }
  if (obj.allowed_addresses !== undefined && obj.allowed_addresses !== null) {
    policy.allowedAddresses = readStringList(obj, 'allowed_addresses', path).map((pattern, i) => {
      try {
        return GoRegexp.anchored(pattern);
      } catch (err) {
        throw new ConfigError(join(join(path, 'allowed_addresses'), i), `invalid regular expression "${pattern}": ${(err as Error).message}`);
      }
    });
  }
  return policy;
}

/** The token the API requires, read from token_file when that is how it is configured. */
export function resolveApiToken(api: ApiConfig, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): string | undefined {
  if (api.tokenFile === undefined) return api.token;
  let text: string;
  try {
    text = readFile(api.tokenFile);
  } catch (err) {
    throw new ConfigError('api.token_file', `cannot read ${api.tokenFile}: ${(err as Error).message}`);
  }
  const token = text.trim();
  if (token === '') throw new ConfigError('api.token_file', `${api.tokenFile} is empty`);
  return token;
}
