import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { applyEnvOverrides, parseConfigText } from '../core/config-file.ts';
import { configError } from '../test/harness/config-error.ts';
import { readWriterConfig } from './writer-config.ts';

const MINIMAL = { kafka: { brokers: ['kafka-1:9092'] }, remote_write: [{ url: 'http://prometheus:9090/api/v1/write' }] };

/** A copy of MINIMAL with remote_write[0] extended. */
function withStore(fields: Record<string, unknown>): unknown {
  return { ...MINIMAL, remote_write: [{ ...MINIMAL.remote_write[0], ...fields }] };
}

describe('readWriterConfig defaults', () => {
  it('fills in everything but the brokers and the store URL', () => {
    const c = readWriterConfig(MINIMAL);
    expect(c.nodeId).toBe(`${hostname()}:9480`);
    expect(c.listenAddress).toBe('127.0.0.1:9480');
    expect(c.groupId).toBe('ringwatch-storage-writer');
    expect(c.kafka).toEqual({ brokers: ['kafka-1:9092'], topic: 'ringwatch-samples', clientId: 'ringwatch-storage-writer', partitions: 12, replicationFactor: 1 });
    expect(c.stores).toEqual([
      {
        name: 'prometheus:9090',
        url: 'http://prometheus:9090/api/v1/write',
        remoteTimeoutMs: 30_000,
        headers: {},
        http: { auth: {}, tls: { insecureSkipVerify: false }, followRedirects: true },
        retryOnHttp429: true,
        queue: {
          maxSamplesPerSend: 10_000,
          batchSendDeadlineMs: 5000,
          maxRequestBytes: 16 * 1024 * 1024,
          minBackoffMs: 30,
          maxBackoffMs: 5000,
          maxBufferedSamplesPerPartition: 200_000,
          sampleAgeLimitMs: 0,
        },
      },
    ]);
  });

  it('sample_age_limit: off by default, a duration when set', () => {
    expect(readWriterConfig(MINIMAL).stores[0]?.queue.sampleAgeLimitMs).toBe(0);
    expect(readWriterConfig(withStore({ queue_config: { sample_age_limit: '5m' } })).stores[0]?.queue.sampleAgeLimitMs).toBe(300_000);
  });

  it('the default store name of an IPv6 URL is still a valid name', () => {
    const [store] = readWriterConfig({ ...MINIMAL, remote_write: [{ url: 'http://[::1]:9090/api/v1/write' }] }).stores;
    expect(store?.name).toBe('::1:9090');
  });

  it('reads a full YAML file', () => {
    const yaml = `
node:
  id: writer-1
  listen_address: 0.0.0.0:9999
kafka:
  brokers: [k1:9092, k2:9092]
  topic: samples
consumer:
  group_id: writers
remote_write:
  - name: mimir
    url: https://mimir.internal/api/v1/push
    remote_timeout: 10s
    headers:
      X-Scope-OrgID: tenant-1
    basic_auth:
      username: u
      password_file: /run/secrets/pw
    retry_on_http_429: false
    queue_config:
      max_samples_per_send: 2000
      batch_send_deadline: 1s
      max_request_bytes: 4MiB
      min_backoff: 50ms
      max_backoff: 10s
      max_buffered_samples_per_partition: 50000
  - url: http://vm:8428/api/v1/write
    bearer_token: t0k3n
`;
    const c = readWriterConfig(parseConfigText(yaml, 'writer.yaml'));
    expect(c.nodeId).toBe('writer-1');
    expect(c.listenAddress).toBe('0.0.0.0:9999');
    expect(c.groupId).toBe('writers');
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.kafka.topic).toBe('samples');
    expect(c.stores[0]).toEqual({
      name: 'mimir',
      url: 'https://mimir.internal/api/v1/push',
      remoteTimeoutMs: 10_000,
      headers: { 'X-Scope-OrgID': 'tenant-1' },
      http: { auth: { basic: { username: 'u', passwordFile: '/run/secrets/pw' } }, tls: { insecureSkipVerify: false }, followRedirects: true },
      retryOnHttp429: false,
      queue: {
        maxSamplesPerSend: 2000,
        batchSendDeadlineMs: 1000,
        maxRequestBytes: 4 * 1024 * 1024,
        minBackoffMs: 50,
        maxBackoffMs: 10_000,
        maxBufferedSamplesPerPartition: 50_000,
        sampleAgeLimitMs: 0,
      },
    });
    expect(c.stores[1]).toMatchObject({ name: 'vm:8428', http: { auth: { authorization: { type: 'Bearer', credentials: 't0k3n' } } } });
  });
});

describe('readWriterConfig errors name the field', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['no store', { kafka: MINIMAL.kafka }, 'remote_write', /at least one store is required/],
    ['no brokers', { remote_write: MINIMAL.remote_write }, 'kafka.brokers', /at least one broker/],
    ['bad broker', { ...MINIMAL, kafka: { brokers: ['kafka-1'] } }, 'kafka.brokers[0]', /expected host:port/],
    ['bad listen address', { ...MINIMAL, node: { listen_address: 'localhost' } }, 'node.listen_address', /expected host:port/],
    ['unknown top-level key', { ...MINIMAL, remote_writes: [] }, 'remote_writes', /unknown field/],
    ['missing url', { ...MINIMAL, remote_write: [{ name: 'x' }] }, 'remote_write[0].url', /is required/],
    ['bad url', withStore({ url: 'prometheus:9090/api/v1/write' }), 'remote_write[0].url', /expected an http or https URL|not a valid URL/],
    ['reserved header', withStore({ headers: { 'Content-Encoding': 'gzip' } }), 'remote_write[0].headers.Content-Encoding', /cannot be overridden/],
    ['bad store name', withStore({ name: 'my store' }), 'remote_write[0].name', /may only hold/],
    ['basic_auth and bearer_token', withStore({ basic_auth: { username: 'u', password: 'p' }, bearer_token: 't' }), 'remote_write[0].basic_auth', /at most one of basic_auth and authorization\/bearer_token/],
    ['bad remote_timeout', withStore({ remote_timeout: '30' }), 'remote_write[0].remote_timeout', /not a valid duration/],
    ['unknown queue key', withStore({ queue_config: { capacity: 10 } }), 'remote_write[0].queue_config.capacity', /unknown field/],
    ['max_samples_per_send 0', withStore({ queue_config: { max_samples_per_send: 0 } }), 'remote_write[0].queue_config.max_samples_per_send', /must be at least 1/],
    ['bad sample_age_limit', withStore({ queue_config: { sample_age_limit: 'an hour' } }), 'remote_write[0].queue_config.sample_age_limit', /not a valid duration/],
    ['sample_age_limit not a duration', withStore({ queue_config: { sample_age_limit: { h: 1 } } }), 'remote_write[0].queue_config.sample_age_limit', /expected a duration/],
    ['max_backoff below min_backoff', withStore({ queue_config: { min_backoff: '1s', max_backoff: '100ms' } }), 'remote_write[0].queue_config.max_backoff', /must not be less than min_backoff/],
    [
      'buffer smaller than a request',
      withStore({ queue_config: { max_samples_per_send: 1000, max_buffered_samples_per_partition: 999 } }),
      'remote_write[0].queue_config.max_buffered_samples_per_partition',
      /must be at least max_samples_per_send/,
    ],
  ];
  for (const [name, raw, field, message] of cases) {
    it(name, () => {
      const err = configError(() => readWriterConfig(raw));
      expect(err.field).toBe(field);
      expect(err.message).toMatch(message);
    });
  }

  it('duplicate store names, at the second one', () => {
    const raw = { ...MINIMAL, remote_write: [{ url: 'http://a:1/w' }, { url: 'http://b:1/w', name: 'a:1' }] };
    expect(configError(() => readWriterConfig(raw)).message).toBe('remote_write[1].name: duplicate store name "a:1"');
  });
});

describe('readWriterConfig with environment overrides', () => {
  it('every field can come from RINGWATCH_ variables, read as YAML scalars', () => {
    const raw = applyEnvOverrides(MINIMAL, {
      RINGWATCH_KAFKA__BROKERS: 'k1:9092, k2:9092',
      RINGWATCH_NODE__LISTEN_ADDRESS: '0.0.0.0:9481',
      RINGWATCH_CONSUMER__GROUP_ID: 'writers-b',
      RINGWATCH_REMOTE_WRITE__0__URL: 'https://mimir:443/api/v1/push',
      RINGWATCH_REMOTE_WRITE__0__REMOTE_TIMEOUT: '5s',
      RINGWATCH_REMOTE_WRITE__0__RETRY_ON_HTTP_429: 'false',
      RINGWATCH_REMOTE_WRITE__0__QUEUE_CONFIG__MAX_SAMPLES_PER_SEND: '500',
      RINGWATCH_REMOTE_WRITE__1__URL: 'http://vm:8428/api/v1/write',
      PATH: '/usr/bin',
    });
    const c = readWriterConfig(raw);
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.listenAddress).toBe('0.0.0.0:9481');
    expect(c.nodeId).toBe(`${hostname()}:9481`);
    expect(c.groupId).toBe('writers-b');
    expect(c.stores.map((s) => [s.name, s.url])).toEqual([
      ['mimir', 'https://mimir:443/api/v1/push'], // the URL host: the default port is left out
      ['vm:8428', 'http://vm:8428/api/v1/write'],
    ]);
    expect(c.stores[0]?.remoteTimeoutMs).toBe(5000);
    expect(c.stores[0]?.retryOnHttp429).toBe(false);
    expect(c.stores[0]?.queue.maxSamplesPerSend).toBe(500);
  });

  it('a bad value from the environment is reported at its field', () => {
    const raw = applyEnvOverrides(MINIMAL, { RINGWATCH_REMOTE_WRITE__0__QUEUE_CONFIG__BATCH_SEND_DEADLINE: 'soon' });
    expect(configError(() => readWriterConfig(raw)).field).toBe('remote_write[0].queue_config.batch_send_deadline');
    const raw2 = applyEnvOverrides(MINIMAL, { RINGWATCH_REMOTE_WRITE__0__RETRY_ON_HTTP_429: 'maybe' });
    expect(configError(() => readWriterConfig(raw2)).field).toBe('remote_write[0].retry_on_http_429');
  });
});
