// The one way Ringwatch reads shared state from etcd: a prefix loaded page by page at one revision
// (a single range over a large prefix would hit gRPC's 4 MiB message limit), then followed by a
// watch from the next revision, so every node applies the same changes in the same order; when the
// watch fails (the revision was compacted away while disconnected, or the watch is lost), the
// prefix is loaded again and the watch restarts from there.
import { Range, type Etcd3, type Watcher } from 'etcd3';
import type { Logger } from '../core/logger.ts';

export interface KeyValue {
  key: string;
  value: string;
  /** The revision of the key's last write. */
  modRevision: number;
}

/** Keys in the first page; the next pages are sized from it to about PAGE_BYTES. */
export const DEFAULT_PAGE_SIZE = 1000;
/**
 * What a page aims at: half of gRPC's 4 MiB receive limit (a page of larger records than the ones
 * before is retried half as long). Each page costs a round trip and
 * etcd counts the rest of the range for it, so pages of a fixed 1,000 small records made a
 * 100,000-target load take several times longer than pages of a megabyte.
 */
const PAGE_BYTES = 2 << 20;
const MAX_PAGE_KEYS = 20_000;

/**
 * Everything under a prefix at one revision, in key order: `atRevision` if given (it must not be
 * compacted away), else the current one. `splits` (keys inside the prefix, in increasing order)
 * cut it into ranges read concurrently, each page by page: etcd serves them in parallel, this node
 * decodes one range's answer while the others are in flight, and each page costs etcd less (etcd
 * 3.4 walks the rest of the range's index for every page).
 */
export async function loadPrefix(
  etcd: Etcd3,
  prefix: string,
  pageSize = DEFAULT_PAGE_SIZE,
  atRevision?: number,
  splits: readonly string[] = [],
): Promise<{ kvs: KeyValue[]; revision: number }> {
  const end = Range.prefix(prefix).end;
  const bounds = [Buffer.from(prefix), ...splits.filter((k) => k > prefix && k.startsWith(prefix)).map((k) => Buffer.from(k)), end];
  if (bounds.length === 2) return loadRange(etcd, bounds[0] as Buffer, end, pageSize, atRevision);
  // One revision for every range: the current one, from a read of a single key.
  const revision = atRevision ?? Number((await etcd.get(prefix).exec()).header.revision);
  const parts = await Promise.all(bounds.slice(0, -1).map((start, i) => loadRange(etcd, start, bounds[i + 1] as Buffer, pageSize, revision)));
  const kvs: KeyValue[] = [];
  for (const p of parts) for (const kv of p.kvs) kvs.push(kv);
  return { kvs, revision };
}

/** [start, end) at one revision (`atRevision`, else the first page's), page by page, in key order. */
async function loadRange(etcd: Etcd3, from: Buffer, end: Buffer, pageSize: number, atRevision: number | undefined): Promise<{ kvs: KeyValue[]; revision: number }> {
  const kvs: KeyValue[] = [];
  let start: Buffer = from;
  let revision: number | undefined = atRevision;
  let limit = pageSize;
  for (;;) {
    const query = etcd.getAll().inRange(new Range(start, end)).limit(limit);
    if (revision !== undefined) query.revision(revision);
    let res: Awaited<ReturnType<typeof query.exec>>;
    try {
      res = await query.exec();
    } catch (err) {
      // Records much larger than the ones before: the same page again, half as long.
      if (limit > 1 && /RESOURCE_EXHAUSTED|larger than max/i.test((err as Error).message)) {
        limit = Math.ceil(limit / 2);
        continue;
      }
      throw err;
    }
    if (revision === undefined) revision = Number(res.header.revision);
    let bytes = 0;
    for (const kv of res.kvs) {
      bytes += kv.key.length + kv.value.length;
      kvs.push({ key: kv.key.toString(), value: kv.value.toString(), modRevision: Number(kv.mod_revision) });
    }
    const last = res.kvs[res.kvs.length - 1];
    if (!res.more || last === undefined) break;
    start = Buffer.concat([last.key, Buffer.from([0])]);
    limit = Math.max(1, Math.min(MAX_PAGE_KEYS, Math.floor(PAGE_BYTES / Math.max(1, bytes / res.kvs.length))));
  }
  return { kvs, revision };
}

/**
 * Splits for loadPrefix over keys `<keyPrefix><hex id>` (target ids are hex hashes): `ranges`
 * ranges of about the same number of keys, by the id's first digit.
 */
export function hexIdSplits(keyPrefix: string, ranges: number): string[] {
  const out: string[] = [];
  for (let i = 1; i < ranges; i++) out.push(keyPrefix + Math.floor((i * 16) / ranges).toString(16));
  return out;
}

/** What a follower tells its owner. Calls come in revision order. */
export interface PrefixSubscriber {
  /** Everything under the prefix at one revision: replaces what came before. */
  load(kvs: readonly KeyValue[], revision: number): void;
  put(key: string, value: string, revision: number): void;
  delete(key: string, revision: number): void;
  /** Once per burst (a load or a run of watch events), after the calls above. */
  changed?(): void;
}

export interface PrefixFollowerOptions {
  pageSize?: number;
  /** First retry delay after a failed load; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  /**
   * The revision to load at (an earlier one than now: the watch then replays what came after, in
   * order), asked before each load; undefined: now. If it has been compacted away, the load is
   * done at the current revision instead.
   */
  loadRevision?: () => Promise<number | undefined>;
  /** Keys that cut the prefix into ranges loaded concurrently (loadPrefix). */
  splits?: readonly string[];
}

export class PrefixFollower {
  /** The etcd revision the subscriber's state reflects. */
  revision = 0;
  readonly #etcd: Etcd3;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #subscriber: PrefixSubscriber;
  readonly #pageSize: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #loadRevision: (() => Promise<number | undefined>) | undefined;
  readonly #splits: readonly string[];
  #watcher: Watcher | undefined;
  #pending: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(etcd: Etcd3, prefix: string, logger: Logger, subscriber: PrefixSubscriber, options: PrefixFollowerOptions = {}) {
    this.#etcd = etcd;
    this.#prefix = prefix;
    this.#logger = logger;
    this.#subscriber = subscriber;
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.#retryMs = options.retryMs ?? 250;
    this.#maxRetryMs = options.maxRetryMs ?? 10_000;
    this.#loadRevision = options.loadRevision;
    this.#splits = options.splits ?? [];
  }

  /** Loads and starts watching; rejects when etcd does not answer (the caller decides). */
  async start(): Promise<void> {
    await this.#load();
    await this.#watch();
  }

  /** Loads and starts watching in the background, retrying with backoff until etcd answers. */
  follow(): void {
    void this.#resync();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pending !== undefined) clearImmediate(this.#pending);
    await this.#watcher?.cancel().catch(() => undefined);
  }

  async #load(): Promise<void> {
    const at = await this.#loadRevision?.();
    const { kvs, revision } = await loadPrefix(this.#etcd, this.#prefix, this.#pageSize, at, this.#splits).catch((err: unknown) => {
      if (at === undefined || !/compacted/i.test((err as Error).message)) throw err;
      this.#logger.warn({ prefix: this.#prefix, revision: at }, 'the revision asked for is compacted: loading the current one');
      return loadPrefix(this.#etcd, this.#prefix, this.#pageSize, undefined, this.#splits);
    });
    if (this.#closed) return;
    this.revision = revision;
    this.#subscriber.load(kvs, revision);
    this.#changed();
  }

  async #watch(): Promise<void> {
    const watcher = await this.#etcd.watch().prefix(this.#prefix).startRevision(String(this.revision + 1)).create();
    if (this.#closed) {
      await watcher.cancel();
      return;
    }
    this.#watcher = watcher;
    watcher.on('put', (kv) => {
      const rev = Number(kv.mod_revision);
      this.revision = Math.max(this.revision, rev);
      this.#subscriber.put(kv.key.toString(), kv.value.toString(), rev);
      this.#changed();
    });
    watcher.on('delete', (kv) => {
      const rev = Number(kv.mod_revision);
      this.revision = Math.max(this.revision, rev);
      this.#subscriber.delete(kv.key.toString(), rev);
      this.#changed();
    });
    watcher.on('disconnected', (err) => this.#logger.warn({ prefix: this.#prefix, err: err.message }, 'etcd watch disconnected; keeping the last state and retrying'));
    watcher.on('connected', () => this.#logger.info({ prefix: this.#prefix, revision: this.revision }, 'etcd watch connected'));
    watcher.on('error', (err) => {
      this.#logger.error({ prefix: this.#prefix, err: err.message }, 'etcd watch failed: reloading');
      void this.#resync();
    });
  }

  async #resync(): Promise<void> {
    if (this.#closed) return;
    const old = this.#watcher;
    this.#watcher = undefined;
    await old?.cancel().catch(() => undefined);
    for (let delay = this.#retryMs; !this.#closed; delay = Math.min(delay * 2, this.#maxRetryMs)) {
      try {
        await this.start();
        return;
      } catch (err) {
        this.#logger.warn({ prefix: this.#prefix, err: (err as Error).message, retryInMs: delay }, 'loading state from etcd failed');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  #changed(): void {
    if (this.#pending !== undefined || this.#subscriber.changed === undefined) return;
    this.#pending = setImmediate(() => {
      this.#pending = undefined;
      this.#subscriber.changed?.();
    });
  }
}
