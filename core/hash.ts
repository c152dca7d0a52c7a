// Deterministic, fast, well-distributed 32-bit hashing shared by every process of the fleet.
//
// hashString is XXH32 (xxHash, 32-bit variant) of the string's UTF-8 bytes, so any other language
// can reproduce it with a stock xxhash library. mix32 is MurmurHash3_x86_32 (seed 0) of the 8 bytes
// a‖b (each little-endian), used to derive a per-(target, member) weight from two hashes.
//
// These values decide which scraper owns which target: changing either function reshuffles every
// fleet at upgrade time. The unit tests pin exact outputs so that can never happen silently.

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

// One reusable buffer for the UTF-8 bytes: hashing allocates nothing once it has grown.
let scratch = new Uint8Array(1024);

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Writes the UTF-8 encoding of s into scratch (lone surrogates as U+FFFD, like TextEncoder); returns its length. */
function encodeUtf8(s: string): number {
  const n = s.length;
  if (scratch.length < n * 3) scratch = new Uint8Array(Math.max(n * 3, scratch.length * 2));
  const out = scratch;
  let len = 0;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[len++] = c;
    } else if (c < 0x800) {
      out[len++] = 0xc0 | (c >>> 6);
      out[len++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[len++] = 0xf0 | (c >>> 18);
        out[len++] = 0x80 | ((c >>> 12) & 0x3f);
        out[len++] = 0x80 | ((c >>> 6) & 0x3f);
        out[len++] = 0x80 | (c & 0x3f);
      } else {
        out[len++] = 0xef;
        out[len++] = 0xbf;
        out[len++] = 0xbd;
      }
    } else {
      out[len++] = 0xe0 | (c >>> 12);
      out[len++] = 0x80 | ((c >>> 6) & 0x3f);
      out[len++] = 0x80 | (c & 0x3f);
    }
  }
  return len;
}

function read32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) | 0;
}

function round(acc: number, input: number): number {
  acc = (acc + Math.imul(input, P2)) | 0;
  return Math.imul(rotl(acc, 13), P1);
}

/** XXH32 of the first len bytes of b. */
export function xxh32(b: Uint8Array, len: number, seed = 0): number {
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = len - 16;
    do {
      v1 = round(v1, read32(b, i));
      v2 = round(v2, read32(b, i + 4));
      v3 = round(v3, read32(b, i + 8));
      v4 = round(v4, read32(b, i + 12));
      i += 16;
    } while (i <= limit);
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + len) | 0;
  for (; i + 4 <= len; i += 4) {
    h = (h + Math.imul(read32(b, i), P3)) | 0;
    h = Math.imul(rotl(h, 17), P4);
  }
  for (; i < len; i++) {
    h = (h + Math.imul(b[i] as number, P5)) | 0;
    h = Math.imul(rotl(h, 11), P1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/** XXH32 of the UTF-8 bytes of s, as an unsigned 32-bit integer. seed is taken modulo 2^32. */
export function hashString(s: string, seed = 0): number {
  const len = encodeUtf8(s); // may replace scratch, so read it afterwards
  return xxh32(scratch, len, seed >>> 0);
}

/** MurmurHash3's finalizer: a bijection on 32-bit integers with full avalanche. Returns unsigned. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * Combines two 32-bit values into one well-mixed unsigned 32-bit value: MurmurHash3_x86_32 with
 * seed 0 over the 8 bytes a‖b (little-endian). Allocation-free; order matters (mix32(a,b) ≠ mix32(b,a)).
 */
export function mix32(a: number, b: number): number {
  return mix32Join(mix32Left(a), mix32Right(b));
}

// mix32 split in three so that a loop over many (a, b) pairs can precompute the part that depends
// on a alone and the part that depends on b alone: mix32(a, b) === mix32Join(mix32Left(a), mix32Right(b)).

/** Murmur3 state after absorbing the first word. */
export function mix32Left(a: number): number {
  let k = Math.imul(a, C1);
  k = Math.imul((k << 15) | (k >>> 17), C2);
  const h = (k << 13) | (k >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The second word, scrambled as Murmur3 scrambles each block. */
export function mix32Right(b: number): number {
  const k = Math.imul(b, C1);
  return Math.imul((k << 15) | (k >>> 17), C2);
}

/** Absorbs the scrambled second word into the state and finalizes (length 8). Unsigned result. */
export function mix32Join(left: number, right: number): number {
  let h = left ^ right;
  h = (h << 13) | (h >>> 19);
  h = ((Math.imul(h, 5) + 0xe6546b64) | 0) ^ 8;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
