import { describe, expect, it } from 'vitest';
import { takeDeprecationWarnings } from './config-schema.ts';
import { readKafkaConfig } from './kafka-config.ts';

describe('readKafkaConfig: tls_config, and tls as its deprecated spelling', () => {
  it('reads tls_config like every other section, without a warning', () => {
    takeDeprecationWarnings();
    const c = readKafkaConfig({ brokers: ['k:9092'], tls_config: { insecure_skip_verify: true } }, 'kafka', 'x');
    expect(c.tls).toEqual({ insecureSkipVerify: true });
    expect(takeDeprecationWarnings()).toEqual([]);
  });

  it('still reads tls, and records a deprecation warning naming the field', () => {
    const c = readKafkaConfig({ brokers: ['k:9092'], tls: { server_name: 'kafka.internal' } }, 'kafka', 'x');
    expect(c.tls).toEqual({ insecureSkipVerify: false, serverName: 'kafka.internal' });
    expect(takeDeprecationWarnings()).toEqual(['kafka.tls is deprecated: use kafka.tls_config']);
    expect(takeDeprecationWarnings()).toEqual([]);
  });

  it('refuses both at once', () => {
    expect(() => readKafkaConfig({ brokers: ['k:9092'], tls: {}, tls_config: {} }, 'kafka', 'x')).toThrow(/^kafka\.tls: set tls_config only/);
  });
});
