// The notifier's shared state (silences, the notification log) as a map of JSON values: in memory
// for a single replica without etcd, or in etcd under one prefix, followed by every replica with a
// PrefixFollower so that a silence added on one replica mutes on all, and a restart forgets nothing.
// A write is applied locally at once (the watch brings the same value back later).
import type { Etcd3 } from 'etcd3';
import { PrefixFollower, type KeyValue } from '../cluster/etcd-state-client.ts';
import type { Logger } from '../core/logger.ts';

export interface SharedMap<T> {
  get(key: string): T | undefined;
  values(): T[];
  /** Resolves once the value is durable (in etcd when configured). */
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export class MemorySharedMap<T> implements SharedMap<T> {
  readonly #items = new Map<string, T>();
  get(key: string): T | undefined {
    return this.#items.get(key);
  }
  values(): T[] {
    return [...this.#items.values()];
  }
  async put(key: string, value: T): Promise<void> {
    this.#items.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.#items.delete(key);
  }
  async start(): Promise<void> {}
  async close(): Promise<void> {}
}

export class EtcdSharedMap<T> implements SharedMap<T> {
  readonly #items = new Map<string, T>();
  readonly #etcd: Etcd3;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #decode: (json: unknown) => T;
  readonly #follower: PrefixFollower;

  /** `decode` checks a stored value; a bad one is logged and skipped, never crashes the node. */
  constructor(etcd: Etcd3, prefix: string, logger: Logger, decode: (json: unknown) => T) {
    this.#etcd = etcd;
    this.#prefix = prefix;
    this.#logger = logger;
    this.#decode = decode;
    this.#follower = new PrefixFollower(etcd, prefix, logger, {
      load: (kvs: readonly KeyValue[]) => {
        this.#items.clear();
        for (const kv of kvs) this.#apply(kv.key, kv.value);
      },
      put: (key, value) => this.#apply(key, value),
      delete: (key) => {
        this.#items.delete(this.#localKey(key));
      },
    });
  }

  #localKey(etcdKey: string): string {
    return decodeURIComponent(etcdKey.slice(this.#prefix.length));
  }

  #apply(etcdKey: string, value: string): void {
    try {
      this.#items.set(this.#localKey(etcdKey), this.#decode(JSON.parse(value)));
    } catch (err) {
      this.#logger.warn({ key: etcdKey, err: (err as Error).message }, 'ignoring a bad value in etcd');
    }
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }
  values(): T[] {
    return [...this.#items.values()];
  }
  async put(key: string, value: T): Promise<void> {
    await this.#etcd.put(this.#prefix + encodeURIComponent(key)).value(JSON.stringify(value));
    this.#items.set(key, value);
  }
  async delete(key: string): Promise<void> {
    await this.#etcd.delete().key(this.#prefix + encodeURIComponent(key));
    this.#items.delete(key);
  }
  /** Loads everything, then follows; rejects when etcd does not answer at start. */
  async start(): Promise<void> {
    await this.#follower.start();
  }
  async close(): Promise<void> {
    await this.#follower.close();
  }
}
