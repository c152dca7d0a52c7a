import { describe, expect, it } from 'vitest';
import { extendReceivers } from './integrations/build-integrations.ts';
import { HttpClients } from './integrations/http-client.ts';
import { loadNotificationTemplates } from './notification-templates.ts';
import { loggableNotifierConfig, readNotifierConfig } from './notifier-config.ts';

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

describe('receiver_extensions in the notifier file', () => {
  it('are read per receiver and redacted for the log', () => {
    const c = readNotifierConfig({
      ...minimal,
      receiver_extensions: {
        sms: {
          http_template_configs: [{ url: 'https://sms.example/api?token=s3cret', headers: { 'X-Api-Key': 'k3y' }, http_config: { basic_auth: { username: 'u', password: 'pw' } } }],
          alertmanager_configs: [{ url: 'http://user:pass@am:9093/' }],
        },
      },
    });
    const sms = c.receiverExtensions.get('sms');
    expect(sms?.http_template_configs[0]).toMatchObject({ method: 'POST', send_resolved: true, url: 'https://sms.example/api?token=s3cret' });
    expect(sms?.alertmanager_configs[0]?.url).toBe('http://user:pass@am:9093');
    const logged = JSON.stringify(loggableNotifierConfig(c));
    for (const secret of ['s3cret', 'k3y', '"pw"', 'pass@']) expect(logged).not.toContain(secret);
    expect(logged).toContain('X-Api-Key');
    expect(readNotifierConfig(minimal).receiverExtensions.size).toBe(0);
  });

  it('name the field that is wrong, and a receiver the Alertmanager file does not declare', async () => {
    expect(() => readNotifierConfig({ ...minimal, receiver_extensions: { sms: { slack_configs: [] } } })).toThrow(/^receiver_extensions\.sms\.slack_configs: unknown field/);
    expect(() => readNotifierConfig({ ...minimal, receiver_extensions: { sms: { http_template_configs: [{ url: 'nope' }] } } })).toThrow(
      /^receiver_extensions\.sms\.http_template_configs\[0\]\.url: not a valid URL/,
    );
    const c = readNotifierConfig({ ...minimal, receiver_extensions: { pager: { http_template_configs: [{ url: 'http://x/' }] } } });
    const tmpl = await loadNotificationTemplates([], 'http://n');
    const http = new HttpClients();
    const receivers = new Map([['sms', { name: 'sms', integrations: [], unsupported: [] }]]);
    expect(() => extendReceivers(receivers, c.receiverExtensions, http, tmpl)).toThrow(/^receiver_extensions\.pager: no receiver named "pager"/);
    const ok = readNotifierConfig({ ...minimal, receiver_extensions: { sms: { http_template_configs: [{ url: 'http://x/' }], alertmanager_configs: [{ url: 'http://am:9093' }] } } });
    const built = extendReceivers(receivers, ok.receiverExtensions, http, tmpl).get('sms');
    expect(built?.integrations.map((i) => `${i.kind}[${i.index}]`)).toEqual(['http_template[0]', 'alertmanager[0]']);
    await http.close();
  });
});
