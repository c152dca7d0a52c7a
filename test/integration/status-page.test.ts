// The coordinator's fleet status page in a real headless Chromium, against a real fleet: one
// coordinator and two scrapers as processes on the harness' etcd and Kafka, a demo target serving
// several targets, one of them failing (503). The page lists the members as active with their
// samples (the sum of their targets' last-scrape samples), every target with its owner, the
// failing one as down with its error, filters (also from the URL), and shows
// a label that looks like HTML as text. A screenshot is kept in .data/test-artifacts/.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../deploy/demo-target/demo-target.ts';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';
import { testNodes, type TestNodes } from '../harness/ringwatch-nodes.ts';

const DEMO_TARGETS = 4;
const FAILING = 2;
const HOSTILE_LABEL = '<img src=x onerror="window.__statusPageXss=1"><b>bold</b>';
const ARTIFACTS = join(repoRoot(), '.data', 'test-artifacts');

interface ApiTarget {
  scrapeUrl: string;
  owner: string | null;
  health: string;
  lastError: string;
  labels: Record<string, string>;
}

interface TargetRow {
  endpoint: string;
  job: string;
  owner: string;
  health: string;
  lastScrape: string;
  samples: string;
  error: string;
}

describe('coordinator fleet status page (headless Chromium)', () => {
  const infra = inject('infra');
  const id = randomBytes(3).toString('hex');
  const prefix = `/rw-status-${id}/`;
  const dir = join(repoRoot(), '.data', 'test-nodes', `status-page-${id}`);
  let etcd: Etcd3;
  let demo: DemoTarget;
  let nodes: TestNodes;
  let coordinator: RingwatchNode;
  let browser: Browser;
  let page: Page;
  const scraperNames = ['status-s1', 'status-s2'];

  const failingUrl = (): string => `${demo.url}/targets/${FAILING}/metrics`;

  async function apiTargets(): Promise<ApiTarget[]> {
    const res = await fetch(`${coordinator.url}/api/v1/targets?state=active`);
    return ((await res.json()) as { data: { activeTargets: ApiTarget[] } }).data.activeTargets;
  }

  async function targetRows(): Promise<TargetRow[]> {
    return page.$$eval('#targets tr.target', (trs) =>
      trs.map((tr) => {
        const text = (sel: string): string => tr.querySelector(sel)?.textContent?.trim() ?? '';
        return {
          endpoint: (tr.querySelector('td.endpoint')?.firstChild?.textContent ?? '').trim(),
          job: text('td.job'),
          owner: text('td.owner'),
          health: text('td.health'),
          lastScrape: text('td.last-scrape'),
          samples: text('td.samples'),
          error: text('td.error'),
        };
      }),
    );
  }

  beforeAll(async () => {
    etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    demo = await startDemoTarget({ listenAddress: `127.0.0.1:${await freePort()}`, targets: DEMO_TARGETS });
    const host = new URL(demo.url).host;
    const failed = await fetch(`${demo.url}/control/fail/${FAILING}`, { method: 'POST' });
    expect(failed.status).toBe(200);

    const etcdSection = { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '4s' };
    const port = await freePort();
    coordinator = await startRingwatchNode({
      kind: 'coordinator',
      name: 'status-coordinator',
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
      config: {
        node: { id: 'status-coordinator', listen_address: `127.0.0.1:${port}` },
        etcd: etcdSection,
        global: { scrape_interval: '1s', scrape_timeout: '900ms' },
        scrape_configs: [
          {
            job_name: 'demo',
            // One group per demo target, each with its own path and instance; target 1 carries a
            // label value that looks like HTML (target labels are not ours to trust).
            static_configs: Array.from({ length: DEMO_TARGETS }, (_, n) => ({
              targets: [host],
              labels: { __metrics_path__: `/targets/${n}/metrics`, instance: `demo-${n}`, ...(n === 1 ? { note: HOSTILE_LABEL } : {}) },
            })),
          },
          { job_name: 'demo-main', static_configs: [{ targets: [host] }] },
        ],
      },
    });
    nodes = testNodes(infra.kafkaBrokers, 'status');
    await Promise.all(scraperNames.map((n) => nodes.scraper(n, { etcd: { ...etcdSection, handoff_delay: '1s' } })));

    // The fleet has settled: every target owned, the failing one reported down, the others up.
    await eventually(
      async () => {
        const ts = await apiTargets();
        if (ts.length !== DEMO_TARGETS + 1) throw new Error(`${ts.length} targets`);
        const bad = ts.filter((t) => t.owner === null || t.health !== (t.scrapeUrl === failingUrl() ? 'down' : 'up'));
        if (bad.length > 0) throw new Error(`not settled: ${JSON.stringify(bad.map((t) => [t.scrapeUrl, t.owner, t.health]))}`);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'every target owned and scraped, the failing one down' },
    );

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await nodes?.stopAll();
    await coordinator?.stop();
    await demo?.close();
    await etcd?.delete().prefix(prefix).exec().catch(() => undefined);
    etcd?.close();
  });

  it('lists the members as active with their share, and every target with owner, health and error', async () => {
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${coordinator.url}/status`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });

    const members = await page.$$eval('#members tr[data-member]', (trs) =>
      trs.map((tr) => ({ id: tr.getAttribute('data-member'), state: tr.querySelector('.badge')?.textContent, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()) })),
    );
    expect(members.map((m) => m.id)).toEqual(scraperNames);
    expect(members.map((m) => m.state)).toEqual(['active', 'active']);
    // Their targets add up to all of them.
    expect(members.reduce((n, m) => n + Number(m.cells[3]), 0)).toBe(DEMO_TARGETS + 1);

    const api = await apiTargets();
    const rows = await targetRows();
    expect(rows).toHaveLength(DEMO_TARGETS + 1);
    for (const t of api) {
      const row = rows.find((r) => r.endpoint === t.scrapeUrl);
      expect(row, t.scrapeUrl).toBeDefined();
      expect(row?.owner).toBe(t.owner);
      expect(scraperNames).toContain(row?.owner);
      expect(row?.job).toBe(t.scrapeUrl.includes('/targets/') ? 'demo' : 'demo-main');
      expect(row?.lastScrape).toMatch(/s ago$/);
    }
    const failing = rows.find((r) => r.endpoint === failingUrl());
    expect(failing?.health).toBe('down');
    expect(failing?.error).toMatch(/503/);
    expect(failing?.error).toBe(api.find((t) => t.scrapeUrl === failingUrl())?.lastError);
    expect(rows.filter((r) => r.endpoint !== failingUrl()).map((r) => r.health)).toEqual(Array(DEMO_TARGETS).fill('up'));
    expect(await page.textContent('#summary')).toMatch(/2 members \(2 active\).*5 targets: 4 up, 1 down, 0 unknown/);
    expect(await page.textContent('#summary')).toContain('leader: status-coordinator');
    expect(consoleErrors).toEqual([]);
  });

  it("shows each member's samples beside its targets: the sum of its targets' last-scrape samples", async () => {
    await page.goto(`${coordinator.url}/status`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
    // Members and targets are two requests of one refresh: poll the page until one refresh saw the
    // same scrapes in both (the demo targets serve a fixed set of series, so it soon does).
    const seen = await eventually(
      async () => {
        const members = await page.$$eval('#members tr[data-member]', (trs) =>
          trs.map((tr) => ({ id: tr.getAttribute('data-member') ?? '', samples: tr.querySelector('td.samples')?.textContent?.trim() ?? '' })),
        );
        const rows = await targetRows();
        const sums = members.map((m) => rows.filter((r) => r.owner === m.id).reduce((n, r) => n + Number(r.samples), 0));
        if (members.some((m, i) => Number(m.samples) !== sums[i])) throw new Error(`members ${JSON.stringify(members)}, sums of their targets ${JSON.stringify(sums)}`);
        return { members, rows };
      },
      { timeoutMs: 15_000, intervalMs: 250, description: "members' samples to equal the sums of their targets' samples" },
    );
    expect(seen.members.map((m) => m.id)).toEqual(scraperNames);
    for (const row of seen.rows) expect(row.samples, row.endpoint).toMatch(/^\d+$/);
    // A target that answers 503 kept no samples; every healthy one some.
    expect(seen.rows.find((r) => r.endpoint === failingUrl())?.samples).toBe('0');
    for (const row of seen.rows.filter((r) => r.endpoint !== failingUrl())) expect(Number(row.samples), row.endpoint).toBeGreaterThan(0);
    expect(seen.members.reduce((n, m) => n + Number(m.samples), 0)).toBe(seen.rows.reduce((n, r) => n + Number(r.samples), 0));
    // The coordinator's API carries the same figures (members: samples; targets: lastScrapeSamples).
    const apiMembers = ((await (await fetch(`${coordinator.url}/api/v1/members`)).json()) as { data: { id: string; samples: number }[] }).data;
    expect(apiMembers.every((m) => typeof m.samples === 'number')).toBe(true);
    const apiSamples = (await apiTargets()) as (ApiTarget & { lastScrapeSamples?: number })[];
    expect(apiSamples.every((t) => typeof t.lastScrapeSamples === 'number')).toBe(true);
  });

  it('shows a label value that looks like HTML as text, never as markup', async () => {
    const labelTexts = await page.$$eval('#targets .label', (els) => els.map((e) => e.textContent));
    expect(labelTexts).toContain(`note="${HOSTILE_LABEL}"`);
    expect(await page.$$('#targets img, #targets b')).toHaveLength(0);
    expect(await page.evaluate(() => (globalThis as { __statusPageXss?: number }).__statusPageXss)).toBeUndefined();
  });

  it('health=down in the URL shows only the failing target; the select changes the URL', async () => {
    await page.goto(`${coordinator.url}/?health=down`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
    const rows = await targetRows();
    expect(rows.map((r) => [r.endpoint, r.health])).toEqual([[failingUrl(), 'down']]);
    expect(await page.inputValue('#filter-health')).toBe('down');
    expect(await page.textContent('#shown')).toBe('(1 of 5)');

    mkdirSync(ARTIFACTS, { recursive: true });
    // The unfiltered view for the artifact: back to all, through the select (which rewrites the URL).
    await page.selectOption('#filter-health', '');
    expect(new URL(page.url()).search).toBe('');
    expect(await targetRows()).toHaveLength(DEMO_TARGETS + 1);
    await page.selectOption('#filter-job', 'demo');
    expect(new URL(page.url()).searchParams.get('job')).toBe('demo');
    expect((await targetRows()).map((r) => r.job)).toEqual(Array(DEMO_TARGETS).fill('demo'));
    const owner = scraperNames[0] as string;
    await page.selectOption('#filter-job', '');
    await page.selectOption('#filter-owner', owner);
    expect(new URL(page.url()).searchParams.get('owner')).toBe(owner);
    expect((await targetRows()).every((r) => r.owner === owner)).toBe(true);
    await page.selectOption('#filter-owner', '');
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
  });

  it('refreshes itself: a target that recovers shows up again without a reload', async () => {
    const before = Number(await page.getAttribute('body', 'data-refreshes'));
    await fetch(`${demo.url}/control/recover/${FAILING}`, { method: 'POST' });
    await eventually(
      async () => {
        const row = (await targetRows()).find((r) => r.endpoint === failingUrl());
        return row?.health === 'up' ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, description: 'the recovered target shown as up' },
    );
    expect(Number(await page.getAttribute('body', 'data-refreshes'))).toBeGreaterThan(before);
    await fetch(`${demo.url}/control/fail/${FAILING}`, { method: 'POST' });
  });
});
