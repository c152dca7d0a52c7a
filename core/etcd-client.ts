// One etcd3 client per node, from the `etcd:` section.
import { readFileSync } from 'node:fs';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, noop, type IPolicy } from 'cockatiel';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import type { EtcdConfig } from './etcd-config.ts';
import { createLogger, type Logger } from './logger.ts';

export function createEtcd(config: EtcdConfig, logger: Logger = createLogger('etcd-client')): Etcd3 {
  const options: IOptions = {
    hosts: config.endpoints,
    dialTimeout: 5000,
    // Retries with backoff on a lost connection; the node keeps working meanwhile.
    faultHandling: { watchBackoff: watchBackoff(250), host: (host) => hostPolicy(host, config.endpoints.length, logger) },
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

type WatchBackoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

/**
 * Watch reconnects: doubling from 250 ms to at most 2 s. The client's default waits up to 30 s, so a
 * node back from a partition would go on acting on a stale view (or not at all) that long.
 */
function watchBackoff(durationMs: number): WatchBackoff {
  return { duration: durationMs, next: () => watchBackoff(Math.min(2000, durationMs * 2)) };
}

/**
 * etcd3's default per-host policy is a circuit breaker: after 3 failures in a row it refuses every
 * call to that host for 5 s, writes included, with nothing said but the callers' rejections. With
 * one endpoint there is nothing to fail over to, so it only turned one failure burst into seconds of
 * refused writes: no breaker then (calls fail or succeed on their own; callers retry with backoff).
 * With several, the breaker steers calls to the other hosts; it opening and closing is logged.
 */
function hostPolicy(host: string, endpoints: number, logger: Logger): IPolicy {
  if (endpoints <= 1) return noop;
  const breaker = circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 5000, breaker: new ConsecutiveBreaker(3) });
  breaker.onBreak((reason) => {
    const err = 'error' in reason ? reason.error.message : 'isolated';
    logger.error({ host, err, retryInMs: 5000 }, 'etcd host failing: calls go to the other endpoints for now');
  });
  breaker.onReset(() => logger.info({ host }, 'etcd host answering again'));
  return breaker;
}
