import { describe, expect, it } from 'vitest';
import { targetId } from '../model/scrape-target.ts';
import { fetchScrapeHealth, memberUrl, readScraperTargets } from './scraper-health.ts';

const entry = (health: string, lastScrape: string) => ({
  scrapePool: 'demo',
  scrapeUrl: 'http://a:1/metrics',
  labels: { job: 'demo', instance: 'a:1' },
  health,
  lastError: health === 'up' ? '' : 'boom',
  lastScrape,
  lastScrapeDuration: 0.01,
});
const id = targetId('demo', 'http://a:1/metrics', [['instance', 'a:1'], ['job', 'demo']]);

describe('readScraperTargets', () => {
  it('keys entries by the target id the coordinator wrote, and skips junk', () => {
    const out = readScraperTargets({ status: 'success', data: { activeTargets: [entry('up', '2024-01-01T00:00:00Z'), { nonsense: 1 }, null] } }, 's1');
    expect([...out.keys()]).toEqual([id]);
    expect(out.get(id)).toMatchObject({ reportedBy: 's1', health: 'up', lastScrapeDuration: 0.01 });
    expect(readScraperTargets({ garbage: true }, 's1').size).toBe(0);
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
