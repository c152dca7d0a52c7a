// The scrape connection against real in-process servers: node:http for what servers normally
// send, node:net servers writing raw bytes for framings, splits and misbehaviour.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../test/harness/eventually.ts';
import { http1Target, Http1ScrapeConnection, MAX_HEADER_BYTES, type Http1Response } from './http1-scrape-connection.ts';
import { ScrapeError } from './scrape-error.ts';
import { scrapeFailure } from '../test/harness/scrape-failure.ts';

const LIMIT = 1024 * 1024;
const closers: Array<() => Promise<void>> = [];
const connections: Http1ScrapeConnection[] = [];

afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  for (const close of closers.splice(0)) await close();
});

function soon<T>(check: () => T | undefined, description: string): Promise<T> {
  return eventually(check, { timeoutMs: 5000, intervalMs: 2, description });
}

interface HttpServer {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Server-side sockets not yet closed. */
  open: Set<Socket>;
  requests: IncomingMessage[];
  server: Server;
}

async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpServer> {
  const s: HttpServer = { port: 0, accepted: 0, open: new Set(), requests: [], server: createServer((req, res) => {
    s.requests.push(req);
    handler(req, res);
  }) };
  s.server.on('connection', (socket: Socket) => {
    s.accepted++;
    s.open.add(socket);
    socket.on('close', () => s.open.delete(socket));
  });
  await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
  s.port = (s.server.address() as AddressInfo).port;
  closers.push(async () => {
    s.server.closeAllConnections();
    await new Promise((resolve) => s.server.close(resolve));
  });
  return s;
}

interface RawServer {
  port: number;
  accepted: number;
  open: Set<Socket>;
  /** Every request's head, in arrival order. */
  requests: string[];
}

/** A server that reads request heads and lets respond write whatever bytes it likes. */
async function rawServer(respond: (socket: Socket, request: number, connection: number) => void): Promise<RawServer> {
  const s: RawServer = { port: 0, accepted: 0, open: new Set(), requests: [] };
  const server: NetServer = createNetServer((socket) => {
    const connection = s.accepted++;
    socket.setNoDelay(true);
    s.open.add(socket);
    socket.on('close', () => s.open.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (data: Buffer) => {
      pending += data.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        s.requests.push(pending.slice(0, end));
        pending = pending.slice(end + 4);
        respond(socket, s.requests.length - 1, connection);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.port = (server.address() as AddressInfo).port;
  closers.push(async () => {
    for (const socket of s.open) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return s;
}

function connectionTo(port: number, headers: Record<string, string> = { accept: 'text/plain' }): Http1ScrapeConnection {
  const c = new Http1ScrapeConnection({ host: '127.0.0.1', port, hostHeader: `127.0.0.1:${port}`, path: '/metrics?x=1' }, headers);
  connections.push(c);
  return c;
}

function text(res: Http1Response): string {
  return res.body.toString('latin1', 0, res.length);
}


/** Bytes the connection has parsed in its current exchange (what a split waits for). */
function receivedBy(c: Http1ScrapeConnection): number {
  return (c as unknown as { received: number }).received;
}

const buf = (size = 16): Buffer => Buffer.alloc(size);

describe('Http1ScrapeConnection', () => {
  it('reads a Content-Length body and keeps the connection for the next scrape', async () => {
    const body = 'up_metric 1\n'.repeat(20_000); // 240 KB: many reads, the buffer grows
    const s = await httpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(body) }).end(body));
    const c = connectionTo(s.port);
    const first = await c.get(buf(), LIMIT, undefined);
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('text/plain; version=0.0.4');
    expect(text(first)).toBe(body);
    const second = await c.get(first.body, LIMIT, undefined);
    expect(text(second)).toBe(body);
    expect(s.accepted).toBe(1);
    expect(s.requests[0]!.url).toBe('/metrics?x=1');
    expect(s.requests[0]!.headers).toMatchObject({ host: `127.0.0.1:${s.port}`, accept: 'text/plain' });
  });

  it('reads a chunked body with chunk extensions and trailers', async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n');
      socket.write('6;name=value;other="q"\r\nfirst \r\n');
      socket.write('A \t;ext\r\nsecond one\r\n');
      socket.write('0;last\r\nx-checksum: 42\r\nx-more: 1\r\n\r\n');
    });
    const c = connectionTo(s.port);
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('first second one');
    // The framing was understood to its end: the same connection serves the next scrape.
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('first second one');
    expect(s.accepted).toBe(1);
  });

  it('parses a response split across two reads at every byte', async () => {
    const responses = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nContent-Length: 12\r\n\r\nup_metric 1\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nup_me\r\n7\r\ntric 1\n\r\n0\r\nx-t: 1\r\n\r\n',
    ];
    for (const response of responses) {
      const bytes = Buffer.from(response, 'latin1');
      let split = 0;
      let c: Http1ScrapeConnection | undefined;
      const s = await rawServer((socket) => {
        socket.write(bytes.subarray(0, split));
        // The second part goes once the client parsed the first: two reads for certain.
        void soon(() => (receivedBy(c!) >= split ? true : undefined), `client read ${split} bytes`).then(() => socket.write(bytes.subarray(split)));
      });
      c = connectionTo(s.port);
      for (split = 1; split < bytes.length; split++) {
        const res = await c.get(buf(4), LIMIT, undefined);
        expect({ split, body: text(res) }).toEqual({ split, body: 'up_metric 1\n' });
      }
      expect(s.accepted).toBe(1);
    }
  });

  it('skips 1xx interim responses', async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n');
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc');
    });
    const res = await connectionTo(s.port).get(buf(), LIMIT, undefined);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/plain');
    expect(text(res)).toBe('abc');
  });

  it('reads an HTTP/1.0 body without length to the close, and connects again for the next scrape', async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold_server 1\n');
      socket.end();
    });
    const c = connectionTo(s.port);
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('old_server 1\n');
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('old_server 1\n');
    expect(s.accepted).toBe(2);
  });

  it('closes after a response with Connection: close, or of HTTP/1.0, though the server keeps it open', async () => {
    for (const head of ['HTTP/1.1 200 OK\r\nConnection: keep-alive, Close', 'HTTP/1.0 200 OK']) {
      const s = await rawServer((socket) => socket.write(`${head}\r\nContent-Length: 2\r\n\r\nok`));
      const c = connectionTo(s.port);
      expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
      await soon(() => (s.open.size === 0 ? true : undefined), `the client closed after ${head}`);
      expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
      expect(s.accepted).toBe(2);
    }
  });

  it('connects again when the server closed the idle connection between scrapes', async () => {
    const s = await httpServer((_req, res) => res.writeHead(200, { 'content-length': 2 }).end('ok'));
    s.server.keepAliveTimeout = 50;
    const c = connectionTo(s.port);
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
    await soon(() => (s.open.size === 0 ? true : undefined), 'the server closed the idle connection');
    await soon(() => ((c as unknown as { socket: unknown }).socket === undefined ? true : undefined), 'the client saw the close');
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
    expect(s.accepted).toBe(2);
  });

  it('sends the request again, once, on a new connection when a reused one is reset at the request', async () => {
    // Every connection answers its first request and resets at its second.
    const perConnection = new Map<number, number>();
    const s = await rawServer((socket, _request, connection) => {
      const n = (perConnection.get(connection) ?? 0) + 1;
      perConnection.set(connection, n);
      if (n === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.resetAndDestroy();
    });
    const c = connectionTo(s.port);
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
    expect(s.requests).toHaveLength(3);
    expect(s.accepted).toBe(2);
  });

  it('does not retry a request on a new connection, nor twice', async () => {
    // The first connection answers once, then every request is reset.
    const s = await rawServer((socket, request) => {
      if (request === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.resetAndDestroy();
    });
    const c = connectionTo(s.port);
    await c.get(buf(), LIMIT, undefined);
    const err = await scrapeFailure(c.get(buf(), LIMIT, undefined));
    expect(err.reason).toBe('connection');
    expect(s.requests).toHaveLength(3); // the first, the second on the reused connection, its one retry
    expect(s.accepted).toBe(2);
  });

  it('fails, without retrying, when the server closes in the middle of the body', async () => {
    const s = await rawServer((socket, request) => {
      if (request === 0) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        return;
      }
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      socket.end();
    });
    const c = connectionTo(s.port);
    await c.get(buf(), LIMIT, undefined);
    const err = await scrapeFailure(c.get(buf(), LIMIT, undefined));
    expect(err).toMatchObject({ reason: 'connection', message: 'other side closed' });
    expect(s.requests).toHaveLength(2);
  });

  it('fails on a header block over the bound, in one read or gathered over several', async () => {
    for (const size of [MAX_HEADER_BYTES - 1000, 3 * MAX_HEADER_BYTES]) {
      const s = await rawServer((socket) => {
        socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(size)}\r\nContent-Length: 2\r\n\r\nok`);
      });
      const c = connectionTo(s.port);
      if (size < MAX_HEADER_BYTES) {
        expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
        continue;
      }
      const err = await scrapeFailure(c.get(buf(), LIMIT, undefined));
      expect(err).toMatchObject({ reason: 'connection', message: `invalid HTTP response: header block larger than ${MAX_HEADER_BYTES} bytes` });
    }
    // Gathered from a short first read: the bound holds across reads too.
    let c: Http1ScrapeConnection | undefined;
    const start = 'HTTP/1.1 200 OK\r\nx-first: 1\r\n';
    const s = await rawServer((socket) => {
      socket.write(start);
      void soon(() => (receivedBy(c!) >= start.length ? true : undefined), 'the first part read').then(() => {
        for (let i = 0; i < 20; i++) socket.write(`x-more-${i}: ${'b'.repeat(4000)}\r\n`);
      });
    });
    c = connectionTo(s.port);
    const err = await scrapeFailure(c.get(buf(), LIMIT, undefined));
    expect(err.message).toBe(`invalid HTTP response: header block larger than ${MAX_HEADER_BYTES} bytes`);
  });

  it('enforces the body size limit for Content-Length and chunked bodies', async () => {
    const body = Buffer.alloc(5000, 'x');
    const s = await httpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (req.url?.includes('chunked') === true) {
        // No length: node:http sends it chunked, one chunk per write.
        for (let i = 0; i < 5; i++) res.write(body.subarray(i * 1000, (i + 1) * 1000));
        res.end();
      } else res.end(body);
    });
    for (const path of ['/metrics', '/chunked']) {
      const c = new Http1ScrapeConnection({ host: '127.0.0.1', port: s.port, hostHeader: `127.0.0.1:${s.port}`, path }, {});
      connections.push(c);
      const err = await scrapeFailure(c.get(buf(), 4096, undefined));
      expect(err).toMatchObject({ reason: 'body_size_limit', message: 'body size limit exceeded (limit 4096 bytes)' });
      expect(c.body.length).toBeLessThanOrEqual(4096);
      // At the limit exactly, the body is read.
      expect((await c.get(buf(), 5000, undefined)).length).toBe(5000);
    }
    expect(s.requests.map((r) => r.url)).toEqual(['/metrics', '/metrics', '/chunked', '/chunked']);
  });

  it('fails at once on a Content-Length over the limit, without waiting for the body', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\nfirst bytes'));
    const err = await scrapeFailure(connectionTo(s.port).get(buf(), 4096, undefined));
    expect(err).toMatchObject({ reason: 'body_size_limit', message: 'body size limit exceeded (limit 4096 bytes)' });
  });

  it('answers a status other than 200 without its body, and closes the connection', async () => {
    const s = await httpServer((_req, res) => res.writeHead(503, { 'content-length': 4 }).end('busy'));
    const c = connectionTo(s.port);
    const res = await c.get(buf(), LIMIT, undefined);
    expect({ status: res.status, length: res.length }).toEqual({ status: 503, length: 0 });
    await soon(() => (s.open.size === 0 ? true : undefined), 'the connection closed');
  });

  it('hands over a gzip body as it came, with its Content-Encoding', async () => {
    const gz = gzipSync('a_metric 42\n');
    const s = await httpServer((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gz.length }).end(gz));
    const res = await connectionTo(s.port, { 'accept-encoding': 'gzip' }).get(buf(), LIMIT, undefined);
    expect(res.contentEncoding).toBe('gzip');
    expect(Buffer.compare(res.body.subarray(0, res.length), gz)).toBe(0);
    expect(s.requests[0]!.headers['accept-encoding']).toBe('gzip');
  });

  it('on abort (the scrape timeout) destroys the socket; the next scrape works on a new connection', async () => {
    let late: Socket | undefined;
    const s = await rawServer((socket, request) => {
      if (request === 0) late = socket; // never answered in time
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const c = connectionTo(s.port);
    const target = Buffer.alloc(64, 0xee);
    const pending = c.get(target, LIMIT, undefined);
    await soon(() => late, 'the request arrived');
    c.abort(new ScrapeError('timeout', 'context deadline exceeded (scrape timeout 10 ms)'));
    expect(await scrapeFailure(pending)).toMatchObject({ reason: 'timeout' });
    await soon(() => (s.open.has(late!) ? undefined : true), 'the socket closed');
    // The late answer finds no reader: the abandoned buffer stays as it was.
    late!.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate');
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
    expect(target.every((b) => b === 0xee)).toBe(true);
    expect(s.accepted).toBe(2);
  });

  it('writes nothing into a settled buffer when bytes arrive after the response', async () => {
    let socketOfFirst: Socket | undefined;
    const s = await rawServer((socket, request) => {
      if (request === 0) socketOfFirst = socket;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const c = connectionTo(s.port);
    const first = Buffer.alloc(64, 0xee);
    const res = await c.get(first, LIMIT, undefined);
    expect(text(res)).toBe('ok');
    // A second response nobody asked for, on the kept-alive connection.
    socketOfFirst!.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray');
    await soon(() => (s.open.has(socketOfFirst!) ? undefined : true), 'the client dropped the connection');
    expect(first.subarray(2).every((b) => b === 0xee)).toBe(true);
    expect(text(await c.get(buf(), LIMIT, undefined))).toBe('ok');
    expect(s.accepted).toBe(2);
  });

  it('encodes the request again when the authorization value changes', async () => {
    const s = await httpServer((_req, res) => res.writeHead(200, { 'content-length': 2 }).end('ok'));
    const c = connectionTo(s.port);
    for (const auth of ['Bearer first', 'Bearer first', 'Bearer rotated', undefined]) await c.get(buf(), LIMIT, auth);
    expect(s.requests.map((r) => r.headers.authorization)).toEqual(['Bearer first', 'Bearer first', 'Bearer rotated', undefined]);
    expect(await scrapeFailure(c.get(buf(), LIMIT, 'Bearer x\r\nx-injected: 1'))).toMatchObject({ reason: 'credentials' });
    expect(s.requests).toHaveLength(4);
  });

  it('reports a refused connection as a connection error', async () => {
    const s = await rawServer(() => undefined);
    const port = s.port;
    for (const close of closers.splice(0)) await close();
    const err = await scrapeFailure(connectionTo(port).get(buf(), LIMIT, undefined));
    expect(err.reason).toBe('connection');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('takes host, port, Host header and request path from the URL', () => {
    expect(http1Target(new URL('http://[::1]:9100/metrics?a=b%20c'))).toEqual({ host: '::1', port: 9100, hostHeader: '[::1]:9100', path: '/metrics?a=b%20c' });
    expect(http1Target(new URL('http://node-1.example/m'))).toEqual({ host: 'node-1.example', port: 80, hostHeader: 'node-1.example', path: '/m' });
  });

  it('rejects malformed framing', async () => {
    const cases = ['HTTP/2 200 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'];
    for (const response of cases) {
      const s = await rawServer((socket) => socket.write(response));
      const err = await scrapeFailure(connectionTo(s.port).get(buf(), LIMIT, undefined));
      expect(err.reason).toBe('connection');
      expect(err.message).toMatch(/^invalid HTTP response: /);
    }
  });
});
