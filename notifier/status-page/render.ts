// The notifier status page's rendering, as pure functions from the notifier's API data (API v2's
// alerts, alert groups and silences; /api/v1/notifications) to HTML strings. Every value shown is
// escaped here: labels, annotations and silence comments come from outside. This module is also
// the page's script: page.ts inlines these functions' source into the HTML, so it must stay
// self-contained: no imports, no top-level values other than the functions in RENDER_FUNCTIONS,
// nothing the browser lacks.

/** One entry of GET /api/v2/alerts (Alertmanager's gettableAlert). */
export interface ApiAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  receivers: { name: string }[];
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

/** One entry of GET /api/v2/alerts/groups. */
export interface ApiGroup {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: ApiAlert[];
}

/** One entry of GET /api/v2/silences. */
export interface ApiSilence {
  id: string;
  status: { state: string };
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** One entry of GET /api/v1/notifications (notification-history.ts). */
export interface ApiNotification {
  at: string;
  receiver: string;
  integration: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  status: string;
  alerts: number;
  attempts: number;
  outcome: string;
  reason?: string;
}

export interface PageData {
  alerts: ApiAlert[];
  groups: ApiGroup[];
  silences: ApiSilence[];
  notifications: ApiNotification[];
  nowMs: number;
}

export interface RenderedPage {
  summary: string;
  alerts: string;
  groups: string;
  silences: string;
  notifications: string;
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "3.2s ago", "4m 10s ago", "2h 5m ago"; for a future instant "in 59m 10s"; "–" for junk. */
export function relativeTime(iso: string, nowMs: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t) || t <= 0) return '–';
  const future = t > nowMs;
  const s = Math.abs(nowMs - t) / 1000;
  let text = '';
  if (s < 10) text = `${s.toFixed(1)}s`;
  else if (s < 60) text = `${Math.round(s)}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s`;
  else if (s < 86400) text = `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  else text = `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  return future ? `in ${text}` : `${text} ago`;
}

export function renderLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `<span class="label">${escapeHtml(k)}="${escapeHtml(v)}"</span>`)
    .join(' ');
}

/** Alertmanager's alert states, and what a silence or a notification outcome can be. */
export function stateClass(state: string): string {
  return ['active', 'suppressed', 'unprocessed', 'pending', 'expired', 'sent', 'failed', 'will-retry'].includes(state) ? state : 'unknown';
}

function badge(state: string): string {
  return `<span class="badge state-${stateClass(state)}">${escapeHtml(state)}</span>`;
}

/** Alerts, active first, then by name. */
export function renderAlerts(alerts: readonly ApiAlert[], nowMs: number): string {
  if (alerts.length === 0) return '<tr><td colspan="5" class="empty">No alerts.</td></tr>';
  const rank = (a: ApiAlert): number => (a.status.state === 'active' ? 0 : 1);
  return [...alerts]
    .sort((a, b) => rank(a) - rank(b) || String(a.labels.alertname ?? '').localeCompare(String(b.labels.alertname ?? '')) || (a.fingerprint < b.fingerprint ? -1 : 1))
    .map((a) => {
      const why = [...a.status.silencedBy.map((id) => `silenced by ${id}`), ...a.status.inhibitedBy.map((fp) => `inhibited by ${fp}`)].join(', ');
      return (
        `<tr class="alert" data-fingerprint="${escapeHtml(a.fingerprint)}" data-state="${stateClass(a.status.state)}">` +
        `<td class="name">${escapeHtml(a.labels.alertname ?? '')}<div class="labels">${renderLabels(a.labels)}</div></td>` +
        `<td class="state">${badge(a.status.state)}<div class="muted why">${escapeHtml(why)}</div></td>` +
        `<td class="summary">${escapeHtml(a.annotations.summary ?? a.annotations.description ?? '')}</td>` +
        `<td class="receivers">${escapeHtml(a.receivers.map((r) => r.name).join(', '))}</td>` +
        `<td class="since" title="${escapeHtml(a.startsAt)}">${escapeHtml(relativeTime(a.startsAt, nowMs))}</td>` +
        `</tr>`
      );
    })
    .join('');
}

export function renderGroups(groups: readonly ApiGroup[]): string {
  if (groups.length === 0) return '<tr><td colspan="3" class="empty">No aggregation groups.</td></tr>';
  return groups
    .map(
      (g) =>
        `<tr class="group">` +
        `<td class="group-labels">${Object.keys(g.labels).length === 0 ? '<span class="muted">(all)</span>' : renderLabels(g.labels)}</td>` +
        `<td class="receiver">${escapeHtml(g.receiver.name)}</td>` +
        `<td class="num count">${escapeHtml(g.alerts.length)}</td>` +
        `</tr>`,
    )
    .join('');
}

export function renderMatchers(matchers: ApiSilence['matchers']): string {
  return matchers
    .map((m) => {
      const op = m.isEqual === false ? (m.isRegex ? '!~' : '!=') : m.isRegex ? '=~' : '=';
      return `<span class="label">${escapeHtml(m.name)}${escapeHtml(op)}"${escapeHtml(m.value)}"</span>`;
    })
    .join(' ');
}

/** Active and pending silences (expired ones are only counted in the summary). */
export function renderSilences(silences: readonly ApiSilence[], nowMs: number): string {
  const live = silences.filter((s) => s.status.state !== 'expired');
  if (live.length === 0) return '<tr><td colspan="5" class="empty">No active or pending silences.</td></tr>';
  return live
    .map(
      (s) =>
        `<tr class="silence" data-id="${escapeHtml(s.id)}">` +
        `<td class="matchers">${renderMatchers(s.matchers)}<div class="muted mono">${escapeHtml(s.id)}</div></td>` +
        `<td class="state">${badge(s.status.state)}</td>` +
        `<td class="ends" title="${escapeHtml(s.endsAt)}">${escapeHtml(s.status.state === 'pending' ? `starts ${relativeTime(s.startsAt, nowMs)}` : `ends ${relativeTime(s.endsAt, nowMs)}`)}</td>` +
        `<td class="author">${escapeHtml(s.createdBy)}</td>` +
        `<td class="comment">${escapeHtml(s.comment)}</td>` +
        `</tr>`,
    )
    .join('');
}

/** The last notifications, newest first (as the API gives them). */
export function renderNotifications(list: readonly ApiNotification[], nowMs: number): string {
  if (list.length === 0) return '<tr><td colspan="5" class="empty">No notifications yet.</td></tr>';
  return list
    .map(
      (n) =>
        `<tr class="notification" data-outcome="${stateClass(n.outcome)}">` +
        `<td class="when" title="${escapeHtml(n.at)}">${escapeHtml(relativeTime(n.at, nowMs))}</td>` +
        `<td class="receiver">${escapeHtml(n.receiver)} <span class="muted mono">${escapeHtml(n.integration)}</span></td>` +
        `<td class="group-labels">${Object.keys(n.groupLabels).length === 0 ? '<span class="muted">(all)</span>' : renderLabels(n.groupLabels)}</td>` +
        `<td>${escapeHtml(n.status)}, ${escapeHtml(n.alerts)} alert${n.alerts === 1 ? '' : 's'}</td>` +
        `<td class="outcome">${badge(n.outcome)}${n.reason === undefined ? '' : ` <span class="muted">${escapeHtml(n.reason)}</span>`}` +
        `${n.attempts > 1 ? ` <span class="muted">${escapeHtml(n.attempts)} attempts</span>` : ''}</td>` +
        `</tr>`,
    )
    .join('');
}

export function renderSummary(data: PageData): string {
  const active = data.alerts.filter((a) => a.status.state === 'active').length;
  const silences = data.silences.filter((s) => s.status.state === 'active').length;
  const failed = data.notifications.filter((n) => n.outcome !== 'sent').length;
  return (
    `<span>${data.alerts.length} alerts (${active} active, ${data.alerts.length - active} suppressed)</span>` +
    `<span>${data.groups.length} groups</span>` +
    `<span>${silences} active silences</span>` +
    `<span>last ${data.notifications.length} notifications: <b class="${failed > 0 ? 'bad' : 'good'}">${failed} not sent</b></span>`
  );
}

export function renderPage(data: PageData): RenderedPage {
  return {
    summary: renderSummary(data),
    alerts: renderAlerts(data.alerts, data.nowMs),
    groups: renderGroups(data.groups),
    silences: renderSilences(data.silences, data.nowMs),
    notifications: renderNotifications(data.notifications, data.nowMs),
  };
}

/** Everything the browser needs, in dependency-free order; page.ts inlines their source. */
export const RENDER_FUNCTIONS = [
  escapeHtml,
  relativeTime,
  renderLabels,
  stateClass,
  badge,
  renderAlerts,
  renderGroups,
  renderMatchers,
  renderSilences,
  renderNotifications,
  renderSummary,
  renderPage,
] as const;
