// A demo service to scrape: counters, a gauge, a histogram and a summary through prom-client, on
// /metrics and on /targets/<n>/metrics (many independent targets from one process). It remembers
// every scrape it served and the value of its scrape counter at that moment (GET /scrapes), so
// tests can check at the source that each interval was scraped exactly once and that the store
// holds exactly the values that were served. /malformed serves an exposition that fails to parse.
import { Hono } from 'hono';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { checkHostPort, readNumber, readObject, readString } from '../../core/config-schema.ts';
import { createLogger } from '../../core/logger.ts';
import { startNodeServer, type NodeServer } from '../../core/node-server.ts';

export interface ServedScrape {
  /** ms since epoch when the scrape was served. */
  at: number;
  /** Value of demo_scrapes_served_total in the body served. */
  value: number;
}

class DemoInstance {
  readonly registry = new Registry();
  readonly served: ServedScrape[] = [];
  private readonly scrapes: Counter;
  private readonly requests: Counter;
  private readonly queueDepth: Gauge;
  private readonly latency: Histogram;
  private readonly payload: Summary;
  private n = 0;

  constructor(index: number) {
    this.registry.setDefaultLabels({});
    this.scrapes = new Counter({ name: 'demo_scrapes_served_total', help: 'Scrapes this target served (counted at the source).', registers: [this.registry] });
    this.requests = new Counter({ name: 'demo_requests_total', help: 'Simulated requests handled.', labelNames: ['path', 'code'], registers: [this.registry] });
    this.queueDepth = new Gauge({ name: 'demo_queue_depth', help: 'Simulated work queue depth.', registers: [this.registry] });
    this.latency = new Histogram({ name: 'demo_request_duration_seconds', help: 'Simulated request latency.', labelNames: ['path'], buckets: [0.01, 0.05, 0.1, 0.5, 1], registers: [this.registry] });
    this.payload = new Summary({ name: 'demo_payload_bytes', help: 'Simulated payload sizes.', percentiles: [0.5, 0.9, 0.99], registers: [this.registry] });
    new Gauge({ name: 'demo_target_info', help: 'Which demo target this is.', labelNames: ['index'], registers: [this.registry] }).set({ index: String(index) }, 1);
  }

  /** Deterministic activity per scrape, so values are reproducible: k-th scrape => counters grow by k. */
  async render(): Promise<{ body: string; contentType: string }> {
    this.n++;
    const k = this.n;
    this.scrapes.inc();
    this.requests.inc({ path: '/api', code: '200' }, 3);
    if (k % 5 === 0) this.requests.inc({ path: '/api', code: '500' });
    this.queueDepth.set(k % 17);
    this.latency.observe({ path: '/api' }, (k % 10) / 20);
    this.payload.observe(100 + (k % 50) * 10);
    this.served.push({ at: Date.now(), value: k });
    if (this.served.length > 10_000) this.served.splice(0, this.served.length - 10_000);
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

export interface DemoTargetOptions {
  listenAddress: string;
  /** Extra targets served on /targets/<n>/metrics. */
  targets: number;
}

export interface DemoTarget {
  readonly url: string;
  readonly server: NodeServer;
  served(index?: number): ServedScrape[];
  close(): Promise<void>;
}

const MALFORMED_BODY = '# TYPE demo_ok counter\ndemo_ok 1\ndemo_broken{path="/x} 3\n';

export async function startDemoTarget(opts: DemoTargetOptions): Promise<DemoTarget> {
  const logger = createLogger('demo-target');
  const main = new DemoInstance(-1);
  const extra = Array.from({ length: opts.targets }, (_, i) => new DemoInstance(i));
  const ownRegistry = new Registry();
  const server = await startNodeServer({
    listenAddress: opts.listenAddress,
    registry: ownRegistry,
    logger,
    notReadyReason: () => null,
    // The node's own /metrics is the main demo instance.
    renderMetrics: () => main.render(),
    routes: (app: Hono) => {
      app.get('/targets/:n/metrics', async (c) => {
        const inst = extra[Number(c.req.param('n'))];
        if (inst === undefined) return c.text('no such demo target\n', 404);
        const { body, contentType } = await inst.render();
        return c.body(body, 200, { 'Content-Type': contentType });
      });
      app.get('/malformed', (c) => c.body(MALFORMED_BODY, 200, { 'Content-Type': 'text/plain; version=0.0.4' }));
      app.get('/scrapes', (c) => {
        const n = c.req.query('target');
        const inst = n === undefined ? main : extra[Number(n)];
        if (inst === undefined) return c.json({ error: 'no such demo target' }, 404);
        return c.json(inst.served);
      });
    },
  });
  return {
    url: server.url,
    server,
    served: (index?: number) => (index === undefined ? main.served : (extra[index]?.served ?? [])),
    close: () => server.close(),
  };
}

export async function runDemoTarget(raw: unknown): Promise<void> {
  const obj = readObject(raw, '', ['listen_address', 'targets']);
  const target = await startDemoTarget({
    listenAddress: checkHostPort(readString(obj, 'listen_address', '', '127.0.0.1:9101'), 'listen_address'),
    targets: readNumber(obj, 'targets', '', { fallback: 0, min: 0, max: 100_000 }),
  });
  const stop = (): void => {
    void target.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
