// Alertmanager's HTTP API v2 (api/v2, its OpenAPI spec) on the node's hono app, with the same JSON
// shapes so that amtool and Alertmanager clients work: alerts, alert groups, silences, status,
// receivers; plus /-/reload, /-/healthy and /-/ready.
import type { Context, Hono } from 'hono';
import type { Alert } from './alert.ts';
import { isResolved } from './alert.ts';
import { configToYaml } from './alertmanager-config.ts';
import type { Dispatcher } from './dispatcher.ts';
import { Inhibitor } from './inhibitor.ts';
import { fingerprint, isValidLabelName, type LabelSet } from './labels.ts';
import { compileMatcherRegexp, matchesLabels, parseMatcher, type Matcher } from './matchers.ts';
import { matcherFromApi, SilenceError, validatePostedSilence, silenceState, silenceToApi, type ApiMatcher, type Silence } from './silence.ts';
import type { SilenceStore } from './silence-store.ts';

export interface ApiDeps {
  readonly alerts: () => readonly Alert[];
  readonly putAlert: (alert: Alert) => void;
  readonly dispatcher: () => Dispatcher;
  readonly silences: SilenceStore;
  readonly resolveTimeoutMs: () => number;
  readonly startedAtMs: number;
  readonly version: string;
  readonly peers: () => { name: string; address: string }[];
  readonly clusterName: string;
  readonly clustered: boolean;
  readonly reload: () => Promise<string | undefined>;
  readonly ready: () => boolean;
  readonly now?: () => number;
}

/** Alertmanager answers API errors with a JSON string. */
const fail = (c: Context, status: 400 | 404 | 500, message: string): Response => c.json(message, status);

function parseFilter(values: string[]): Matcher[] {
  const out: Matcher[] = [];
  for (const v of values) {
    try {
      out.push(parseMatcher(v));
    } catch (err) {
      throw new SilenceError(`bad matcher ${JSON.stringify(v)}: ${(err as Error).message}`);
    }
  }
  return out;
}

function boolParam(c: Context, name: string, fallback: boolean): boolean {
  const v = c.req.query(name);
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new SilenceError(`${name}: expected true or false, got ${JSON.stringify(v)}`);
}

function isoOrThrow(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new SilenceError(`${field}: expected an RFC 3339 date-time, got ${JSON.stringify(v)}`);
  const ms = Date.parse(v);
  // Go's zero time, as clients that leave it unset send it.
  return ms <= -62135596800000 ? undefined : ms;
}

function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new SilenceError(`${field}: expected an object of strings`);
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') throw new SilenceError(`${field}.${k}: expected a string`);
  return v as Record<string, string>;
}

// Silences are listed as Alertmanager sorts them: active by end, pending by start, then expired (latest end first).
function sortSilences(list: Silence[], nowMs: number): Silence[] {
  const rank = { active: 0, pending: 1, expired: 2 } as const;
  return list.sort((a, b) => {
    const sa = silenceState(a, nowMs);
    const sb = silenceState(b, nowMs);
    if (sa !== sb) return rank[sa] - rank[sb];
    if (sa === 'active') return a.endsAt - b.endsAt;
    if (sa === 'pending') return a.startsAt - b.startsAt;
    return b.endsAt - a.endsAt;
  });
}

export function mountApiV2(app: Hono, deps: ApiDeps): void {
  const now = deps.now ?? Date.now;

  function statusOf(alert: Alert, inhibitor: Inhibitor, nowMs: number): { state: 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] } {
    const silencedBy = deps.silences.mutedBy(alert.labels, nowMs);
    const by = inhibitor.inhibitedBy(alert.labels);
    const inhibitedBy = by === undefined ? [] : [by];
    return { state: silencedBy.length > 0 || inhibitedBy.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy };
  }

  function gettableAlert(alert: Alert, inhibitor: Inhibitor, nowMs: number): Record<string, unknown> {
    return {
      annotations: alert.annotations,
      endsAt: new Date(alert.endsAtMs).toISOString(),
      fingerprint: alert.fingerprint,
      receivers: deps.dispatcher().receiversOf(alert).map((name) => ({ name })),
      startsAt: new Date(alert.startsAtMs).toISOString(),
      status: statusOf(alert, inhibitor, nowMs),
      updatedAt: new Date(alert.updatedAtMs).toISOString(),
      generatorURL: alert.generatorURL,
      labels: alert.labels,
    };
  }

  function alertFilter(c: Context): (alert: Alert, status: { state: string; silencedBy: string[]; inhibitedBy: string[] }) => boolean {
    const matchers = parseFilter(c.req.queries('filter') ?? []);
    const active = boolParam(c, 'active', true);
    const silenced = boolParam(c, 'silenced', true);
    const inhibited = boolParam(c, 'inhibited', true);
    const receiverParam = c.req.query('receiver');
    let receiverRe: ReturnType<typeof compileMatcherRegexp> | undefined;
    if (receiverParam !== undefined && receiverParam !== '') {
      try {
        receiverRe = compileMatcherRegexp(receiverParam);
      } catch (err) {
        throw new SilenceError(`receiver: ${(err as Error).message}`);
      }
    }
    return (alert, status) => {
      if (receiverRe !== undefined && !deps.dispatcher().receiversOf(alert).some((r) => receiverRe.matches(r))) return false;
      if (!matchesLabels(matchers, alert.labels)) return false;
      if (!active && status.state === 'active') return false;
      if (!silenced && status.silencedBy.length > 0) return false;
      if (!inhibited && status.inhibitedBy.length > 0) return false;
      return true;
    };
  }

  const guard = async (c: Context, fn: () => Promise<Response> | Response): Promise<Response> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SilenceError) return fail(c, err.notFound ? 404 : 400, err.message);
      throw err;
    }
  };

  app.get('/api/v2/alerts', (c) =>
    guard(c, () => {
      const nowMs = now();
      const filter = alertFilter(c);
      const inhibitor = new Inhibitor(deps.dispatcher().config.inhibitRules, deps.alerts(), nowMs);
      const out: Record<string, unknown>[] = [];
      for (const a of deps.alerts()) {
        if (isResolved(a, nowMs)) continue;
        const g = gettableAlert(a, inhibitor, nowMs);
        if (filter(a, g.status as { state: string; silencedBy: string[]; inhibitedBy: string[] })) out.push(g);
      }
      // As Alertmanager: by fingerprint (byte order).
      out.sort((x, y) => (String(x.fingerprint) < String(y.fingerprint) ? -1 : String(x.fingerprint) > String(y.fingerprint) ? 1 : 0));
      return c.json(out);
    }),
  );

  app.post('/api/v2/alerts', (c) =>
    guard(c, async () => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return fail(c, 400, 'body: not JSON');
      }
      if (!Array.isArray(body)) return fail(c, 400, 'body: expected a list of alerts');
      const nowMs = now();
      const parsed: Alert[] = [];
      const errors: string[] = [];
      body.forEach((raw: unknown, i) => {
        try {
          const a = (raw ?? {}) as Record<string, unknown>;
          const labels = stringMap(a.labels, `[${i}].labels`);
          if (Object.keys(labels).length === 0) throw new SilenceError(`[${i}].labels: at least one label pair required`);
          for (const [k, v] of Object.entries(labels)) {
            if (!isValidLabelName(k)) throw new SilenceError(`[${i}].labels: invalid name ${JSON.stringify(k)}`);
            if (v === '') throw new SilenceError(`[${i}].labels.${k}: empty label value`);
          }
          let startsAtMs = isoOrThrow(a.startsAt, `[${i}].startsAt`);
          let endsAtMs = isoOrThrow(a.endsAt, `[${i}].endsAt`);
          let timeout = false;
          // api/v2 postAlertsHandler: missing times default from now and resolve_timeout.
          if (startsAtMs === undefined) startsAtMs = endsAtMs ?? nowMs;
          if (endsAtMs === undefined) {
            timeout = true;
            endsAtMs = nowMs + deps.resolveTimeoutMs();
          }
          if (endsAtMs < startsAtMs) throw new SilenceError(`[${i}]: start time must be before end time`);
          parsed.push({
            fingerprint: fingerprint(labels),
            labels,
            annotations: stringMap(a.annotations, `[${i}].annotations`),
            startsAtMs,
            endsAtMs,
            generatorURL: typeof a.generatorURL === 'string' ? a.generatorURL : '',
            updatedAtMs: nowMs,
            timeout,
          });
        } catch (err) {
          errors.push((err as Error).message);
        }
      });
      for (const a of parsed) deps.putAlert(a);
      if (errors.length > 0) return fail(c, 400, errors.join('; '));
      return c.body(null, 200);
    }),
  );

  app.get('/api/v2/alerts/groups', (c) =>
    guard(c, () => {
      const nowMs = now();
      const filter = alertFilter(c);
      const inhibitor = new Inhibitor(deps.dispatcher().config.inhibitRules, deps.alerts(), nowMs);
      const out: Record<string, unknown>[] = [];
      for (const g of deps.dispatcher().groups()) {
        const alerts: Record<string, unknown>[] = [];
        for (const a of g.alerts()) {
          if (isResolved(a, nowMs)) continue;
          const ga = gettableAlert(a, inhibitor, nowMs);
          if (filter(a, ga.status as { state: string; silencedBy: string[]; inhibitedBy: string[] })) alerts.push(ga);
        }
        if (alerts.length > 0) out.push({ alerts, labels: g.labels, receiver: { name: g.route.opts.receiver } });
      }
      return c.json(out);
    }),
  );

  app.get('/api/v2/silences', (c) =>
    guard(c, () => {
      const nowMs = now();
      const matchers = parseFilter(c.req.queries('filter') ?? []);
      const list = deps.silences.all().filter((s) => {
        if (matchers.length === 0) return true;
        // silenceMatchesFilterLabels: the silence's matchers read as a label set.
        const asLabels: Record<string, string> = {};
        for (const m of s.matchers) asLabels[m.name] = m.value;
        return matchesLabels(matchers, asLabels as LabelSet);
      });
      return c.json(sortSilences(list, nowMs).map((s) => silenceToApi(s, nowMs)));
    }),
  );

  app.post('/api/v2/silences', (c) =>
    guard(c, async () => {
      let body: Record<string, unknown>;
      try {
        body = (await c.req.json()) as Record<string, unknown>;
      } catch {
        return fail(c, 400, 'body: not JSON');
      }
      if (typeof body !== 'object' || body === null) return fail(c, 400, 'body: expected a silence object');
      const nowMs = now();
      if (!Array.isArray(body.matchers)) return fail(c, 400, 'matchers: expected a list of matchers');
      const matchers = (body.matchers as ApiMatcher[]).map((m, i) => {
        if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || typeof m.value !== 'string') throw new SilenceError(`matchers[${i}]: needs a name and a value`);
        return matcherFromApi(m);
      });
      const endsAt = isoOrThrow(body.endsAt, 'endsAt');
      if (endsAt === undefined) return fail(c, 400, 'endsAt: is required');
      const startsAt = isoOrThrow(body.startsAt, 'startsAt') ?? 0;
      const posted = {
        ...(typeof body.id === 'string' && body.id !== '' ? { id: body.id } : {}),
        matchers,
        startsAt,
        endsAt,
        createdBy: typeof body.createdBy === 'string' ? body.createdBy : '',
        comment: typeof body.comment === 'string' ? body.comment : '',
      };
      validatePostedSilence(posted, nowMs);
      const silenceID = await deps.silences.set(posted, nowMs);
      return c.json({ silenceID });
    }),
  );

  app.get('/api/v2/silence/:id', (c) => {
    const s = deps.silences.get(c.req.param('id'));
    if (s === undefined) return fail(c, 404, 'silence not found');
    return c.json(silenceToApi(s, now()));
  });

  app.delete('/api/v2/silence/:id', (c) =>
    guard(c, async () => {
      await deps.silences.expire(c.req.param('id'), now());
      return c.body(null, 200);
    }),
  );

  app.get('/api/v2/status', (c) => {
    const peers = deps.peers();
    return c.json({
      cluster: { name: deps.clusterName, peers, status: deps.clustered ? 'ready' : 'disabled' },
      config: { original: configToYaml(deps.dispatcher().config.config) },
      uptime: new Date(deps.startedAtMs).toISOString(),
      versionInfo: { branch: 'main', buildDate: '', buildUser: 'ringwatch', goVersion: `node${process.versions.node}`, revision: '', version: deps.version },
    });
  });

  app.get('/api/v2/receivers', (c) => c.json(deps.dispatcher().config.config.receivers.map((r) => ({ name: r.name }))));

  const reload = async (c: Context): Promise<Response> => {
    const error = await deps.reload();
    return error === undefined ? c.body(null, 200) : c.text(`failed to reload config: ${error}\n`, 500);
  };
  app.post('/-/reload', reload);
  app.put('/-/reload', reload);
  app.get('/-/healthy', (c) => c.text('OK'));
  app.get('/-/ready', (c) => (deps.ready() ? c.text('OK') : c.text('Service Unavailable', 503)));
}
