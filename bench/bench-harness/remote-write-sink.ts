// A remote write 1.0 receiver that stores nothing: it decompresses every request, counts its
// series and samples (write-request-counter.ts, no string decoding) and answers 204. Every
// contestant writes to it, so samples are counted the same way for all of them. It runs in its
// own process, so its CPU is not charged to the writer under test (it is reported on its own).
// A body that is not snappy (vmagent's zstd VictoriaMetrics protocol) gets 415, as Prometheus
// answers, so the sender falls back to the Prometheus protocol.
//
// Run directly (the launcher below does): node remote-write-sink.ts --port P
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { ManagedProcess } from '../../deploy/local/services/managed-process.ts';
import { httpProbe } from '../../deploy/local/services/readiness.ts';
import { readSnappyUncompressedLength, snappyDecompressInto } from '../../protocol/snappy.ts';
import { countWriteRequest } from './write-request-counter.ts';

export interface SinkStats {
  requests: number;
  /** Compressed body bytes. */
  bytes: number;
  /** Uncompressed WriteRequest bytes. */
  uncompressedBytes: number;
  series: number;
  samples: number;
  histograms: number;
  /** Bodies that could not be decompressed or walked (answered 400). */
  malformed: number;
  /** Bodies with another Content-Encoding (answered 415). */
  unsupportedEncoding: number;
  /** Date.now() of the first and latest accepted request; 0 before any. */
  firstRequestMs: number;
  lastRequestMs: number;
  /** User-Agent header -> accepted requests, to see who wrote. */
  userAgents: Record<string, number>;
}

export function emptySinkStats(): SinkStats {
  return {
    requests: 0,
    bytes: 0,
    uncompressedBytes: 0,
    series: 0,
    samples: 0,
    histograms: 0,
    malformed: 0,
    unsupportedEncoding: 0,
    firstRequestMs: 0,
    lastRequestMs: 0,
    userAgents: {},
  };
}

export interface RunningSink {
  /** The URL to remote-write to. */
  writeUrl: string;
  stats(): Promise<SinkStats>;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startRemoteWriteSink(options: { logDir: string }): Promise<RunningSink> {
  const port = await freePort();
  const child = new ManagedProcess({
    name: 'bench-sink',
    command: process.execPath,
    args: [import.meta.filename, '--port', String(port)],
    logFile: join(options.logDir, 'bench-sink.log'),
    env: { NODE_NO_WARNINGS: '1' },
  });
  const base = `http://127.0.0.1:${port}`;
  await child.waitUntilReady(httpProbe(`${base}/healthz`), 15_000);
  return {
    writeUrl: `${base}/api/v1/write`,
    stats: async () => (await (await fetch(`${base}/stats`)).json()) as SinkStats,
    process: child,
    stop: async () => {
      await child.stop(5000);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The sink process.

function serve(port: number): void {
  const stats = emptySinkStats();
  // Reused across requests (one request is handled synchronously once its body is in).
  let body = Buffer.allocUnsafe(1 << 20);
  let decoded = new Uint8Array(8 << 20);

  const receive = (req: IncomingMessage, res: ServerResponse): void => {
    const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding !== 'snappy') {
      stats.unsupportedEncoding++;
      req.resume();
      res.writeHead(415).end(`unsupported Content-Encoding "${encoding}": this sink speaks Prometheus remote write 1.0 (snappy)\n`);
      return;
    }
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      if (length + chunk.length > body.length) {
        const bigger = Buffer.allocUnsafe(Math.max(body.length * 2, length + chunk.length));
        body.copy(bigger, 0, 0, length);
        body = bigger;
      }
      chunk.copy(body, length);
      length += chunk.length;
    });
    req.on('end', () => {
      try {
        const block = body.subarray(0, length);
        const declared = readSnappyUncompressedLength(block).length;
        if (declared > decoded.length) decoded = new Uint8Array(Math.max(decoded.length * 2, declared));
        const n = snappyDecompressInto(block, decoded);
        const counts = countWriteRequest(decoded, n);
        stats.requests++;
        stats.bytes += length;
        stats.uncompressedBytes += n;
        stats.series += counts.series;
        stats.samples += counts.samples;
        stats.histograms += counts.histograms;
        const now = Date.now();
        if (stats.firstRequestMs === 0) stats.firstRequestMs = now;
        stats.lastRequestMs = now;
        const agent = req.headers['user-agent'] ?? '';
        stats.userAgents[agent] = (stats.userAgents[agent] ?? 0) + 1;
        res.writeHead(204).end();
      } catch (err) {
        stats.malformed++;
        res.writeHead(400).end(`malformed remote write body: ${(err as Error).message}\n`);
      }
    });
  };

  const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
    if (req.method === 'POST') {
      receive(req, res);
      return;
    }
    if (req.url === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200).end('ok');
      return;
    }
    res.writeHead(404).end();
  });
  server.on('error', (err) => {
    console.error(`sink on 127.0.0.1:${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => console.log(`remote write sink on 127.0.0.1:${port}`));
  process.on('SIGTERM', () => {
    console.log(`stopping: ${JSON.stringify(stats)}`);
    server.closeAllConnections();
    process.exit(0);
  });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  if (values.port === undefined) {
    console.error('usage: node remote-write-sink.ts --port P');
    process.exit(2);
  }
  serve(Number(values.port));
}
