import { availableParallelism, hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { applyEnvOverrides, parseConfigText } from '../core/config-file.ts';
import { configError } from '../test/harness/config-error.ts';
import { readScraperConfig } from './scraper-config.ts';

const MINIMAL = { kafka: { brokers: ['kafka-1:9092'] } };

describe('readScraperConfig defaults', () => {
  it('only the brokers are required', () => {
    const c = readScraperConfig(MINIMAL);
    expect(c).toEqual({
      nodeId: `${hostname()}:9470`,
      listenAddress: '127.0.0.1:9470',
      advertiseAddress: '127.0.0.1:9470',
      scrapeWorkers: 1,
      global: { scrapeIntervalMs: 60_000, scrapeTimeoutMs: 10_000, externalLabels: {} },
      scrapeConfigs: [],
      kafka: { brokers: ['kafka-1:9092'], topic: 'ringwatch-samples', clientId: 'ringwatch-scraper', partitions: 12, replicationFactor: 1 },
      producer: { lingerMs: 200, maxBufferedBytes: 256 * 1024 * 1024, maxBatchMessages: 1000, maxBatchBytes: 900 * 1024, maxMessageBytes: 900 * 1024 },
    });
    expect('etcd' in c).toBe(false);
  });

  it('node.scrape_workers: a count, or 0 / auto for one per available core; env overrides it', () => {
    expect(readScraperConfig({ ...MINIMAL, node: { scrape_workers: 2 } }).scrapeWorkers).toBe(2);
    expect(readScraperConfig({ ...MINIMAL, node: { scrape_workers: 0 } }).scrapeWorkers).toBe(availableParallelism());
    expect(readScraperConfig({ ...MINIMAL, node: { scrape_workers: 'auto' } }).scrapeWorkers).toBe(availableParallelism());
    expect(configError(() => readScraperConfig({ ...MINIMAL, node: { scrape_workers: -1 } })).message).toMatch(/^node\.scrape_workers: /);
    expect(configError(() => readScraperConfig({ ...MINIMAL, node: { scrape_workers: 'many' } })).message).toMatch(/^node\.scrape_workers: /);
    expect(configError(() => readScraperConfig({ ...MINIMAL, node: { scrape_workers: 1.5 } })).message).toMatch(/^node\.scrape_workers: /);
    const env = applyEnvOverrides(structuredClone(MINIMAL), { RINGWATCH_NODE__SCRAPE_WORKERS: '3' });
    expect(readScraperConfig(env).scrapeWorkers).toBe(3);
  });

  it('a wildcard listen address is advertised as loopback unless advertise_address is set', () => {
    expect(readScraperConfig({ ...MINIMAL, node: { listen_address: '0.0.0.0:9999' } }).advertiseAddress).toBe('127.0.0.1:9999');
    expect(readScraperConfig({ ...MINIMAL, node: { listen_address: '0.0.0.0:9999', advertise_address: 'scraper-1:9999' } }).advertiseAddress).toBe('scraper-1:9999');
  });

  it('reads a standalone scraper file with Prometheus sections', () => {
    const yaml = `
node:
  id: scraper-a
global:
  scrape_interval: 15s
  external_labels:
    region: eu
scrape_configs:
  - job_name: node
    static_configs:
      - targets: [host-1:9100]
  - job_name: fast
    scrape_interval: 5s
kafka:
  brokers: [k:9092]
producer:
  linger: 20ms
  max_buffered_bytes: 64MiB
  max_batch_messages: 100
`;
    const c = readScraperConfig(parseConfigText(yaml, 'scraper.yaml'));
    expect(c.nodeId).toBe('scraper-a');
    expect(c.global).toEqual({ scrapeIntervalMs: 15_000, scrapeTimeoutMs: 10_000, externalLabels: { region: 'eu' } });
    expect(c.scrapeConfigs.map((s) => [s.jobName, s.intervalMs, s.timeoutMs])).toEqual([
      ['node', 15_000, 10_000],
      ['fast', 5000, 5000],
    ]);
    expect(c.producer).toEqual({ lingerMs: 20, maxBufferedBytes: 64 * 1024 * 1024, maxBatchMessages: 100, maxBatchBytes: 900 * 1024, maxMessageBytes: 900 * 1024 });
  });

  it('a fleet member reads etcd', () => {
    const c = readScraperConfig({ ...MINIMAL, etcd: { endpoints: ['etcd-1:2379'] } });
    expect(c.etcd).toMatchObject({ endpoints: ['http://etcd-1:2379'], prefix: '/ringwatch/', leaseTtlMs: 10_000, handoffDelayMs: 3000 });
  });
});

describe('readScraperConfig errors name the field', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['no kafka', {}, 'kafka.brokers', /at least one broker/],
    ['unknown top-level key', { ...MINIMAL, scrape_config: [] }, 'scrape_config', /unknown field/],
    ['bad listen address', { ...MINIMAL, node: { listen_address: 'localhost' } }, 'node.listen_address', /expected host:port/],
    ['bad advertise address', { ...MINIMAL, node: { advertise_address: 'http://a:1' } }, 'node.advertise_address', /expected host:port/],
    ['bad linger', { ...MINIMAL, producer: { linger: 'fast' } }, 'producer.linger', /not a valid duration/],
    ['max_batch_messages 0', { ...MINIMAL, producer: { max_batch_messages: 0 } }, 'producer.max_batch_messages', /must be at least 1/],
    ['global timeout above interval', { ...MINIMAL, global: { scrape_interval: '5s', scrape_timeout: '6s' } }, 'global.scrape_timeout', /must not be greater/],
    [
      'job timeout above interval',
      { ...MINIMAL, scrape_configs: [{ job_name: 'a', scrape_interval: '5s', scrape_timeout: '6s' }] },
      'scrape_configs[0].scrape_timeout',
      /must not be greater/,
    ],
    ['etcd and scrape_configs', { ...MINIMAL, etcd: { endpoints: ['e:2379'] }, scrape_configs: [{ job_name: 'a' }] }, 'scrape_configs', /sharded fleet/],
    ['bad etcd lease_ttl', { ...MINIMAL, etcd: { endpoints: ['e:2379'], lease_ttl: '1500ms' } }, 'etcd.lease_ttl', /whole seconds/],
  ];
  for (const [name, raw, field, message] of cases) {
    it(name, () => {
      const err = configError(() => readScraperConfig(raw));
      expect(err.field).toBe(field);
      expect(err.message).toMatch(message);
    });
  }
});

describe('readScraperConfig with environment overrides', () => {
  it('sets nested fields and list items', () => {
    const doc = parseConfigText(
      'scrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: [a:9100]\nkafka:\n  brokers: [k:9092]\n',
      'scraper.yaml',
    );
    const c = readScraperConfig(
      applyEnvOverrides(doc, {
        RINGWATCH_NODE__ID: 'scraper-7',
        RINGWATCH_GLOBAL__SCRAPE_INTERVAL: '5s',
        RINGWATCH_GLOBAL__EXTERNAL_LABELS__REGION: 'eu',
        RINGWATCH_SCRAPE_CONFIGS__0__HONOR_LABELS: 'true',
        RINGWATCH_SCRAPE_CONFIGS__0__SAMPLE_LIMIT: '5000',
        RINGWATCH_SCRAPE_CONFIGS__0__STATIC_CONFIGS__0__TARGETS: 'a:9100,b:9100',
        RINGWATCH_SCRAPE_CONFIGS__1__JOB_NAME: 'second',
        RINGWATCH_PRODUCER__LINGER: '20ms',
        RINGWATCH_KAFKA__PARTITIONS: '24',
      }),
    );
    expect(c.nodeId).toBe('scraper-7');
    expect(c.global).toEqual({ scrapeIntervalMs: 5000, scrapeTimeoutMs: 5000, externalLabels: { region: 'eu' } });
    expect(c.scrapeConfigs.map((s) => s.jobName)).toEqual(['node', 'second']);
    expect(c.scrapeConfigs[0]).toMatchObject({ intervalMs: 5000, timeoutMs: 5000, honorLabels: true, sampleLimit: 5000 });
    expect(c.scrapeConfigs[0]?.staticConfigs).toEqual([{ targets: ['a:9100', 'b:9100'], labels: {} }]);
    expect(c.producer.lingerMs).toBe(20);
    expect(c.kafka.partitions).toBe(24);
  });

  it('sets up a fleet member entirely from the environment', () => {
    const c = readScraperConfig(applyEnvOverrides({}, { RINGWATCH_KAFKA__BROKERS: 'k1:9092,k2:9092', RINGWATCH_ETCD__ENDPOINTS: 'etcd-1:2379,etcd-2:2379' }));
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.etcd?.endpoints).toEqual(['http://etcd-1:2379', 'http://etcd-2:2379']);
  });

  it('a bad value from the environment is reported at its field', () => {
    const raw = applyEnvOverrides({ ...MINIMAL, scrape_configs: [{ job_name: 'a' }] }, { RINGWATCH_SCRAPE_CONFIGS__0__SCRAPE_TIMEOUT: '2m' });
    const err = configError(() => readScraperConfig(raw));
    expect(err.message).toBe('scrape_configs[0].scrape_timeout: must not be greater than scrape_interval (120000 ms > 60000 ms)');
    expect(configError(() => readScraperConfig(applyEnvOverrides(MINIMAL, { RINGWATCH_PRODUCER__MAX_BATCH_MESSAGES: 'many' }))).field).toBe(
      'producer.max_batch_messages',
    );
  });
});
