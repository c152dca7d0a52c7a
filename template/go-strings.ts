// Go's strings and golang.org/x/text/cases functions the template libraries expose.

import { goToLower, goToUpper } from '../model/go-case.ts';

/** strings.ToUpper / strings.ToLower: Go's simple case mapping (model/go-case.ts). */
export const toUpper = goToUpper;
export const toLower = goToLower;

/** strings.TrimSpace: Unicode white space (Go's unicode.IsSpace, which excludes U+FEFF). */
export function trimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0\p{Z}]+|[\t\n\v\f\r \u0085\u00a0\p{Z}]+$/gu, '');
}

const WORD = /[\p{L}\p{M}\p{Nd}]/u;
// Characters that stay inside a word when a letter follows (Unicode MidLetter / MidNumLet).
const MID_WORD = new Set(["'", '\u2019', '.', ':', '\u00b7', '\u2018', '\u2024', '\ufe52', '\uff07', '\uff0e']);

/**
 * cases.Title(language.AmericanEnglish): the first letter of each word upper-cased (title case)
 * and, unless noLower, the rest lower-cased. Words are runs of letters, marks and digits, which
 * an apostrophe or a full stop between letters does not break (so "don't" is one word).
 */
export function title(s: string, noLower = false): string {
  const chars = [...s];
  let out = '';
  let inWord = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (WORD.test(ch)) {
      if (!inWord) {
        const t = ch.toUpperCase();
        out += [...t].length === 1 ? t : ch;
        inWord = true;
      } else out += noLower ? ch : toLower(ch);
    } else if (inWord && MID_WORD.has(ch) && i + 1 < chars.length && WORD.test(chars[i + 1] as string)) {
      out += ch;
    } else {
      out += ch;
      inWord = false;
    }
  }
  return out;
}
