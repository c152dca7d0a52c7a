// The coordinator node's YAML file: Prometheus' global and scrape_configs sections (the target
// sources), the etcd the target list goes to, and who may register targets through the API.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, checkHostPort, join, readBoolean, readObject, readOptionalString, readString } from '../core/config-schema.ts';
import { readEtcdConfig, type EtcdConfig } from '../core/etcd-config.ts';
import { readGlobalConfig, readScrapeConfigs, type GlobalScrapeConfig, type ScrapeConfig } from '../model/scrape-config.ts';
import { isLoopbackAddress } from '../core/listen-address.ts';

export interface ApiConfig {
  /** Bearer token required to register or remove targets; unset: anyone may. */
  token?: string;
  tokenFile?: string;
  /** Serve the write API beyond loopback without a token: an explicit opt-in. */
  insecure?: boolean;
}

export interface CoordinatorConfig {
  nodeId: string;
  listenAddress: string;
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
  const node = readObject(root.node, 'node', ['id', 'listen_address']);
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
  return {
    nodeId: readString(node, 'id', 'node', `${hostname()}:${listenAddress.slice(listenAddress.lastIndexOf(':') + 1)}`),
    listenAddress,
    etcd,
    global,
    scrapeConfigs,
    rawScrapeConfigs,
    api: checkApiExposure(readApiConfig(root.api, 'api'), listenAddress),
  };
}

/** A write API reachable from other hosts needs a token, unless api.insecure says otherwise. */
function checkApiExposure(api: ApiConfig, listenAddress: string): ApiConfig {
  if (api.token !== undefined || api.tokenFile !== undefined || api.insecure === true || isLoopbackAddress(listenAddress)) return api;
  throw new ConfigError(
    'api.token',
    `required: node.listen_address ${listenAddress} is reachable from other hosts, and without a token anyone there could add and remove targets (set api.token or api.token_file, or api.insecure: true to allow it)`,
  );
}

function readApiConfig(raw: unknown, path: string): ApiConfig {
  const obj = readObject(raw, path, ['token', 'token_file', 'insecure']);
  const token = readOptionalString(obj, 'token', path);
  const tokenFile = readOptionalString(obj, 'token_file', path);
  if (token !== undefined && tokenFile !== undefined) throw new ConfigError(path, 'at most one of token and token_file must be configured');
  if (token === '') throw new ConfigError(join(path, 'token'), 'must not be empty (leave it out to allow unauthenticated changes)');
  const api: ApiConfig = {};
  if (token !== undefined) api.token = token;
  if (tokenFile !== undefined) api.tokenFile = tokenFile;
  if (readBoolean(obj, 'insecure', path, false)) api.insecure = true;
  return api;
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
