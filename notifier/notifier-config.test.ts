import { describe, expect, it } from 'vitest';
import { readNotifierConfig } from './notifier-config.ts';

const minimal = { kafka: { brokers: ['127.0.0.1:9092'] }, alertmanager_config: 'am.yml' };

describe('readNotifierConfig', () => {
  it('fills in the defaults', () => {
    const c = readNotifierConfig({ ...minimal, node: { id: 'n1' } });
    expect(c).toMatchObject({
      nodeId: 'n1',
      listenAddress: '127.0.0.1:9493',
      advertiseAddress: '127.0.0.1:9493',
      externalUrl: 'http://127.0.0.1:9493',
      alertsTopic: 'ringwatch-alerts',
      groupId: 'ringwatch-notifier',
      alertmanagerConfigPath: 'am.yml',
      dataRetentionMs: 120 * 3_600_000,
    });
    expect(c.kafka.topic).toBe('ringwatch-alerts');
    expect(c.etcd).toBeUndefined();
  });

  it('reads the topic, group, etcd and external URL', () => {
    const c = readNotifierConfig({
      node: { id: 'n', listen_address: '0.0.0.0:9000', external_url: 'https://am.example.org/' },
      kafka: { brokers: ['k:9092'], alerts_topic: 'a', group_id: 'g' },
      etcd: { endpoints: ['e:2379'] },
      alertmanager_config: 'x.yml',
      data_retention: '24h',
    });
    expect(c).toMatchObject({ alertsTopic: 'a', groupId: 'g', externalUrl: 'https://am.example.org', dataRetentionMs: 86_400_000 });
    expect(c.etcd?.endpoints).toEqual(['http://e:2379']);
  });

  it('names the field that is wrong', () => {
    expect(() => readNotifierConfig({ alertmanager_config: 'a.yml' })).toThrow(/^kafka: is required/);
    expect(() => readNotifierConfig({ kafka: minimal.kafka })).toThrow(/^alertmanager_config: is required/);
    expect(() => readNotifierConfig({ ...minimal, node: { listen_address: 'nope' } })).toThrow(/^node\.listen_address: expected host:port/);
    expect(() => readNotifierConfig({ ...minimal, kafka: { brokers: ['k:1'], topic_name: 'x' } })).toThrow(/^kafka\.topic_name: unknown field/);
    expect(() => readNotifierConfig({ ...minimal, data_retention: 'soon' })).toThrow(/^data_retention: /);
    expect(() => readNotifierConfig({ ...minimal, node: { external_url: 'ftp://x' } })).toThrow(/^node\.external_url: expected an http or https URL/);
  });
});
