// The Kafka config as @platformatic/kafka options (brokers, client id, SASL, TLS, no hidden
// retries), and the client's errors classified in Ringwatch's terms: a refusal of the records
// anywhere in the error tree is "records_refused", network and retriable broker answers are
// "retriable", the rest (authorization, unknown topic, a closed client) "other".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultipleErrors, NetworkError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import type { KafkaConfig } from './kafka-config.ts';
import { classifyProduceError, describeError, platformaticOptions } from './kafka-platformatic-producer.ts';

const base: KafkaConfig = { brokers: ['kafka-1:9092', 'kafka-2:9093'], topic: 't', clientId: 'ringwatch-scraper-1', partitions: 12, replicationFactor: 1 };
const PRODUCE = 0;

/** A Produce answer with these partition errors (Kafka error codes), as the client throws it. */
const produceError = (...codes: number[]): ResponseError =>
  new ResponseError(PRODUCE, 9, Object.fromEntries(codes.map((c, i) => [`/responses/0/partition_responses/${i}`, [c, null]])), undefined);

describe('platformaticOptions', () => {
  it('maps brokers, client id, acks=all and the retries asked for; no retries means no silent resend on stale metadata', () => {
    const o = platformaticOptions(base, { retries: 0, idempotent: false });
    expect(o.bootstrapBrokers).toEqual(base.brokers);
    expect(o.clientId).toBe('ringwatch-scraper-1');
    expect(o.acks).toBe(-1);
    expect(o.retries).toBe(0);
    expect(o.repeatOnStaleMetadata).toBe(false);
    expect(o.autocreateTopics).toBe(false);
    expect(o.maxInflights).toBe(1);
    expect(o.requestTimeout).toBeGreaterThan(o.timeout as number);
    expect(o.sasl).toBeUndefined();
    expect(o.tls).toBeUndefined();
    const idempotent = platformaticOptions(base, { retries: 5, idempotent: true });
    expect(idempotent.idempotent).toBe(true);
    expect(idempotent.retries).toBe(5);
    expect(idempotent.repeatOnStaleMetadata).toBe(true);
  });

  it('maps every SASL mechanism with its credentials', () => {
    for (const [mechanism, want] of [['plain', 'PLAIN'], ['scram-sha-256', 'SCRAM-SHA-256'], ['scram-sha-512', 'SCRAM-SHA-512']] as const) {
      const o = platformaticOptions({ ...base, sasl: { mechanism, username: 'u', password: 'p' } }, { retries: 0, idempotent: false });
      expect(o.sasl).toEqual({ mechanism: want, username: 'u', password: 'p' });
    }
  });

  it('maps TLS: files, verification, SNI by host name unless server_name is set or a broker is an IP address', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-kafka-tls-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const tls = { caFile: join(dir, 'ca.pem'), insecureSkipVerify: false };
    const o = platformaticOptions({ ...base, tls }, { retries: 0, idempotent: false });
    expect(o.tls?.ca).toEqual(Buffer.from('CA'));
    expect(o.tls?.rejectUnauthorized).toBe(true);
    expect(o.tlsServerName).toBe(true);
    const named = platformaticOptions({ ...base, tls: { ...tls, serverName: 'kafka.internal' } }, { retries: 0, idempotent: false });
    expect(named.tls?.servername).toBe('kafka.internal');
    expect(named.tlsServerName).toBeUndefined();
    for (const brokers of [['10.0.0.1:9092'], ['[::1]:9092']]) {
      expect(platformaticOptions({ ...base, brokers, tls }, { retries: 0, idempotent: false }).tlsServerName).toBeUndefined();
    }
    expect(platformaticOptions({ ...base, tls: { insecureSkipVerify: true } }, { retries: 0, idempotent: false }).tls?.rejectUnauthorized).toBe(false);
  });
});

describe('classifyProduceError', () => {
  it('records refused: too large, invalid, corrupt, bad acks; also beside other errors and wrapped in retries', () => {
    expect(classifyProduceError(produceError(10))).toEqual({ kind: 'records_refused', kafkaError: 'MESSAGE_TOO_LARGE' });
    expect(classifyProduceError(produceError(18)).kafkaError).toBe('RECORD_LIST_TOO_LARGE');
    expect(classifyProduceError(produceError(87)).kafkaError).toBe('INVALID_RECORD');
    expect(classifyProduceError(produceError(2)).kafkaError).toBe('CORRUPT_MESSAGE');
    expect(classifyProduceError(produceError(21)).kafkaError).toBe('INVALID_REQUIRED_ACKS');
    // One broker refused, another was unreachable: the refusal decides (retrying cannot pass it).
    const mixed = new MultipleErrors('Producing messages failed.', [new NetworkError('Connection closed'), produceError(10)]);
    expect(classifyProduceError(mixed).kind).toBe('records_refused');
    expect(classifyProduceError(new MultipleErrors('produce failed 3 times.', [produceError(2), produceError(2), produceError(2)])).kind).toBe('records_refused');
  });

  it('retriable: the network, a timeout, no leader, not enough replicas', () => {
    const refused = new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' }) });
    expect(classifyProduceError(new MultipleErrors('Producing messages failed.', [refused]))).toEqual({ kind: 'retriable', kafkaError: 'NETWORK' });
    expect(classifyProduceError(new TimeoutError('Request timed out', { canRetry: true }))).toEqual({ kind: 'retriable', kafkaError: 'TIMEOUT' });
    expect(classifyProduceError(produceError(6))).toEqual({ kind: 'retriable', kafkaError: 'NOT_LEADER_OR_FOLLOWER' });
    expect(classifyProduceError(produceError(19))).toEqual({ kind: 'retriable', kafkaError: 'NOT_ENOUGH_REPLICAS' });
  });

  it('other: authorization, an unknown topic, a closed client, anything not from the client', () => {
    expect(classifyProduceError(produceError(29))).toEqual({ kind: 'other', kafkaError: 'TOPIC_AUTHORIZATION_FAILED' });
    expect(classifyProduceError(new UserError('Unknown topic samples.')).kind).toBe('other');
    expect(classifyProduceError(new NetworkError('Client is closed.', { canRetry: false, closed: true })).kind).toBe('other');
    expect(classifyProduceError(new TypeError('boom')).kind).toBe('other');
    expect(classifyProduceError('a string').kind).toBe('other');
  });
});

describe('describeError', () => {
  it("says what failed from the leaves, with Kafka's error name and the cause", () => {
    const refused = new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9092') });
    expect(describeError(new MultipleErrors('Producing messages failed.', [refused]))).toBe('Connection to 127.0.0.1:9092 failed. (connect ECONNREFUSED 127.0.0.1:9092)');
    expect(describeError(produceError(10))).toMatch(/^MESSAGE_TOO_LARGE: /);
  });
});
