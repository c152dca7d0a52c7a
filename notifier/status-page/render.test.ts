import { describe, expect, it } from 'vitest';
import { escapeHtml, relativeTime, renderAlerts, renderGroups, renderNotifications, renderPage, renderSilences, type ApiAlert, type ApiNotification, type ApiSilence, type PageData } from './render.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOSTILE = '<img src=x onerror="alert(1)">&\'';

function alert(over: Partial<ApiAlert> & { labels: Record<string, string> }): ApiAlert {
  return {
    fingerprint: 'f1',
    annotations: {},
    startsAt: '2026-12-01T11:58:00Z',
    endsAt: '2026-12-01T12:04:00Z',
    receivers: [{ name: 'team' }],
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    ...over,
  };
}

const silence = (state: string, over: Partial<ApiSilence> = {}): ApiSilence => ({
  id: `id-${state}`,
  status: { state },
  matchers: [{ name: 'alertname', value: 'Noisy', isRegex: false, isEqual: true }],
  startsAt: '2026-12-01T11:00:00Z',
  endsAt: '2026-12-01T13:00:00Z',
  createdBy: 'tester',
  comment: 'maintenance',
  ...over,
});

const notification = (over: Partial<ApiNotification> = {}): ApiNotification => ({
  at: '2026-12-01T11:59:55Z',
  receiver: 'team',
  integration: 'webhook[0]',
  groupKey: '{}:{alertname="A"}',
  groupLabels: { alertname: 'A' },
  status: 'firing',
  alerts: 2,
  attempts: 1,
  outcome: 'sent',
  ...over,
});

describe('escapeHtml and relativeTime', () => {
  it('escapes the five HTML-significant characters and shows null as empty', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
  });
  it('says how long ago, or in how long, an instant is', () => {
    expect(relativeTime('2026-12-01T11:59:57Z', NOW)).toBe('3.0s ago');
    expect(relativeTime('2026-12-01T11:55:50Z', NOW)).toBe('4m 10s ago');
    expect(relativeTime('2026-12-01T13:00:00Z', NOW)).toBe('in 1h 0m');
    expect(relativeTime('junk', NOW)).toBe('–');
  });
});

describe('the tables', () => {
  it('lists active alerts before suppressed ones, with why they are suppressed', () => {
    const html = renderAlerts(
      [
        alert({ fingerprint: 'b', labels: { alertname: 'B' }, status: { state: 'suppressed', silencedBy: ['s-1'], inhibitedBy: [] } }),
        alert({ fingerprint: 'a', labels: { alertname: 'Z' }, annotations: { summary: 'disk full' } }),
      ],
      NOW,
    );
    expect(html.indexOf('data-fingerprint="a"')).toBeLessThan(html.indexOf('data-fingerprint="b"'));
    expect(html).toContain('silenced by s-1');
    expect(html).toContain('disk full');
    expect(html).toContain('2m 0s ago');
    expect(renderAlerts([], NOW)).toContain('No alerts.');
  });

  it('escapes every value from outside: labels, annotations, receivers, silences, notifications', () => {
    const page = renderPage({
      alerts: [alert({ labels: { alertname: HOSTILE, [HOSTILE]: HOSTILE }, annotations: { summary: HOSTILE }, receivers: [{ name: HOSTILE }], status: { state: HOSTILE, silencedBy: [HOSTILE], inhibitedBy: [] } })],
      groups: [{ labels: { alertname: HOSTILE }, receiver: { name: HOSTILE }, alerts: [] }],
      silences: [silence('active', { id: HOSTILE, createdBy: HOSTILE, comment: HOSTILE, matchers: [{ name: HOSTILE, value: HOSTILE, isRegex: true }] })],
      notifications: [notification({ receiver: HOSTILE, integration: HOSTILE, groupLabels: { x: HOSTILE }, outcome: HOSTILE, reason: HOSTILE })],
      nowMs: NOW,
    });
    for (const part of Object.values(page)) {
      expect(part).not.toContain('<img');
      expect(part).not.toMatch(/onerror="/);
    }
    expect(page.alerts).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
    // An unknown state never becomes a class name of its own.
    expect(page.alerts).toContain('data-state="unknown"');
  });

  it('shows groups with their receiver and alert count, the root group as (all)', () => {
    const html = renderGroups([
      { labels: { alertname: 'A' }, receiver: { name: 'team' }, alerts: [alert({ labels: { alertname: 'A' } })] },
      { labels: {}, receiver: { name: 'root' }, alerts: [] },
    ]);
    expect(html).toContain('alertname="A"');
    expect(html).toMatch(/team<\/td><td class="num count">1</);
    expect(html).toContain('(all)');
  });

  it('shows active and pending silences with their matchers, not expired ones', () => {
    const html = renderSilences([silence('active'), silence('pending', { startsAt: '2026-12-01T12:10:00Z' }), silence('expired')], NOW);
    expect(html).toContain('data-id="id-active"');
    expect(html).toContain('ends in 1h 0m');
    expect(html).toContain('starts in 10m 0s');
    expect(html).not.toContain('id-expired');
    expect(renderSilences([silence('expired')], NOW)).toContain('No active or pending silences.');
    const ops = renderSilences([silence('active', { matchers: [{ name: 'a', value: 'x.*', isRegex: true, isEqual: false }, { name: 'b', value: 'y', isRegex: false, isEqual: false }] })], NOW);
    expect(ops).toContain('a!~"x.*"');
    expect(ops).toContain('b!="y"');
  });

  it('shows each notification: when, receiver, group, outcome and the failure reason', () => {
    const html = renderNotifications([notification(), notification({ outcome: 'will-retry', reason: 'serverError', attempts: 3 })], NOW);
    expect(html).toContain('5.0s ago');
    expect(html).toContain('team <span class="muted mono">webhook[0]</span>');
    expect(html).toContain('firing, 2 alerts');
    expect(html).toContain('data-outcome="will-retry"');
    expect(html).toContain('serverError');
    expect(html).toContain('3 attempts');
  });

  it('sums up the page', () => {
    const data: PageData = {
      alerts: [alert({ labels: { alertname: 'A' } }), alert({ labels: { alertname: 'B' }, status: { state: 'suppressed', silencedBy: ['x'], inhibitedBy: [] } })],
      groups: [],
      silences: [silence('active'), silence('expired')],
      notifications: [notification(), notification({ outcome: 'failed', reason: 'clientError' })],
      nowMs: NOW,
    };
    expect(renderPage(data).summary.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).toBe(' 2 alerts (1 active, 1 suppressed) 0 groups 1 active silences last 2 notifications: 1 not sent ');
  });
});
