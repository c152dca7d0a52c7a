// A job's settings change in the coordinator's config (reloaded with POST /-/reload): every
// running target of the job picks them up within two intervals, and across the change every tick
// is scraped exactly once (counted at the targets). Two scrapers as processes, real etcd, Kafka,
// storage-writer and Prometheus.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { KEYS } from '../../cluster/cluster-state.ts';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';
import { instantQuery } from '../harness/prometheus-api.ts';
import { startRecordingTarget, type RecordingTarget } from '../harness/recording-target.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import { cadenceViolations } from '../harness/scrape-cadence.ts';

const TARGETS = 8;
const INTERVAL_MS = 2000;

describe('job settings reload on running targets', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-reload-${id}/`;
  const job = `reload-${id}`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `job-reload-${id}`);
  const tokenA = join(dir, 'token-a');
  const tokenB = join(dir, 'token-b');
  let etcd: Etcd3;
  let nodes: TestNodes;
  let coordinator: RingwatchNode | undefined;
  let coordinatorPort: number;
  const targets: RecordingTarget[] = [];

  const servedTimes = (): number[][] => targets.map((t) => t.requests.map((r) => r.at));

  function coordinatorConfig(version: 'a' | 'b'): Record<string, unknown> {
    return {
      node: { id: 'coordinator-reload', listen_address: `127.0.0.1:${coordinatorPort}` },
      etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '3s' },
      scrape_configs: [
        {
          job_name: job,
          scrape_interval: `${INTERVAL_MS / 1000}s`,
          scrape_timeout: '1s',
          authorization: { credentials_file: version === 'a' ? tokenA : tokenB },
          ...(version === 'b' ? { metric_relabel_configs: [{ target_label: 'reloaded', replacement: 'yes' }] } : {}),
          static_configs: [{ targets: targets.map((t) => t.address) }],
        },
      ],
    };
  }

  async function startCoordinator(version: 'a' | 'b'): Promise<RingwatchNode> {
    return startRingwatchNode({
      kind: 'coordinator',
      name: 'coordinator-reload',
      httpAddress: `127.0.0.1:${coordinatorPort}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      config: coordinatorConfig(version),
    });
  }

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tokenA, 'token-before\n');
    writeFileSync(tokenB, 'token-after\n');
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    for (let i = 0; i < TARGETS; i++) targets.push(await startRecordingTarget());
    coordinatorPort = await freePort();
    nodes = testNodes(infra.kafkaBrokers, 'reload');
    await nodes.storageWriter('reload-writer', {
      remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms' } }],
    });
    coordinator = await startCoordinator('a');
    const etcdSection = { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '4s', handoff_delay: '2s' };
    await Promise.all(['r1', 'r2'].map((n) => nodes.scraper(n, { etcd: etcdSection })));
  });

  afterAll(async () => {
    await coordinator?.stop();
    await nodes?.stopAll();
    await Promise.all(targets.map((t) => t.close()));
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('new authorization and metric relabeling reach every running target within 2 intervals, no tick missed or doubled', async () => {
    // Both scrapers own some of the targets, and every target is scraped with the old token.
    await eventually(() => (targets.every((t) => t.requests.some((r) => r.headers.authorization === 'Bearer token-before')) ? true : undefined), {
      timeoutMs: 30_000,
      description: 'every target scraped with the first settings',
    });
    // The fleet settled (both scrapers joined at once at start): every target scraped twice more.
    const settled = targets.map((t) => t.requests.length + 2);
    await eventually(() => (targets.every((t, i) => t.requests.length >= (settled[i] as number)) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'two more scrapes of every target',
    });
    const from = Date.now();

    // The coordinator reloads its file (POST /-/reload, as Prometheus), no restart.
    writeFileSync((coordinator as RingwatchNode).configFile, stringify(coordinatorConfig('b')));
    const reloaded = await fetch(`${(coordinator as RingwatchNode).url}/-/reload`, { method: 'POST' });
    expect(await reloaded.text()).toBe('OK\n');
    // The moment the new job record is in etcd: from then on every scraper has the new settings.
    const changedAt = await eventually(
      async () => {
        const text = await etcd.get(`${prefix}${KEYS.jobs}${job}`).string();
        return text?.includes(tokenB) === true ? Date.now() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, description: 'the new job record in etcd' },
    );

    const switchedAt = await eventually(
      () => {
        const firsts = targets.map((t) => t.requests.find((r) => r.headers.authorization === 'Bearer token-after')?.at);
        return firsts.every((at) => at !== undefined) ? (firsts as number[]) : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'every target scraped with the new token' },
    );
    for (const at of switchedAt) expect(at - changedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
    // Once a target got the new token it never gets the old one again.
    targets.forEach((t, i) => {
      const late = t.requests.filter((r) => r.at > (switchedAt[i] as number) && r.headers.authorization !== 'Bearer token-after');
      expect(late, `target ${i}`).toEqual([]);
    });

    // Three more intervals, then: exactly one scrape per interval throughout.
    const until = Date.now() + 3 * INTERVAL_MS;
    await eventually(() => (Date.now() >= until ? true : undefined), { timeoutMs: 4 * INTERVAL_MS + 5000, intervalMs: 100, description: '3 intervals' });
    expect(cadenceViolations(servedTimes(), INTERVAL_MS, from, Date.now())).toEqual([]);

    // The new metric relabeling reached the samples too.
    await eventually(
      async () => ((await instantQuery(infra.prometheusUrl, `recording_target_up{job="${job}",reloaded="yes"}`)).length === TARGETS ? true : undefined),
      { timeoutMs: 20_000, description: 'every target\'s series with the added label in Prometheus' },
    );
  });
});
