// The coordinator's HTTP API, in Prometheus' envelope ({status:"success",data} or
// {status:"error",errorType,error}):
//   GET    /api/v1/targets[?state=active|dropped|any][&scrapePool=job]  Prometheus' shape plus `owner`
//   GET    /api/v1/members          scraper members and what they own now
//   GET    /api/v1/ring             the placement: members, targets, load per member
//   GET    /api/v1/status/leader    which coordinator writes the target list
//   POST   /api/v1/targets          {job, targets:["host:port"], labels?}   (bearer token if configured)
//   DELETE /api/v1/targets?job=J&target=host:port  (or a JSON body {job, targets})
// The target list shown is the one in etcd (what scrapers scrape); ownership is computed exactly as
// the scrapers do; health comes from the owning scrapers themselves.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { memberState, type MemberRecord, type RegisteredTarget, type TargetRecord } from '../cluster/cluster-state.ts';
import { formatDuration } from '../core/duration.ts';
import { redactSecrets, type Logger } from '../core/logger.ts';
import { bearerTokenMatches } from './api-auth.ts';
import type { RemoveResult } from './registered-targets.ts';
import { readRegistration, readRemoval, RequestError, type RegistrationPolicy } from './registration-request.ts';
import { computeRingView, type RingView } from './ring-view.ts';
import { ZERO_TIME, samplesPerMember, type ScrapeHealth } from './scraper-health.ts';
import { mountStatusPage } from './status-page/page.ts';
import type { TargetList } from './target-list.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface FleetState {
  members: MemberRecord[];
  targets: TargetRecord[];
}

export interface CoordinatorApiDeps {
  nodeId: string;
  /** Bearer token required for POST/DELETE; undefined: not required. */
  token: string | undefined;
  knownJobs(): ReadonlySet<string>;
  /** api.registration: what a registration may ask for (default: any job, interval >= 1s). */
  registrationPolicy?(): RegistrationPolicy;
  /** Members and targets as etcd has them now. */
  readFleet(): Promise<FleetState>;
  /** This coordinator's latest build (for dropped targets and jobs over target_limit). */
  localTargetList(): TargetList | undefined;
  scrapeHealth(members: readonly MemberRecord[], preferredOwner: (id: string) => string | undefined): Promise<Map<string, ScrapeHealth>>;
  leader(): Promise<string | undefined>;
  isLeader(): boolean;
  registered: {
    add(job: string, addresses: readonly string[], labels: Record<string, string>): Promise<RegisteredTarget[]>;
    remove(job: string, addresses: readonly string[]): Promise<RemoveResult>;
  };
  onTargetsChanged?(op: 'add' | 'remove', count: number): void;
  logger: Logger;
  now?(): number;
}

type ErrorType = 'bad_data' | 'unauthorized' | 'forbidden' | 'unavailable' | 'too_large';

function fail(c: Context, status: 400 | 401 | 403 | 413 | 503, errorType: ErrorType, error: string): Response {
  return c.json({ status: 'error', errorType, error }, status);
}

export function mountCoordinatorApi(app: Hono, deps: CoordinatorApiDeps): void {
  const now = deps.now ?? Date.now;
  mountStatusPage(app); // the fleet status page at / and /status, reading the APIs below

  /** Reads etcd; answers 503 naming the problem when it cannot. */
  async function fleetOr503(c: Context): Promise<{ fleet: FleetState; ring: RingView } | Response> {
    let fleet: FleetState;
    try {
      fleet = await deps.readFleet();
    } catch (err) {
      return fail(c, 503, 'unavailable', `cannot read the fleet state from etcd: ${(err as Error).message}`);
    }
    return { fleet, ring: computeRingView(fleet.members, fleet.targets.map((t) => t.id), now()) };
  }

  app.get('/api/v1/targets', async (c) => {
    const state = (c.req.query('state') ?? 'any').toLowerCase();
    if (state !== 'any' && state !== 'active' && state !== 'dropped') return fail(c, 400, 'bad_data', `state: must be active, dropped or any, got "${state}"`);
    const pool = c.req.query('scrapePool');
    const inPool = (job: string): boolean => pool === undefined || pool === '' || job === pool;
    const local = deps.localTargetList();

    const activeTargets: Record<string, unknown>[] = [];
    if (state !== 'dropped') {
      const r = await fleetOr503(c);
      if (r instanceof Response) return r;
      const { fleet, ring } = r;
      const targets = fleet.targets.filter((t) => inPool(t.job));
      const health = targets.length === 0 ? new Map<string, ScrapeHealth>() : await deps.scrapeHealth(fleet.members, (id) => ring.owners.get(id));
      for (const t of targets) activeTargets.push(activeTarget(t, ring.owners.get(t.id) ?? null, health.get(t.id)));
      for (const job of local?.perJob ?? []) {
        if (job.limitError === undefined || !inPool(job.job)) continue;
        for (const t of job.withheld) activeTargets.push({ ...activeTarget(t, null, undefined), health: 'down', lastError: job.limitError });
      }
      activeTargets.sort(compareTargets);
    }
    const droppedTargets: Record<string, unknown>[] = [];
    const droppedTargetCounts: Record<string, number> = {};
    for (const job of local?.perJob ?? []) {
      if (!inPool(job.job)) continue;
      droppedTargetCounts[job.job] = job.dropped.length;
      if (state !== 'active') for (const d of job.dropped) droppedTargets.push({ discoveredLabels: redactSecrets(d), scrapePool: job.job });
    }
    return c.json({ status: 'success', data: { activeTargets, droppedTargets, droppedTargetCounts } });
  });

  app.get('/api/v1/members', async (c) => {
    const r = await fleetOr503(c);
    if (r instanceof Response) return r;
    const t = now();
    const health = r.fleet.targets.length === 0 ? new Map<string, ScrapeHealth>() : await deps.scrapeHealth(r.fleet.members, (id) => r.ring.owners.get(id));
    const samples = samplesPerMember(r.ring.owners, health);
    const members = [...r.fleet.members]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((m) => ({
        id: m.id,
        address: m.address,
        state: memberState(m, t),
        startedAt: iso(m.startedAt),
        activeFrom: iso(m.activeFrom),
        activeUntil: m.activeUntil === undefined ? null : iso(m.activeUntil),
        targets: r.ring.load.get(m.id) ?? 0,
        // The last scrape's samples of those targets, summed (scraper-health.ts).
        samples: samples.get(m.id) ?? 0,
      }));
    return c.json({ status: 'success', data: members });
  });

  app.get('/api/v1/ring', async (c) => {
    const r = await fleetOr503(c);
    if (r instanceof Response) return r;
    const { ring, fleet } = r;
    const load: Record<string, number> = {};
    for (const id of ring.activeMembers) load[id] = ring.load.get(id) ?? 0;
    return c.json({
      status: 'success',
      data: {
        members: ring.activeMembers,
        targets: fleet.targets.length,
        load,
        maxLoad: ring.maxLoad,
        meanLoad: ring.meanLoad,
        maxOverMean: ring.meanLoad === 0 ? null : ring.maxLoad / ring.meanLoad,
      },
    });
  });

  app.get('/api/v1/status/leader', async (c) => {
    let leader: string | undefined;
    try {
      leader = await deps.leader();
    } catch (err) {
      return fail(c, 503, 'unavailable', `cannot read the election from etcd: ${(err as Error).message}`);
    }
    return c.json({ status: 'success', data: { leader: leader ?? null, self: deps.nodeId, isLeader: deps.isLeader() } });
  });

  const requireToken: MiddlewareHandler = async (c, next) => {
    if (!bearerTokenMatches(c.req.header('authorization'), deps.token)) {
      c.header('WWW-Authenticate', 'Bearer');
      return fail(c, 401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required to change targets');
    }
    await next();
  };
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => fail(c, 413, 'too_large', `request body larger than ${MAX_BODY_BYTES} bytes`) });

  app.post('/api/v1/targets', requireToken, limitBody, async (c) => {
    let reg;
    try {
      reg = readRegistration(await jsonBody(c), deps.knownJobs(), deps.registrationPolicy?.());
    } catch (err) {
      if (err instanceof RequestError) return fail(c, err.status, err.status === 403 ? 'forbidden' : 'bad_data', err.message);
      throw err;
    }
    let records: RegisteredTarget[];
    try {
      records = await deps.registered.add(reg.job, reg.targets, reg.labels);
    } catch (err) {
      return fail(c, 503, 'unavailable', `cannot store the targets in etcd: ${(err as Error).message}`);
    }
    deps.onTargetsChanged?.('add', records.length);
    deps.logger.info({ job: reg.job, targets: reg.targets.length }, 'targets registered through the API');
    return c.json({ status: 'success', data: { job: reg.job, registered: records.map((r) => r.address), labels: reg.labels } });
  });

  app.delete('/api/v1/targets', requireToken, limitBody, async (c) => {
    let removal;
    try {
      const query = { job: c.req.query('job'), targets: c.req.queries('target') ?? [] };
      const body = query.job === undefined && query.targets.length === 0 ? await jsonBody(c) : undefined;
      removal = readRemoval(query, body, deps.knownJobs());
    } catch (err) {
      if (err instanceof RequestError) return fail(c, 400, 'bad_data', err.message);
      throw err;
    }
    let result: RemoveResult;
    try {
      result = await deps.registered.remove(removal.job, removal.targets);
    } catch (err) {
      return fail(c, 503, 'unavailable', `cannot remove the targets from etcd: ${(err as Error).message}`);
    }
    deps.onTargetsChanged?.('remove', result.removed.length);
    deps.logger.info({ job: removal.job, removed: result.removed.length, notFound: result.notFound.length }, 'targets removed through the API');
    return c.json({ status: 'success', data: { job: removal.job, removed: result.removed, notFound: result.notFound } });
  });
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new RequestError('expected a JSON body');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError(`invalid JSON body: ${(err as Error).message}`);
  }
}

function activeTarget(t: TargetRecord, owner: string | null, h: ScrapeHealth | undefined): Record<string, unknown> {
  // Discovered labels, URLs and errors may carry URL userinfo or secret meta labels: never shown.
  return redactSecrets({
    discoveredLabels: t.discoveredLabels,
    labels: Object.fromEntries(t.labels),
    scrapePool: t.job,
    scrapeUrl: t.url,
    globalUrl: t.url,
    lastError: h?.lastError ?? '',
    lastScrape: h?.lastScrape ?? ZERO_TIME,
    lastScrapeDuration: h?.lastScrapeDuration ?? 0,
    // Only where the owner reports it (scraper-health.ts); Prometheus clients ignore the field.
    ...(h?.lastScrapeSamples !== undefined ? { lastScrapeSamples: h.lastScrapeSamples } : {}),
    health: h?.health ?? 'unknown',
    scrapeInterval: formatDuration(t.intervalMs),
    scrapeTimeout: formatDuration(t.timeoutMs),
    owner,
  }) as Record<string, unknown>;
}

function compareTargets(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = `${String(a.scrapePool)}\0${String((a.labels as Record<string, string>).instance ?? '')}\0${String(a.scrapeUrl)}`;
  const kb = `${String(b.scrapePool)}\0${String((b.labels as Record<string, string>).instance ?? '')}\0${String(b.scrapeUrl)}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
