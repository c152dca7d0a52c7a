import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { buildStatusPage, mountStatusPage, statusPageScript } from './page.ts';
import type { RenderedPage } from './render.ts';

describe('status page', () => {
  it('is served at / and /status as self-contained HTML with a strict CSP', async () => {
    const app = new Hono();
    mountStatusPage(app);
    for (const path of ['/', '/status']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
      const html = await res.text();
      expect(html).toContain('<title>Ringwatch fleet status</title>');
      // No external assets: nothing loaded from anywhere.
      expect(html).not.toMatch(/<(link|img|iframe)\b/i);
      expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
      expect(html).not.toMatch(/https?:\/\//);
    }
    expect((await app.request('/status', { method: 'POST' })).status).toBe(404);
  });

  it('the CSP hash is that of the one inline script', async () => {
    const { createHash } = await import('node:crypto');
    const page = buildStatusPage();
    const scripts = [...page.html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]?.[1] ?? '', 'utf8').digest('base64');
    expect(page.contentSecurityPolicy).toContain(`'sha256-${hash}'`);
  });

  it("the inline script's render functions are valid JavaScript that work on their own", async () => {
    // Everything before the glue (which needs a DOM) is render.ts' functions, as compiled.
    const script = statusPageScript();
    const fns = script.slice(0, script.indexOf('const REFRESH_MS'));
    const mod = (await import(`data:text/javascript,${encodeURIComponent(`${fns}\nexport { renderPage, parseFilters };`)}`)) as {
      renderPage(d: unknown): RenderedPage;
      parseFilters(s: string): unknown;
    };
    const page = mod.renderPage({
      members: [],
      targets: [{ scrapePool: 'j', scrapeUrl: 'http://x/<b>', labels: {}, owner: null, health: 'down', lastError: '<e>', lastScrape: '', lastScrapeDuration: 0 }],
      leader: null,
      nowMs: 0,
      filters: mod.parseFilters('?health=down'),
    });
    expect(page.shown).toBe(1);
    expect(page.targets).toContain('&lt;e&gt;');
  });
});
