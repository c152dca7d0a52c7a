// Prometheus' escaping of UTF-8 metric and label names for consumers that only take legacy names
// (prometheus/common model.EscapeName), selected by a job's metric_name_escaping_scheme.
import type { NameEscapingScheme } from './scrape-config.ts';
import { isValidMetricName } from './labels.ts';

function isLegacyRune(c: number, i: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || (c >= 0x30 && c <= 0x39 && i > 0);
}

export function escapeName(name: string, scheme: NameEscapingScheme): string {
  if (name === '' || scheme === 'allow-utf-8') return name;
  // Dots escaping does not return early for legacy names: it escapes underscores too (round trip).
  if (scheme !== 'dots' && isValidMetricName(name)) return name;
  let out = scheme === 'values' ? 'U__' : '';
  let i = 0;
  for (const ch of name) {
    const c = ch.codePointAt(0) as number;
    if (scheme === 'underscores') out += isLegacyRune(c, i) ? ch : '_';
    else if (c === 0x5f) out += '__';
    else if (scheme === 'dots' && c === 0x2e) out += '_dot_';
    else if (isLegacyRune(c, i)) out += ch;
    else if (scheme === 'dots') out += '__';
    else out += `_${c.toString(16)}_`;
    // Go ranges over a string by byte offset: i > 0 for every rune but the first.
    i += ch.length;
  }
  return out;
}
