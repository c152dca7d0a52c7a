// Scrape health as the scrapers report it: each member serves Prometheus' /api/v1/targets for the
// targets it scrapes. Fetched from every member at once with a short timeout; a member that does
// not answer in time simply contributes nothing (its targets show health "unknown").
import type { MemberRecord } from '../cluster/cluster-state.ts';
import { targetId } from '../model/scrape-target.ts';

export interface ScrapeHealth {
  /** The member that reported it. */
  reportedBy: string;
  health: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  /**
   * Samples the last scrape kept (the scrapers' extra `lastScrapeSamples` field of
   * /api/v1/targets); absent from a scraper that does not report it (an older version).
   */
  lastScrapeSamples?: number;
}

/** Health entries in one scraper's /api/v1/targets response, by target id. Tolerant of junk. */
export function readScraperTargets(body: unknown, reportedBy: string): Map<string, ScrapeHealth> {
  const out = new Map<string, ScrapeHealth>();
  const data = (body as { data?: { activeTargets?: unknown } } | null)?.data;
  const active = data?.activeTargets;
  if (!Array.isArray(active)) return out;
  for (const t of active as Record<string, unknown>[]) {
    if (t === null || typeof t !== 'object') continue;
    const { scrapePool, scrapeUrl, labels } = t;
    if (typeof scrapePool !== 'string' || typeof scrapeUrl !== 'string' || labels === null || typeof labels !== 'object') continue;
    const sorted = Object.entries(labels as Record<string, string>).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out.set(targetId(scrapePool, scrapeUrl, sorted), {
      reportedBy,
      health: typeof t.health === 'string' ? t.health : 'unknown',
      lastError: typeof t.lastError === 'string' ? t.lastError : '',
      lastScrape: typeof t.lastScrape === 'string' ? t.lastScrape : ZERO_TIME,
      lastScrapeDuration: typeof t.lastScrapeDuration === 'number' ? t.lastScrapeDuration : 0,
      ...(typeof t.lastScrapeSamples === 'number' && Number.isFinite(t.lastScrapeSamples) && t.lastScrapeSamples >= 0 ? { lastScrapeSamples: t.lastScrapeSamples } : {}),
    });
  }
  return out;
}

/** Prometheus' zero time.Time, which it shows for a target not scraped yet. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function memberUrl(address: string, scheme: 'http' | 'https' = 'http'): string {
  return /^https?:\/\//.test(address) ? address.replace(/\/+$/, '') : `${scheme}://${address}`;
}

/**
 * Every member's report, merged: for each target, the entry from `preferredOwner(id)` when that
 * member reported it, else the most recently scraped one (both scrape it around a handoff).
 */
export async function fetchScrapeHealth(
  members: readonly MemberRecord[],
  preferredOwner: (targetId: string) => string | undefined,
  // fetch and scheme: node.peer_http_client (core/http-client-config.ts peerFetch), for scrapers behind auth or TLS.
  opts: { timeoutMs: number; fetch?: typeof fetch; scheme?: 'http' | 'https' },
): Promise<Map<string, ScrapeHealth>> {
  const doFetch = opts.fetch ?? fetch;
  const reports = await Promise.all(
    members.map(async (m) => {
      try {
        const res = await doFetch(`${memberUrl(m.address, opts.scheme)}/api/v1/targets`, { signal: AbortSignal.timeout(opts.timeoutMs) });
        if (!res.ok) return new Map<string, ScrapeHealth>();
        return readScraperTargets(await res.json(), m.id);
      } catch {
        return new Map<string, ScrapeHealth>();
      }
    }),
  );
  const merged = new Map<string, ScrapeHealth>();
  for (const report of reports) {
    for (const [id, h] of report) {
      const have = merged.get(id);
      if (have === undefined) {
        merged.set(id, h);
        continue;
      }
      const owner = preferredOwner(id);
      if (have.reportedBy === owner) continue;
      if (h.reportedBy === owner || h.lastScrape > have.lastScrape) merged.set(id, h);
    }
  }
  return merged;
}

/**
 * The samples of each member's last scrapes: the sum over the targets the ring gives it, so that a
 * member's figure is the sum of the samples its rows in the targets table show.
 */
export function samplesPerMember(owners: ReadonlyMap<string, string>, health: ReadonlyMap<string, ScrapeHealth>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, owner] of owners) out.set(owner, (out.get(owner) ?? 0) + (health.get(id)?.lastScrapeSamples ?? 0));
  return out;
}
