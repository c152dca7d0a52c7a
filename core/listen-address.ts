// Whether a listen address is reachable only from this host. Nodes refuse to serve a write API
// beyond loopback without a token unless the operator opts in (security by default).
import { splitHostPort } from './node-server.ts';

export function isLoopbackAddress(listenAddress: string): boolean {
  const { host } = splitHostPort(listenAddress);
  if (host === 'localhost' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
