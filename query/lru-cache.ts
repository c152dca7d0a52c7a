// An in-memory LRU bounded by bytes, not entries: cached answers range from a few bytes to
// megabytes, so an entry count says nothing about memory. An entry is charged its key and value
// as UTF-8 (what the strings cost on the wire, a fair proxy for their heap size); one larger than
// the whole bound is not stored at all rather than emptying the cache for itself.

export interface LruEvents {
  onEvict?: (key: string, bytes: number) => void;
}

export class ByteLruCache {
  readonly maxBytes: number;
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recent.
  private readonly entries = new Map<string, { value: string; bytes: number; expiresAtMs: number }>();
  private used = 0;
  private readonly events: LruEvents;
  private readonly now: () => number;

  constructor(maxBytes: number, events: LruEvents = {}, now: () => number = Date.now) {
    this.maxBytes = maxBytes;
    this.events = events;
    this.now = now;
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // An expired entry is dropped when met; until then it only costs memory, and the LRU order
    // pushes it out first anyway, as nothing reads it.
    if (entry.expiresAtMs <= this.now()) {
      this.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores the value (replacing an older one); returns false when it is too large to keep. */
  set(key: string, value: string, ttlMs = Infinity): boolean {
    const bytes = entryBytes(key, value);
    this.delete(key);
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { value, bytes, expiresAtMs: this.now() + ttlMs });
    this.used += bytes;
    while (this.used > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      const evicted = this.entries.get(oldest.value) as { bytes: number };
      this.entries.delete(oldest.value);
      this.used -= evicted.bytes;
      this.events.onEvict?.(oldest.value, evicted.bytes);
    }
    return true;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.used -= entry.bytes;
    return true;
  }
}

export function entryBytes(key: string, value: string): number {
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
}
