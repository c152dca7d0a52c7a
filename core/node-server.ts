// Every node serves the same three endpoints on one hono app: its own /metrics (prom-client),
// /healthz (the process is alive) and /readyz (it is doing its job); nodes mount their APIs beside.
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { serve, type ServerType } from '@hono/node-server';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { BasicAuthVerifier, clientCertificateProblem, readWebConfigFile, tlsFilesStamp, tlsServerOptions, type WebConfig } from './web-config.ts';

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
  /** node.web_config_file: TLS and basic auth as Prometheus' --web.config.file. */
  webConfigFile?: string;
  /** How often a TLS server looks for a renewed certificate (default 30 s). */
  tlsReloadCheckMs?: number;
}

/** How often a TLS server looks for a renewed certificate. */
const TLS_RELOAD_CHECK_MS = 30_000;

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
  const web: WebConfig | undefined = opts.webConfigFile !== undefined ? readWebConfigFile(opts.webConfigFile) : undefined;
  if (web !== undefined) mountWebConfig(app, web);
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
  const tls = web?.tls;
  const server: ServerType = await new Promise((resolve, reject) => {
    const s =
      tls === undefined
        ? serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s))
        : serve({ fetch: app.fetch, hostname: host, port, createServer: createHttpsServer, serverOptions: tlsServerOptions(tls) }, () => resolve(s));
    s.once('error', reject);
  });
  let tlsTimer: NodeJS.Timeout | undefined;
  if (tls !== undefined) {
    // A renewed certificate is picked up without a restart; a broken one is logged and the old kept.
    let stamp = tlsFilesStamp(tls);
    tlsTimer = setInterval(() => {
      const now = tlsFilesStamp(tls);
      if (now === stamp) return;
      stamp = now;
      try {
        (server as HttpsServer).setSecureContext(tlsServerOptions(tls));
        opts.logger.info({ cert_file: tls.certFile }, 'TLS certificate reloaded');
      } catch (err) {
        opts.logger.error({ cert_file: tls.certFile, err: (err as Error).message }, 'TLS certificate reload failed: keeping the previous one');
      }
    }, opts.tlsReloadCheckMs ?? TLS_RELOAD_CHECK_MS);
    tlsTimer.unref();
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const url = `${tls === undefined ? 'http' : 'https'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`;
  opts.logger.info({ url, tls: tls !== undefined, basic_auth: web !== undefined && web.basicAuthUsers.size > 0 }, 'http server listening');
  return {
    app,
    port: boundPort,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (tlsTimer !== undefined) clearInterval(tlsTimer);
        server.close(() => resolve());
        // Keep-alive connections would hold close() open until they time out.
        if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
      }),
  };
}

/** Client certificate, basic auth and extra headers, in front of every route (as exporter-toolkit). */
function mountWebConfig(app: Hono, web: WebConfig): void {
  const auth = new BasicAuthVerifier(web.basicAuthUsers);
  const tls = web.tls;
  app.use('*', async (c, next) => {
    if (tls !== undefined && tls.clientAuthType !== 'NoClientCert') {
      const socket = (c.env as { incoming?: { socket?: TLSSocket } } | undefined)?.incoming?.socket;
      const presented = socket !== undefined && Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
      const problem = clientCertificateProblem(tls.clientAuthType, presented, socket?.authorized === true);
      if (problem !== undefined) return c.text(`${problem}\n`, 403);
    }
    if (auth.enabled && !(await auth.check(c.req.header('authorization')))) {
      return c.text('Unauthorized\n', 401, { 'WWW-Authenticate': 'Basic' });
    }
    await next();
    for (const [name, value] of Object.entries(web.headers)) c.header(name, value);
  });
}
