// A demo service to scrape: counters, a gauge, a histogram and a summary through prom-client, on
// /metrics and on /targets/<n>/metrics (many independent targets from one process). It remembers
// every scrape it served and the value of its scrape counter at that moment (GET /scrapes), so
// tests can check at the source that each interval was scraped exactly once and that the store
// holds exactly the values that were served. /malformed serves an exposition that fails to parse.
// A person (or a test) can make alerts fire: POST /control/temperature/<value> sets
// demo_temperature_celsius, /control/error-ratio/<0..1> makes that share of the simulated requests
// fail, /control/fail/<n|main> makes a target answer 503 (so its `up` goes to 0) until
// /control/recover/<n|main>.
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
  readonly temperature: Gauge;
  /** Share of the simulated requests that fail (code 500), set through /control/error-ratio. */
  errorRatio = 0;
  /** While set, the target answers 503 instead of metrics. */
  failing = false;
  private n = 0;

  constructor(index: number) {
    this.registry.setDefaultLabels({});
    this.scrapes = new Counter({ name: 'demo_scrapes_served_total', help: 'Scrapes this target served (counted at the source).', registers: [this.registry] });
    this.requests = new Counter({ name: 'demo_requests_total', help: 'Simulated requests handled.', labelNames: ['path', 'code'], registers: [this.registry] });
    this.queueDepth = new Gauge({ name: 'demo_queue_depth', help: 'Simulated work queue depth.', registers: [this.registry] });
    this.latency = new Histogram({ name: 'demo_request_duration_seconds', help: 'Simulated request latency.', labelNames: ['path'], buckets: [0.01, 0.05, 0.1, 0.5, 1], registers: [this.registry] });
    this.payload = new Summary({ name: 'demo_payload_bytes', help: 'Simulated payload sizes.', percentiles: [0.5, 0.9, 0.99], registers: [this.registry] });
    this.temperature = new Gauge({ name: 'demo_temperature_celsius', help: 'A gauge a person can set (POST /control/temperature/<value>).', registers: [this.registry] });
    this.temperature.set(20);
    new Gauge({ name: 'demo_target_info', help: 'Which demo target this is.', labelNames: ['index'], registers: [this.registry] }).set({ index: String(index) }, 1);
  }

  /** Deterministic activity per scrape, so values are reproducible: k-th scrape => counters grow by k. */
  async render(): Promise<{ body: string; contentType: string }> {
    this.n++;
    const k = this.n;
    this.scrapes.inc();
    if (this.errorRatio > 0) {
      // 100 requests per scrape, errorRatio of them failing: rate(…{code="500"}) / rate(…) = errorRatio.
      const failed = Math.round(100 * this.errorRatio);
      this.requests.inc({ path: '/api', code: '200' }, 100 - failed);
      if (failed > 0) this.requests.inc({ path: '/api', code: '500' }, failed);
    } else {
      this.requests.inc({ path: '/api', code: '200' }, 3);
      if (k % 5 === 0) this.requests.inc({ path: '/api', code: '500' });
    }
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
    renderMetrics: () => (main.failing ? Promise.resolve({ body: 'demo target failing on purpose\n', contentType: 'text/plain', status: 503 }) : main.render()),
    routes: (app: Hono) => {
      app.get('/targets/:n/metrics', async (c) => {
        const inst = extra[Number(c.req.param('n'))];
        if (inst === undefined) return c.text('no such demo target\n', 404);
        if (inst.failing) return c.text('demo target failing on purpose\n', 503);
        const { body, contentType } = await inst.render();
        return c.body(body, 200, { 'Content-Type': contentType });
      });
      const pick = (which: string): DemoInstance | undefined => (which === 'main' ? main : extra[Number(which)]);
      app.post('/control/temperature/:value', (c) => {
        const value = Number(c.req.param('value'));
        if (!Number.isFinite(value)) return c.text('value must be a number\n', 400);
        for (const inst of [main, ...extra]) inst.temperature.set(value);
        logger.info({ temperature: value }, 'demo temperature set');
        return c.text(`demo_temperature_celsius ${value}\n`);
      });
      app.post('/control/error-ratio/:value', (c) => {
        const value = Number(c.req.param('value'));
        if (!(value >= 0 && value <= 1)) return c.text('value must be between 0 and 1\n', 400);
        for (const inst of [main, ...extra]) inst.errorRatio = value;
        logger.info({ errorRatio: value }, 'demo error ratio set');
        return c.text(`error ratio ${value}\n`);
      });
      for (const [action, failing] of [['fail', true], ['recover', false]] as const) {
        app.post(`/control/${action}/:which`, (c) => {
          const inst = pick(c.req.param('which'));
          if (inst === undefined) return c.text('no such demo target (a number or main)\n', 404);
          inst.failing = failing;
          logger.info({ target: c.req.param('which'), failing }, 'demo target switched');
          return c.text(`${c.req.param('which')} ${failing ? 'failing' : 'serving'}\n`);
        });
      }
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
