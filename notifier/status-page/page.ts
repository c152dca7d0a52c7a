// The notifier's status page: one self-contained HTML document (inline CSS and script, no external
// assets) served at / and /status. The browser reads the notifier's own JSON APIs
// (/api/v2/alerts, /api/v2/alerts/groups, /api/v2/silences, /api/v1/notifications) and renders
// them with render.ts's pure functions, whose source is inlined here. Read-only: only GETs.
import type { Hono } from 'hono';
import { buildHtmlPage, inlineScript, mountHtmlPage, type HtmlPage } from '../../core/html-page.ts';
import { RENDER_FUNCTIONS } from './render.ts';

export const REFRESH_MS = 5000;

const STYLE = `
:root { color-scheme: light dark; --fg:#1d1f23; --bg:#fff; --muted:#6b7280; --line:#e5e7eb; --head:#f6f7f9;
  --good:#15803d; --good-bg:#dcfce7; --bad:#b91c1c; --bad-bg:#fee2e2; --warn:#92400e; --warn-bg:#fef3c7; }
@media (prefers-color-scheme: dark) { :root { --fg:#e5e7eb; --bg:#111318; --muted:#9ca3af; --line:#2a2e37; --head:#1a1d24;
  --good-bg:#14532d; --good:#bbf7d0; --bad-bg:#7f1d1d; --bad:#fecaca; --warn-bg:#78350f; --warn:#fde68a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 1rem; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--head); }
header h1 { font-size: 1.15rem; margin: 0; white-space: nowrap; }
#summary { display: flex; flex-wrap: wrap; gap: 1.25rem; color: var(--muted); }
#updated { margin-left: auto; color: var(--muted); font-size: .85rem; }
main { padding: 0 1.25rem 2rem; }
h2 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--head); font-weight: 600; font-size: .85rem; white-space: nowrap; }
.mono, .label { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted, .empty { color: var(--muted); }
.labels { margin-top: .2rem; display: flex; flex-wrap: wrap; gap: .25rem; }
.label { background: var(--head); border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; font-size: .75rem; word-break: break-all; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: 999px; font-size: .8rem; font-weight: 600; background: var(--warn-bg); color: var(--warn); }
.badge.state-active, .badge.state-failed { background: var(--bad-bg); color: var(--bad); }
.badge.state-sent, .badge.state-expired { background: var(--good-bg); color: var(--good); }
.good { color: var(--good); } .bad { color: var(--bad); }
td.since, td.when, td.ends { white-space: nowrap; }
#error { background: var(--bad-bg); color: var(--bad); padding: .5rem 1.25rem; margin: 0; }
`;

const HTML_SHELL = (style: string, script: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ringwatch notifier status</title>
<style>${style}</style>
</head>
<body>
<header><h1>Ringwatch notifier</h1><div id="summary">Loading…</div><div id="updated"></div></header>
<p id="error" role="alert" hidden></p>
<main>
<h2>Alerts</h2>
<table id="alerts-table">
<thead><tr><th>Alert / labels</th><th>State</th><th>Summary</th><th>Receivers</th><th>Since</th></tr></thead>
<tbody id="alerts"></tbody>
</table>
<h2>Aggregation groups</h2>
<table id="groups-table">
<thead><tr><th>Group labels</th><th>Receiver</th><th class="num">Alerts</th></tr></thead>
<tbody id="groups"></tbody>
</table>
<h2>Silences</h2>
<table id="silences-table">
<thead><tr><th>Matchers</th><th>State</th><th>Time</th><th>Created by</th><th>Comment</th></tr></thead>
<tbody id="silences"></tbody>
</table>
<h2>Last notifications <span class="muted">(this replica)</span></h2>
<table id="notifications-table">
<thead><tr><th>When</th><th>Receiver</th><th>Group</th><th>Content</th><th>Outcome</th></tr></thead>
<tbody id="notifications"></tbody>
</table>
</main>
<script type="module">${script}</script>
</body>
</html>
`;

// The page's glue: fetching, timers, DOM. Plain JS (the project's TypeScript has no DOM types);
// everything worth testing without a browser is in render.ts.
const GLUE = `
const REFRESH_MS = ${REFRESH_MS};
const $ = (id) => document.getElementById(id);
let latest = null;
let lastOk = 0;

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
  return res.json();
}

function draw() {
  if (latest === null) return;
  const v = renderPage({ ...latest, nowMs: Date.now() });
  $('summary').innerHTML = v.summary;
  $('alerts').innerHTML = v.alerts;
  $('groups').innerHTML = v.groups;
  $('silences').innerHTML = v.silences;
  $('notifications').innerHTML = v.notifications;
  $('updated').textContent = 'updated ' + relativeTime(new Date(lastOk).toISOString(), Date.now()) + ', refreshing every ' + REFRESH_MS / 1000 + 's';
  document.body.dataset.loaded = 'true';
}

async function refresh() {
  try {
    const [alerts, groups, silences, notifications] = await Promise.all([
      getJson('api/v2/alerts'),
      getJson('api/v2/alerts/groups'),
      getJson('api/v2/silences'),
      getJson('api/v1/notifications').then((b) => b.data),
    ]);
    latest = { alerts, groups, silences, notifications };
    lastOk = Date.now();
    $('error').hidden = true;
  } catch (err) {
    $('error').textContent = 'Refresh failed (showing the last data): ' + (err && err.message ? err.message : String(err));
    $('error').hidden = false;
  }
  draw();
  document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || '0') + 1);
  setTimeout(refresh, REFRESH_MS);
}

setInterval(draw, 1000);
refresh();
`;

/** The inline script: render.ts's functions (as the runtime compiled them) and the glue. */
export function statusPageScript(): string {
  return inlineScript(RENDER_FUNCTIONS, GLUE);
}

export type StatusPage = HtmlPage;

export function buildStatusPage(): StatusPage {
  return buildHtmlPage({ style: STYLE, script: statusPageScript(), shell: HTML_SHELL });
}

/** Serves the page at / and /status (GET only). */
export function mountStatusPage(app: Hono): void {
  mountHtmlPage(app, ['/', '/status'], buildStatusPage);
}
