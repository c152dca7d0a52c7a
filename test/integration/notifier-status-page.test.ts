// The notifier's status page in a real headless Chromium (Debian's chromium, driven by
// playwright-core), against a notifier process on the harness' Kafka and etcd with a webhook sink
// as receiver: a firing alert, a silenced one and its silence, the aggregation groups and the last
// notifications appear; a label value that looks like HTML stays text; the page refreshes itself.
// A screenshot is kept in .data/test-artifacts/.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { fingerprint } from '../../notifier/labels.ts';
import { eventually } from '../harness/eventually.ts';
import { startAlertProducer, startNotifierNode, type AlertProducer, type NotifierNode } from '../harness/notifier-node.ts';
import { startWebhookSink, type WebhookSink } from '../harness/webhook-sink.ts';

const HOSTILE_LABEL = '<img src=x onerror="window.__notifierPageXss=1"><b>bold</b>';
const ARTIFACTS = join(repoRoot(), '.data', 'test-artifacts');

describe('notifier status page (headless Chromium)', () => {
  const infra = inject('infra');
  const prefix = `/rw-notifier-page-${randomBytes(3).toString('hex')}/`;
  let hook: WebhookSink;
  let notifier: NotifierNode;
  let alerts: AlertProducer;
  let browser: Browser;
  let page: Page;
  let silenceId: string;
  const firing = { alertname: 'DiskFull', instance: 'db-1', note: HOSTILE_LABEL };
  const silenced = { alertname: 'Noisy', instance: 'n-1' };

  beforeAll(async () => {
    hook = await startWebhookSink();
    notifier = await startNotifierNode({
      name: 'notifier-page',
      kafkaBrokers: infra.kafkaBrokers,
      etcd: { endpoints: infra.etcdEndpoints, prefix },
      alertmanagerConfig: {
        route: { receiver: 'team-hook', group_by: ['alertname'], group_wait: '1s', group_interval: '2s', repeat_interval: '1h' },
        receivers: [{ name: 'team-hook', webhook_configs: [{ url: `${hook.url}/page` }] }],
      },
    });
    alerts = await startAlertProducer(infra.kafkaBrokers, notifier.topic);
    const res = await fetch(`${notifier.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'Noisy', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'page-tester',
        comment: 'planned <maintenance>',
      }),
    });
    expect(res.status).toBe(200);
    silenceId = ((await res.json()) as { silenceID: string }).silenceID;
    await Promise.all([alerts.send('firing', firing), alerts.send('firing', silenced)]);
    await eventually(() => hook.received.find((r) => r.body.groupLabels.alertname === 'DiskFull'), { timeoutMs: 10_000, description: 'the firing alert notified' });

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await alerts?.close();
    await notifier?.node.stop();
    await hook?.close();
    const etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    await etcd.delete().prefix(prefix);
    etcd.close();
  });

  const rows = (selector: string): Promise<string[][]> =>
    page.$$eval(selector, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())));

  it('shows the firing alert, the silenced one, its silence, the groups and the last notification', async () => {
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${notifier.url}/`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });

    const fire = await page.$(`#alerts tr[data-fingerprint="${fingerprint(firing)}"]`);
    expect(fire).not.toBeNull();
    expect(await fire?.getAttribute('data-state')).toBe('active');
    expect(await fire?.$eval('td.receivers', (td) => td.textContent)).toBe('team-hook');
    expect(await fire?.$eval('td.summary', (td) => td.textContent)).toBe('DiskFull is happening');
    const quiet = await page.$(`#alerts tr[data-fingerprint="${fingerprint(silenced)}"]`);
    expect(await quiet?.getAttribute('data-state')).toBe('suppressed');
    expect(await quiet?.$eval('.why', (d) => d.textContent)).toBe(`silenced by ${silenceId}`);

    const silenceRows = await rows('#silences tr.silence');
    expect(silenceRows).toHaveLength(1);
    expect(silenceRows[0]?.[0]).toBe(`alertname="Noisy"${silenceId}`);
    expect(silenceRows[0]?.slice(1, 2)).toEqual(['active']);
    expect(silenceRows[0]?.[2]).toMatch(/^ends in (59m|1h)/);
    expect(silenceRows[0]?.slice(3)).toEqual(['page-tester', 'planned <maintenance>']);

    const groups = await rows('#groups tr.group');
    expect(groups).toEqual(expect.arrayContaining([['alertname="DiskFull"', 'team-hook', '1'], ['alertname="Noisy"', 'team-hook', '1']]));

    const notes = await rows('#notifications tr.notification');
    const diskFull = notes.find((r) => r[2] === 'alertname="DiskFull"');
    expect(diskFull?.[0]).toMatch(/s ago$/);
    expect(diskFull?.slice(1)).toEqual(['team-hook webhook[0]', 'alertname="DiskFull"', 'firing, 1 alert', 'sent']);
    expect(notes.some((r) => r[2] === 'alertname="Noisy"')).toBe(false);
    expect((await page.textContent('#summary'))?.replace(/\s+/g, ' ')).toContain('2 alerts (1 active, 1 suppressed)');
    expect(consoleErrors).toEqual([]);
  });

  it('shows a label value that looks like HTML as text, never as markup', async () => {
    const labels = await page.$$eval('#alerts .label', (els) => els.map((e) => e.textContent));
    expect(labels).toContain(`note="${HOSTILE_LABEL}"`);
    expect(await page.$$('main img, main b')).toHaveLength(0);
    expect(await page.evaluate(() => (globalThis as { __notifierPageXss?: number }).__notifierPageXss)).toBeUndefined();
  });

  it('refreshes itself: a new alert and its notification show up without a reload', async () => {
    const before = Number(await page.getAttribute('body', 'data-refreshes'));
    const late = { alertname: 'LateArrival', instance: 'l-1' };
    await alerts.send('firing', late);
    await eventually(
      async () => ((await rows('#notifications tr.notification')).some((r) => r[2] === 'alertname="LateArrival"' && r[4] === 'sent') ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 250, description: 'the new alert notified, on the page' },
    );
    expect(await page.$(`#alerts tr[data-fingerprint="${fingerprint(late)}"]`)).not.toBeNull();
    expect(Number(await page.getAttribute('body', 'data-refreshes'))).toBeGreaterThan(before);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'notifier-status-page.png'), fullPage: true });
  });
});
