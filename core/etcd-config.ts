// The `etcd:` section, shared by scrapers and coordinators.
import { ConfigError, checkUrl, join, readDuration, readObject, readOptionalString, readString, readStringList } from './config-schema.ts';
import { readTls, type TlsOptions } from './tls-config.ts';

export interface EtcdConfig {
  endpoints: string[];
  /** Every key Ringwatch writes starts with this (several fleets can share one etcd). */
  prefix: string;
  /** TTL of a node's lease: how long a crashed node keeps its place. */
  leaseTtlMs: number;
  /** Announced membership changes take effect this long after they are written (see docs/sharding.md). */
  handoffDelayMs: number;
  username?: string;
  password?: string;
  tls?: TlsOptions;
}

export function readEtcdConfig(raw: unknown, path: string): EtcdConfig {
  const obj = readObject(raw, path, ['endpoints', 'prefix', 'lease_ttl', 'handoff_delay', 'username', 'password', 'tls_config']);
  const endpoints = readStringList(obj, 'endpoints', path).map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`));
  if (endpoints.length === 0) throw new ConfigError(join(path, 'endpoints'), 'at least one etcd endpoint is required');
  endpoints.forEach((e, i) => checkUrl(e, join(join(path, 'endpoints'), i)));
  let prefix = readString(obj, 'prefix', path, '/ringwatch/');
  if (!prefix.endsWith('/')) prefix += '/';
  const leaseTtlMs = readDuration(obj, 'lease_ttl', path, 10_000);
  if (leaseTtlMs < 2000 || leaseTtlMs % 1000 !== 0) throw new ConfigError(join(path, 'lease_ttl'), 'must be whole seconds, at least 2s (etcd leases have second granularity)');
  const config: EtcdConfig = {
    endpoints,
    prefix,
    leaseTtlMs,
    handoffDelayMs: readDuration(obj, 'handoff_delay', path, 3000),
  };
  const username = readOptionalString(obj, 'username', path);
  const password = readOptionalString(obj, 'password', path);
  if ((username === undefined) !== (password === undefined)) throw new ConfigError(path, 'username and password must be set together');
  if (username !== undefined) config.username = username;
  if (password !== undefined) config.password = password;
  if (obj.tls_config !== undefined && obj.tls_config !== null) {
    config.tls = readTls(obj.tls_config, join(path, 'tls_config'));
    // The etcd client (gRPC) cannot skip verification: refuse rather than ignore it silently.
    if (config.tls.insecureSkipVerify) {
      throw new ConfigError(join(join(path, 'tls_config'), 'insecure_skip_verify'), 'not supported for etcd: give ca_file with the CA that signed the etcd server certificate');
    }
  }
  return config;
}
