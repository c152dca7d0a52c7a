// Label sets as Alertmanager sees them (prometheus/common model.LabelSet): printing, fingerprints,
// label-name validity, and the Go string helpers those need to print byte-for-byte the same.
import { compareCodePoints } from '../core/code-point-order.ts';
import { fingerprintHex } from '../model/fingerprint.ts';
import { isValidLabelName as isModelLabelName } from '../model/labels.ts';

/** An alert's labels (or annotations): name -> value. A missing label reads as "". */
export type LabelSet = Readonly<Record<string, string>>;

/** model.LabelName.IsValid in classic (legacy) validation, as Alertmanager's classic mode uses it. */
export function isValidLabelName(name: string): boolean {
  return isModelLabelName(name, 'legacy');
}

/** Go's string ordering (bytewise on UTF-8), which is code point order: core/code-point-order.ts. */
export const compareGoStrings = compareCodePoints;

export function sortedNames(labels: LabelSet): string[] {
  return Object.keys(labels).sort(compareGoStrings);
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.Quote: a double-quoted Go string literal with Go's escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (GO_PRINTABLE.test(ch)) {
      out += ch;
    } else {
      switch (ch) {
        case '\x07': out += '\\a'; break;
        case '\b': out += '\\b'; break;
        case '\f': out += '\\f'; break;
        case '\n': out += '\\n'; break;
        case '\r': out += '\\r'; break;
        case '\t': out += '\\t'; break;
        case '\v': out += '\\v'; break;
        default:
          if (r < 0x20 || r === 0x7f) out += `\\x${r.toString(16).padStart(2, '0')}`;
          else if (r < 0x10000) out += `\\u${r.toString(16).padStart(4, '0')}`;
          else out += `\\U${r.toString(16).padStart(8, '0')}`;
      }
    }
  }
  return `${out}"`;
}

/** model.LabelSet.String(): `{a="1", b="2"}`, names sorted, values Go-quoted. */
export function labelSetString(labels: LabelSet): string {
  return `{${sortedNames(labels).map((n) => `${n}=${goQuote(labels[n] as string)}`).join(', ')}}`;
}

/**
 * model.LabelSet.Fingerprint(): FNV-1a 64 over sorted `name 0xff value 0xff`, as 16 hex digits
 * (Fingerprint.String()): model/fingerprint.ts, shared with the alerting node.
 */
export const fingerprint: (labels: LabelSet) => string = fingerprintHex;
