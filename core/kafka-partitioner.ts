// Which partition a keyed record goes to: the Java client's (and kafkajs' DefaultPartitioner's)
// murmur2 of the key bytes, made positive, modulo the partition count. Every Ringwatch producer
// uses it, whichever Kafka client carries the records: in a rolling upgrade old and new scrapers
// must put a target's messages on the same partition, where the storage-writer reads them in order.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Java's `Utils.murmur2` on these bytes, as a signed 32-bit integer (32-bit arithmetic by Math.imul, no BigInt). */
export function javaMurmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (data[length4 + 2] as number) << 16;
    if (rest >= 2) h ^= (data[length4 + 1] as number) << 8;
    h ^= data[length4] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The key's hash before the modulo: Java's `toPositive(murmur2(key))`. */
export function keyHash(key: Uint8Array): number {
  return javaMurmur2(key) & 0x7fffffff;
}

/** The partition of a record with this key in a topic of `partitionCount` partitions. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return keyHash(key) % partitionCount;
}
