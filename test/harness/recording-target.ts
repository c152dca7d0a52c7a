// Scrape targets that remember every request they served (when, which URL, which headers), so
// integration tests can count ticks and check what a scraper sent, at the target itself.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface RecordedRequest {
  /** ms since epoch when the request arrived. */
  at: number;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface RecordingTarget {
  /** host:port, for static_configs. */
  readonly address: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** One target on its own loopback port serving `body` (text format 0.0.4) at every path. */
export async function startRecordingTarget(body = 'recording_target_up 1\n', host = '127.0.0.1'): Promise<RecordingTarget> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ at: Date.now(), url: req.url ?? '', headers: req.headers });
    if (requests.length > 10_000) requests.splice(0, requests.length - 10_000);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `${host}:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
