// The alerting node against real etcd, Kafka, Prometheus (the store it queries and, through the
// storage-writer, where ALERTS and recording rules land) and Alertmanager 0.25 (where alerts go).
// Values are pushed into Prometheus by remote write, so the test controls exactly when a threshold
// is crossed.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { decodeAlertRecord, type AlertRecord } from '../../protocol/alert-record.ts';
import { decodeWriteRequest } from '../../protocol/remote-write-codec.ts';
import { readSampleMessage } from '../../protocol/sample-message.ts';
import { snappyDecompress } from '../../protocol/snappy.ts';
import { eventually } from '../harness/eventually.ts';
import { instantQuery, rawSamples } from '../harness/prometheus-api.ts';
import { pushRemoteWrite } from '../harness/remote-write-fixture.ts';
import { testNodes } from '../harness/ringwatch-nodes.ts';

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

async function nodeAlerts(node: RingwatchNode): Promise<ApiAlert[]> {
  const res = await fetch(`${node.url}/api/v1/alerts`);
  return ((await res.json()) as { data: { alerts: ApiAlert[] } }).data.alerts;
}

interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

async function alertmanagerAlerts(url: string, test: string): Promise<AmAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(`test="${test}"`)}`);
  return (await res.json()) as AmAlert[];
}

describe('alerting node', () => {
  const infra = inject('infra');
  const nodes = testNodes(infra.kafkaBrokers, 'alerting');
  const test = randomBytes(3).toString('hex');
  const prefix = `/rw-alerting-${test}/`;
  const rulesDir = join(nodes.dir, 'rules');
  const am = infra.alertmanagerUrl as string;
  const temperature = async (value: number): Promise<void> => {
    await pushRemoteWrite(infra.remoteWriteUrl, [{ labels: { __name__: 'rw_test_temperature', test, instance: 'probe-1' }, samples: [{ value, timestampMs: Date.now() }] }]);
  };

  function alertingConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      global: { evaluation_interval: '1s', external_labels: { cluster: 'it' } },
      rule_files: [join(rulesDir, '*.yml')],
      query: { url: infra.prometheusUrl },
      alerting: { alertmanagers: [{ static_configs: [{ targets: [am.replace(/^http:\/\//, '')] }] }] },
      node: { resend_delay: '2s' },
      etcd: { endpoints: infra.etcdEndpoints, prefix, lease_ttl: '3s', handoff_delay: '1s' },
      ...extra,
    };
  }

  beforeAll(async () => {
    mkdirSync(rulesDir, { recursive: true });
    writeFileSync(
      join(rulesDir, 'hot.yml'),
      [
        'groups:',
        '  - name: hot',
        '    interval: 1s',
        '    rules:',
        '      - alert: TestHot',
        `        expr: rw_test_temperature{test="${test}"} > 50`,
        '        for: 4s',
        '        labels: { severity: "3" }',
        '        annotations:',
        '          summary: "{{ $labels.instance }} is at {{ $value }} degrees"',
        '      - record: test:rw_test_temperature:sum',
        `        expr: sum by (test) (rw_test_temperature{test="${test}"})`,
        '',
      ].join('\n'),
    );
    await nodes.storageWriter('writer', { remote_write: [{ name: 'prometheus', url: infra.remoteWriteUrl, queue_config: { batch_send_deadline: '200ms' } }] });
  });

  afterAll(async () => {
    await nodes.stopAll();
  });

  it('pending, then firing after `for`; reaches Alertmanager; ALERTS and the recording rule reach the store; resolves', async () => {
    const node = await nodes.alerting('alerting-1', alertingConfig());
    await temperature(90);
    const pending = await eventually(
      async () => (await nodeAlerts(node)).find((a) => a.labels.test === test && a.state === 'pending'),
      { timeoutMs: 15_000, description: 'the alert pending on the node' },
    );
    expect(pending.labels).toMatchObject({ alertname: 'TestHot', instance: 'probe-1', severity: '3' });
    const activeAt = Date.parse(pending.activeAt);
    const firingSeenAt = await eventually(
      async () => ((await nodeAlerts(node)).some((a) => a.labels.test === test && a.state === 'firing') ? Date.now() : undefined),
      { timeoutMs: 20_000, intervalMs: 100, description: 'the alert firing' },
    );
    expect(firingSeenAt - activeAt).toBeGreaterThanOrEqual(4_000);

    const inAm = await eventually(async () => (await alertmanagerAlerts(am, test)).find((a) => a.status.state === 'active'), {
      timeoutMs: 15_000,
      description: 'the alert in Alertmanager',
    });
    expect(inAm.labels).toMatchObject({ alertname: 'TestHot', cluster: 'it', instance: 'probe-1', test });

    await eventually(async () => ((await instantQuery(infra.prometheusUrl, `ALERTS{alertstate="firing",test="${test}"}`)).length === 1 ? true : undefined), {
      timeoutMs: 20_000,
      description: 'ALERTS{alertstate="firing"} in Prometheus',
    });
    // The recording rule's stored samples equal what Prometheus computes for the same expression at the same instants.
    const recorded = await eventually(async () => {
      const series = await rawSamples(infra.prometheusUrl, `test:rw_test_temperature:sum{test="${test}"}`, '5m');
      return series[0] !== undefined && series[0].samples.length >= 3 ? series[0].samples : undefined;
    }, { timeoutMs: 20_000, description: 'the recording rule in the store' });
    for (const s of recorded.slice(-3)) {
      const res = await fetch(`${infra.prometheusUrl}/api/v1/query?${new URLSearchParams({ query: `sum by (test) (rw_test_temperature{test="${test}"})`, time: String(s.timestampMs / 1000) })}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      expect(Number(body.data.result[0]?.value[1])).toBe(s.value);
    }

    await temperature(10);
    await eventually(async () => ((await nodeAlerts(node)).some((a) => a.labels.test === test) ? undefined : true), {
      timeoutMs: 15_000,
      description: 'the alert gone from the node',
    });
    // Alertmanager got the resolution: it no longer lists the alert as active.
    await eventually(async () => ((await alertmanagerAlerts(am, test)).some((a) => a.status.state === 'active') ? undefined : true), {
      timeoutMs: 15_000,
      description: 'the alert resolved in Alertmanager',
    });
    await node.stop();
  });

  it('a restart while pending keeps `for` progress: it fires at the original activeAt + for', async () => {
    writeFileSync(
      join(rulesDir, 'slow.yml'),
      ['groups:', '  - name: slow', '    interval: 1s', '    rules:', '      - alert: TestSlow', `        expr: rw_test_temperature{test="${test}"} > 50`, '        for: 12s', ''].join('\n'),
    );
    const node = await nodes.alerting('alerting-restart', alertingConfig());
    await temperature(95);
    const pending = await eventually(
      async () => (await nodeAlerts(node)).find((a) => a.labels.alertname === 'TestSlow' && a.state === 'pending'),
      { timeoutMs: 15_000, description: 'TestSlow pending' },
    );
    await node.stop(); // SIGTERM: the replica leaves, its state stays in etcd
    await node.start();
    const afterRestart = await eventually(
      async () => (await nodeAlerts(node)).find((a) => a.labels.alertname === 'TestSlow'),
      { timeoutMs: 15_000, description: 'TestSlow after the restart' },
    );
    expect(afterRestart.activeAt).toBe(pending.activeAt);
    // Keep the value fresh while waiting (Prometheus' lookback would keep it anyway).
    const firedAt = await eventually(
      async () => {
        await temperature(95);
        return (await nodeAlerts(node)).some((a) => a.labels.alertname === 'TestSlow' && a.state === 'firing') ? Date.now() : undefined;
      },
      { timeoutMs: 25_000, intervalMs: 200, description: 'TestSlow firing after the restart' },
    );
    const activeAt = Date.parse(pending.activeAt);
    expect(firedAt - activeAt).toBeGreaterThanOrEqual(12_000);
    expect(firedAt - activeAt).toBeLessThan(12_000 + 4_000); // not reset: not activeAt-of-restart + 12 s
    await node.stop();
    await temperature(10);
  });

  it('two replicas share groups; one killed with SIGKILL: its groups move within TTL + interval, no slot evaluated twice', async () => {
    const groups = 8;
    const lines = ['groups:'];
    for (let g = 0; g < groups; g++) lines.push(`  - name: share-${g}`, '    interval: 1s', '    rules:', `      - record: rw_test_share`, `        expr: vector(${g})`, `        labels: { g: "g${g}", test: "${test}" }`);
    const dir = join(nodes.dir, 'share-rules');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'share.yml'), `${lines.join('\n')}\n`);
    const sharePrefix = `${prefix}share/`;
    const config = alertingConfig({ rule_files: [join(dir, '*.yml')], etcd: { endpoints: infra.etcdEndpoints, prefix: sharePrefix, lease_ttl: '3s', handoff_delay: '1s' } });
    const a = await nodes.alerting('share-a', config);
    const b = await nodes.alerting('share-b', config);

    // Every evaluation publishes one message per group, keyed by group: read them back from Kafka.
    const kafka = new Kafka({ brokers: infra.kafkaBrokers, clientId: 'alerting-test', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `alerting-test-${test}` });
    await consumer.connect();
    await consumer.subscribe({ topic: nodes.topic, fromBeginning: true });
    const slots = new Map<string, number[]>(); // group -> evaluation timestamps
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value === null) return;
        const header = readSampleMessage(message.value);
        const wr = decodeWriteRequest(snappyDecompress(message.value.subarray(header.blockOffset)));
        for (const ts of wr.timeseries) {
          const g = ts.labels.find((l) => l.name === 'g')?.value;
          const name = ts.labels.find((l) => l.name === '__name__')?.value;
          if (g === undefined || name !== 'rw_test_share') continue;
          for (const s of ts.samples) slots.set(g, [...(slots.get(g) ?? []), s.timestampMs]);
        }
      },
    });
    const ownedBy = async (node: RingwatchNode): Promise<number> => {
      const res = await fetch(`${node.url}/api/v1/rules`);
      return ((await res.json()) as { data: { groups: unknown[] } }).data.groups.length;
    };
    await eventually(async () => ((await ownedBy(a)) > 0 && (await ownedBy(b)) > 0 && (await ownedBy(a)) + (await ownedBy(b)) === groups ? true : undefined), {
      timeoutMs: 20_000,
      description: 'both replicas owning a share of the groups',
    });
    await eventually(() => (slots.size === groups ? true : undefined), { timeoutMs: 20_000, description: 'every group evaluated' });
    const killedAt = Date.now();
    await a.kill();
    await eventually(async () => ((await ownedBy(b)) === groups ? true : undefined), { timeoutMs: 15_000, intervalMs: 100, description: 'b owning every group' });
    const movedAfter = Date.now() - killedAt;
    expect(movedAfter).toBeLessThan(3_000 + 1_000 + 2_000); // lease TTL + one interval, plus the watch and this poll
    const end = Date.now() + 4_000;
    await eventually(() => (Date.now() > end ? true : undefined), { timeoutMs: 10_000, description: 'a few more evaluations on b' });
    await consumer.disconnect();

    for (const [g, stamps] of slots) {
      const sorted = [...stamps].sort((x, y) => x - y);
      // No slot twice: each evaluation time of a group appears once.
      expect(new Set(sorted).size, `group ${g} evaluated a slot twice`).toBe(sorted.length);
      // Gaps only around the crash, and no longer than lease TTL + one interval (+ one slot of slack).
      let worst = 0;
      for (let i = 1; i < sorted.length; i++) worst = Math.max(worst, (sorted[i] as number) - (sorted[i - 1] as number));
      expect(worst, `group ${g}: longest gap between evaluations`).toBeLessThanOrEqual(3_000 + 1_000 + 2_000);
    }
    await b.stop();
  });

  it('publishes every transition to the alerts topic, keyed by fingerprint, in the shared record format', async () => {
    const kafka = new Kafka({ brokers: infra.kafkaBrokers, clientId: 'alerting-test', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `alerting-records-${test}` });
    await consumer.connect();
    await consumer.subscribe({ topic: nodes.alertsTopic, fromBeginning: true });
    const records: { key: string; record: AlertRecord }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value !== null) records.push({ key: message.key?.toString() ?? '', record: decodeAlertRecord(message.value) });
      },
    });
    // The first test made TestHot go pending → firing → resolved.
    await eventually(() => {
      const hot = records.filter((r) => r.record.labels.alertname === 'TestHot' && r.record.labels.test === test);
      const statuses = hot.map((r) => r.record.status);
      return statuses.includes('pending') && statuses.includes('firing') && statuses.includes('resolved') ? hot : undefined;
    }, { timeoutMs: 20_000, description: 'pending, firing and resolved records of TestHot' }).then((hot) => {
      for (const r of hot) expect(r.key).toBe(r.record.fingerprint);
      const order = hot.map((r) => r.record.status).filter((s, i, all) => all.indexOf(s) === i);
      expect(order).toEqual(['pending', 'firing', 'resolved']);
      expect(hot.find((r) => r.record.status === 'firing')?.record.annotations.summary).toBe('probe-1 is at 90 degrees');
    });
    await consumer.disconnect();
  });
});
