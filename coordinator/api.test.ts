import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { MemberRecord, RegisteredTarget, TargetRecord } from '../cluster/cluster-state.ts';
import { createLogger } from '../core/logger.ts';
import { readGlobalConfig, readScrapeConfig } from '../model/scrape-config.ts';
import { MAX_BODY_BYTES, mountCoordinatorApi, type CoordinatorApiDeps } from './api.ts';
import { computeRingView } from './ring-view.ts';
import type { TargetGroup } from '../discovery/target-group.ts';
import type { ScrapeHealth } from './scraper-health.ts';
import { buildTargetList, jobRecord, type TargetList } from './target-list.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const global = readGlobalConfig({ scrape_interval: '10s' }, 'global');

function localList(): TargetList {
  const jobs = [
    { job_name: 'demo', relabel_configs: [{ source_labels: ['skip'], regex: 'y', action: 'drop' }] },
    { job_name: 'limited', target_limit: 1 },
  ].map((raw) => {
    const options = readScrapeConfig(raw, 'x', global);
    return { options, record: jobRecord(raw, options) };
  });
  return buildTargetList(
    jobs,
    new Map<string, TargetGroup[]>([
      [
        'demo',
        [
          { source: 'static:0', targets: ['a:1', 'b:1', 'c:1'], labels: {} },
          { source: 'static:1', targets: ['d:1'], labels: { skip: 'y' } },
        ],
      ],
      ['limited', [{ source: 'static:0', targets: ['l:1', 'l:2'], labels: {} }]],
    ]),
  );
}

function setup(opts: { token?: string; fleetFails?: boolean } = {}) {
  const list = localList();
  const targets: TargetRecord[] = [...list.targets.values()];
  const members: MemberRecord[] = [
    { id: 's1', address: 's1:1', startedAt: NOW - 60_000, activeFrom: NOW - 50_000 },
    { id: 's2', address: 's2:1', startedAt: NOW - 60_000, activeFrom: NOW - 50_000 },
    { id: 's3', address: 's3:1', startedAt: NOW - 1000, activeFrom: NOW + 2000 },
  ];
  const ring = computeRingView(members, targets.map((t) => t.id), NOW);
  const registered: { added: RegisteredTarget[]; removed: string[] } = { added: [], removed: [] };
  const deps: CoordinatorApiDeps = {
    nodeId: 'c1',
    token: opts.token,
    knownJobs: () => new Set(['demo', 'limited']),
    readFleet: async () => {
      if (opts.fleetFails === true) throw new Error('etcd unreachable');
      return { members, targets };
    },
    localTargetList: () => list,
    scrapeHealth: async (_members, preferredOwner) => {
      const first = targets[0] as TargetRecord;
      const h: ScrapeHealth = { reportedBy: preferredOwner(first.id) ?? '?', health: 'up', lastError: '', lastScrape: '2024-05-01T11:59:58Z', lastScrapeDuration: 0.02 };
      return new Map([[first.id, h]]);
    },
    leader: async () => 'c2',
    isLeader: () => false,
    registered: {
      add: async (job, addresses, labels) => {
        const records = addresses.map((address) => ({ job, address, labels, addedAt: NOW }));
        registered.added.push(...records);
        return records;
      },
      remove: async (_job, addresses) => {
        registered.removed.push(...addresses);
        return { removed: addresses.filter((a) => a !== 'gone:1'), notFound: addresses.filter((a) => a === 'gone:1') };
      },
    },
    logger: createLogger('test', 'silent'),
    now: () => NOW,
  };
  const app = new Hono();
  mountCoordinatorApi(app, deps);
  return { app, targets, ring, registered };
}

const json = async (res: Response) => (await res.json()) as { status: string; data: Record<string, unknown> & unknown[]; errorType?: string; error?: string };

describe('GET /api/v1/targets', () => {
  it('answers in Prometheus\' shape with the owner, health from the owner, dropped and withheld targets', async () => {
    const { app, targets, ring } = setup();
    const body = await json(await app.request('/api/v1/targets'));
    expect(body.status).toBe('success');
    const active = body.data.activeTargets as Record<string, unknown>[];
    expect(active).toHaveLength(5);
    const first = active.find((t) => t.scrapeUrl === targets[0]?.url);
    expect(first).toEqual({
      discoveredLabels: targets[0]?.discoveredLabels,
      labels: { instance: 'a:1', job: 'demo' },
      scrapePool: 'demo',
      scrapeUrl: 'http://a:1/metrics',
      globalUrl: 'http://a:1/metrics',
      lastError: '',
      lastScrape: '2024-05-01T11:59:58Z',
      lastScrapeDuration: 0.02,
      health: 'up',
      scrapeInterval: '10s',
      scrapeTimeout: '10s',
      owner: ring.owners.get(targets[0]?.id as string),
    });
    expect(['s1', 's2']).toContain(first?.owner);
    const other = active.find((t) => t.scrapeUrl === 'http://b:1/metrics');
    expect(other).toMatchObject({ health: 'unknown', lastScrape: '0001-01-01T00:00:00Z', lastError: '' });
    const withheld = active.filter((t) => t.scrapePool === 'limited');
    expect(withheld.map((t) => [t.health, t.owner, t.lastError])).toEqual([
      ['down', null, 'target_limit exceeded (number of targets: 2, limit: 1)'],
      ['down', null, 'target_limit exceeded (number of targets: 2, limit: 1)'],
    ]);
    expect(body.data.droppedTargets).toEqual([{ discoveredLabels: expect.objectContaining({ __address__: 'd:1', skip: 'y' }), scrapePool: 'demo' }]);
    expect(body.data.droppedTargetCounts).toEqual({ demo: 1, limited: 0 });
  });

  it('filters by state and scrapePool, and rejects an unknown state', async () => {
    const { app } = setup();
    const active = await json(await app.request('/api/v1/targets?state=active&scrapePool=demo'));
    expect((active.data.activeTargets as unknown[]).length).toBe(3);
    expect(active.data.droppedTargets).toEqual([]);
    const dropped = await json(await app.request('/api/v1/targets?state=dropped'));
    expect(dropped.data.activeTargets).toEqual([]);
    expect((dropped.data.droppedTargets as unknown[]).length).toBe(1);
    const bad = await app.request('/api/v1/targets?state=sideways');
    expect(bad.status).toBe(400);
    expect((await json(bad)).errorType).toBe('bad_data');
  });

  it('answers 503 when etcd cannot be read', async () => {
    const res = await setup({ fleetFails: true }).app.request('/api/v1/targets');
    expect(res.status).toBe(503);
    expect((await json(res)).error).toMatch(/etcd unreachable/);
  });
});

describe('members, ring and leader', () => {
  it('lists members with their state and owned targets, and the ring\'s load', async () => {
    const { app, ring } = setup();
    const members = (await json(await app.request('/api/v1/members'))).data as unknown as Record<string, unknown>[];
    expect(members.map((m) => [m.id, m.state, m.targets])).toEqual([
      ['s1', 'active', ring.load.get('s1')],
      ['s2', 'active', ring.load.get('s2')],
      ['s3', 'joining', 0],
    ]);
    expect(members[2]).toMatchObject({ address: 's3:1', activeFrom: '2024-05-01T12:00:02.000Z', activeUntil: null });
    const r = (await json(await app.request('/api/v1/ring'))).data;
    expect(r).toMatchObject({ members: ['s1', 's2'], targets: 3, meanLoad: 1.5 });
    const load = r.load as Record<string, number>;
    expect((load.s1 ?? 0) + (load.s2 ?? 0)).toBe(3);
    expect((await json(await app.request('/api/v1/status/leader'))).data).toEqual({ leader: 'c2', self: 'c1', isLeader: false });
  });
});

describe('POST and DELETE /api/v1/targets', () => {
  const post = (app: Hono, body: unknown, headers: Record<string, string> = {}) =>
    app.request('/api/v1/targets', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

  it('needs the bearer token when one is configured', async () => {
    const { app, registered } = setup({ token: 's3cret' });
    const body = { job: 'demo', targets: ['n:1'] };
    const none = await post(app, body);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await json(none)).errorType).toBe('unauthorized');
    expect((await post(app, body, { Authorization: 'Bearer wrong' })).status).toBe(401);
    const del = await app.request('/api/v1/targets?job=demo&target=n:1', { method: 'DELETE' });
    expect(del.status).toBe(401);
    expect(registered.added).toEqual([]);
    expect(registered.removed).toEqual([]);

    const ok = await post(app, { ...body, labels: { env: 'x' } }, { Authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
    expect((await json(ok)).data).toEqual({ job: 'demo', registered: ['n:1'], labels: { env: 'x' } });
    expect(registered.added).toEqual([{ job: 'demo', address: 'n:1', labels: { env: 'x' }, addedAt: NOW }]);
  });

  it('answers 400 naming the problem', async () => {
    const { app } = setup();
    const unknown = await post(app, { job: 'nope', targets: ['n:1'] });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error).toMatch(/^job: unknown job "nope"/);
    const notJson = await post(app, '{job:');
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error).toMatch(/^invalid JSON body/);
    expect((await json(await post(app, { job: 'demo', targets: ['no-port'] }))).error).toMatch(/targets\[0\]: "no-port" is not a host:port/);
    // An address with userinfo: refused, and the answer does not repeat its password.
    const userinfo = await post(app, { job: 'demo', targets: ['n:1', 'scrape:hunter2@n:2'] });
    expect(userinfo.status).toBe(400);
    const answer = await json(userinfo);
    expect(answer.error).toMatch(/^targets\[1\]: "scrape:<secret>@n:2" contains userinfo/);
    expect(JSON.stringify(answer)).not.toContain('hunter2');
  });

  it('refuses bodies over 1 MiB', async () => {
    const { app, registered } = setup();
    const huge = JSON.stringify({ job: 'demo', targets: ['a:1'], labels: { big: 'x'.repeat(MAX_BODY_BYTES) } });
    const res = await post(app, huge);
    expect(res.status).toBe(413);
    expect((await json(res)).errorType).toBe('too_large');
    expect(registered.added).toEqual([]);
  });

  it('removes by query or JSON body and reports targets that were not registered', async () => {
    const { app, registered } = setup();
    const q = await json(await app.request('/api/v1/targets?job=demo&target=n:1&target=gone:1', { method: 'DELETE' }));
    expect(q.data).toEqual({ job: 'demo', removed: ['n:1'], notFound: ['gone:1'] });
    const b = await app.request('/api/v1/targets', { method: 'DELETE', body: JSON.stringify({ job: 'demo', targets: ['m:1'] }) });
    expect((await json(b)).data).toEqual({ job: 'demo', removed: ['m:1'], notFound: [] });
    expect(registered.removed).toEqual(['n:1', 'gone:1', 'm:1']);
  });
});
