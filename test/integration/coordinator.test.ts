// Two coordinators as separate processes on the harness' real etcd: one leader at a time; the
// target list from static_configs, a file_sd file and the API lands in etcd and follows changes;
// the API needs its token; when the leader is killed the other takes over within the lease TTL
// and changes keep flowing.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeJob, decodeTarget, encodeRecord, KEYS, type MemberRecord, type TargetRecord } from '../../cluster/cluster-state.ts';
import { createLogger } from '../../core/logger.ts';
import { runTargetsCli } from '../../coordinator/targets-cli.ts';
import { NotLeaderError, TargetListWriter } from '../../coordinator/target-list-writer.ts';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';

const LEASE_TTL_S = 3;
const TOKEN = 'coordinator-test-token';

interface LeaderStatus {
  leader: string | null;
  self: string;
  isLeader: boolean;
}

describe('coordinator: discovery to etcd, leader election, API', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-coord-${id}/`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `coordinator-${id}`);
  const sdFile = join(dir, 'sd', 'targets.json');
  const coordinators = new Map<string, RingwatchNode>();
  let etcd: Etcd3;
  let fakeScraper: Server;

  function writeSd(groups: unknown): void {
    // Written next to it and renamed over it, as config management does.
    writeFileSync(`${sdFile}.tmp`, JSON.stringify(groups));
    renameSync(`${sdFile}.tmp`, sdFile);
  }

  async function startCoordinator(name: string): Promise<RingwatchNode> {
    const port = await freePort();
    const node = await startRingwatchNode({
      kind: 'coordinator',
      name,
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      config: {
        node: { id: name, listen_address: `127.0.0.1:${port}` },
        etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: `${LEASE_TTL_S}s` },
        global: { scrape_interval: '5s', scrape_timeout: '4s' },
        api: { token: TOKEN },
        scrape_configs: [
          { job_name: 'static-job', static_configs: [{ targets: ['10.1.0.1:9100', '10.1.0.2:9100'], labels: { env: 'test' } }] },
          { job_name: 'file-job', scrape_interval: '10s', file_sd_configs: [{ files: [sdFile], refresh_interval: '5m' }] },
          { job_name: 'api-job', metrics_path: '/m' },
        ],
      },
    });
    coordinators.set(name, node);
    return node;
  }

  async function targetsInEtcd(): Promise<TargetRecord[]> {
    const kvs = await etcd.getAll().prefix(prefix + KEYS.targets).strings();
    return Object.entries(kvs).map(([k, v]) => decodeTarget(k, v));
  }

  async function urlsOf(job: string): Promise<string[]> {
    return (await targetsInEtcd())
      .filter((t) => t.job === job)
      .map((t) => t.url)
      .sort();
  }

  async function modRevisions(keys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const key of keys) {
      const res = await etcd.get(key).exec();
      const kv = res.kvs[0];
      if (kv !== undefined) out.set(key, String(kv.mod_revision));
    }
    return out;
  }

  async function leaderStatus(node: RingwatchNode): Promise<LeaderStatus> {
    const res = await fetch(`${node.url}/api/v1/status/leader`);
    return ((await res.json()) as { data: LeaderStatus }).data;
  }

  function register(node: RingwatchNode, body: unknown, token?: string): Promise<Response> {
    return fetch(`${node.url}/api/v1/targets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  }

  /** The one coordinator that says it leads, once all running ones agree on it. */
  async function theLeader(): Promise<RingwatchNode> {
    return eventually(
      async () => {
        const running = [...coordinators.values()].filter((n) => n.running);
        const statuses = await Promise.all(running.map(leaderStatus));
        const leaders = running.filter((_, i) => statuses[i]?.isLeader === true);
        if (leaders.length !== 1) throw new Error(`${leaders.length} coordinators say they lead`);
        const name = leaders[0]?.name;
        if (!statuses.every((s) => s.leader === name)) throw new Error(`not every coordinator sees ${name} as leader: ${JSON.stringify(statuses)}`);
        return leaders[0];
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'exactly one leader' },
    );
  }

  beforeAll(async () => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    mkdirSync(join(dir, 'sd'), { recursive: true });
    writeSd([{ targets: ['10.2.0.1:9100'], labels: { team: 'a' } }]);
    // A scraper member that reports health for what it scrapes, for the targets API.
    fakeScraper = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            activeTargets: [
              {
                scrapePool: 'static-job',
                scrapeUrl: 'http://10.1.0.1:9100/metrics',
                labels: { env: 'test', instance: '10.1.0.1:9100', job: 'static-job' },
                health: 'up',
                lastError: '',
                lastScrape: '2024-01-01T00:00:00.000Z',
                lastScrapeDuration: 0.012,
              },
            ],
          },
        }),
      );
    });
    await new Promise<void>((r) => fakeScraper.listen(0, '127.0.0.1', () => r()));
    const address = fakeScraper.address();
    const member: MemberRecord = { id: 'fake-scraper', address: `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, startedAt: 0, activeFrom: 0 };
    await etcd.put(`${prefix}${KEYS.members}${member.id}`).value(encodeRecord(member)).exec();
    await Promise.all([startCoordinator('coord-1'), startCoordinator('coord-2')]);
  });

  afterAll(async () => {
    await Promise.all([...coordinators.values()].map((n) => n.stop()));
    await new Promise<void>((r) => (fakeScraper ? fakeScraper.close(() => r()) : r()));
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('elects exactly one leader, and says so in its metrics', async () => {
    const leader = await theLeader();
    const metrics = await Promise.all([...coordinators.values()].map(async (n) => [n.name, await (await fetch(`${n.url}/metrics`)).text()] as const));
    for (const [name, text] of metrics) {
      expect(text).toContain(`ringwatch_coordinator_is_leader ${name === leader.name ? 1 : 0}`);
    }
  });

  it('writes the targets from static_configs and the file_sd file, with their job records', async () => {
    await eventually(async () => ((await urlsOf('file-job')).length === 1 && (await urlsOf('static-job')).length === 2 ? true : undefined), {
      timeoutMs: 15_000,
      description: 'static and file_sd targets in etcd',
    });
    const targets = await targetsInEtcd();
    const fromFile = targets.find((t) => t.job === 'file-job');
    expect(fromFile).toMatchObject({ url: 'http://10.2.0.1:9100/metrics', intervalMs: 10_000, timeoutMs: 4000, source: `file_sd:${sdFile}:0` });
    expect(Object.fromEntries(fromFile?.labels ?? [])).toEqual({ instance: '10.2.0.1:9100', job: 'file-job', team: 'a' });
    expect(fromFile?.discoveredLabels.__meta_filepath).toBe(sdFile);
    expect(targets.find((t) => t.job === 'static-job')?.source).toBe('static:0');

    const jobs = await etcd.getAll().prefix(prefix + KEYS.jobs).strings();
    expect(Object.keys(jobs).sort()).toEqual(['api-job', 'file-job', 'static-job'].map((j) => `${prefix}${KEYS.jobs}${j}`));
    const fileJob = decodeJob(`${prefix}${KEYS.jobs}file-job`, jobs[`${prefix}${KEYS.jobs}file-job`] as string);
    expect(fileJob.scrapeConfig).toEqual({ job_name: 'file-job', scrape_interval: '10s', scrape_timeout: '4s' });

    const metrics = await (await fetch(`${(await theLeader()).url}/metrics`)).text();
    expect(metrics).toContain('ringwatch_coordinator_targets{job="static-job",source="static"} 2');
    expect(metrics).toContain('ringwatch_coordinator_targets{job="file-job",source="file_sd"} 1');
  });

  it('follows edits of the file_sd file, in transactions etcd accepts however large the change', async () => {
    // 250 new targets: more operations than etcd allows in one transaction (128 by default).
    writeSd([{ targets: Array.from({ length: 250 }, (_, i) => `10.4.${i >> 8}.${i & 255}:9100`) }]);
    await eventually(async () => ((await urlsOf('file-job')).length === 250 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: '250 file_sd targets in etcd',
    });
    writeSd([{ targets: ['10.2.0.2:9100', '10.2.0.3:9100'] }]);
    await eventually(async () => ((await urlsOf('file-job')).join(' ') === 'http://10.2.0.2:9100/metrics http://10.2.0.3:9100/metrics' ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: 'the edited file_sd targets in etcd',
    });
    // A broken file keeps the last good targets.
    writeFileSync(sdFile, '[{"targets": [');
    await eventually(
      async () => {
        const text = await (await fetch(`${(await theLeader()).url}/metrics`)).text();
        return /ringwatch_coordinator_discovery_errors_total\{mechanism="file_sd"\} [1-9]/.test(text) ? true : undefined;
      },
      { timeoutMs: 15_000, description: 'a file_sd error counted' },
    );
    expect(await urlsOf('file-job')).toHaveLength(2);
  });

  it('registers targets through the API only with the token, on any coordinator', async () => {
    const leader = await theLeader();
    const follower = [...coordinators.values()].find((n) => n !== leader) as RingwatchNode;
    const body = { job: 'api-job', targets: ['10.3.0.1:9100'], labels: { owner_team: 'x' } };
    expect((await register(follower, body)).status).toBe(401);
    expect((await register(follower, body, 'wrong-token')).status).toBe(401);
    const unknown = await register(follower, { ...body, job: 'no-such-job' }, TOKEN);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/unknown job "no-such-job"/);
    expect(await urlsOf('api-job')).toEqual([]);

    const ok = await register(follower, body, TOKEN);
    expect(ok.status).toBe(200);
    await eventually(async () => ((await urlsOf('api-job')).join() === 'http://10.3.0.1:9100/m' ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: 'the registered target in etcd',
    });
    const record = (await targetsInEtcd()).find((t) => t.job === 'api-job');
    expect(record?.source).toBe('api:10.3.0.1:9100');
    expect(Object.fromEntries(record?.labels ?? [])).toMatchObject({ owner_team: 'x' });
    expect(await etcd.get(`${prefix}${KEYS.registered}api-job/10.3.0.1:9100`).string()).toContain('"owner_team":"x"');

    // The CLI, against the follower: add, list (with owner and health), remove.
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: { RINGWATCH_API_TOKEN: TOKEN }, out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    expect(await runTargetsCli(['add', '--coordinator', follower.url, '--job', 'api-job', '10.3.0.2:9100'], io)).toBe(0);
    await eventually(async () => ((await urlsOf('api-job')).length === 2 ? true : undefined), { timeoutMs: 15_000, intervalMs: 100, description: 'the CLI-registered target' });
    expect(await runTargetsCli(['rm', '--coordinator', follower.url, '--job', 'api-job', '10.3.0.2:9100'], io)).toBe(0);
    await eventually(async () => ((await urlsOf('api-job')).length === 1 ? true : undefined), { timeoutMs: 15_000, intervalMs: 100, description: 'the CLI-removed target gone' });
    expect(await runTargetsCli(['ls', '--coordinator', follower.url, '--job', 'static-job'], io)).toBe(0);
    expect(err).toEqual([]);
    const table = out.at(-1)?.split('\n') ?? [];
    expect(table[0]).toMatch(/^JOB\s+INSTANCE\s+OWNER\s+HEALTH\s+LAST SCRAPE/);
    expect(table.find((l) => l.includes('10.1.0.1:9100'))).toMatch(/static-job\s+10\.1\.0\.1:9100\s+fake-scraper\s+up\s+/);
    expect(table.find((l) => l.includes('10.1.0.2:9100'))).toMatch(/fake-scraper\s+unknown\s+never/);
  });

  it('never writes without holding the election key (fenced writes)', async () => {
    const writer = new TargetListWriter({ etcd, prefix, logger: createLogger('test', 'silent') });
    const rogueKey = `${prefix}${KEYS.targets}rogue`;
    await expect(writer.write(new Map([[rogueKey, '{}']]), `${prefix}election/coordinator/not-a-lease`)).rejects.toBeInstanceOf(NotLeaderError);
    expect(await etcd.get(rogueKey).string()).toBeNull();
  });

  it('hands leadership over within the lease TTL when the leader is killed, and changes keep flowing', async () => {
    const leader = await theLeader();
    const staticKeys = (await targetsInEtcd()).filter((t) => t.job === 'static-job').map((t) => `${prefix}${KEYS.targets}${t.id}`);
    expect(staticKeys).toHaveLength(2);
    const revisionsBefore = await modRevisions(staticKeys);
    const survivor = [...coordinators.values()].find((n) => n !== leader) as RingwatchNode;
    const killedAt = performance.now();
    await leader.kill();
    await eventually(async () => ((await leaderStatus(survivor)).isLeader ? true : undefined), {
      timeoutMs: LEASE_TTL_S * 1000 + 5000,
      intervalMs: 50,
      description: `${survivor.name} to become leader`,
    });
    const takeoverMs = performance.now() - killedAt;
    console.log(`[coordinator] leader ${leader.name} SIGKILLed; ${survivor.name} leads after ${Math.round(takeoverMs)} ms (lease TTL ${LEASE_TTL_S} s)`);
    // The lease may have been renewed just before the kill; etcd then notices expiry within ~0.5 s.
    expect(takeoverMs).toBeLessThan(LEASE_TTL_S * 1000 + 2000);

    const registeredAt = performance.now();
    expect((await register(survivor, { job: 'api-job', targets: ['10.3.0.9:9100'] }, TOKEN)).status).toBe(200);
    writeSd([{ targets: ['10.2.0.4:9100'] }]);
    await eventually(
      async () =>
        (await urlsOf('api-job')).includes('http://10.3.0.9:9100/m') && (await urlsOf('file-job')).join() === 'http://10.2.0.4:9100/metrics' ? true : undefined,
      { timeoutMs: 15_000, intervalMs: 50, description: 'changes written by the new leader' },
    );
    console.log(`[coordinator] registration reached etcd through the new leader in ${Math.round(performance.now() - registeredAt)} ms`);
    // The new leader wrote only the difference: records that did not change were not rewritten.
    expect(await modRevisions(staticKeys)).toEqual(revisionsBefore);
  });
});
