// A key lands on the partition kafkajs' DefaultPartitioner (the Java client's mapping) gives it:
// in a rolling upgrade old (kafkajs) and new scrapers write the same target to the same partition.
import { createHash } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { compatibilityPartitioner } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { javaMurmur2, partitionForKey } from './kafka-partitioner.ts';

/** kafkajs' partition for a string key in a topic of n partitions, every partition with a leader. */
function kafkajsPartition(key: string, n: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

const KEYS = [
  '',
  'a',
  'ab',
  'abc',
  'abcd',
  'abcde',
  'target-1',
  'node_exporter/127.0.0.1:9100',
  'ééé', // multi-byte UTF-8, bytes above 0x7f (signed in Java)
  '指标/目标',
  '\u{1F600}key',
  'x'.repeat(257),
  // Shaped as the scraper's keys (model/scrape-target.ts targetId: 16 hex digits of a sha256).
  ...Array.from({ length: 200 }, (_, i) => createHash('sha256').update(`job-${i % 7}\0http://10.0.0.${i}:9100/metrics`).digest('hex').slice(0, 16)),
];

describe('partitionForKey', () => {
  it('pins the partitions of known keys (the Java client gives the same)', () => {
    // Java: Utils.toPositive(Utils.murmur2("target-1".getBytes(UTF_8))) % 12, and so on.
    expect(KEYS.slice(0, 12).map((k) => partitionForKey(Buffer.from(k), 12))).toEqual(KEYS.slice(0, 12).map((k) => kafkajsPartition(k, 12)));
    // The values of Kafka's own test of the Java function (UtilsTest.testMurmur2).
    const java: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of java) expect(javaMurmur2(Buffer.from(key)), key).toBe(hash);
  });

  it('agrees with kafkajs DefaultPartitioner for every key and partition count', () => {
    for (const n of [1, 2, 3, 6, 12, 100, 1000]) {
      for (const key of KEYS) expect(partitionForKey(Buffer.from(key), n), `${JSON.stringify(key)} of ${n}`).toBe(kafkajsPartition(key, n));
    }
  });

  it("agrees with @platformatic/kafka's compatibilityPartitioner (its Java-compatible mapping)", () => {
    for (const key of KEYS) {
      const bytes = Buffer.from(key);
      const theirs = compatibilityPartitioner({ topic: 't', key: bytes }, bytes);
      expect(partitionForKey(bytes, 12)).toBe(theirs % 12);
    }
  });
});
