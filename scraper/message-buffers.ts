// Kafka message values of a thread, reused (VictoriaMetrics' lib/promscrape allocates nothing per
// scrape on the hot path). A scrape's value is taken when its message is encoded and given back by
// the producer once Kafka acknowledged it, or once it was dropped: never while the client may
// still read it. Without this, every scrape's value (about 10 KB for node_exporter) was a fresh
// ArrayBuffer outside V8's heap, and V8 lets such memory grow by 64 MiB between collections: the
// scraper's RSS carried tens of MiB of dead values (docs/benchmarks.md).
//
// Sizes are rounded up to a power of two from 4 KiB; a value above 4 MiB is allocated on its own.
// Only buffers made here are taken back (a WeakMap knows them), each once until it is taken again.

const MIN_CLASS_BITS = 12;
const MAX_CLASS_BITS = 22;
/** Free buffers kept per thread; past it a given-back buffer is left to the garbage collector. */
export const MAX_FREE_BYTES = 16 * 1024 * 1024;

/** Buffers made here: true while free (in a free list), false while taken. */
const made = new WeakMap<ArrayBuffer, boolean>();
const free: ArrayBuffer[][] = Array.from({ length: MAX_CLASS_BITS - MIN_CLASS_BITS + 1 }, () => []);
let freeBytes = 0;

function classOf(size: number): number {
  let bits = MIN_CLASS_BITS;
  while (1 << bits < size) bits++;
  return bits - MIN_CLASS_BITS;
}

/** A Buffer of exactly `size` bytes (not zeroed); the caller writes all of it. */
export function takeMessageBuffer(size: number): Buffer {
  if (size > 1 << MAX_CLASS_BITS) return Buffer.allocUnsafeSlow(size);
  const c = classOf(size);
  let ab = (free[c] as ArrayBuffer[]).pop();
  if (ab === undefined) {
    ab = new ArrayBuffer(1 << (c + MIN_CLASS_BITS));
  } else {
    freeBytes -= ab.byteLength;
  }
  made.set(ab, false);
  return Buffer.from(ab, 0, size);
}

/** Gives back a value from takeMessageBuffer that nothing reads any more; anything else is ignored. */
export function giveBackMessageBuffer(value: Uint8Array): void {
  const ab = value.buffer;
  if (!(ab instanceof ArrayBuffer) || value.byteOffset !== 0 || made.get(ab) !== false) return;
  if (freeBytes + ab.byteLength > MAX_FREE_BYTES) {
    made.delete(ab);
    return;
  }
  made.set(ab, true);
  (free[classOf(ab.byteLength)] as ArrayBuffer[]).push(ab);
  freeBytes += ab.byteLength;
}

/** Bytes held in free lists (for tests and the node's metrics). */
export function freeMessageBufferBytes(): number {
  return freeBytes;
}
