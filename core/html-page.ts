// A self-contained HTML page served by a node (the coordinator's and the notifier's status pages):
// one inline script and one inline style, allowed by their hashes in a strict Content-Security-
// Policy, nothing loaded from anywhere, data only from the node itself. The render functions run
// both in Node (tests) and in the browser: they are sent as their source (Function#toString), so
// each page's render module defines every function it uses itself (an imported one is rewritten
// by the module loader and would not exist in the browser).
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';

/** The inline script: the functions' sources, then the glue that uses them. */
export function inlineScript(functions: readonly ((...args: never[]) => unknown)[], glue: string): string {
  const script = `${functions.map((fn) => fn.toString()).join('\n\n')}\n${glue}`;
  if (/<\/script/i.test(script) || script.includes('<!--')) throw new Error('page script contains a sequence that would end the <script> element');
  return script;
}

export interface HtmlPage {
  html: string;
  contentSecurityPolicy: string;
}

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export interface HtmlPageParts {
  style: string;
  script: string;
  /** The document, given the style and the script to inline. */
  shell: (style: string, script: string) => string;
  /** Style attributes (e.g. computed widths) need 'unsafe-inline'; otherwise the style's hash. */
  styleAttributes?: boolean;
}

export function buildHtmlPage(parts: HtmlPageParts): HtmlPage {
  return {
    html: parts.shell(parts.style, parts.script),
    // Only this exact script and style may run; data only from this origin; nothing else loads.
    contentSecurityPolicy: [
      "default-src 'none'",
      `script-src ${sha256Source(parts.script)}`,
      // A hash cannot allow style attributes.
      `style-src ${parts.styleAttributes === true ? "'unsafe-inline'" : sha256Source(parts.style)}`,
      "connect-src 'self'",
      "img-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

/** Serves the page (built once, on first request) at each path, GET only. */
export function mountHtmlPage(app: Hono, paths: readonly string[], build: () => HtmlPage): void {
  let page: HtmlPage | undefined;
  const serve = (): Response => {
    page ??= build();
    return new Response(page.html, {
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': page.contentSecurityPolicy,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      },
    });
  };
  for (const path of paths) app.get(path, serve);
}
