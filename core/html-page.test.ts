import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { buildHtmlPage, inlineScript, mountHtmlPage } from './html-page.ts';

const sha = (t: string): string => `'sha256-${createHash('sha256').update(t, 'utf8').digest('base64')}'`;

describe('html page', () => {
  it('allows exactly its inline script and style by hash, or style attributes when asked', () => {
    const shell = (style: string, script: string): string => `<style>${style}</style><script>${script}</script>`;
    const page = buildHtmlPage({ style: 'b{}', script: 'x()', shell });
    expect(page.html).toBe('<style>b{}</style><script>x()</script>');
    expect(page.contentSecurityPolicy).toContain(`script-src ${sha('x()')}`);
    expect(page.contentSecurityPolicy).toContain(`style-src ${sha('b{}')}`);
    expect(page.contentSecurityPolicy).toContain("default-src 'none'");
    expect(buildHtmlPage({ style: 'b{}', script: 'x()', shell, styleAttributes: true }).contentSecurityPolicy).toContain("style-src 'unsafe-inline'");
  });

  it('refuses a script that would end its own <script> element', () => {
    expect(() => inlineScript([], "s = '</script><script>alert(1)';")).toThrow(/would end the <script> element/);
    expect(() => inlineScript([], 'x = 1; <!-- y')).toThrow(/would end the <script> element/);
    expect(inlineScript([], 'go();')).toBe('\ngo();');
  });

  it('serves the page at its paths, GET only, with the security headers', async () => {
    const app = new Hono();
    let builds = 0;
    mountHtmlPage(app, ['/', '/status'], () => {
      builds++;
      return { html: '<p>hi</p>', contentSecurityPolicy: "default-src 'none'" };
    });
    for (const path of ['/', '/status']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe('<p>hi</p>');
    }
    expect(builds).toBe(1);
    expect((await app.request('/', { method: 'POST' })).status).toBe(404);
  });
});
