// What Ringwatch's producers need from a Kafka client, in Ringwatch's own terms: connect, send a
// batch of keyed records to a topic (acks from all in-sync replicas, keys on partitions as the Java
// client puts them: kafka-partitioner.ts), disconnect; and a failed send classified by what the
// caller can do about it. The client behind it is chosen in kafka-client.ts.

export interface KafkaRecord {
  /** Decides the partition (kafka-partitioner.ts): a key's records stay in order on one partition. */
  key: string;
  value: Buffer | string;
}

export interface KafkaProducer {
  /** Reaches a broker (and authenticates) once, so a wrong address or credential shows at start. */
  connect(): Promise<void>;
  /**
   * Resolves once every record is written with acks from all in-sync replicas; rejects with a
   * KafkaProduceError. Callers keep one send in flight at a time: that keeps each key in order.
   */
  send(topic: string, records: readonly KafkaRecord[]): Promise<void>;
  /** Closes the connections; a send still in flight fails (retriable). */
  disconnect(): Promise<void>;
}

export interface KafkaProducerOptions {
  /**
   * Attempts repeated inside the client before a send fails. 0: every failed attempt reaches the
   * caller (who counts it and retries with its own backoff), metadata included.
   */
  retries: number;
  /**
   * Kafka's idempotent producer: the client's own retries of a request carry the same producer id
   * and sequence numbers, so the broker writes a retried batch once. Needs retries > 0 to matter.
   */
  idempotent: boolean;
}

/**
 * - `records_refused`: the broker refused the records themselves (too large, invalid or corrupt):
 *   sending the same records again cannot succeed.
 * - `retriable`: the broker or the network failed for now (unreachable, timed out, no leader,
 *   not enough replicas): the same send may succeed later.
 * - `other`: anything else (authorization, unknown topic, client closed, a bug): retrying may or
 *   may not help; the caller decides.
 */
export type KafkaProduceErrorKind = 'records_refused' | 'retriable' | 'other';

export class KafkaProduceError extends Error {
  readonly kind: KafkaProduceErrorKind;
  /** Kafka's error name when the broker answered one (e.g. MESSAGE_TOO_LARGE), else the client's reason (e.g. NETWORK, TIMEOUT). */
  readonly kafkaError: string | undefined;

  constructor(message: string, kind: KafkaProduceErrorKind, kafkaError: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'KafkaProduceError';
    this.kind = kind;
    this.kafkaError = kafkaError;
  }
}

/** Kafka errors that refuse the records themselves: retrying the same request cannot succeed. */
export const REFUSED_RECORDS_ERRORS: ReadonlySet<string> = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_REQUIRED_ACKS']);
