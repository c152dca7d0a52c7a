import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  filtersToSearch,
  filterTargets,
  formatScrapeDuration,
  parseFilters,
  relativeTime,
  renderMembers,
  renderOptions,
  renderPage,
  renderTargets,
  type ApiMember,
  type ApiTarget,
  type PageData,
} from './render.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOSTILE = '<img src=x onerror="alert(1)">&\'';

function target(over: Partial<ApiTarget>): ApiTarget {
  return {
    scrapePool: 'demo',
    scrapeUrl: 'http://127.0.0.1:9100/metrics',
    labels: { instance: '127.0.0.1:9100', job: 'demo' },
    owner: 's1',
    health: 'up',
    lastError: '',
    lastScrape: '2026-12-01T11:59:58Z',
    lastScrapeDuration: 0.0123,
    ...over,
  };
}

function member(id: string, targets: number, state = 'active', samples = 0): ApiMember {
  return { id, address: `127.0.0.1:${id.length}`, state, startedAt: '2026-12-01T11:00:00Z', activeFrom: '2026-12-01T11:00:01Z', activeUntil: null, targets, samples };
}

const targets: ApiTarget[] = [
  target({ scrapeUrl: 'http://h/t0', owner: 's1' }),
  target({ scrapeUrl: 'http://h/t1', owner: 's2', health: 'down', lastError: 'server returned HTTP status 503 Service Unavailable' }),
  target({ scrapeUrl: 'http://h/t2', owner: 's2', health: 'unknown', lastScrape: '0001-01-01T00:00:00Z', lastScrapeDuration: 0 }),
  target({ scrapePool: 'other', scrapeUrl: 'http://h/o', owner: null }),
];

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
  it('shows null and undefined as empty, numbers as text', () => {
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(3)).toBe('3');
  });
});

describe('filters in the URL', () => {
  it('reads job, owner and health; ignores an unknown health', () => {
    expect(parseFilters('?job=a%20b&owner=s1&health=DOWN')).toEqual({ job: 'a b', owner: 's1', health: 'down' });
    expect(parseFilters('?health=sideways')).toEqual({ job: '', owner: '', health: '' });
    expect(parseFilters('')).toEqual({ job: '', owner: '', health: '' });
  });
  it('round-trips through the query string, leaving out empty ones', () => {
    const f = { job: 'x&y=z', owner: '', health: 'up' };
    expect(filtersToSearch(f)).toBe('?job=x%26y%3Dz&health=up');
    expect(parseFilters(filtersToSearch(f))).toEqual(f);
    expect(filtersToSearch({ job: '', owner: '', health: '' })).toBe('');
  });
  it('filters by job, owner (including unowned) and health', () => {
    const f = (job: string, owner: string, health: string): string[] => filterTargets(targets, { job, owner, health }).map((t) => t.scrapeUrl);
    expect(f('', '', '')).toHaveLength(4);
    expect(f('', '', 'down')).toEqual(['http://h/t1']);
    expect(f('', 's2', '')).toEqual(['http://h/t1', 'http://h/t2']);
    expect(f('other', '', '')).toEqual(['http://h/o']);
    expect(f('', '(none)', '')).toEqual(['http://h/o']);
    expect(f('demo', 's2', 'unknown')).toEqual(['http://h/t2']);
    expect(f('demo', 's1', 'down')).toEqual([]);
  });
});

describe('times and durations', () => {
  it('shows relative times, and "never" for the zero time or junk', () => {
    expect(relativeTime('2026-12-01T11:59:58.500Z', NOW)).toBe('1.5s ago');
    expect(relativeTime('2026-12-01T11:59:30Z', NOW)).toBe('30s ago');
    expect(relativeTime('2026-12-01T11:55:50Z', NOW)).toBe('4m 10s ago');
    expect(relativeTime('2026-12-01T09:55:00Z', NOW)).toBe('2h 5m ago');
    expect(relativeTime('2026-11-29T10:00:00Z', NOW)).toBe('2d 2h ago');
    expect(relativeTime('0001-01-01T00:00:00Z', NOW)).toBe('never');
    expect(relativeTime('soon', NOW)).toBe('never');
    // A scraper's clock slightly ahead: not "-0.2s ago".
    expect(relativeTime('2026-12-01T12:00:00.200Z', NOW)).toBe('0.0s ago');
  });
  it('formats scrape durations given in seconds', () => {
    expect(formatScrapeDuration(0.00085)).toBe('850µs');
    expect(formatScrapeDuration(0.0123)).toBe('12.3ms');
    expect(formatScrapeDuration(1.2044)).toBe('1.204s');
    expect(formatScrapeDuration(0)).toBe('–');
    expect(formatScrapeDuration(Number.NaN)).toBe('–');
  });
});

describe('rendering', () => {
  it('escapes labels, errors, URLs, owners and jobs taken from targets', () => {
    const html = renderTargets(
      [target({ labels: { instance: 'i', note: HOSTILE }, lastError: HOSTILE, scrapeUrl: `http://h/${HOSTILE}`, owner: HOSTILE, scrapePool: HOSTILE, health: 'down' })],
      NOW,
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).toContain('<span class="label">note="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"</span>');
    expect(html).toContain('<td class="error">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;</td>');
    expect(html).toContain(`data-job="${escapeHtml(HOSTILE)}"`);
  });
  it('shows each target with job, owner, health, last scrape, duration and error', () => {
    const html = renderTargets(targets, NOW);
    expect(html.match(/<tr class="target/g)).toHaveLength(4);
    expect(html).toContain('<td class="health"><span class="badge health-down">down</span></td>');
    expect(html).toContain('server returned HTTP status 503 Service Unavailable');
    expect(html).toContain('>2.0s ago<');
    expect(html).toContain('>12.3ms<');
    expect(html).toContain('>never<');
    expect(html).toContain('<span class="muted">(none)</span>');
    expect(html).toContain('<span class="label">instance="127.0.0.1:9100"</span> <span class="label">job="demo"</span>');
  });
  it('an unexpected health value is shown as unknown, never as raw text', () => {
    expect(renderTargets([target({ health: '<b>x</b>' })], NOW)).toContain('badge health-unknown">unknown<');
  });
  it('says so when no target matches', () => {
    expect(renderTargets([], NOW)).toContain('No targets match.');
  });
  it('shows members with their state, share of targets and the health of what they own', () => {
    const html = renderMembers([member('s1', 1), member('s2', 3, 'joining'), member('<s3>', 0, 'terminating')], targets, NOW);
    expect(html).toContain('<span class="badge state-active">active</span>');
    expect(html).toContain('<span class="badge state-joining">joining</span>');
    expect(html).toContain('<span class="badge state-terminating">terminating</span>');
    expect(html).toContain('data-member="&lt;s3&gt;"');
    expect(html).toContain('25.0%');
    expect(html).toContain('75.0%');
    expect(html).toContain('<span class="up">0</span> / <span class="down">1</span> / <span class="unknown">1</span>');
    expect(html).not.toContain('<s3>');
  });
  it("shows each member's samples beside its targets, and each target's samples (a dash when not reported)", () => {
    const html = renderMembers([member('s1', 2, 'active', 1234)], targets, NOW);
    expect(html).toMatch(/<td class="num">2<\/td><td class="num samples">1234<\/td>/);
    const rows = renderTargets([target({ lastScrapeSamples: 57 }), target({ scrapeUrl: 'http://h/old' })], NOW);
    expect(rows).toContain('<td class="num samples">57</td>');
    expect(rows).toContain('<td class="num samples"><span class="muted">–</span></td>');
  });
  it('a member state it does not know gets the unknown style, its text escaped', () => {
    expect(renderMembers([member('s1', 0, '<i>odd</i>')], [], NOW)).toContain('<span class="badge state-unknown">&lt;i&gt;odd&lt;/i&gt;</span>');
    expect(renderMembers([], [], NOW)).toContain('No scraper members registered.');
  });
  it('builds filter options with the selection kept, even when it matches nothing now', () => {
    const html = renderOptions(['b', 'a', 'b'], 'gone', 'all');
    expect(html).toBe('<option value="">all</option><option value="a">a</option><option value="b">b</option><option value="gone" selected>gone</option>');
    expect(renderOptions(['"x"'], '', 'all')).toContain('<option value="&quot;x&quot;">&quot;x&quot;</option>');
  });
  it('renders a whole page from API data, filtered', () => {
    const data: PageData = {
      members: [member('s1', 1), member('s2', 2)],
      targets,
      leader: { leader: 'c1', self: 'c1', isLeader: true },
      nowMs: NOW,
      filters: { job: '', owner: '', health: 'down' },
    };
    const page = renderPage(data);
    expect(page.shown).toBe(1);
    expect(page.total).toBe(4);
    expect(page.targets).toContain('http://h/t1');
    expect(page.targets).not.toContain('http://h/t0');
    expect(page.summary).toContain('2 members (2 active)');
    expect(page.summary).toContain('2 up');
    expect(page.summary).toContain('1 down');
    expect(page.summary).toContain('leader: <span class="mono">c1</span>');
    expect(page.healthOptions).toContain('<option value="down" selected>down</option>');
    expect(page.ownerOptions).toContain('<option value="(none)">(none)</option>');
    expect(page.jobOptions).toContain('<option value="other">other</option>');
  });
});
