// Token scanners both formats share (bare names, quoted strings, line ends) and the facts about
// the body being parsed that they need.
//
// They rely on the body ending in a newline (parseExposition sees to it): loops that stop at a
// newline need no "i < n" test. Results beyond the returned index go into module variables rather
// than result objects, so that the per-sample path allocates nothing; they are only read right
// after the call that set them.

import { isUtf8 } from 'node:buffer';
import * as bytes from './byte-classes.ts';
import { fail } from './parse-error.ts';

const { CHAR_CLASS, NEWLINE, QUOTE, BACKSLASH } = bytes; // module constants: see byte-classes.ts

/**
 * Whether label values, quoted names and HELP texts need their own UTF-8 check: the body as a
 * whole is not valid UTF-8 (comments may legitimately hold anything).
 */
export let checkUtf8 = true;
/** The body as 32-bit words from body index wordBase on (see findNewline). */
let bodyWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
let wordBase = 0;

/** Flags of the last scanned quoted string (see quotedStringFlags). */
let quotedFlags = 0;
export const QUOTED_NON_ASCII = 0x80;
export const QUOTED_ESCAPED = 0x100;

/** What the scanners knew about the body before enterBody, for leaveBody. */
export interface OuterBody {
  readonly checkUtf8: boolean;
  readonly bodyWords: Uint32Array<ArrayBufferLike>;
  readonly wordBase: number;
}

/**
 * Prepares the scanners for body and returns their previous state, which the caller hands to
 * leaveBody when done: a visitor may parse another body from inside a callback.
 */
export function enterBody(body: Uint8Array): OuterBody {
  const outer: OuterBody = { checkUtf8, bodyWords, wordBase };
  // One native (SIMD) pass settles UTF-8 validity for the whole body, which is nearly always valid.
  checkUtf8 = !isUtf8(body);
  const alignedOffset = (body.byteOffset + 3) & ~3;
  wordBase = alignedOffset - body.byteOffset;
  bodyWords = new Uint32Array(body.buffer, alignedOffset, Math.max(0, (body.length - wordBase) >> 2));
  return outer;
}

export function leaveBody(outer: OuterBody): void {
  checkUtf8 = outer.checkUtf8;
  bodyWords = outer.bodyWords;
  wordBase = outer.wordBase;
}

/**
 * End of the name at i (a metric name with METRIC_CONTINUE, a label name with LABEL_CONTINUE),
 * whose first byte the caller has checked. (Reading 4 bytes at a time measured no faster here.)
 */
export function scanName(body: Uint8Array, i: number, classBit: number): number {
  i++;
  while ((CHAR_CLASS[body[i]!]! & classBit) !== 0) i++;
  return i;
}

const UNTERMINATED = 'unterminated quoted string (a label value must close on its line; newlines are written as \\n)';

/**
 * QUOTED_NON_ASCII and QUOTED_ESCAPED for the string the last scanQuotedInLine or scanQuoted
 * call scanned. (A function, not an exported variable: see byte-classes.ts.)
 */
export function quotedStringFlags(): number {
  return quotedFlags;
}

/**
 * Scans the double-quoted string whose opening quote is at i, within the line; returns the index
 * after the closing quote; its flags are then quotedStringFlags().
 */
export function scanQuotedInLine(body: Uint8Array, i: number): number {
  let flags = 0;
  for (;;) {
    const c = body[++i]!;
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      flags |= QUOTED_ESCAPED;
      const escapedByte = body[++i]!;
      if (escapedByte === NEWLINE) break;
      flags |= escapedByte;
    } else {
      if (c === NEWLINE) break;
      flags |= c;
    }
  }
  if (body[i] !== QUOTE) fail(body, i, UNTERMINATED);
  quotedFlags = flags;
  return i + 1;
}

/**
 * Scans the double-quoted string whose opening quote is at i, within the line and before n (a
 * metadata name may run to the end of the body); returns the index after the closing quote and
 * sets what quotedStringFlags() returns.
 */
export function scanQuoted(body: Uint8Array, i: number, n: number): number {
  const start = i;
  i++;
  let flags = 0;
  while (i < n) {
    const c = body[i]!;
    if (c === QUOTE) {
      quotedFlags = flags;
      return i + 1;
    }
    if (c === BACKSLASH) {
      flags |= QUOTED_ESCAPED;
      i++;
      if (i >= n || body[i] === NEWLINE) break;
      flags |= body[i]!;
      i++;
      continue;
    }
    if (c === NEWLINE) break;
    flags |= c;
    i++;
  }
  return fail(body, i >= n ? start : i, UNTERMINATED);
}

/** Index of the next newline at or after i, or n. Reads 4 bytes at a time over long stretches. */
export function findNewline(body: Uint8Array, i: number, n: number): number {
  while (((i - wordBase) & 3) !== 0) {
    if (i >= n || body[i] === NEWLINE) return i;
    i++;
  }
  const words = bodyWords;
  const wordCount = words.length;
  let w = (i - wordBase) >> 2;
  while (w < wordCount) {
    const x = words[w]! ^ 0x0a0a0a0a;
    // Nonzero exactly when some byte of x is zero, i.e. some byte of the word is a newline.
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    w++;
  }
  i = wordBase + (w << 2);
  while (i < n && body[i] !== NEWLINE) i++;
  return i;
}
