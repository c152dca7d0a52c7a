// Prometheus' model.LabelSet.Fingerprint() (prometheus/common model/signature.go): FNV-1a 64 over
// the label names in sorted order, each name and value followed by the 0xff separator byte. This
// is the alert identity Alertmanager shows (as 16 hex digits) and groups by.
//
// The 64-bit state is kept as two 32-bit halves so no BigInt is needed on this hot-ish path.
// FNV's prime is 2^40 + 0x1b3, so h * prime = (h << 40) + h * 0x1b3 (mod 2^64).
import { compareCodePoints as compareStrings } from '../core/code-point-order.ts';

const encoder = new TextEncoder();
const utf8Bytes = (s: string): Uint8Array => encoder.encode(s);

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const SEPARATOR = 0xff;

interface FnvState {
  hi: number;
  lo: number;
}

function addByte(h: FnvState, byte: number): void {
  const lo = (h.lo ^ byte) >>> 0;
  const loMul = lo * 0x1b3; // < 2^41: exact in a double
  const carry = Math.floor(loMul / 0x1_0000_0000);
  h.hi = (h.hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
  h.lo = loMul >>> 0;
}

function addString(h: FnvState, s: string): void {
  for (const byte of utf8Bytes(s)) addByte(h, byte);
}

/** The fingerprint of a label set as its two 32-bit halves. Empty values are hashed like any other, as Go does. */
function fingerprintHalves(labels: Readonly<Record<string, string>>): FnvState {
  const h = { hi: OFFSET_HI, lo: OFFSET_LO };
  for (const name of Object.keys(labels).sort(compareStrings)) {
    addString(h, name);
    addByte(h, SEPARATOR);
    addString(h, labels[name] as string);
    addByte(h, SEPARATOR);
  }
  return h;
}

export function fingerprint(labels: Readonly<Record<string, string>>): bigint {
  const h = fingerprintHalves(labels);
  return (BigInt(h.hi) << 32n) | BigInt(h.lo);
}

/** 16 lower-case hex digits, as model.Fingerprint.String() and Alertmanager print it. */
export function fingerprintHex(labels: Readonly<Record<string, string>>): string {
  const h = fingerprintHalves(labels);
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
}
