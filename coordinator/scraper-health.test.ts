import { describe, expect, it } from 'vitest';
import { targetId } from '../model/scrape-target.ts';
import { fetchScrapeHealth, memberUrl, readScraperTargets, samplesPerMember, type ScrapeHealth } from './scraper-health.ts';

const entry = (health: string, lastScrape: string) => ({
  scrapePool: 'demo',
  scrapeUrl: 'http://a:1/metrics',
  labels: { job: 'demo', instance: 'a:1' },
  health,
  lastError: health === 'up' ? '' : 'boom',
  lastScrape,
  lastScrapeDuration: 0.01,
  lastScrapeSamples: 42,
});
const id = targetId('demo', 'http://a:1/metrics', [['instance', 'a:1'], ['job', 'demo']]);

describe('readScraperTargets', () => {
  it('keys entries by the target id the coordinator wrote, and skips junk', () => {
    const out = readScraperTargets({ status: 'success', data: { activeTargets: [entry('up', '2024-01-01T00:00:00Z'), { nonsense: 1 }, null] } }, 's1');
    expect([...out.keys()]).toEqual([id]);
    expect(out.get(id)).toMatchObject({ reportedBy: 's1', health: 'up', lastScrapeDuration: 0.01, lastScrapeSamples: 42 });
    expect(readScraperTargets({ garbage: true }, 's1').size).toBe(0);
  });

  it('leaves the samples out when a scraper does not report them (or reports junk)', () => {
    for (const lastScrapeSamples of [undefined, 'many', -1]) {
      const out = readScraperTargets({ data: { activeTargets: [{ ...entry('up', '2024-01-01T00:00:00Z'), lastScrapeSamples }] } }, 's1');
      expect(out.get(id)?.lastScrapeSamples).toBeUndefined();
    }
  });
});

describe('samplesPerMember', () => {
  it("sums the samples of each member's targets, by the ring's owner", () => {
    const h = (reportedBy: string, lastScrapeSamples?: number): ScrapeHealth => ({
      reportedBy,
      health: 'up',
      lastError: '',
      lastScrape: '2024-01-01T00:00:00Z',
      lastScrapeDuration: 0,
      ...(lastScrapeSamples !== undefined ? { lastScrapeSamples } : {}),
    });
    const owners = new Map([
      ['t1', 's1'],
      ['t2', 's1'],
      ['t3', 's2'],
      ['t4', 's2'],
      ['t5', 's3'],
    ]);
    // t3 was last reported by s1 around a handoff: it counts for s2, its owner, as its row shows.
    const health = new Map([
      ['t1', h('s1', 10)],
      ['t2', h('s1', 5)],
      ['t3', h('s1', 7)],
      ['t4', h('s2')],
    ]);
    expect(samplesPerMember(owners, health)).toEqual(
      new Map([
        ['s1', 15],
        ['s2', 7],
        ['s3', 0],
      ]),
    );
  });
});

describe('fetchScrapeHealth', () => {
  it('prefers the owner\'s report, falls back to the latest, and ignores members that fail', async () => {
    const replies: Record<string, unknown> = {
      'http://s1:1/api/v1/targets': { status: 'success', data: { activeTargets: [entry('down', '2024-01-01T00:00:09Z')] } },
      'http://s2:1/api/v1/targets': { status: 'success', data: { activeTargets: [entry('up', '2024-01-01T00:00:05Z')] } },
    };
    const fakeFetch = (async (url: string) => {
      if (url.startsWith('http://dead')) throw new Error('ECONNREFUSED');
      return new Response(JSON.stringify(replies[url]), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }) as unknown as typeof fetch;
    const members = ['s1', 's2', 'dead'].map((m) => ({ id: m, address: `${m}:1`, startedAt: 0, activeFrom: 0 }));
    const byOwner = await fetchScrapeHealth(members, () => 's2', { timeoutMs: 100, fetch: fakeFetch });
    expect(byOwner.get(id)).toMatchObject({ reportedBy: 's2', health: 'up' });
    const byLatest = await fetchScrapeHealth(members, () => 'dead', { timeoutMs: 100, fetch: fakeFetch });
    expect(byLatest.get(id)).toMatchObject({ reportedBy: 's1', health: 'down' });
  });

  it('accepts member addresses with or without a scheme', () => {
    expect(memberUrl('10.0.0.1:9470')).toBe('http://10.0.0.1:9470');
    expect(memberUrl('https://s:1/')).toBe('https://s:1');
  });
});
