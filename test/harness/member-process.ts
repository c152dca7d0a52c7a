// A process that joins a ring as one member and stays until killed: what a crash looks like to
// etcd (no revoke; the lease runs out). Arguments: a JSON EtcdConfig, the node id, its address.
import { Etcd3 } from 'etcd3';
import { Membership } from '../../cluster/membership.ts';
import type { EtcdConfig } from '../../core/etcd-config.ts';
import { createLogger } from '../../core/logger.ts';

const [configText, id, address] = process.argv.slice(2);
const config = JSON.parse(configText ?? '{}') as EtcdConfig;
const membership = new Membership(new Etcd3({ hosts: config.endpoints }), config, { id: id ?? 'member', address: address ?? '' }, createLogger('member', 'silent'));
await membership.join();
process.stdout.write('joined\n');
setInterval(() => undefined, 60_000);
