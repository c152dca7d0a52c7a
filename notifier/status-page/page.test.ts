import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { buildStatusPage, mountStatusPage, statusPageScript } from './page.ts';
import type { RenderedPage } from './render.ts';

describe('notifier status page', () => {
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
      expect(csp).not.toContain('unsafe');
      const html = await res.text();
      expect(html).toContain('<title>Ringwatch notifier status</title>');
      expect(html).not.toMatch(/<(link|img|iframe)\b/i);
      expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
      expect(html).not.toMatch(/https?:\/\//);
    }
    expect((await app.request('/', { method: 'POST' })).status).toBe(404);
  });

  it('the CSP hashes are those of the one inline script and the one style element', () => {
    const page = buildStatusPage();
    const digest = (s: string | undefined): string => createHash('sha256').update(s ?? '', 'utf8').digest('base64');
    const scripts = [...page.html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)];
    const styles = [...page.html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(page.contentSecurityPolicy).toContain(`script-src 'sha256-${digest(scripts[0]?.[1])}'`);
    expect(page.contentSecurityPolicy).toContain(`style-src 'sha256-${digest(styles[0]?.[1])}'`);
    // No style attributes (the CSP hash would not allow them).
    expect(page.html).not.toMatch(/\sstyle=/);
  });

  it("the inline script's render functions are valid JavaScript that work on their own", async () => {
    const script = statusPageScript();
    const fns = script.slice(0, script.indexOf('const REFRESH_MS'));
    const mod = (await import(`data:text/javascript,${encodeURIComponent(`${fns}\nexport { renderPage };`)}`)) as { renderPage(d: unknown): RenderedPage };
    const page = mod.renderPage({
      alerts: [{ fingerprint: 'f', labels: { alertname: '<b>x</b>' }, annotations: {}, startsAt: '', endsAt: '', receivers: [], status: { state: 'active', silencedBy: [], inhibitedBy: [] } }],
      groups: [],
      silences: [],
      notifications: [],
      nowMs: 0,
    });
    expect(page.alerts).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
