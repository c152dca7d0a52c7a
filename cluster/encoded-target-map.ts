// The target list a node holds, with each record kept as etcd sent it until it is read. Placement
// needs only the target ids (TargetAssigner.plan); a scraper reads the full record of the targets
// it owns, about 1/N of the list. Decoding all 100,000 records of a load cost more than a third
// of a joining scraper's convergence (docs/benchmarks.md), so a record is decoded on its first
// read and kept decoded.
//
// A Map of TargetRecord to its readers: get(), values(), entries(), forEach() and iteration give
// decoded records; keys(), has() and size do not decode. An invalid record keeps its id (every
// node plans over the same ids, as each holds the same keys) but reads as undefined, and is
// reported once, when first read.
import { decodeTarget, type TargetRecord } from './cluster-state.ts';

/** A record that failed to decode (kept so that its id stays in the list). */
const INVALID: TargetRecord = Object.freeze({ id: '', job: '', url: '', labels: [], discoveredLabels: {}, intervalMs: 0, timeoutMs: 0, source: '' });

// The Map's own methods, which see stored values as they are (a string: not decoded yet).
const mapGet = Map.prototype.get as (this: Map<string, unknown>, key: string) => unknown;
const mapSet = Map.prototype.set as (this: Map<string, unknown>, key: string, value: unknown) => Map<string, unknown>;
const mapForEach = Map.prototype.forEach as (this: Map<string, unknown>, fn: (value: unknown, key: string) => void) => void;

export class EncodedTargetMap extends Map<string, TargetRecord> {
  /** `<prefix>targets/`: a record's etcd key is this and its id. */
  readonly keyPrefix: string;
  readonly #onInvalid: (key: string, err: Error) => void;

  constructor(keyPrefix: string, onInvalid: (key: string, err: Error) => void = () => undefined) {
    super();
    this.keyPrefix = keyPrefix;
    this.#onInvalid = onInvalid;
  }

  /** Holds the record as etcd's text, decoded when first read. */
  setEncoded(id: string, text: string): this {
    mapSet.call(this, id, text);
    return this;
  }

  /** Replaces the content with another map's, copying encoded records as they are. */
  replaceWith(from: ReadonlyMap<string, TargetRecord>): void {
    if (from === this) return;
    this.clear();
    mapForEach.call(from as Map<string, unknown>, (value, id) => mapSet.call(this, id, value));
  }

  override get(id: string): TargetRecord | undefined {
    const v = mapGet.call(this, id) as TargetRecord | string | undefined;
    if (typeof v !== 'string') return v === INVALID ? undefined : v;
    return this.#decode(id, v);
  }

  override forEach(fn: (value: TargetRecord, key: string, map: Map<string, TargetRecord>) => void, thisArg?: unknown): void {
    for (const [id, r] of this.entries()) fn.call(thisArg, r, id, this);
  }

  override *entries(): MapIterator<[string, TargetRecord]> {
    for (const id of this.keys()) {
      const r = this.get(id);
      if (r !== undefined) yield [id, r];
    }
  }

  override *values(): MapIterator<TargetRecord> {
    for (const [, r] of this.entries()) yield r;
  }

  override [Symbol.iterator](): MapIterator<[string, TargetRecord]> {
    return this.entries();
  }

  #decode(id: string, text: string): TargetRecord | undefined {
    const key = this.keyPrefix + id;
    try {
      const r = decodeTarget(key, text);
      mapSet.call(this, id, r);
      return r;
    } catch (err) {
      mapSet.call(this, id, INVALID);
      this.#onInvalid(key, err as Error);
      return undefined;
    }
  }
}

/** The value a map stores for id, without decoding it (a string: an encoded record). */
export function storedValue(map: ReadonlyMap<string, TargetRecord>, id: string): unknown {
  return mapGet.call(map as Map<string, unknown>, id);
}
