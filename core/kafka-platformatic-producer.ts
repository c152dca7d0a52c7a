// The KafkaProducer on @platformatic/kafka, whose produce path costs about a quarter of kafkajs'
// per sample (docs/benchmarks.md, "Scraper hot path"). Records are sent as bytes (no serializer),
// keys placed by kafka-partitioner.ts, acks from all in-sync replicas, one request in flight per
// broker connection. Errors leave as KafkaProduceError, classified from the client's error tree.
import { isIP } from 'node:net';
import { Producer, ProduceAcks, type ProducerOptions, type SASLOptions } from '@platformatic/kafka';
import type { KafkaConfig } from './kafka-config.ts';
import { KafkaProduceError, REFUSED_RECORDS_ERRORS, type KafkaProduceErrorKind, type KafkaProducer, type KafkaProducerOptions, type KafkaRecord } from './kafka-producer.ts';
import { keyHash } from './kafka-partitioner.ts';
import type { Logger } from './logger.ts';
import { tlsConnectOptions } from './tls-config.ts';

/** How long the broker may wait for the in-sync replicas' acks before answering REQUEST_TIMED_OUT. */
const ACK_TIMEOUT_MS = 10_000;
/**
 * How long a request may wait for its answer: past it the connection is dropped and the send fails
 * (retriable), so a broker that stops answering (hung, or a network that drops packets) does not
 * hold the producer's one request in flight forever. Above the ack timeout, which the broker takes.
 */
const REQUEST_TIMEOUT_MS = 15_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Metadata attempts in connect(): start-up waits for a broker briefly, sends never do unless asked. */
const CONNECT_RETRIES = 5;

const SASL_MECHANISMS = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

type Client = Producer<Buffer, Buffer, Buffer, Buffer>;

export function createPlatformaticProducer(config: KafkaConfig, options: KafkaProducerOptions, logger: Logger): KafkaProducer {
  return new PlatformaticProducer(config, options, logger);
}

/** The client's options for this config (exported for its unit test: no secret may be lost or logged). */
export function platformaticOptions(config: KafkaConfig, options: KafkaProducerOptions): ProducerOptions<Buffer, Buffer, Buffer, Buffer> {
  const out: ProducerOptions<Buffer, Buffer, Buffer, Buffer> = {
    clientId: config.clientId,
    bootstrapBrokers: config.brokers,
    acks: ProduceAcks.ALL,
    idempotent: options.idempotent,
    retries: options.retries,
    // 100 ms doubling to 2 s, as kafkajs' retry did.
    retryDelay: (_client, _operation, attempt) => Math.min(2000, 100 * 2 ** Math.max(0, attempt - 1)),
    // With no retries inside the client, a stale-metadata answer (leader moved) fails the attempt
    // like any other: the caller counts it and retries; send() drops the metadata for that retry.
    repeatOnStaleMetadata: options.retries > 0,
    autocreateTopics: false,
    partitioner: (_message, key) => (key === undefined ? 0 : keyHash(key)),
    maxInflights: 1,
    timeout: ACK_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  };
  if (config.sasl !== undefined) {
    const sasl: SASLOptions = { mechanism: SASL_MECHANISMS[config.sasl.mechanism], username: config.sasl.username, password: config.sasl.password };
    out.sasl = sasl;
  }
  if (config.tls !== undefined) {
    out.tls = tlsConnectOptions(config.tls);
    // SNI with the broker's host name, as kafkajs sent it, unless server_name says otherwise; never
    // an IP address (RFC 6066 forbids it and Node warns).
    if (config.tls.serverName === undefined && config.brokers.every((b) => isIP(brokerHost(b)) === 0)) out.tlsServerName = true;
  }
  return out;
}

class PlatformaticProducer implements KafkaProducer {
  readonly #client: Client;
  readonly #logger: Logger;
  readonly #retries: number;

  constructor(config: KafkaConfig, options: KafkaProducerOptions, logger: Logger) {
    this.#client = new Producer<Buffer, Buffer, Buffer, Buffer>(platformaticOptions(config, options));
    this.#retries = options.retries;
    this.#logger = logger.child({ component: 'kafka-client' });
    const where = (payload: unknown): string => {
      const broker = (payload as { broker?: { host?: string; port?: number } } | undefined)?.broker;
      return broker === undefined ? 'unknown' : `${broker.host}:${broker.port}`;
    };
    // One line per connection change; a failed attempt reaches the caller, which logs it.
    this.#client.on('client:broker:connect', (payload: unknown) => this.#logger.info({ broker: where(payload) }, 'connected to Kafka broker'));
    this.#client.on('client:broker:disconnect', (payload: unknown) => this.#logger.debug({ broker: where(payload) }, 'disconnected from Kafka broker'));
    this.#client.on('client:broker:failed', (payload: unknown) => this.#logger.debug({ broker: where(payload) }, 'connecting to Kafka broker failed'));
  }

  async connect(): Promise<void> {
    try {
      await this.#client.metadata({ topics: [], retries: Math.max(this.#retries, CONNECT_RETRIES) });
    } catch (err) {
      throw toProduceError(err, 'connecting to Kafka failed');
    }
  }

  async send(topic: string, records: readonly KafkaRecord[]): Promise<void> {
    const messages = records.map((r) => ({ topic, key: Buffer.from(r.key), value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value }));
    try {
      await this.#client.send({ messages });
    } catch (err) {
      // Without retries inside the client nothing else drops the stale leader: the caller's next
      // attempt must look the partitions up again.
      if (this.#retries === 0 && hasStaleMetadata(err)) this.#client.clearMetadata();
      throw toProduceError(err, 'producing to Kafka failed');
    }
  }

  async disconnect(): Promise<void> {
    // Not forced: no producer streams are used, so nothing but in-flight requests is cut.
    await this.#client.close();
  }
}

function brokerHost(broker: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(broker);
  if (bracketed !== null) return bracketed[1] as string;
  const colon = broker.lastIndexOf(':');
  return colon === -1 || broker.indexOf(':') !== colon ? broker : broker.slice(0, colon);
}

/** The client's errors as they are shaped (GenericError / MultipleErrors / ProtocolError): only the fields read here. */
interface ClientError {
  message?: unknown;
  code?: unknown;
  apiId?: unknown;
  canRetry?: unknown;
  hasStaleMetadata?: unknown;
  closed?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** Every error in the tree (aggregated errors and causes), depth first, bounded. */
function errorTree(err: unknown): ClientError[] {
  const out: ClientError[] = [];
  const stack: unknown[] = [err];
  while (stack.length > 0 && out.length < 64) {
    const e = stack.pop();
    if (e === null || typeof e !== 'object') continue;
    const ce = e as ClientError;
    out.push(ce);
    if (ce.cause !== undefined) stack.push(ce.cause);
    if (Array.isArray(ce.errors)) for (let i = ce.errors.length - 1; i >= 0; i--) stack.push(ce.errors[i]);
  }
  return out;
}

function hasStaleMetadata(err: unknown): boolean {
  return errorTree(err).some((e) => e.hasStaleMetadata === true);
}

/** Classified: a refusal of the records anywhere in the tree wins; else retriable if the client says every part of it may be retried. */
export function classifyProduceError(err: unknown): { kind: KafkaProduceErrorKind; kafkaError: string | undefined } {
  const tree = errorTree(err);
  for (const e of tree) if (typeof e.apiId === 'string' && REFUSED_RECORDS_ERRORS.has(e.apiId)) return { kind: 'records_refused', kafkaError: e.apiId };
  const protocol = tree.find((e) => typeof e.apiId === 'string');
  const kafkaError = typeof protocol?.apiId === 'string' ? protocol.apiId : reasonOf(tree);
  // As the client itself decides whether to retry: no part says it cannot be; and a closed client never reopens.
  const retriable = tree.some((e) => e.canRetry === true) && !tree.some((e) => e.canRetry === false || e.closed === true);
  return { kind: retriable ? 'retriable' : 'other', kafkaError };
}

function reasonOf(tree: ClientError[]): string | undefined {
  for (const e of tree) {
    if (e.code === 'PLT_KFK_TIMEOUT' || (typeof e.message === 'string' && / timed out/.test(e.message))) return 'TIMEOUT';
  }
  for (const e of tree) if (e.code === 'PLT_KFK_NETWORK') return 'NETWORK';
  const code = tree.find((e) => typeof e.code === 'string')?.code;
  return typeof code === 'string' ? code.replace(/^PLT_KFK_/, '') : undefined;
}

/** One readable line from the tree: the leaves' messages (the wrappers say only "failed N times"). */
export function describeError(err: unknown): string {
  const tree = errorTree(err);
  const parts: string[] = [];
  for (const e of tree) {
    if (Array.isArray(e.errors) && e.errors.length > 0) continue; // "produce failed 2 times": its parts say why
    if (tree.some((p) => p.cause === e)) continue; // said with the error it caused
    if (typeof e.message !== 'string' || e.message === '') continue;
    const cause = (e.cause as { message?: unknown } | null | undefined)?.message;
    const head = typeof e.apiId === 'string' ? `${e.apiId}: ${e.message}` : e.message;
    parts.push(typeof cause === 'string' && cause !== '' ? `${head} (${cause})` : head);
  }
  const unique = [...new Set(parts)];
  const text = unique.length > 0 ? unique.join('; ') : err instanceof Error ? err.message : String(err);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function toProduceError(err: unknown, what: string): KafkaProduceError {
  const { kind, kafkaError } = classifyProduceError(err);
  return new KafkaProduceError(`${what}: ${describeError(err)}`, kind, kafkaError, err);
}
