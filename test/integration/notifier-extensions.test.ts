// The notifier's receiver_extensions (declared in its own file, attached to receivers of an
// unchanged Alertmanager file) between real Kafka and etcd: an http_template receiver renders
// its body to a local HTTP sink (which fails the first request: the retry delivers), and an
// alertmanager receiver forwards the alert to the test infrastructure's real Alertmanager 0.25.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRingwatchNode, type RingwatchNode } from '../../deploy/local/ringwatch-node.ts';
import { freePort } from '../../deploy/local/services/free-port.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';
import { eventually } from '../harness/eventually.ts';
import { startAlertProducer, type AlertProducer } from '../harness/notifier-node.ts';

interface SinkRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  status: { state: string };
}

const GROUP_WAIT_MS = 1000;
const GROUP_INTERVAL_MS = 2000;
const BODY = 'ALERT {{ .Status | toUpper }}: {{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }} - {{ .CommonAnnotations.summary }}';

describe('notifier receiver_extensions on real Kafka, etcd and Alertmanager', () => {
  const infra = inject('infra');
  const test = randomBytes(3).toString('hex');
  const etcdPrefix = `/rw-notifier-ext-${test}/`;
  const am = infra.alertmanagerUrl as string;
  const received: SinkRequest[] = [];
  let failNext = 1;
  let sink: Server;
  let sinkUrl: string;
  let notifier: RingwatchNode;
  let notifierUrl: string;
  let topic: string;
  let alerts: AlertProducer;

  beforeAll(async () => {
    sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // The first request fails with a 503: the notifier must retry it.
        const status = failNext-- > 0 ? 503 : 200;
        received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const address = sink.address();
    sinkUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

    // Started as harness/notifier-node.ts does, inline: its options have no field for extra node-file keys.
    const id = `notifier-ext-${test}`;
    const dir = join(repoRoot(), '.data', 'test-nodes', id);
    mkdirSync(join(dir, 'config'), { recursive: true });
    const amFile = join(dir, 'config', 'alertmanager.yml');
    // Alertmanager's own format, unchanged: the two receivers are empty there.
    writeFileSync(
      amFile,
      stringify({
        route: {
          receiver: 'nowhere',
          group_by: ['alertname'],
          group_wait: `${GROUP_WAIT_MS / 1000}s`,
          group_interval: `${GROUP_INTERVAL_MS / 1000}s`,
          repeat_interval: '1h',
          routes: [
            { matchers: [`test="${test}"`], receiver: 'sms', continue: true },
            { matchers: [`test="${test}"`], receiver: 'keep-theirs' },
          ],
        },
        receivers: [{ name: 'nowhere' }, { name: 'sms' }, { name: 'keep-theirs' }],
      }),
    );
    topic = `alerts-${id}`;
    const port = await freePort();
    notifierUrl = `http://127.0.0.1:${port}`;
    notifier = await startRingwatchNode({
      kind: 'notifier',
      name: 'notifier-ext',
      config: {
        node: { id: 'notifier-ext', listen_address: `127.0.0.1:${port}` },
        kafka: { brokers: infra.kafkaBrokers, alerts_topic: topic, group_id: `notifier-${id}`, partitions: 2 },
        etcd: { endpoints: infra.etcdEndpoints, prefix: etcdPrefix, lease_ttl: '2s' },
        alertmanager_config: amFile,
        receiver_extensions: {
          sms: {
            http_template_configs: [{ url: `${sinkUrl}/sms/send?token=t0ken`, headers: { 'X-Alert': '{{ .CommonLabels.alertname }}' }, body: BODY, send_resolved: true }],
          },
          'keep-theirs': { alertmanager_configs: [{ url: am }] },
        },
      },
      httpAddress: `127.0.0.1:${port}`,
      configDir: join(dir, 'config'),
      logDir: join(dir, 'logs'),
    });
    alerts = await startAlertProducer(infra.kafkaBrokers, topic);
  });
  afterAll(async () => {
    await alerts?.close();
    await notifier?.stop();
    await new Promise((r) => sink?.close(r));
    const etcd = new Etcd3({ hosts: infra.etcdEndpoints });
    await etcd.delete().prefix(etcdPrefix);
    etcd.close();
  });

  const amAlerts = async (): Promise<AmAlert[]> => (await (await fetch(`${am}/api/v2/alerts?filter=${encodeURIComponent(`test="${test}"`)}`)).json()) as AmAlert[];
  const metric = async (name: string, integration: string): Promise<number> => {
    const text = await (await fetch(`${notifierUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`integration="${integration}"`));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };

  it('renders the http_template body to the sink (after a retry) and forwards the alert to the real Alertmanager; then both resolve', async () => {
    // `<`, `&` and quotes must arrive unescaped in a text body.
    const labels = { alertname: 'PaymentsDown', test, instance: 'pay<1>&"co"' };
    await alerts.send('firing', labels);

    const delivered = await eventually(() => received.find((r) => r.status === 200 && r.body.startsWith('ALERT FIRING')), {
      timeoutMs: GROUP_WAIT_MS + 10_000,
      description: 'the rendered SMS at the sink',
    });
    expect(received[0]?.status).toBe(503);
    expect(received[0]?.body).toBe(delivered.body);
    expect(delivered.body).toBe('ALERT FIRING: PaymentsDown on pay<1>&"co" - PaymentsDown is happening');
    expect(delivered).toMatchObject({ method: 'POST', path: '/sms/send?token=t0ken' });
    expect(delivered.headers['x-alert']).toBe('PaymentsDown');
    expect(delivered.headers['content-type']).toBe('text/plain; charset=utf-8');

    const inAm = await eventually(async () => (await amAlerts()).find((a) => a.status.state === 'active'), { timeoutMs: GROUP_WAIT_MS + 10_000, description: 'the alert in the real Alertmanager' });
    expect(inAm.labels).toEqual(labels);
    expect(inAm.annotations).toEqual({ summary: 'PaymentsDown is happening' });
    expect(inAm.generatorURL).toBe('http://alerting:9490/graph');

    // Alertmanager's metric names, with the extensions' integration labels.
    expect(await metric('alertmanager_notification_requests_failed_total', 'http_template')).toBeGreaterThanOrEqual(1);
    expect(await metric('alertmanager_notifications_total', 'http_template')).toBeGreaterThanOrEqual(1);
    expect(await metric('alertmanager_notifications_total', 'alertmanager')).toBeGreaterThanOrEqual(1);

    await alerts.send('resolved', labels);
    const resolved = await eventually(() => received.find((r) => r.body.startsWith('ALERT RESOLVED')), { timeoutMs: GROUP_INTERVAL_MS + 10_000, description: 'the resolved SMS' });
    expect(resolved.body).toBe('ALERT RESOLVED: PaymentsDown on pay<1>&"co" - PaymentsDown is happening');
    // The forwarded resolution ends the alert in the real Alertmanager: it leaves the active list.
    await eventually(async () => ((await amAlerts()).length === 0 ? true : undefined), { timeoutMs: GROUP_INTERVAL_MS + 10_000, description: 'the alert resolved in the real Alertmanager' });
    expect(received.filter((r) => r.status === 200 && r.body.startsWith('ALERT FIRING'))).toHaveLength(1);
  });
});
