// Every node serves the same three endpoints on one hono app: its own /metrics (prom-client),
// /healthz (the process is alive) and /readyz (it is doing its job); nodes mount their APIs beside.
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { serve, type ServerType } from '@hono/node-server';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';

export interface NodeServerOptions {
  listenAddress: string;
  registry: Registry;
  logger: Logger;
  /** Why the node is not ready, or null when it is. */
  notReadyReason: () => string | null;
  /** Serves /metrics from somewhere else than the registry (the demo target does). */
  renderMetrics?: () => Promise<{ body: string; contentType: string; status?: number }>;
  /** Extra routes (APIs) mounted on the same app. */
  routes?: (app: Hono) => void;
}

export interface NodeServer {
  readonly app: Hono;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  return { host, port: Number(address.slice(i + 1)) };
}

export async function startNodeServer(opts: NodeServerOptions): Promise<NodeServer> {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    if (opts.renderMetrics !== undefined) {
      const { body, contentType, status } = await opts.renderMetrics();
      return c.body(body, (status ?? 200) as ContentfulStatusCode, { 'Content-Type': contentType });
    }
    const body = await opts.registry.metrics();
    return c.body(body, 200, { 'Content-Type': opts.registry.contentType });
  });
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', (c) => {
    const reason = opts.notReadyReason();
    return reason === null ? c.text('ready\n') : c.text(`not ready: ${reason}\n`, 503);
  });
  opts.routes?.(app);
  app.onError((err, c) => {
    opts.logger.error({ err, path: c.req.path }, 'http handler failed');
    return c.json({ status: 'error', errorType: 'internal', error: err.message }, 500);
  });

  const { host, port } = splitHostPort(opts.listenAddress);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`;
  opts.logger.info({ url }, 'http server listening');
  return {
    app,
    port: boundPort,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open until they time out.
        if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
      }),
  };
}
