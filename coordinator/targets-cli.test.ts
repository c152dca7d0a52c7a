import { describe, expect, it } from 'vitest';
import { DEFAULT_COORDINATOR_URL, formatTargetTable, parseTargetsArgs, runTargetsCli, UsageError } from './targets-cli.ts';

describe('parseTargetsArgs', () => {
  it('reads add, rm and ls with coordinator and token from flags or the environment', () => {
    expect(parseTargetsArgs(['add', '--job', 'demo', '--label', 'env=prod', '-l', 'team=a=b', 'h:1', 'h:2'], {})).toEqual({
      action: 'add',
      url: DEFAULT_COORDINATOR_URL,
      job: 'demo',
      labels: { env: 'prod', team: 'a=b' },
      targets: ['h:1', 'h:2'],
    });
    expect(parseTargetsArgs(['rm', '--job', 'demo', 'h:1'], { RINGWATCH_COORDINATOR_URL: 'http://c:1/', RINGWATCH_API_TOKEN: 't' })).toEqual({
      action: 'rm',
      url: 'http://c:1',
      token: 't',
      job: 'demo',
      targets: ['h:1'],
    });
    expect(parseTargetsArgs(['ls', '--coordinator', 'http://x:2', '--token', 'u'], { RINGWATCH_API_TOKEN: 't' })).toEqual({ action: 'ls', url: 'http://x:2', token: 'u' });
  });

  it('explains bad usage', () => {
    const cases: [string[], RegExp][] = [
      [[], /missing subcommand/],
      [['list'], /unknown subcommand "list"/],
      [['add', 'h:1'], /add needs --job/],
      [['add', '--job', 'j'], /add needs at least one host:port target/],
      [['add', '--job', 'j', '--label', 'novalue', 'h:1'], /--label: expected name=value, got "novalue"/],
      [['rm', '--job', 'j', '--label', 'a=b', 'h:1'], /--label only applies to add/],
      [['ls', 'h:1'], /ls takes no targets/],
      [['ls', '--bogus'], /bogus/],
      [['ls', '--coordinator', 'c:1'], /--coordinator: expected an http\(s\) URL/],
    ];
    for (const [argv, error] of cases) expect(() => parseTargetsArgs(argv, {}), argv.join(' ')).toThrow(error);
    expect(() => parseTargetsArgs([], {})).toThrow(UsageError);
  });
});

describe('formatTargetTable', () => {
  it('lines up job, instance, owner, health and last scrape', () => {
    const now = Date.parse('2024-05-01T12:00:10Z');
    const text = formatTargetTable(
      [
        { scrapePool: 'demo', labels: { instance: 'a:1' }, scrapeUrl: 'http://a:1/metrics', owner: 'scraper-1', health: 'up', lastScrape: '2024-05-01T12:00:07.5Z', lastError: '' },
        { scrapePool: 'demo-fleet', labels: {}, scrapeUrl: 'http://b:1/m', owner: null, health: 'unknown', lastScrape: '0001-01-01T00:00:00Z', lastError: 'nope' },
      ],
      now,
    );
    expect(text.split('\n')).toEqual([
      'JOB         INSTANCE      OWNER      HEALTH   LAST SCRAPE  ERROR',
      'demo        a:1           scraper-1  up       2.5s ago',
      'demo-fleet  http://b:1/m  -          unknown  never        nope',
    ]);
  });
});

describe('runTargetsCli', () => {
  function io(reply: (url: string, init: RequestInit) => Response | Promise<Response>) {
    const out: string[] = [];
    const err: string[] = [];
    const calls: { url: string; init: RequestInit }[] = [];
    return {
      out,
      err,
      calls,
      io: {
        env: { RINGWATCH_API_TOKEN: 'tok' },
        out: (t: string) => out.push(t),
        err: (t: string) => err.push(t),
        fetch: (async (url: string, init: RequestInit) => {
          calls.push({ url, init });
          return reply(url, init);
        }) as unknown as typeof fetch,
        now: () => 0,
      },
    };
  }
  const ok = (data: unknown) => new Response(JSON.stringify({ status: 'success', data }), { status: 200 });

  it('posts a registration with the token and reports it', async () => {
    const t = io(() => ok({ job: 'demo', registered: ['h:1'] }));
    expect(await runTargetsCli(['add', '--job', 'demo', '--label', 'env=x', 'h:1'], t.io)).toBe(0);
    expect(t.calls[0]?.url).toBe(`${DEFAULT_COORDINATOR_URL}/api/v1/targets`);
    expect(t.calls[0]?.init.method).toBe('POST');
    expect((t.calls[0]?.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(t.calls[0]?.init.body as string)).toEqual({ job: 'demo', targets: ['h:1'], labels: { env: 'x' } });
    expect(t.out).toEqual(['registered 1 target(s) in job "demo": h:1']);
  });

  it('exits 1 with the coordinator\'s error, a hint for 401, and for targets that were not registered', async () => {
    const denied = io(() => new Response(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: 'token required' }), { status: 401 }));
    expect(await runTargetsCli(['add', '--job', 'demo', 'h:1'], denied.io)).toBe(1);
    expect(denied.err[0]).toBe('ringwatch targets add: the coordinator answered 401: token required (set --token or RINGWATCH_API_TOKEN)');

    const partly = io(() => ok({ job: 'demo', removed: ['h:1'], notFound: ['h:2'] }));
    expect(await runTargetsCli(['rm', '--job', 'demo', 'h:1', 'h:2'], partly.io)).toBe(1);
    expect(partly.calls[0]?.init.method).toBe('DELETE');
    expect(partly.out[0]).toMatch(/removed 1 target/);
    expect(partly.err[0]).toMatch(/not registered in job "demo".*: h:2$/);

    const down = io(() => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    });
    expect(await runTargetsCli(['ls'], down.io)).toBe(1);
    expect(down.err[0]).toBe(`ringwatch targets: cannot reach the coordinator at ${DEFAULT_COORDINATOR_URL}: connect ECONNREFUSED`);
  });

  it('lists the active targets of one job', async () => {
    const t = io(() => ok({ activeTargets: [], droppedTargets: [] }));
    expect(await runTargetsCli(['ls', '--job', 'a b'], t.io)).toBe(0);
    expect(t.calls[0]?.url).toBe(`${DEFAULT_COORDINATOR_URL}/api/v1/targets?state=active&scrapePool=a%20b`);
    expect(t.out).toEqual(['no targets in job "a b"']);
    expect(await runTargetsCli(['nope'], t.io)).toBe(2);
  });
});
