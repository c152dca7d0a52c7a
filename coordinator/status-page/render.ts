// The fleet status page's rendering, as pure functions from the coordinator's API data to HTML
// strings. Every value shown is escaped here (labels and errors come from targets). This module is
// also the page's script: page.ts inlines these functions' source into the HTML, so it must stay
// self-contained: no imports, no top-level values other than the functions listed in
// RENDER_FUNCTIONS, nothing the browser lacks (no Node APIs).

/** One entry of the coordinator's GET /api/v1/targets activeTargets. */
export interface ApiTarget {
  scrapePool: string;
  scrapeUrl: string;
  labels: Record<string, string>;
  owner: string | null;
  health: string;
  lastError: string;
  lastScrape: string;
  /** Seconds. */
  lastScrapeDuration: number;
  /** The last scrape's samples (after metric relabelling); absent when its scraper does not report it. */
  lastScrapeSamples?: number;
  scrapeInterval?: string;
}

/** One entry of the coordinator's GET /api/v1/members. */
export interface ApiMember {
  id: string;
  address: string;
  state: string;
  startedAt: string;
  activeFrom: string;
  activeUntil: string | null;
  targets: number;
  /** The last scrape's samples of its targets, summed by the coordinator. */
  samples: number;
}

export interface ApiLeader {
  leader: string | null;
  self: string;
  isLeader: boolean;
}

/** Filters of the target table; '' means "all". Mirrored in the URL (?job=&owner=&health=). */
export interface Filters {
  job: string;
  owner: string;
  health: string;
}

export interface PageData {
  members: ApiMember[];
  targets: ApiTarget[];
  leader: ApiLeader | null;
  nowMs: number;
  filters: Filters;
}

export interface RenderedPage {
  summary: string;
  members: string;
  targets: string;
  jobOptions: string;
  ownerOptions: string;
  healthOptions: string;
  /** How many targets the filters let through, and of how many. */
  shown: number;
  total: number;
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The owner filter's value for targets nobody owns. */
export function unownedValue(): string {
  return '(none)';
}

export function parseFilters(search: string): Filters {
  const q = new URLSearchParams(search);
  const health = (q.get('health') ?? '').toLowerCase();
  return {
    job: q.get('job') ?? '',
    owner: q.get('owner') ?? '',
    health: health === 'up' || health === 'down' || health === 'unknown' ? health : '',
  };
}

/** The query string ("?…" or "") for a filtered view, so it can be linked. */
export function filtersToSearch(f: Filters): string {
  const q = new URLSearchParams();
  if (f.job !== '') q.set('job', f.job);
  if (f.owner !== '') q.set('owner', f.owner);
  if (f.health !== '') q.set('health', f.health);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export function normalizeHealth(health: string): 'up' | 'down' | 'unknown' {
  return health === 'up' || health === 'down' ? health : 'unknown';
}

/** "never" for Prometheus' zero time (or junk), else "3.2s ago", "4m 10s ago", "2h 5m ago". */
export function relativeTime(iso: string, nowMs: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t) || t <= 0) return 'never';
  const s = Math.max(0, (nowMs - t) / 1000);
  if (s < 10) return `${s.toFixed(1)}s ago`;
  if (s < 60) return `${Math.round(s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h ago`;
}

/** A scrape duration given in seconds: "850µs", "12.3ms", "1.204s"; "–" when not scraped. */
export function formatScrapeDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '–';
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)}µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(1)}ms`;
  return `${seconds.toFixed(3)}s`;
}

export function matchesFilters(t: ApiTarget, f: Filters): boolean {
  if (f.job !== '' && t.scrapePool !== f.job) return false;
  if (f.owner !== '' && (t.owner ?? unownedValue()) !== f.owner) return false;
  if (f.health !== '' && normalizeHealth(t.health) !== f.health) return false;
  return true;
}

export function filterTargets(targets: readonly ApiTarget[], f: Filters): ApiTarget[] {
  return targets.filter((t) => matchesFilters(t, f));
}

/** `<option>`s for a filter select: "all", then each value; the selected one kept even if absent. */
export function renderOptions(values: readonly string[], selected: string, allLabel: string): string {
  const all = [...new Set(values)].sort();
  if (selected !== '' && !all.includes(selected)) all.push(selected);
  const opt = (v: string, label: string): string => `<option value="${escapeHtml(v)}"${v === selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  return [opt('', allLabel), ...all.map((v) => opt(v, v))].join('');
}

function healthCounts(targets: readonly ApiTarget[]): { up: number; down: number; unknown: number } {
  const c = { up: 0, down: 0, unknown: 0 };
  for (const t of targets) c[normalizeHealth(t.health)]++;
  return c;
}

function healthBadge(health: string): string {
  const h = normalizeHealth(health);
  return `<span class="badge health-${h}">${h}</span>`;
}

/** Member rows: state, address, targets owned (from the ring), their samples, share, and health of those targets. */
export function renderMembers(members: readonly ApiMember[], targets: readonly ApiTarget[], nowMs: number): string {
  if (members.length === 0) return '<tr><td colspan="8" class="empty">No scraper members registered.</td></tr>';
  const total = members.reduce((n, m) => n + m.targets, 0);
  return members
    .map((m) => {
      const owned = targets.filter((t) => t.owner === m.id);
      const c = healthCounts(owned);
      const share = total === 0 ? 0 : (100 * m.targets) / total;
      const state = ['joining', 'active', 'terminating'].includes(m.state) ? m.state : 'unknown';
      return (
        `<tr data-member="${escapeHtml(m.id)}">` +
        `<td class="mono">${escapeHtml(m.id)}</td>` +
        `<td><span class="badge state-${state}">${escapeHtml(m.state)}</span></td>` +
        `<td class="mono">${escapeHtml(m.address)}</td>` +
        `<td class="num">${escapeHtml(m.targets)}</td>` +
        `<td class="num samples">${escapeHtml(m.samples ?? 0)}</td>` +
        `<td><div class="bar"><div style="width:${share.toFixed(1)}%"></div></div> <span class="num">${share.toFixed(1)}%</span></td>` +
        `<td class="num"><span class="up">${c.up}</span> / <span class="down">${c.down}</span> / <span class="unknown">${c.unknown}</span></td>` +
        `<td title="${escapeHtml(m.startedAt)}">${escapeHtml(relativeTime(m.startedAt, nowMs))}</td>` +
        `</tr>`
      );
    })
    .join('');
}

function renderLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `<span class="label">${escapeHtml(k)}="${escapeHtml(v)}"</span>`)
    .join(' ');
}

/** Target rows, in the order given (the API sorts by job and instance). */
export function renderTargets(targets: readonly ApiTarget[], nowMs: number): string {
  if (targets.length === 0) return '<tr><td colspan="8" class="empty">No targets match.</td></tr>';
  return targets
    .map((t) => {
      const h = normalizeHealth(t.health);
      return (
        `<tr class="target health-${h}" data-health="${h}" data-job="${escapeHtml(t.scrapePool)}">` +
        `<td class="mono endpoint">${escapeHtml(t.scrapeUrl)}<div class="labels">${renderLabels(t.labels)}</div></td>` +
        `<td class="job">${escapeHtml(t.scrapePool)}</td>` +
        `<td class="mono owner">${t.owner === null ? '<span class="muted">(none)</span>' : escapeHtml(t.owner)}</td>` +
        `<td class="health">${healthBadge(t.health)}</td>` +
        `<td class="last-scrape" title="${escapeHtml(t.lastScrape)}">${escapeHtml(relativeTime(t.lastScrape, nowMs))}</td>` +
        `<td class="num duration">${escapeHtml(formatScrapeDuration(t.lastScrapeDuration))}</td>` +
        `<td class="num samples">${t.lastScrapeSamples === undefined ? '<span class="muted">–</span>' : escapeHtml(t.lastScrapeSamples)}</td>` +
        `<td class="error">${escapeHtml(t.lastError)}</td>` +
        `</tr>`
      );
    })
    .join('');
}

export function renderSummary(data: PageData, shown: number): string {
  const c = healthCounts(data.targets);
  const active = data.members.filter((m) => m.state === 'active').length;
  const leader = data.leader === null ? 'unknown' : (data.leader.leader ?? 'none');
  return (
    `<span>${data.members.length} members (${active} active)</span>` +
    `<span>${data.targets.length} targets: <b class="up">${c.up} up</b>, <b class="down">${c.down} down</b>, <b class="unknown">${c.unknown} unknown</b></span>` +
    `<span>showing ${shown}</span>` +
    `<span>leader: <span class="mono">${escapeHtml(leader)}</span>${data.leader === null ? '' : ` (this is <span class="mono">${escapeHtml(data.leader.self)}</span>)`}</span>`
  );
}

export function renderPage(data: PageData): RenderedPage {
  const shownTargets = filterTargets(data.targets, data.filters);
  const owners = data.targets.map((t) => t.owner ?? unownedValue()).concat(data.members.map((m) => m.id));
  return {
    summary: renderSummary(data, shownTargets.length),
    members: renderMembers(data.members, data.targets, data.nowMs),
    targets: renderTargets(shownTargets, data.nowMs),
    jobOptions: renderOptions(
      data.targets.map((t) => t.scrapePool),
      data.filters.job,
      'all jobs',
    ),
    ownerOptions: renderOptions(owners, data.filters.owner, 'all owners'),
    healthOptions: renderOptions(['up', 'down', 'unknown'], data.filters.health, 'any health'),
    shown: shownTargets.length,
    total: data.targets.length,
  };
}

/** Everything the browser needs, in dependency-free order; page.ts inlines their source. */
export const RENDER_FUNCTIONS = [
  escapeHtml,
  unownedValue,
  parseFilters,
  filtersToSearch,
  normalizeHealth,
  relativeTime,
  formatScrapeDuration,
  matchesFilters,
  filterTargets,
  renderOptions,
  healthCounts,
  healthBadge,
  renderMembers,
  renderLabels,
  renderTargets,
  renderSummary,
  renderPage,
] as const;
