// Targets registered through the coordinator's API on real etcd, with a scraper process: the
// registration policy refuses what it must with a 4xx naming the problem, and a registered target
// at a host of the registrant's choosing never receives the job's credentials (counted at that
// host) unless the job opts in; the job's own targets keep getting them.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';
import { startRecordingTarget, type RecordingTarget } from '../harness/recording-target.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';

const TOKEN = 'registration-test-token';
const JOB_SECRET = 'the-jobs-own-bearer-secret';

describe('registered targets: policy and credentials', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-registered-${id}/`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `registered-${id}`);
  const credentials = join(dir, 'job-credentials');
  let etcd: Etcd3;
  let nodes: TestNodes;
  let coordinator: RingwatchNode;
  let own: RecordingTarget;
  let foreign: RecordingTarget;
  let foreignOptIn: RecordingTarget;

  const register = (body: unknown): Promise<Response> =>
    fetch(`${coordinator.url}/api/v1/targets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(credentials, `${JOB_SECRET}\n`);
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    own = await startRecordingTarget();
    // Other loopback addresses stand for hosts the operator never listed.
    foreign = await startRecordingTarget(undefined, '127.0.0.2');
    foreignOptIn = await startRecordingTarget(undefined, '127.0.0.3');
    const port = await freePort();
    coordinator = await startRingwatchNode({
      kind: 'coordinator',
      name: 'coordinator-registered',
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      config: {
        node: { id: 'coordinator-registered', listen_address: `127.0.0.1:${port}` },
        etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '3s' },
        global: { scrape_interval: '1s', scrape_timeout: '500ms' },
        api: { token: TOKEN, registration: { allowed_jobs: ['secured', 'trusted'], min_scrape_interval: '500ms', allowed_addresses: ['127\\.0\\.0\\.[0-9]+:[0-9]+'] } },
        scrape_configs: [
          { job_name: 'secured', authorization: { credentials_file: credentials }, static_configs: [{ targets: [own.address] }] },
          { job_name: 'trusted', authorization: { credentials_file: credentials }, send_credentials_to_registered_targets: true },
          { job_name: 'closed' },
        ],
      },
    });
    nodes = testNodes(infra.kafkaBrokers, 'registered');
    await nodes.scraper('reg-scraper', { etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '4s', handoff_delay: '1s' } });
  });

  afterAll(async () => {
    await coordinator?.stop();
    await nodes?.stopAll();
    await Promise.all([own, foreign, foreignOptIn].map((t) => t?.close()));
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('refuses, with a 4xx naming the problem, what api.registration does not allow', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ job: 'secured', targets: [foreign.address], labels: { __scrape_interval__: '1ms' } }, 400, /__scrape_interval__: 1ms is below the minimum of 500ms/],
      [{ job: 'closed', targets: [foreign.address] }, 403, /job: "closed" does not accept registered targets/],
      [{ job: 'secured', targets: ['evil.example:80'] }, 403, /targets\[0\]: "evil.example:80" matches none of api.registration.allowed_addresses/],
    ];
    for (const [body, status, error] of cases) {
      const res = await register(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(error);
    }
  });

  it('a registered target at a foreign host gets no Authorization header unless its job opts in', async () => {
    // __scheme__, __metrics_path__ and __param_* are the registrant's to choose.
    const res = await register({ job: 'secured', targets: [foreign.address], labels: { __metrics_path__: '/custom', __param_module: 'm1' } });
    expect(res.status).toBe(200);
    expect((await register({ job: 'trusted', targets: [foreignOptIn.address] })).status).toBe(200);
    await eventually(() => (foreign.requests.length >= 3 && foreignOptIn.requests.length >= 3 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'both registered targets scraped three times',
    });
    expect(foreign.requests.map((r) => r.url)).toContain('/custom?module=m1');
    expect(foreign.requests.filter((r) => r.headers.authorization !== undefined)).toEqual([]);
    // The job's own target and the opted-in job's registered target do get the credentials.
    expect(own.requests.length).toBeGreaterThan(0);
    for (const r of own.requests) expect(r.headers.authorization).toBe(`Bearer ${JOB_SECRET}`);
    for (const r of foreignOptIn.requests) expect(r.headers.authorization).toBe(`Bearer ${JOB_SECRET}`);
  });
});
