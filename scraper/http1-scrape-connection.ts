// One plain-http target's keep-alive connection, for its scrapes only: a GET written as one
// pre-encoded Buffer, the response parsed as it arrives and its body copied straight into the
// caller's body buffer. It replaces undici on the hot path (no request object, header objects,
// stream or interceptor per scrape), and reads every socket of the thread into one buffer
// (net's `onread`), so a read allocates nothing.
//
// Scope: what a scrape needs. One request at a time, no pipelining, no upgrade, no redirects (the
// caller redoes a 3xx through undici), no TLS or proxies (those targets stay on undici).
import { connect, type Socket } from 'node:net';
import { grownBodyBuffer } from './body-buffers.ts';
import { ScrapeError } from './scrape-error.ts';

/**
 * Every socket of this thread reads into this buffer. A read is parsed, and its body bytes
 * copied out, before the read callback returns, so sockets never see each other's bytes.
 */
const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

/** A status line and headers larger than this fail the scrape (undici's default is 16 KiB). */
export const MAX_HEADER_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CR = 13;
const LF = 10;
/** Bytes of an unparsed header block kept across reads, at first; it grows up to MAX_HEADER_BYTES. */
const INITIAL_HEAD_BUFFER = 1024;

// Where the parser is in the exchange.
const IDLE = 0;
const HEAD = 1;
const BODY_LENGTH = 2;
const BODY_UNTIL_CLOSE = 3;
const CHUNK_SIZE = 4;
const CHUNK_EXTENSION = 5;
const CHUNK_SIZE_LF = 6;
const CHUNK_DATA = 7;
const CHUNK_DATA_CR = 8;
const CHUNK_DATA_LF = 9;
const TRAILER_LINE_START = 10;
const TRAILER_LINE = 11;
const TRAILER_END_LF = 12;

export interface Http1Response {
  status: number;
  /** The body buffer: the one given to get(), or a larger one it grew into. */
  body: Buffer;
  /** Body bytes in body (0 for a status other than 200, whose body is not read). */
  length: number;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

export interface Http1Target {
  /** Host name or address (an IPv6 address without brackets). */
  host: string;
  port: number;
  /** The Host header's value (host, with :port unless it is 80). */
  hostHeader: string;
  /** Path and query of the request line. */
  path: string;
}

/** The parts of an http: URL the connection needs. */
export function http1Target(url: URL): Http1Target {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port === '' ? 80 : Number(url.port), hostHeader: url.host, path: `${url.pathname}${url.search}` };
}

function hasLineBreak(value: string): boolean {
  return value.includes('\r') || value.includes('\n') || value.includes('\0');
}

export class Http1ScrapeConnection {
  private readonly target: Http1Target;
  /** The request without Authorization, up to (not including) the final empty line. */
  private readonly requestHead: string;
  private request: Buffer;
  private authorization: string | undefined;
  private socket: Socket | undefined;
  /** The socket of the current attempt served an earlier response (so a failure may be a stale connection). */
  private reused = false;
  private retried = false;

  // The exchange in flight.
  private phase = IDLE;
  private received = 0;
  private resolve: ((r: Http1Response) => void) | undefined;
  private reject: ((err: ScrapeError) => void) | undefined;
  private limit = 0;
  private buffer: Buffer;
  private length = 0;
  private status = 0;
  private contentType: string | undefined;
  private contentEncoding: string | undefined;
  private keepAlive = true;
  /** Body bytes still to come (Content-Length), or of the current chunk. */
  private remaining = 0;
  /** Bytes of the current chunk-size line's extension, or of the trailer section. */
  private skipped = 0;
  private head: Buffer | undefined;
  private headLength = 0;

  constructor(target: Http1Target, headers: Readonly<Record<string, string>>) {
    this.target = target;
    if (hasLineBreak(target.path) || hasLineBreak(target.hostHeader)) throw new Error('invalid request target');
    let head = `GET ${target.path} HTTP/1.1\r\nhost: ${target.hostHeader}\r\nconnection: keep-alive\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      if (hasLineBreak(name) || hasLineBreak(value)) throw new Error(`invalid value of header ${name}`);
      head += `${name}: ${value}\r\n`;
    }
    this.requestHead = head;
    this.request = Buffer.from(`${head}\r\n`, 'latin1');
    this.buffer = readBuffer; // placeholder until get(); never written while idle
  }

  /**
   * The body buffer of the last exchange (grown or not), which the caller takes back after a
   * failed get(): once get() settled, nothing writes into it any more.
   */
  get body(): Buffer {
    return this.buffer;
  }

  /**
   * One GET; resolves with the status and, for 200, the body in `body` (grown when needed, never
   * beyond limit). Rejects with a ScrapeError (connection, body_size_limit, credentials). A status
   * other than 200 resolves without its body and closes the connection.
   */
  get(body: Buffer, limit: number, authorization: string | undefined): Promise<Http1Response> {
    if (this.phase !== IDLE) return Promise.reject(new ScrapeError('connection', 'a scrape of this target is already in flight'));
    if (authorization !== this.authorization) {
      if (authorization !== undefined && hasLineBreak(authorization)) {
        return Promise.reject(new ScrapeError('credentials', 'the authorization header value contains a line break'));
      }
      // Credentials change rarely (a rotated file): the request is encoded again only then.
      this.authorization = authorization;
      this.request = Buffer.from(authorization === undefined ? `${this.requestHead}\r\n` : `${this.requestHead}authorization: ${authorization}\r\n\r\n`, 'latin1');
    }
    this.buffer = body;
    this.length = 0;
    this.limit = limit;
    this.retried = false;
    const done = new Promise<Http1Response>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.send();
    return done;
  }

  /** Ends the exchange in flight with err (the caller's timeout) and closes the socket. */
  abort(err: ScrapeError): void {
    if (this.phase === IDLE) return;
    this.drop();
    this.fail(err);
  }

  /** Closes the socket; an exchange in flight fails. The next get() connects again. */
  close(): void {
    this.drop();
    if (this.phase !== IDLE) this.fail(new ScrapeError('connection', 'connection closed'));
  }

  private send(): void {
    this.phase = HEAD;
    this.received = 0;
    this.headLength = 0;
    this.keepAlive = true;
    let socket = this.socket;
    this.reused = socket !== undefined;
    if (socket === undefined) {
      socket = this.open();
      this.socket = socket;
    }
    // Held open by the exchange only: an idle keep-alive socket must not keep the process alive.
    socket.ref();
    socket.write(this.request);
  }

  private open(): Socket {
    const socket: Socket = connect({
      host: this.target.host,
      port: this.target.port,
      noDelay: true,
      onread: { buffer: readBuffer, callback: (n: number) => this.onRead(socket, n) },
    });
    socket.on('error', (err: Error) => this.onGone(socket, err));
    socket.on('end', () => this.onEnd(socket));
    socket.on('close', () => this.onGone(socket, undefined));
    return socket;
  }

  /** Forgets the socket and destroys it; its later events find it is not this.socket and do nothing. */
  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private onEnd(socket: Socket): void {
    if (socket !== this.socket) return;
    if (this.phase === BODY_UNTIL_CLOSE) {
      this.drop();
      this.finish();
      return;
    }
    this.onGone(socket, undefined);
  }

  private onGone(socket: Socket, err: Error | undefined): void {
    if (socket !== this.socket) return;
    this.drop();
    // Idle: the server closed a kept-alive connection (its keep-alive timeout); the next scrape connects again.
    if (this.phase === IDLE) return;
    if (this.reused && this.received === 0 && !this.retried) {
      // The server closed or reset the kept-alive connection as the request went out: no byte of
      // a response came, so the GET (idempotent) goes again, once, on a new connection, as undici does.
      this.retried = true;
      this.send();
      return;
    }
    this.fail(new ScrapeError('connection', err?.message ?? 'other side closed'));
  }

  private onRead(socket: Socket, n: number): boolean {
    if (socket !== this.socket) return false;
    if (this.phase === IDLE) {
      // Bytes nobody asked for (a response after the exchange ended): the connection is unusable.
      this.drop();
      return false;
    }
    this.received += n;
    const buf = readBuffer;
    let off = 0;
    while (off < n && this.phase !== IDLE) {
      switch (this.phase) {
        case HEAD:
          off = this.readHead(buf, off, n);
          break;
        case BODY_LENGTH:
        case CHUNK_DATA: {
          // A counted run of body bytes: the whole Content-Length body, or one chunk's data.
          const take = Math.min(n - off, this.remaining);
          if (!this.copyBody(buf, off, off + take)) return false;
          off += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.phase === BODY_LENGTH) this.finish();
            else this.phase = CHUNK_DATA_CR;
          }
          break;
        }
        case BODY_UNTIL_CLOSE:
          if (!this.copyBody(buf, off, n)) return false;
          off = n;
          break;
        default:
          off = this.readChunkFraming(buf, off, n);
      }
    }
    // Bytes beyond the response's end: not a server to keep talking to.
    if (off < n && this.socket === socket) this.drop();
    return true;
  }

  /** Chunk-size lines, the CRLF after chunk data, and trailers, byte by byte (they are short). */
  private readChunkFraming(buf: Buffer, start: number, n: number): number {
    let off = start;
    while (off < n) {
      const c = buf[off]!;
      switch (this.phase) {
        case CHUNK_SIZE: {
          const digit = hexValue(c);
          if (digit >= 0) {
            this.remaining = this.remaining * 16 + digit;
            // A chunk beyond the limit fails now; the check also keeps the size an exact integer.
            if (this.length + this.remaining > this.limit) return this.bodyTooLarge();
            if (++this.skipped > 64) return this.protocolError('invalid chunk size');
          } else if (this.skipped === 0) {
            return this.protocolError('invalid chunk size');
          } else if (c === CR) {
            this.phase = CHUNK_SIZE_LF;
          } else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) {
            this.phase = CHUNK_EXTENSION;
            this.skipped = 0;
          } else {
            return this.protocolError('invalid chunk size');
          }
          break;
        }
        case CHUNK_EXTENSION:
          // Extensions mean nothing to a scrape: skipped, within the header bound.
          if (c === CR) this.phase = CHUNK_SIZE_LF;
          else if (++this.skipped > MAX_HEADER_BYTES) return this.protocolError('chunk extension too large');
          break;
        case CHUNK_SIZE_LF:
          if (c !== LF) return this.protocolError('invalid chunk size line');
          if (this.remaining === 0) {
            this.phase = TRAILER_LINE_START;
            this.skipped = 0;
          } else {
            this.phase = CHUNK_DATA;
            return off + 1;
          }
          break;
        case CHUNK_DATA_CR:
          if (c !== CR) return this.protocolError('missing CRLF after chunk data');
          this.phase = CHUNK_DATA_LF;
          break;
        case CHUNK_DATA_LF:
          if (c !== LF) return this.protocolError('missing CRLF after chunk data');
          this.phase = CHUNK_SIZE;
          this.remaining = 0;
          this.skipped = 0;
          break;
        case TRAILER_LINE_START:
          if (c === CR) this.phase = TRAILER_END_LF;
          else if (c === LF) return this.finishAt(off + 1);
          else this.phase = TRAILER_LINE;
          if (++this.skipped > MAX_HEADER_BYTES) return this.protocolError('trailer section too large');
          break;
        case TRAILER_LINE:
          // Trailer fields mean nothing to a scrape: skipped, within the header bound.
          if (c === LF) this.phase = TRAILER_LINE_START;
          if (++this.skipped > MAX_HEADER_BYTES) return this.protocolError('trailer section too large');
          break;
        case TRAILER_END_LF:
          if (c !== LF) return this.protocolError('invalid end of trailer section');
          return this.finishAt(off + 1);
        default:
          return off; // CHUNK_DATA or a settled exchange: the caller's loop takes over
      }
      off++;
    }
    return off;
  }

  /** The status line and headers; a block split across reads is gathered in this.head. */
  private readHead(buf: Buffer, off: number, n: number): number {
    if (this.headLength === 0) {
      const end = buf.indexOf(HEAD_END, off);
      // A match at or past n is in bytes of an earlier read: not this one's.
      if (end >= 0 && end + 4 <= n) {
        if (end - off + 4 > MAX_HEADER_BYTES) return this.protocolError(`header block larger than ${MAX_HEADER_BYTES} bytes`);
        return this.onHead(buf.toString('latin1', off, end), end + 4);
      }
      if (n - off >= MAX_HEADER_BYTES) return this.protocolError(`header block larger than ${MAX_HEADER_BYTES} bytes`);
    }
    // Gather the block, at most up to the bound; bytes past the block's end stay in buf.
    const before = this.headLength;
    const take = Math.min(n - off, MAX_HEADER_BYTES - before);
    let head = this.head;
    if (head === undefined || head.length < before + take) {
      let size = head?.length ?? INITIAL_HEAD_BUFFER;
      while (size < before + take) size *= 2;
      const next = Buffer.allocUnsafe(Math.min(size, MAX_HEADER_BYTES));
      head?.copy(next, 0, 0, before);
      head = next;
      this.head = head;
    }
    buf.copy(head, before, off, off + take);
    this.headLength = before + take;
    const end = head.indexOf(HEAD_END, Math.max(0, before - 3));
    if (end >= 0 && end + 4 <= this.headLength) {
      this.headLength = 0;
      return this.onHead(head.toString('latin1', 0, end), off + (end + 4 - before));
    }
    if (this.headLength >= MAX_HEADER_BYTES) return this.protocolError(`header block larger than ${MAX_HEADER_BYTES} bytes`);
    return off + take;
  }

  /** Reads a status line and headers; next is the offset of the first byte after them. */
  private onHead(text: string, next: number): number {
    const lineEnd = text.indexOf('\r\n');
    const statusLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(statusLine);
    if (m === null) return this.protocolError('invalid status line');
    const status = Number(m[2]);
    if (status < 100) return this.protocolError('invalid status line');
    let contentType: string | undefined;
    let contentEncoding: string | undefined;
    let contentLength = -1;
    let transferEncoding: string | undefined;
    let close = m[1] === '0';
    let pos = lineEnd < 0 ? text.length : lineEnd + 2;
    while (pos < text.length) {
      let end = text.indexOf('\r\n', pos);
      if (end < 0) end = text.length;
      const colon = text.indexOf(':', pos);
      if (colon <= pos || colon > end) return this.protocolError('invalid header line');
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09) return this.protocolError('obsolete header line folding');
      const nameLength = colon - pos;
      // Only five fields matter; the length test spares a lowercased copy of every other name.
      if (nameLength === 10 || nameLength === 12 || nameLength === 14 || nameLength === 16 || nameLength === 17) {
        const name = text.slice(pos, colon).toLowerCase();
        const value = text.slice(colon + 1, end).trim();
        if (name === 'content-type') contentType ??= value;
        else if (name === 'content-encoding') contentEncoding = contentEncoding === undefined ? value : `${contentEncoding}, ${value}`;
        else if (name === 'content-length') {
          if (!/^\d{1,15}$/.test(value) || (contentLength >= 0 && contentLength !== Number(value))) return this.protocolError('invalid content-length');
          contentLength = Number(value);
        } else if (name === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        else if (name === 'connection' && /(?:^|,)\s*close\s*(?:,|$)/i.test(value)) close = true;
      }
      pos = end + 2;
    }
    if (status < 200) {
      // 100 Continue, 103 Early Hints...: an interim answer, the real one follows.
      if (status === 101) return this.protocolError('unexpected 101 Switching Protocols');
      return next;
    }
    this.status = status;
    this.contentType = contentType;
    this.contentEncoding = contentEncoding;
    this.keepAlive = !close;
    if (status !== 200) {
      // Its body is not read: the connection goes, as undici's does when the handler aborts.
      this.keepAlive = false;
      this.finish();
      return next;
    }
    if (transferEncoding !== undefined) {
      const last = transferEncoding.slice(transferEncoding.lastIndexOf(',') + 1).trim().toLowerCase();
      if (last === 'chunked') {
        this.phase = CHUNK_SIZE;
        this.remaining = 0;
        this.skipped = 0;
      } else {
        // A response whose last coding is not chunked ends when the server closes (RFC 9112 6.3).
        this.phase = BODY_UNTIL_CLOSE;
        this.keepAlive = false;
      }
      return next;
    }
    if (contentLength >= 0) {
      if (contentLength > this.limit) return this.bodyTooLarge();
      if (contentLength === 0) return this.finishAt(next);
      this.phase = BODY_LENGTH;
      this.remaining = contentLength;
      return next;
    }
    this.phase = BODY_UNTIL_CLOSE;
    this.keepAlive = false;
    return next;
  }

  /** Copies body bytes into the body buffer; false (and the exchange failed) past the limit. */
  private copyBody(src: Buffer, start: number, end: number): boolean {
    const length = this.length;
    const total = length + (end - start);
    if (total > this.limit) {
      this.bodyTooLarge();
      return false;
    }
    if (total > this.buffer.length) this.buffer = grownBodyBuffer(this.buffer, length, total, this.limit);
    src.copy(this.buffer, length, start, end);
    this.length = total;
    return true;
  }

  private bodyTooLarge(): number {
    this.drop();
    this.fail(new ScrapeError('body_size_limit', `body size limit exceeded (limit ${this.limit} bytes)`));
    return Number.MAX_SAFE_INTEGER;
  }

  private protocolError(what: string): number {
    this.drop();
    this.fail(new ScrapeError('connection', `invalid HTTP response: ${what}`));
    return Number.MAX_SAFE_INTEGER;
  }

  private finishAt(off: number): number {
    this.finish();
    return off;
  }

  private finish(): void {
    const resolve = this.resolve!;
    this.settle();
    if (!this.keepAlive) this.drop();
    resolve({ status: this.status, body: this.buffer, length: this.length, contentType: this.contentType, contentEncoding: this.contentEncoding });
  }

  private fail(err: ScrapeError): void {
    const reject = this.reject!;
    this.settle();
    reject(err);
  }

  private settle(): void {
    this.phase = IDLE;
    this.resolve = undefined;
    this.reject = undefined;
    this.socket?.unref();
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
