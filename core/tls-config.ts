// TLS settings as Prometheus' tls_config writes them, shared by scrapes, stores, Kafka and etcd,
// and the one place they become connection options.
import { readFileSync } from 'node:fs';
import { ConfigError, readBoolean, readObject, readOptionalString } from './config-schema.ts';

export interface TlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

export function readTls(raw: unknown, path: string): TlsOptions {
  const obj = readObject(raw, path, ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify']);
  const tls: TlsOptions = { insecureSkipVerify: readBoolean(obj, 'insecure_skip_verify', path, false) };
  const ca = readOptionalString(obj, 'ca_file', path);
  const cert = readOptionalString(obj, 'cert_file', path);
  const key = readOptionalString(obj, 'key_file', path);
  const serverName = readOptionalString(obj, 'server_name', path);
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError(path, 'cert_file and key_file must be configured together');
  if (ca !== undefined) tls.caFile = ca;
  if (cert !== undefined) tls.certFile = cert;
  if (key !== undefined) tls.keyFile = key;
  if (serverName !== undefined) tls.serverName = serverName;
  return tls;
}

/** Node TLS connect options for these settings (files read once, here). */
export function tlsConnectOptions(tls: TlsOptions): { rejectUnauthorized: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string } {
  return {
    rejectUnauthorized: !tls.insecureSkipVerify,
    ...(tls.caFile !== undefined ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile !== undefined ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls.keyFile !== undefined ? { key: readFileSync(tls.keyFile) } : {}),
    ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
  };
}
