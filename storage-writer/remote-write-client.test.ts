import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyRejection,
  parseRetryAfter,
  RecoverableWriteError,
  RejectedWriteError,
  RemoteWriteClient,
} from './remote-write-client.ts';
import type { StoreConfig } from './writer-config.ts';
import { DEFAULT_HTTP_CLIENT_CONFIG } from '../core/http-client-config.ts';

describe('classifyRejection with what real stores answer', () => {
  // Prometheus' write handler answers 400 with the storage error text (storage/remote/write_handler.go).
  it('Prometheus remote write 1.0 receiver', () => {
    expect(classifyRejection(400, 'out of order sample')).toBe('out_of_order');
    expect(classifyRejection(400, 'duplicate sample for timestamp')).toBe('duplicate');
    expect(classifyRejection(400, 'out of bounds')).toBe('too_old');
    expect(classifyRejection(400, 'too old sample')).toBe('too_old');
  });

  it('Prometheus remote write 2.0 receiver (errors name the series)', () => {
    expect(classifyRejection(400, 'out of order sample for series {__name__="up", instance="a:9100", job="node"}')).toBe('out_of_order');
    expect(classifyRejection(400, 'invalid metric name or labels, got {__name__="1up"}')).toBe('bad_labels');
    // Says "duplicated" but is about labels, not samples.
    expect(classifyRejection(400, 'invalid labels for series, labels {__name__="up", job="a", job="b"}, duplicated label job')).toBe('bad_labels');
  });

  it('Grafana Mimir (ingester and distributor validation)', () => {
    const series = 'The affected sample has timestamp 2024-04-14T13:31:08.872Z and is from series {__name__="node_load1", instance="h:9100"}';
    expect(
      classifyRejection(
        400,
        `failed pushing to ingester mimir-ingester-1: user=anonymous: the sample has been rejected because another sample with a more recent timestamp has already been ingested and out-of-order samples are not allowed (err-mimir-sample-out-of-order). ${series}`,
      ),
    ).toBe('out_of_order');
    expect(
      classifyRejection(400, `the sample has been rejected because its timestamp is too old (err-mimir-sample-timestamp-too-old). ${series}`),
    ).toBe('too_old');
    // With an out-of-order window Mimir's too-old message mentions out-of-order; the error id decides.
    expect(
      classifyRejection(
        400,
        `the sample has been rejected because another sample with a more recent timestamp has already been ingested and this sample is beyond the out-of-order time window of 2h (err-mimir-sample-timestamp-too-old). ${series}`,
      ),
    ).toBe('too_old');
    expect(
      classifyRejection(
        400,
        `the sample has been rejected because another sample with the same timestamp, but a different value, has already been ingested (err-mimir-sample-duplicate-timestamp). ${series}`,
      ),
    ).toBe('duplicate');
    expect(
      classifyRejection(400, `received a series with duplicate label name, label: 'job' series: 'up{job="a", job="b"}' (err-mimir-duplicate-label-names)`),
    ).toBe('bad_labels');
    expect(
      classifyRejection(
        400,
        "received a series whose number of labels exceeds the limit (actual: 31, limit: 30) series: 'up{a=\"1\"}' (err-mimir-max-label-names-per-series). You can adjust the related per-tenant limit by configuring -validation.max-label-names-per-series, or by contacting your service administrator.",
      ),
    ).toBe('bad_labels');
    expect(
      classifyRejection(
        400,
        "received a series whose label value length exceeds the limit, value: 'xxxx' (truncated) series: 'up{a=\"xxxx\"}' (err-mimir-label-value-too-long). You can adjust the related per-tenant limit by configuring -validation.max-length-label-value, or by contacting your service administrator.",
      ),
    ).toBe('bad_labels');
    expect(
      classifyRejection(
        413,
        'the incoming push request has been rejected because its message size of 100 bytes is larger than the allowed limit of 50 bytes (err-mimir-distributor-max-write-message-size). To adjust the related limit, configure -distributor.max-recv-msg-size, or contact your service administrator.',
      ),
    ).toBe('too_large');
    expect(classifyRejection(400, 'per-user series limit of 150000 exceeded (err-mimir-max-series-per-user)')).toBe('rejected');
  });

  it('VictoriaMetrics', () => {
    expect(
      classifyRejection(
        400,
        'remoteAddr: "10.0.0.7:51234"; requestURI: /api/v1/write; too big unpacked request; mustn\'t exceed `-maxInsertRequestSize=33554432` bytes; got 40000000 bytes',
      ),
    ).toBe('too_large');
    expect(classifyRejection(400, 'cannot decompress snappy-encoded request with length 12: snappy: corrupt input')).toBe('rejected');
  });

  it('RejectedWriteError carries the classification', () => {
    const err = new RejectedWriteError(400, 'out of order sample');
    expect(err.reason).toBe('out_of_order');
    expect(err.status).toBe(400);
    expect(err.message).toBe('store rejected the batch with HTTP 400: out of order sample');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2015-10-21T07:27:50Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', now)).toBe(5000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });
  it('reads the three HTTP-date forms, as GMT', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', now)).toBe(10_000);
  });
  it('a date in the past means now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });
  it('anything else is no answer (V8 Date.parse would read "1.5" or "-5" as a date in 2001)', () => {
    for (const garbage of ['', 'soon', '1.5', '-5', 'garbage 1', '10s', '2015-10-21']) {
      expect(parseRetryAfter(garbage, now), garbage).toBeUndefined();
    }
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

describe('RemoteWriteClient.store against a local HTTP server', () => {
  let server: Server;
  let url: string;
  let received: Received[] = [];
  let respond: (res: ServerResponse) => void = (res) => res.writeHead(204).end();
  const clients: RemoteWriteClient[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        respond(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  });

  afterEach(async () => {
    received = [];
    respond = (res) => res.writeHead(204).end();
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function client(overrides: Partial<StoreConfig> = {}): RemoteWriteClient {
    const c = new RemoteWriteClient({
      name: 'local',
      url,
      remoteTimeoutMs: 5000,
      headers: {},
      http: DEFAULT_HTTP_CLIENT_CONFIG,
      retryOnHttp429: true,
      queue: {
        maxSamplesPerSend: 100,
        batchSendDeadlineMs: 100,
        maxRequestBytes: 1 << 20,
        minBackoffMs: 10,
        maxBackoffMs: 100,
        maxBufferedSamplesPerPartition: 1000,
        sampleAgeLimitMs: 0,
      },
      ...overrides,
    });
    clients.push(c);
    return c;
  }

  async function storeError(c: RemoteWriteClient, body = new Uint8Array([1, 2, 3])): Promise<Error> {
    try {
      await c.store(body);
    } catch (err) {
      return err as Error;
    }
    throw new Error('store() resolved, expected it to throw');
  }

  it('2xx: posts the body with the remote write headers', async () => {
    const body = new Uint8Array([0x0a, 0x00, 0xff, 0x10]);
    await client({ headers: { 'X-Scope-OrgID': 'tenant-1' }, http: { ...DEFAULT_HTTP_CLIENT_CONFIG, auth: { authorization: { type: 'Bearer', credentials: 's3cret' } } } }).store(body);
    expect(received).toHaveLength(1);
    const r = received[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/api/v1/write');
    expect([...r.body]).toEqual([...body]);
    expect(r.headers['content-encoding']).toBe('snappy');
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(r.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(r.headers['content-length']).toBe('4');
    expect(r.headers['user-agent']).toMatch(/^Ringwatch\//);
    expect(r.headers['x-scope-orgid']).toBe('tenant-1');
    expect(r.headers.authorization).toBe('Bearer s3cret');
  });

  it('basic auth', async () => {
    await client({ http: { ...DEFAULT_HTTP_CLIENT_CONFIG, auth: { basic: { username: 'u', password: 'p' } } } }).store(new Uint8Array(1));
    expect(received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('500: recoverable, with the store\'s message', async () => {
    respond = (res) => res.writeHead(500).end('internal: wal full\n');
    const err = await storeError(client());
    expect(err).toBeInstanceOf(RecoverableWriteError);
    expect((err as RecoverableWriteError).status).toBe(500);
    expect((err as RecoverableWriteError).retryAfterMs).toBeUndefined();
    expect(err.message).toBe('store answered HTTP 500: internal: wal full');
  });

  it.each([401, 403, 404])('%i: the store or its credentials are wrong, not the data: recoverable (kept in Kafka), marked as such', async (status) => {
    respond = (res) => res.writeHead(status).end('no');
    const err = await storeError(client());
    expect(err).toBeInstanceOf(RecoverableWriteError);
    expect((err as RecoverableWriteError).storeMisconfigured).toBe(true);
    expect(err.message).toBe(`store answered HTTP ${status}: no`);
  });

  it('400 stays a rejection of the data, and a 500 is not a misconfiguration', async () => {
    respond = (res) => res.writeHead(400).end('out of order sample');
    expect(await storeError(client())).toBeInstanceOf(RejectedWriteError);
    respond = (res) => res.writeHead(503).end('busy');
    expect((await storeError(client())) as RecoverableWriteError).toMatchObject({ storeMisconfigured: false });
  });

  it('429 with Retry-After: recoverable, delay from the header', async () => {
    respond = (res) => res.writeHead(429, { 'Retry-After': '7' }).end('rate limited');
    const err = await storeError(client());
    expect(err).toBeInstanceOf(RecoverableWriteError);
    expect((err as RecoverableWriteError).status).toBe(429);
    expect((err as RecoverableWriteError).retryAfterMs).toBe(7000);
  });

  it('429 with retry_on_http_429 false: a rejection', async () => {
    respond = (res) => res.writeHead(429).end('rate limited');
    const err = await storeError(client({ retryOnHttp429: false }));
    expect(err).toBeInstanceOf(RejectedWriteError);
    expect((err as RejectedWriteError).reason).toBe('rejected');
  });

  it('400 with a body: rejected, classified from the body', async () => {
    respond = (res) => res.writeHead(400, { 'Content-Type': 'text/plain' }).end('out of order sample\n');
    const err = await storeError(client());
    expect(err).toBeInstanceOf(RejectedWriteError);
    expect((err as RejectedWriteError).status).toBe(400);
    expect((err as RejectedWriteError).reason).toBe('out_of_order');
    expect(err.message).toBe('store rejected the batch with HTTP 400: out of order sample');
  });

  it('only the start of a huge error body is kept', async () => {
    respond = (res) => res.writeHead(400).end('x'.repeat(100_000));
    const err = await storeError(client());
    expect(err.message.length).toBeLessThan(600);
  });

  it('connection refused: recoverable', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await storeError(client({ url: `http://127.0.0.1:${port}/api/v1/write` }));
    expect(err).toBeInstanceOf(RecoverableWriteError);
    expect((err as RecoverableWriteError).status).toBeUndefined();
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('timeout: recoverable, says so', async () => {
    let pending: ServerResponse | undefined;
    respond = (res) => {
      pending = res; // never answered until the client gave up
    };
    const err = await storeError(client({ remoteTimeoutMs: 150 }));
    expect(err).toBeInstanceOf(RecoverableWriteError);
    expect(err.message).toMatch(/^request timed out/);
    expect(pending).toBeDefined();
    pending?.destroy();
  });
});
