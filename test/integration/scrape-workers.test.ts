// A scraper node with node.scrape_workers: 2 (its targets split over two worker threads): every
// target scraped exactly once per tick (counted at the targets), across a job reload too, the
// workers' scrape counters in the node's /metrics, their logs marked with the worker. Standalone
// (its own scrape_configs, reloaded with POST /-/reload) and as a fleet member (jobs from etcd,
// reloaded by the coordinator). Real processes, etcd and Kafka.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { KEYS } from '../../cluster/cluster-state.ts';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';
import { scrapeNodeMetrics, sumOf } from '../harness/node-metrics.ts';
import { startRecordingTarget, type RecordingTarget } from '../harness/recording-target.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import { cadenceViolations } from '../harness/scrape-cadence.ts';

const TARGETS = 10;
const INTERVAL_MS = 2000;

async function waitIntervals(n: number): Promise<void> {
  const until = Date.now() + n * INTERVAL_MS;
  await eventually(() => (Date.now() >= until ? true : undefined), { timeoutMs: n * INTERVAL_MS + 5000, intervalMs: 100, description: `${n} intervals` });
}

function tokenSwitch(targets: readonly RecordingTarget[], token: string): Promise<number[]> {
  return eventually(
    () => {
      const firsts = targets.map((t) => t.requests.find((r) => r.headers.authorization === `Bearer ${token}`)?.at);
      return firsts.every((at) => at !== undefined) ? (firsts as number[]) : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100, description: `every target scraped with ${token}` },
  );
}

describe('scraper with two scrape workers, standalone', () => {
  const infra = inject('infra');
  const targets: RecordingTarget[] = [];
  let nodes: TestNodes;
  let scraper: RingwatchNode;
  const job = `workers-${randomBytes(3).toString('hex')}`;

  const scrapeConfigs = (token: string): unknown[] => [
    {
      job_name: job,
      scrape_interval: `${INTERVAL_MS / 1000}s`,
      scrape_timeout: '1s',
      authorization: { credentials: token },
      static_configs: [{ targets: targets.map((t) => t.address) }],
    },
  ];

  beforeAll(async () => {
    for (let i = 0; i < TARGETS; i++) targets.push(await startRecordingTarget());
    nodes = testNodes(infra.kafkaBrokers, 'workers');
    scraper = await nodes.scraper('workers-standalone', { node: { scrape_workers: 2 }, scrape_configs: scrapeConfigs('before') });
  });

  afterAll(async () => {
    await nodes?.stopAll();
    await Promise.all(targets.map((t) => t.close()));
  });

  it('scrapes every target once per tick across a reload; /metrics counts the workers\' scrapes; logs name the worker', async () => {
    await eventually(() => (targets.every((t) => t.requests.length >= 2) ? true : undefined), { timeoutMs: 30_000, description: 'two scrapes of every target' });
    const from = Date.now();
    await waitIntervals(2);

    const file = parse(readFileSync(scraper.configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(scraper.configFile, stringify({ ...file, scrape_configs: scrapeConfigs('after') }));
    const res = await fetch(`${scraper.url}/-/reload`, { method: 'POST' });
    expect(await res.text()).toBe('OK\n');
    const switchedAt = await tokenSwitch(targets, 'after');
    targets.forEach((t, i) => {
      expect(t.requests.filter((r) => r.at > (switchedAt[i] as number) && r.headers.authorization !== 'Bearer after'), `target ${i}`).toEqual([]);
    });
    await waitIntervals(3);
    expect(cadenceViolations(targets.map((t) => t.requests.map((r) => r.at)), INTERVAL_MS, from, Date.now())).toEqual([]);

    // The counters live in the workers; the node's /metrics sums them. Between two reads of the
    // targets, the node counted every scrape they served but those still in flight.
    await eventually(
      async () => {
        const served = targets.reduce((a, t) => a + t.requests.length, 0);
        const m = await scrapeNodeMetrics(scraper.url);
        const counted = sumOf(m, 'ringwatch_scraper_scrapes_total', { job });
        const servedAfter = targets.reduce((a, t) => a + t.requests.length, 0);
        return counted >= served - TARGETS && counted <= servedAfter && sumOf(m, 'ringwatch_scraper_targets_owned') === TARGETS ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, description: 'scrapes counted in /metrics as served at the targets, all targets owned' },
    );
    const metricsText = await (await fetch(`${scraper.url}/metrics`)).text();
    // Process metrics once (the main thread's), not summed over threads.
    expect(metricsText.match(/^process_start_time_seconds /gm)).toHaveLength(1);
    expect(metricsText).toMatch(/^ringwatch_scraper_scrape_duration_seconds_count\{job="[^"]+"\} \d+$/m);

    const log = readFileSync(scraper.logFile, 'utf8');
    expect(log).toMatch(/"worker":0,.*"msg":"scrape worker started"/);
    expect(log).toMatch(/"worker":1,.*"msg":"scrape worker started"/);
    expect(log).toMatch(/"worker":[01],.*"msg":"settings changed: loop restarted at the next tick"/);

    // /api/v1/targets reads the health the workers report.
    const api = (await (await fetch(`${scraper.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastScrape: string }[] } };
    expect(api.data.activeTargets).toHaveLength(TARGETS);
    expect(api.data.activeTargets.every((t) => t.health === 'up' && Date.parse(t.lastScrape) > from)).toBe(true);
  });
});

describe('scrapers with two scrape workers each, as fleet members', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-workers-${id}/`;
  const job = `workers-fleet-${id}`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `workers-fleet-${id}`);
  const tokenA = join(dir, 'token-a');
  const tokenB = join(dir, 'token-b');
  const targets: RecordingTarget[] = [];
  let etcd: Etcd3;
  let nodes: TestNodes;
  let coordinator: RingwatchNode | undefined;
  let coordinatorPort: number;

  function coordinatorConfig(version: 'a' | 'b'): Record<string, unknown> {
    return {
      node: { id: `coordinator-${id}`, listen_address: `127.0.0.1:${coordinatorPort}` },
      etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '3s' },
      scrape_configs: [
        {
          job_name: job,
          scrape_interval: `${INTERVAL_MS / 1000}s`,
          scrape_timeout: '1s',
          authorization: { credentials_file: version === 'a' ? tokenA : tokenB },
          static_configs: [{ targets: targets.map((t) => t.address) }],
        },
      ],
    };
  }

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tokenA, 'token-before\n');
    writeFileSync(tokenB, 'token-after\n');
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    for (let i = 0; i < TARGETS; i++) targets.push(await startRecordingTarget());
    coordinatorPort = await freePort();
    nodes = testNodes(infra.kafkaBrokers, 'workers-fleet');
    coordinator = await startRingwatchNode({
      kind: 'coordinator',
      name: `coordinator-${id}`,
      httpAddress: `127.0.0.1:${coordinatorPort}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      config: coordinatorConfig('a'),
    });
    const etcdSection = { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '4s', handoff_delay: '2s' };
    await Promise.all(['w1', 'w2'].map((n) => nodes.scraper(`${n}-${id}`, { node: { scrape_workers: 2 }, etcd: etcdSection })));
  });

  afterAll(async () => {
    await coordinator?.stop();
    await nodes?.stopAll();
    await Promise.all(targets.map((t) => t.close()));
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('a job reload from etcd reaches every target, with no tick missed or doubled', async () => {
    await eventually(() => (targets.every((t) => t.requests.some((r) => r.headers.authorization === 'Bearer token-before')) ? true : undefined), {
      timeoutMs: 30_000,
      description: 'every target scraped with the first settings',
    });
    const settled = targets.map((t) => t.requests.length + 2);
    await eventually(() => (targets.every((t, i) => t.requests.length >= (settled[i] as number)) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'two more scrapes of every target',
    });
    const from = Date.now();
    writeFileSync((coordinator as RingwatchNode).configFile, stringify(coordinatorConfig('b')));
    expect(await (await fetch(`${(coordinator as RingwatchNode).url}/-/reload`, { method: 'POST' })).text()).toBe('OK\n');
    await eventually(
      async () => ((await etcd.get(`${prefix}${KEYS.jobs}${job}`).string())?.includes(tokenB) === true ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 50, description: 'the new job record in etcd' },
    );
    const switchedAt = await tokenSwitch(targets, 'token-after');
    targets.forEach((t, i) => {
      expect(t.requests.filter((r) => r.at > (switchedAt[i] as number) && r.headers.authorization !== 'Bearer token-after'), `target ${i}`).toEqual([]);
    });
    await waitIntervals(3);
    expect(cadenceViolations(targets.map((t) => t.requests.map((r) => r.at)), INTERVAL_MS, from, Date.now())).toEqual([]);
  });
});
