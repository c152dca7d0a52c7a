// Configuration reload without restart (SIGHUP and POST /-/reload, as Prometheus) on real nodes:
// a coordinator applies new scrape_configs to the target list in etcd; an invalid file or a change
// only a restart can apply is refused with the field named, and the running configuration kept.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import { rawSamples } from '../harness/prometheus-api.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';
import { decodeTarget, KEYS } from '../../cluster/cluster-state.ts';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';

describe('config reload: coordinator', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-reload-${id}/`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `reload-${id}`);
  let etcd: Etcd3;
  let coordinator: RingwatchNode;
  let config: Record<string, unknown>;

  const jobA = { job_name: 'a', static_configs: [{ targets: ['10.9.0.1:9100', '10.9.0.2:9100'] }] };
  const jobB = { job_name: 'b', scrape_interval: '7s', static_configs: [{ targets: ['10.9.1.1:9100'] }] };

  async function targetsInEtcd(): Promise<string[]> {
    const kvs = await etcd.getAll().prefix(prefix + KEYS.targets).strings();
    return Object.entries(kvs)
      .map(([k, v]) => {
        const t = decodeTarget(k, v);
        return `${t.job} ${t.url}`;
      })
      .sort();
  }

  async function reloadGauge(): Promise<number | undefined> {
    const text = await (await fetch(`${coordinator.url}/metrics`)).text();
    const m = /^ringwatch_config_last_reload_successful (\S+)$/m.exec(text);
    return m === null ? undefined : Number(m[1]);
  }

  function rewrite(next: Record<string, unknown>): void {
    writeFileSync(coordinator.configFile, stringify(next));
  }

  beforeAll(async () => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    const port = await freePort();
    config = {
      node: { id: 'coordinator-reload', listen_address: `127.0.0.1:${port}` },
      etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '3s' },
      global: { scrape_interval: '5s', scrape_timeout: '4s' },
      scrape_configs: [jobA],
    };
    coordinator = await startRingwatchNode({
      kind: 'coordinator',
      name: 'coordinator-reload',
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      config,
    });
    await eventually(async () => ((await targetsInEtcd()).length === 2 ? true : undefined), { timeoutMs: 20_000, description: 'job a in etcd' });
  });

  afterAll(async () => {
    await coordinator?.stop();
    await etcd?.delete().prefix(prefix);
    etcd?.close();
  });

  it('POST /-/reload applies new scrape_configs: a new job and a changed one reach etcd', async () => {
    rewrite({ ...config, scrape_configs: [{ ...jobA, static_configs: [{ targets: ['10.9.0.1:9100', '10.9.0.3:9100'] }] }, jobB] });
    const res = await fetch(`${coordinator.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK\n');
    const want = ['a http://10.9.0.1:9100/metrics', 'a http://10.9.0.3:9100/metrics', 'b http://10.9.1.1:9100/metrics'];
    await eventually(async () => (JSON.stringify(await targetsInEtcd()) === JSON.stringify(want) ? true : undefined), {
      timeoutMs: 20_000,
      description: 'the reloaded target list in etcd',
    });
    const job = JSON.parse((await etcd.get(`${prefix}${KEYS.jobs}b`).string()) ?? '{}') as { scrapeConfig?: { scrape_interval?: string } };
    expect(job.scrapeConfig?.scrape_interval).toBe('7s');
    expect(await reloadGauge()).toBe(1);
    config = { ...config, scrape_configs: [{ ...jobA, static_configs: [{ targets: ['10.9.0.1:9100', '10.9.0.3:9100'] }] }, jobB] };
  });

  it('refuses an invalid file with the field named and keeps running the old configuration', async () => {
    const before = await targetsInEtcd();
    rewrite({ ...config, scrape_configs: [{ ...jobB, scrape_interval: 'often' }] });
    const res = await fetch(`${coordinator.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/^failed to reload config: scrape_configs\[0\]\.scrape_interval: /);
    expect(await reloadGauge()).toBe(0);
    expect((await fetch(`${coordinator.url}/readyz`)).status).toBe(200);
    // The registration API still knows job a (the running configuration).
    expect(await targetsInEtcd()).toEqual(before);
  });

  it('refuses a change that needs a restart, naming the field', async () => {
    rewrite({ ...config, etcd: { ...(config.etcd as object), prefix: '/elsewhere/' } });
    const res = await fetch(`${coordinator.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('failed to reload config: etcd: cannot change while the node runs: restart the node to apply it\n');
  });

  it('SIGHUP reloads too, and a good reload clears the failure', async () => {
    rewrite({ ...config, scrape_configs: [jobB] });
    const pid = coordinator.process?.pid;
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGHUP');
    await eventually(async () => ((await reloadGauge()) === 1 ? true : undefined), { timeoutMs: 10_000, description: 'a successful reload after SIGHUP' });
    await eventually(async () => (JSON.stringify(await targetsInEtcd()) === JSON.stringify(['b http://10.9.1.1:9100/metrics']) ? true : undefined), {
      timeoutMs: 20_000,
      description: 'job a gone from etcd after the SIGHUP reload',
    });
  });
});

describe('config reload: storage-writer', () => {
  const infra = inject('infra');
  let demo: DemoTarget;
  let nodes: TestNodes;

  beforeAll(async () => {
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: 1 });
  });
  afterAll(async () => {
    await nodes?.stopAll();
    await demo?.close();
  });

  it('applies a changed remote_write by restarting that store\'s writer, losing nothing; a kafka change is refused', async () => {
    nodes = testNodes(infra.kafkaBrokers, 'writer-reload');
    const job = `reload-${nodes.topic}`;
    const store = { name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms', min_backoff: '50ms', max_backoff: '1s' } };
    const writer = await nodes.storageWriter('writer', { remote_write: [store] });
    await nodes.scraper('scraper', {
      global: { scrape_interval: '1s', scrape_timeout: '900ms' },
      scrape_configs: [{ job_name: job, metrics_path: '/targets/0/metrics', static_configs: [{ targets: [new URL(demo.url).host] }] }],
    });
    const storedValues = async (atLeast: number): Promise<number[]> =>
      eventually(
        async () => {
          const r = await rawSamples(infra.prometheusUrl, `demo_scrapes_served_total{job="${job}"}`, '15m');
          const values = r[0]?.samples.map((s) => s.value) ?? [];
          return values.length >= atLeast ? values : undefined;
        },
        { timeoutMs: 60_000, description: `${atLeast} stored values` },
      );
    const before = (await storedValues(3)).length;

    const file = parse(readFileSync(writer.configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(writer.configFile, stringify({ ...file, remote_write: [{ ...store, queue_config: { ...store.queue_config, max_samples_per_send: 500 } }] }));
    const res = await fetch(`${writer.url}/-/reload`, { method: 'POST' });
    expect(await res.text()).toBe('OK\n');
    await eventually(async () => (/"stopped":\["prometheus"\],"started":\["prometheus"\].*remote_write reloaded/.test(await readLog(writer)) ? true : undefined), {
      timeoutMs: 10_000,
      description: 'the writer logging that it restarted the changed store',
    });

    // Every value the target served is stored, in order, none missing, across the restart.
    const stored = await storedValues(before + 4);
    const served = demo.served(0).map((s) => s.value);
    expect(stored).toEqual(served.slice(0, stored.length));

    writeFileSync(writer.configFile, stringify({ ...file, kafka: { ...(file.kafka as object), topic: 'another-topic' } }));
    const refused = await fetch(`${writer.url}/-/reload`, { method: 'POST' });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toBe('failed to reload config: kafka: cannot change while the node runs: restart the node to apply it\n');
    expect(await (await fetch(`${writer.url}/metrics`)).text()).toMatch(/^ringwatch_config_last_reload_successful 0$/m);
    expect((await fetch(`${writer.url}/readyz`)).status).toBe(200);
  });
});

async function readLog(node: RingwatchNode): Promise<string> {
  return readFileSync(node.logFile, 'utf8');
}

describe('config reload: query node', () => {
  const infra = inject('infra');
  const dir = join(repoRoot(), '.data', 'test-nodes', `reload-query-${randomBytes(3).toString('hex')}`);
  let query: RingwatchNode;
  let config: Record<string, unknown>;

  beforeAll(async () => {
    const port = await freePort();
    config = { node: { id: 'query-reload', listen_address: `127.0.0.1:${port}` }, stores: [{ name: 'prometheus', url: infra.prometheusUrl }] };
    query = await startRingwatchNode({ kind: 'query', name: 'query-reload', httpAddress: `127.0.0.1:${port}`, configDir: join(dir, 'config'), logDir: join(dir, 'logs'), config });
  });
  afterAll(async () => {
    await query?.stop();
  });

  const rangeQuery = async (): Promise<Response> => {
    const end = Math.floor(Date.now() / 1000);
    return fetch(`${query.url}/api/v1/query_range?query=up&start=${end - 7200}&end=${end}&step=60`);
  };

  it('applies new limits and auth without a restart, refuses an invalid file and keeps serving', async () => {
    expect((await rangeQuery()).status).toBe(200);
    writeFileSync(query.configFile, stringify({ ...config, limits: { max_range: '1h' }, auth: { token: 'reloaded-token' } }));
    expect(await (await fetch(`${query.url}/-/reload`, { method: 'POST' })).text()).toBe('OK\n');
    // The new token is required, and the new limit applies to whoever carries it.
    expect((await rangeQuery()).status).toBe(401);
    const end = Math.floor(Date.now() / 1000);
    const limited = await fetch(`${query.url}/api/v1/query_range?query=up&start=${end - 7200}&end=${end}&step=60`, { headers: { Authorization: 'Bearer reloaded-token' } });
    expect(limited.status).toBe(422);
    expect(await limited.text()).toMatch(/max_range|1h/);

    writeFileSync(query.configFile, stringify({ ...config, stores: [] }));
    const refused = await fetch(`${query.url}/-/reload`, { method: 'POST' });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toBe('failed to reload config: stores: at least one store is required\n');
    // Still the reloaded configuration in force.
    const ok = await fetch(`${query.url}/api/v1/query?query=up`, { headers: { Authorization: 'Bearer reloaded-token' } });
    expect(ok.status).toBe(200);
  });
});
