import { describe, expect, it } from 'vitest';
import { applyEnvOverrides, parseConfigText } from './config-file.ts';
import { ConfigError, readDuration, readObject, readString, readStringList } from './config-schema.ts';

describe('environment overrides', () => {
  it('set nested fields, list items and typed scalars', () => {
    const doc = { kafka: { brokers: ['a:1'] }, scrape_configs: [{ job_name: 'x', scrape_interval: '15s' }] };
    const out = applyEnvOverrides(doc, {
      RINGWATCH_KAFKA__BROKERS: 'b:2,c:3',
      RINGWATCH_SCRAPE_CONFIGS__0__SCRAPE_INTERVAL: '30s',
      RINGWATCH_KAFKA__PARTITIONS: '6',
      OTHER: 'ignored',
    }) as { kafka: Record<string, unknown>; scrape_configs: Record<string, unknown>[] };
    expect(out.kafka.brokers).toBe('b:2,c:3');
    expect(readStringList(out.kafka, 'brokers', 'kafka')).toEqual(['b:2', 'c:3']);
    expect(out.kafka.partitions).toBe(6);
    expect(out.scrape_configs[0]?.scrape_interval).toBe('30s');
    expect(doc.kafka.brokers).toEqual(['a:1']);
  });

  it('leaves alone RINGWATCH_ variables that are not configuration (log level, CLI token, stack addresses)', () => {
    const out = applyEnvOverrides({}, { RINGWATCH_LOG_LEVEL: 'debug', RINGWATCH_API_TOKEN: 's', RINGWATCH_STACK_KAFKA_BROKERS: 'x:1', RINGWATCH_INFRA: 'local' });
    expect(out).toEqual({});
  });

  it('rejects an index past the end of a list, naming the variable', () => {
    expect(() => applyEnvOverrides({ l: [] }, { RINGWATCH_L__3__X: '1' })).toThrow(/RINGWATCH_L__3__X: list index 3/);
  });
});

describe('validation errors name the field', () => {
  it('unknown keys', () => {
    expect(() => readObject({ kafak: {} }, '', ['kafka'])).toThrow(new ConfigError('kafak', 'unknown field (allowed here: kafka)'));
  });
  it('bad durations and missing strings', () => {
    expect(() => readDuration({ scrape_interval: '15 s' }, 'scrape_interval', 'scrape_configs[0]')).toThrow(
      /^scrape_configs\[0\]\.scrape_interval: not a valid duration string/,
    );
    expect(() => readString({}, 'topic', 'kafka')).toThrow('kafka.topic: is required');
  });
  it('YAML syntax errors carry the line', () => {
    expect(() => parseConfigText('a: 1\nb: [1,\n', 'x.yaml')).toThrow(/x\.yaml: YAML syntax error at line/);
  });
});
