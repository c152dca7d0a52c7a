// Backslash escapes of quoted names, label values and HELP texts.

import { BACKSLASH, NEWLINE, QUOTE } from './byte-classes.ts';

/** Decodes \\ \" and \n, leaving any other backslash as written (as Prometheus' replacer). */
export function unescapeLabelValue(s: string): string {
  return s.indexOf('\\') === -1 ? s : s.replace(/\\(["\\n])/g, (_match, e: string) => (e === 'n' ? '\n' : e));
}

/** Text-format HELP escapes are only \\ and \n. */
export function unescapeTextHelp(s: string): string {
  return s.indexOf('\\') === -1 ? s : s.replace(/\\([\\n])/g, (_match, e: string) => (e === 'n' ? '\n' : e));
}

/**
 * Whether two escaped byte ranges decode to the same bytes (\\ \" \n decoded, any other
 * backslash kept), without allocating.
 */
export function decodedEquals(body: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  while (a < aEnd && b < bEnd) {
    let ca = body[a++]!;
    if (ca === BACKSLASH && a < aEnd) {
      const e = body[a]!;
      if (e === BACKSLASH || e === QUOTE) {
        ca = e;
        a++;
      } else if (e === 0x6e) {
        ca = NEWLINE;
        a++;
      }
    }
    let cb = body[b++]!;
    if (cb === BACKSLASH && b < bEnd) {
      const e = body[b]!;
      if (e === BACKSLASH || e === QUOTE) {
        cb = e;
        b++;
      } else if (e === 0x6e) {
        cb = NEWLINE;
        b++;
      }
    }
    if (ca !== cb) return false;
  }
  return a === aEnd && b === bEnd;
}
