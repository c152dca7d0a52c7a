// The fleet status page: one self-contained HTML document (inline CSS and script, no external
// assets, no build step) served at / and /status. The browser fetches the coordinator's own JSON
// APIs (/api/v1/members, /api/v1/targets, /api/v1/status/leader) and renders them with the pure
// functions of render.ts, whose source is inlined here. Read-only: it only ever issues GETs.
import type { Hono } from 'hono';
import { buildHtmlPage, inlineScript, mountHtmlPage, type HtmlPage } from '../../core/html-page.ts';
import { RENDER_FUNCTIONS } from './render.ts';

export const REFRESH_MS = 5000;

const STYLE = `
:root { color-scheme: light dark; --fg:#1d1f23; --bg:#fff; --muted:#6b7280; --line:#e5e7eb; --head:#f6f7f9;
  --up:#15803d; --up-bg:#dcfce7; --down:#b91c1c; --down-bg:#fee2e2; --unk:#92400e; --unk-bg:#fef3c7; --accent:#2563eb; }
@media (prefers-color-scheme: dark) { :root { --fg:#e5e7eb; --bg:#111318; --muted:#9ca3af; --line:#2a2e37; --head:#1a1d24;
  --up-bg:#14532d; --up:#bbf7d0; --down-bg:#7f1d1d; --down:#fecaca; --unk-bg:#78350f; --unk:#fde68a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 1rem; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--head); }
header h1 { font-size: 1.15rem; margin: 0; white-space: nowrap; }
td.owner, td.job, td.last-scrape, th { white-space: nowrap; }
#summary { display: flex; flex-wrap: wrap; gap: 1.25rem; color: var(--muted); }
#updated { margin-left: auto; color: var(--muted); font-size: .85rem; }
main { padding: 0 1.25rem 2rem; }
h2 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--head); font-weight: 600; font-size: .85rem; }
.mono, .label { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted, .empty { color: var(--muted); }
.labels { margin-top: .2rem; display: flex; flex-wrap: wrap; gap: .25rem; }
.label { background: var(--head); border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; font-size: .75rem; word-break: break-all; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: 999px; font-size: .8rem; font-weight: 600; }
.health-up .badge, .badge.health-up, .badge.state-active { background: var(--up-bg); color: var(--up); }
.badge.health-down, .badge.state-terminating { background: var(--down-bg); color: var(--down); }
.badge.health-unknown, .badge.state-joining, .badge.state-unknown { background: var(--unk-bg); color: var(--unk); }
.up { color: var(--up); } .down { color: var(--down); } .unknown { color: var(--unk); }
tr.health-down td.error { color: var(--down); }
td.error { max-width: 32rem; word-break: break-word; }
.bar { display: inline-block; width: 6rem; height: .55rem; background: var(--line); border-radius: 3px; vertical-align: middle; overflow: hidden; }
.bar > div { height: 100%; background: var(--accent); }
.filters { display: flex; gap: .75rem; align-items: center; margin: .5rem 0; flex-wrap: wrap; }
.filters label { color: var(--muted); font-size: .85rem; }
select { font: inherit; padding: .15rem .3rem; }
#error { background: var(--down-bg); color: var(--down); padding: .5rem 1.25rem; margin: 0; }
`;

const HTML_SHELL = (style: string, script: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ringwatch fleet status</title>
<style>${style}</style>
</head>
<body>
<header><h1>Ringwatch fleet</h1><div id="summary">Loading…</div><div id="updated"></div></header>
<p id="error" role="alert" hidden></p>
<main>
<h2>Members</h2>
<table id="members-table">
<thead><tr><th>Member</th><th>State</th><th>Address</th><th class="num">Targets</th><th class="num">Samples</th><th>Share</th><th class="num">Up / down / unknown</th><th>Started</th></tr></thead>
<tbody id="members"></tbody>
</table>
<h2>Targets <span id="shown" class="muted"></span></h2>
<div class="filters">
<label>Job <select id="filter-job" name="job"></select></label>
<label>Owner <select id="filter-owner" name="owner"></select></label>
<label>Health <select id="filter-health" name="health"></select></label>
<a id="clear-filters" href="?">clear filters</a>
</div>
<table id="targets-table">
<thead><tr><th>Endpoint / labels</th><th>Job</th><th>Owner</th><th>Health</th><th>Last scrape</th><th class="num">Duration</th><th class="num">Samples</th><th>Last error</th></tr></thead>
<tbody id="targets"></tbody>
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
let filters = parseFilters(location.search);
let latest = null;
let lastOk = 0;

async function getData(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  let body;
  try { body = await res.json(); } catch { throw new Error(path + ': HTTP ' + res.status); }
  if (body === null || body.status !== 'success') throw new Error(path + ': ' + (body && body.error ? body.error : 'HTTP ' + res.status));
  return body.data;
}

function draw() {
  if (latest === null) return;
  const v = renderPage({ ...latest, nowMs: Date.now(), filters });
  $('summary').innerHTML = v.summary;
  $('members').innerHTML = v.members;
  $('targets').innerHTML = v.targets;
  $('filter-job').innerHTML = v.jobOptions;
  $('filter-owner').innerHTML = v.ownerOptions;
  $('filter-health').innerHTML = v.healthOptions;
  $('shown').textContent = v.shown === v.total ? '(' + v.total + ')' : '(' + v.shown + ' of ' + v.total + ')';
  $('updated').textContent = 'updated ' + relativeTime(new Date(lastOk).toISOString(), Date.now()) + ', refreshing every ' + REFRESH_MS / 1000 + 's';
  document.body.dataset.loaded = 'true';
}

async function refresh() {
  try {
    const [members, targets, leader] = await Promise.all([
      getData('api/v1/members'),
      getData('api/v1/targets?state=active'),
      getData('api/v1/status/leader').catch(() => null),
    ]);
    latest = { members, targets: targets.activeTargets, leader };
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

for (const name of ['job', 'owner', 'health']) {
  $('filter-' + name).addEventListener('change', (e) => {
    filters = { ...filters, [name]: e.target.value };
    history.replaceState(null, '', location.pathname + filtersToSearch(filters));
    draw();
  });
}
$('clear-filters').addEventListener('click', (e) => {
  e.preventDefault();
  filters = parseFilters('');
  history.replaceState(null, '', location.pathname);
  draw();
});
setInterval(draw, 1000);
refresh();
`;

/** The inline script: render.ts's functions (as the runtime compiled them) and the glue. */
export function statusPageScript(): string {
  return inlineScript(RENDER_FUNCTIONS, GLUE);
}

export type StatusPage = HtmlPage;

export function buildStatusPage(): StatusPage {
  return buildHtmlPage({ style: STYLE, script: statusPageScript(), shell: HTML_SHELL, styleAttributes: true });
}

/** Serves the page at / and /status (GET only). */
export function mountStatusPage(app: Hono): void {
  mountHtmlPage(app, ['/', '/status'], buildStatusPage);
}
