// UTF-8 checks and decoding for the pieces of a body that become strings. parseExposition settles
// validity for a whole body in one native pass; these are for the rare body that needs its label
// values and HELP texts checked one by one.

export function isAsciiOrValidUtf8(body: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    if (body[k]! >= 0x80) return isValidUtf8(body, k, end);
  }
  return true;
}

/** Go's utf8.Valid: rejects overlong forms, surrogates and code points above U+10FFFF. */
export function isValidUtf8(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
    } else if (c < 0xc2) {
      return false;
    } else if (c < 0xe0) {
      if (i + 1 >= end || (b[i + 1]! & 0xc0) !== 0x80) return false;
      i += 2;
    } else if (c < 0xf0) {
      if (i + 2 >= end) return false;
      const c1 = b[i + 1]!;
      if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80) return false;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return false;
      i += 3;
    } else if (c < 0xf5) {
      if (i + 3 >= end) return false;
      const c1 = b[i + 1]!;
      if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80 || (b[i + 3]! & 0xc0) !== 0x80) return false;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

const utf8Decoder = new TextDecoder('utf-8');

/** body[start, end) as a string; short ASCII runs skip the native decoder, whose call costs more. */
export function decodeUtf8(body: Uint8Array, start: number, end: number): string {
  if (end - start < 32) {
    let ascii = '';
    for (let k = start; k < end; k++) {
      const c = body[k]!;
      if (c >= 0x80) return utf8Decoder.decode(body.subarray(start, end));
      ascii += String.fromCharCode(c);
    }
    return ascii;
  }
  return utf8Decoder.decode(body.subarray(start, end));
}
