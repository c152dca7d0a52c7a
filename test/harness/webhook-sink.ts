// A webhook receiver for notifier tests: records every POSTed Alertmanager message with the time
// it arrived; it can be taken down and brought back on the same port to test retries.
import { createServer, type Server } from 'node:http';
import { freePort } from '../../deploy/local/services/free-port.ts';

export interface ReceivedWebhook {
  readonly path: string;
  readonly atMs: number;
  readonly body: {
    version: string;
    groupKey: string;
    status: 'firing' | 'resolved';
    receiver: string;
    groupLabels: Record<string, string>;
    commonLabels: Record<string, string>;
    truncatedAlerts: number;
    alerts: { status: string; labels: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string }[];
  };
}

export interface WebhookSink {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Messages whose commonLabels include these labels. */
  matching(labels: Record<string, string>): ReceivedWebhook[];
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface WebhookSinkOptions {
  /** Answer each request this long after it arrived (recorded at arrival): keeps deliveries in flight. */
  responseDelayMs?: number;
}

export async function startWebhookSink(opts: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const port = await freePort();
  const received: ReceivedWebhook[] = [];
  let server: Server | undefined;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          try {
            received.push({ path: req.url ?? '/', atMs: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedWebhook['body'] });
            if (opts.responseDelayMs === undefined) res.writeHead(200).end();
            else setTimeout(() => res.writeHead(200).end(), opts.responseDelayMs);
          } catch {
            res.writeHead(400).end('not JSON');
          }
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const s = server;
      server = undefined;
      if (s === undefined) return resolve();
      s.close(() => resolve());
      s.closeAllConnections();
    });
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    matching: (labels) => received.filter((r) => Object.entries(labels).every(([k, v]) => r.body.commonLabels[k] === v)),
    stop,
    start: listen,
    close: stop,
  };
}
