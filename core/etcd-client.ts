// One etcd3 client per node, from the `etcd:` section.
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdConfig } from './etcd-config.ts';

export function createEtcd(config: EtcdConfig): Etcd3 {
  const options: IOptions = {
    hosts: config.endpoints,
    dialTimeout: 5000,
    // Retries with backoff on a lost connection; the node keeps working meanwhile.
    faultHandling: {},
  };
  if (config.username !== undefined && config.password !== undefined) options.auth = { username: config.username, password: config.password };
  if (config.tls !== undefined) {
    options.credentials = {
      // No ca_file: the system roots. (An empty buffer here would trust nothing at all: grpc takes
      // only null or undefined for "use the system roots".)
      rootCertificate: (config.tls.caFile !== undefined ? readFileSync(config.tls.caFile) : undefined) as Buffer,
      ...(config.tls.certFile !== undefined ? { certChain: readFileSync(config.tls.certFile) } : {}),
      ...(config.tls.keyFile !== undefined ? { privateKey: readFileSync(config.tls.keyFile) } : {}),
    };
  }
  return new Etcd3(options);
}
