import { describe, expect, it } from 'vitest';
import {
  clusterIdFromMetaProperties,
  kafkaDockerEnvironment,
  kafkaServerProperties,
  newKafkaClusterId,
  renderKafkaLog4jProperties,
  renderProperties,
} from './kafka-config.ts';

const node = { nodeId: 1, host: '127.0.0.1', brokerPort: 19092, controllerPort: 19093, logDir: '/data/kafka/kraft', numPartitions: 6 };

describe('kafkaServerProperties', () => {
  it('describes a combined broker+controller KRaft node on the given ports', () => {
    const p = kafkaServerProperties(node);
    expect(p.get('process.roles')).toBe('broker,controller');
    expect(p.get('node.id')).toBe('1');
    expect(p.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(p.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(p.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(p.get('controller.listener.names')).toBe('CONTROLLER');
    expect(p.get('log.dirs')).toBe('/data/kafka/kraft');
    expect(p.get('num.partitions')).toBe('6');
    expect(p.get('offsets.topic.replication.factor')).toBe('1');
    expect(p.get('transaction.state.log.replication.factor')).toBe('1');
    expect(p.get('transaction.state.log.min.isr')).toBe('1');
    expect(p.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(p.get('auto.create.topics.enable')).toBe('false');
  });

  it('lets extra entries override the defaults', () => {
    const p = kafkaServerProperties({ ...node, extra: { 'auto.create.topics.enable': true, 'log.retention.ms': 60_000 } });
    expect(p.get('auto.create.topics.enable')).toBe('true');
    expect(p.get('log.retention.ms')).toBe('60000');
  });
});

describe('renderProperties', () => {
  it('writes key=value lines, escaping what java.util.Properties would misread', () => {
    const text = renderProperties(new Map([['log.dirs', 'C:\\kafka data'], ['a key', ' lead'], ['multi', 'x\ny']]));
    expect(text).toBe('log.dirs=C:\\\\kafka data\na\\ key=\\ lead\nmulti=x\\ny\n');
  });
});

describe('kafkaDockerEnvironment', () => {
  it('names variables the way the apache/kafka image maps them back', () => {
    const env = kafkaDockerEnvironment(new Map([['process.roles', 'broker,controller'], ['some_key.with-dash', 'x']]));
    expect(env).toEqual({ KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_SOME__KEY_WITH___DASH: 'x' });
  });
});

describe('renderKafkaLog4jProperties', () => {
  it('logs to stdout at the requested root level', () => {
    const text = renderKafkaLog4jProperties('WARN');
    expect(text).toContain('log4j.rootLogger=WARN, stdout');
    expect(text).toContain('log4j.appender.stdout=org.apache.log4j.ConsoleAppender');
  });
});

describe('newKafkaClusterId', () => {
  it('is 16 bytes in unpadded base64url, like Kafka Uuid', () => {
    const id = newKafkaClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(newKafkaClusterId()).not.toBe(id);
  });

  it('draws again instead of returning an id starting with "-" or the zero uuid', () => {
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0), Buffer.from('00112233445566778899aabbccddeeff', 'hex')];
    expect(Buffer.alloc(16, 0xf8).toString('base64url')).toMatch(/^-/);
    const id = newKafkaClusterId(() => draws.shift() ?? Buffer.alloc(0));
    expect(id).toBe('ABEiM0RVZneImaq7zN3u_w');
    expect(draws).toHaveLength(0);
  });
});

describe('clusterIdFromMetaProperties', () => {
  it('reads cluster.id from what StorageTool writes', () => {
    const meta = '#\n#Sun Nov 23 04:02:55 UTC 2026\nnode.id=1\ndirectory.id=q1w2\nversion=1\ncluster.id=0OUIlFzk7eZ-ODA8HDSlEQ\n';
    expect(clusterIdFromMetaProperties(meta)).toBe('0OUIlFzk7eZ-ODA8HDSlEQ');
    expect(clusterIdFromMetaProperties('version=1\n')).toBeUndefined();
  });
});
