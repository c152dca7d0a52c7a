// The one error a malformed body produces: the 1-based line and a reason quoting the offending
// text. Built only on failure, so it may take its time.

import { NEWLINE } from './byte-classes.ts';
import { FLOAT_OUT_OF_RANGE, floatParseStatus, floatStatusReason } from './float-parser.ts';

export class ExpositionParseError extends Error {
  /** 1-based line of the body where parsing failed. */
  readonly line: number;
  /** What is wrong, quoting a short excerpt of the offending text. */
  readonly reason: string;

  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionParseError';
    this.line = line;
    this.reason = reason;
  }
}

/**
 * Throws an ExpositionParseError for the line holding byte pos, quoting the text from pos on
 * ("got ...", unless what already quotes it) and the line around it.
 */
export function fail(body: Uint8Array, pos: number, what: string, quoteToken = true): never {
  const n = body.length;
  let line = 1;
  for (let k = 0; k < pos && k < n; k++) if (body[k] === NEWLINE) line++;
  const start = pos > 0 ? body.lastIndexOf(NEWLINE, Math.min(pos, n) - 1) + 1 : 0;
  const end = lineEnd(body, Math.min(pos, n), n);
  let got: string;
  if (pos >= n) got = 'end of input';
  else if (body[pos] === NEWLINE) got = 'end of line';
  else got = JSON.stringify(decodeForMessage(body, pos, Math.min(end, pos + 16)));
  const excerptStart = Math.max(start, pos - 60);
  const excerptEnd = Math.min(end, Math.max(pos, excerptStart) + 20);
  let reason = quoteToken ? `${what}, got ${got}` : what;
  if (excerptEnd > excerptStart) {
    const excerpt = decodeForMessage(body, excerptStart, excerptEnd);
    reason += ` in ${excerptStart > start ? '…' : ''}${JSON.stringify(excerpt)}${excerptEnd < end ? '…' : ''}`;
  }
  if (end > start && body[end - 1] === 0x0d) reason += ' (the line ends with \\r: CRLF line endings are not accepted)';
  throw new ExpositionParseError(line, reason);
}

/** Fails for body[start, end), which the last parseGoFloat call rejected, read as `what`. */
export function failFloat(body: Uint8Array, start: number, end: number, what: string): never {
  const status = floatParseStatus();
  const reason = status === FLOAT_OUT_OF_RANGE ? `${what} out of range` : `${floatStatusReason(status)} as ${what}`;
  return fail(body, start, `${reason} ${JSON.stringify(decodeForMessage(body, start, Math.min(end, start + 40)))}`, false);
}

function lineEnd(body: Uint8Array, i: number, n: number): number {
  const eol = body.indexOf(NEWLINE, i);
  return eol === -1 ? n : eol;
}

const messageDecoder = new TextDecoder('utf-8');

function decodeForMessage(body: Uint8Array, start: number, end: number): string {
  return messageDecoder.decode(body.subarray(start, end));
}
