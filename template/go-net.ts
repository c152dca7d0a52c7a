// Go's net.SplitHostPort, net.JoinHostPort, net.ParseIP and url.QueryUnescape.
import { isIP } from 'node:net';

/** net.SplitHostPort; throws with Go's message ("address x: missing port in address"). */
export function splitHostPort(hostport: string): [host: string, port: string] {
  const fail = (why: string): never => {
    throw new Error(`address ${hostport}: ${why}`);
  };
  let j = 0;
  let k = 0;
  // The port starts after the last colon.
  const i = hostport.lastIndexOf(':');
  if (i < 0) fail('missing port in address');
  let host: string;
  if (hostport[0] === '[') {
    // Expect the first ']' just before the last ':'.
    const end = hostport.indexOf(']');
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === hostport.length) fail('missing port in address');
    if (end + 1 !== i) {
      if (hostport[end + 1] === ':') fail('too many colons in address');
      fail('missing port in address');
    }
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1; // there can't be a '[' resp. ']' before these positions
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) fail('too many colons in address');
  }
  if (hostport.slice(j).includes('[')) fail("unexpected '[' in address");
  if (hostport.slice(k).includes(']')) fail("unexpected ']' in address");
  return [host, hostport.slice(i + 1)];
}

/** net.JoinHostPort. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Whether net.ParseIP accepts the text (IPv4 dotted decimal or IPv6, no zone). */
export function isParsableIP(s: string): boolean {
  if (s.includes('%')) return false;
  if (isIP(s) === 4) return !/(^|\.)0\d/.test(s); // Go rejects leading zeros in IPv4 fields.
  return isIP(s) === 6;
}

/** url.QueryUnescape: '+' is a space, %XX a byte; throws `invalid URL escape "%zz"`. */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, Math.min(i + 3, s.length)))}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else {
      const cp = s.codePointAt(i) as number;
      for (const b of enc.encode(String.fromCodePoint(cp))) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
