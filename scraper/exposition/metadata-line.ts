// Pieces of the # HELP / # TYPE / # UNIT lines that both formats share: the keyword, the metric
// family name (bare or quoted) and the type word. Which keywords and types a format allows, and
// how its text is escaped, stay in the format's file.

import * as bytes from './byte-classes.ts';
import { unescapeLabelValue } from './escapes.ts';
import { fail } from './parse-error.ts';
import * as tokens from './tokens.ts';
import { checkUtf8 } from './tokens.ts';
import { decodeUtf8, isValidUtf8 } from './utf8.ts';

// Module constants, not imported bindings, on the hot path: see byte-classes.ts.
const { CHAR_CLASS, METRIC_CONTINUE, METRIC_START, NEWLINE, QUOTE } = bytes;
const { QUOTED_NON_ASCII, quotedStringFlags, scanName, scanQuoted } = tokens;

export const KEYWORD_NONE = 0;
export const KEYWORD_HELP = 1;
export const KEYWORD_TYPE = 2;
export const KEYWORD_UNIT = 3;

/** The HELP / TYPE / UNIT keyword at j (4 bytes; the caller checks the separator after it). */
export function keywordAt(body: Uint8Array, j: number): number {
  const a = body[j];
  const b = body[j + 1];
  const c = body[j + 2];
  const d = body[j + 3];
  if (a === 0x48 && b === 0x45 && c === 0x4c && d === 0x50) return KEYWORD_HELP;
  if (a === 0x54 && b === 0x59 && c === 0x50 && d === 0x45) return KEYWORD_TYPE;
  if (a === 0x55 && b === 0x4e && c === 0x49 && d === 0x54) return KEYWORD_UNIT;
  return KEYWORD_NONE;
}

export function keywordName(keyword: number): string {
  return keyword === KEYWORD_HELP ? 'HELP' : keyword === KEYWORD_TYPE ? 'TYPE' : 'UNIT';
}

/** Scans the metric family name of a metadata line at j, bare or quoted; returns its end. */
export function scanMetadataName(body: Uint8Array, j: number, eol: number, keyword: number): number {
  // eol bounds the quoted form only: a bare name always stops at the body's final newline.
  const c = j < eol ? body[j]! : NEWLINE;
  if ((CHAR_CLASS[c]! & METRIC_START) !== 0) return scanName(body, j, METRIC_CONTINUE);
  if (c === QUOTE) {
    const end = scanQuoted(body, j, eol);
    if (end - j === 2) fail(body, j, `empty metric name after ${keywordName(keyword)}`);
    if ((quotedStringFlags() & QUOTED_NON_ASCII) !== 0 && checkUtf8 && !isValidUtf8(body, j + 1, end - 1)) fail(body, j, 'quoted name is not valid UTF-8');
    return end;
  }
  return fail(body, j, `expected metric name after ${keywordName(keyword)}`);
}

/** Which of types fills body from start to the end of the line exactly, or -1. */
export function typeEndingLine(body: Uint8Array, start: number, n: number, types: readonly Uint8Array[]): number {
  for (let w = 0; w < types.length; w++) {
    const word = types[w]!;
    const length = word.length;
    const end = start + length;
    if (end > n || (end < n && body[end] !== NEWLINE)) continue;
    let k = 0;
    while (k < length && body[start + k] === word[k]) k++;
    if (k === length) return w;
  }
  return -1;
}

export function failInvalidType(body: Uint8Array, start: number, end: number): never {
  return fail(body, start, `invalid metric type ${JSON.stringify(decodeUtf8(body, start, end))}`, false);
}

/** The family name scanned by scanMetadataName as a string (quotes stripped, escapes decoded). */
export function decodeFamilyName(body: Uint8Array, start: number, end: number): string {
  if (body[start] === QUOTE) return unescapeLabelValue(decodeUtf8(body, start + 1, end - 1));
  return decodeUtf8(body, start, end);
}

const asciiEncoder = new TextEncoder();

/** Type words as bytes, for typeEndingLine. */
export function typeWords(types: readonly string[]): readonly Uint8Array[] {
  return types.map((t) => asciiEncoder.encode(t));
}
