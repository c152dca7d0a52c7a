import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../core/logger.ts';
import type { Alert } from './alert.ts';
import { AlertStore } from './alert-store.ts';
import { loadAlertmanagerFile, type LoadedAlertmanagerConfig } from './alertmanager-file.ts';
import { Dispatcher } from './dispatcher.ts';
import { HttpClients } from './integrations/http-client.ts';
import { asNotifyError, NotifyError, type Integration, type NotifyContext } from './integrations/integration.ts';
import { fingerprint } from './labels.ts';
import { NotificationHistory } from './notification-history.ts';
import { NotificationLog } from './notification-log.ts';
import { NotificationPipeline } from './notification-pipeline.ts';
import { NotifierMetrics } from './notifier-metrics.ts';
import { Obligation } from './obligation.ts';
import { MemorySharedMap } from './shared-map.ts';
import { SilenceStore } from './silence-store.ts';

class FakeIntegration implements Integration {
  readonly kind: string;
  readonly index = 0;
  readonly sendResolved: boolean;
  readonly sent: { atMs: number; alerts: string[]; groupKey: string }[] = [];
  failures: NotifyError[] = [];
  /** Fails (retryably) every attempt before this time. */
  downUntilMs = 0;
  /** Answers nothing until the flush deadline aborts the request (a receiver that hangs). */
  hangs = false;
  constructor(kind: string, sendResolved = true) {
    this.kind = kind;
    this.sendResolved = sendResolved;
  }
  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    if (this.hangs) {
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(asNotifyError(new Error('This operation was aborted'), ctx.signal))));
    }
    if (Date.now() < this.downUntilMs) throw new NotifyError('connection refused', true, 'other');
    this.sent.push({ atMs: Date.now(), alerts: alerts.map((a) => a.labels.instance ?? ''), groupKey: ctx.groupKey });
  }
}

const AM_CONFIG = `
route:
  receiver: team
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 1h
  routes:
    - matchers: [window="mute"]
      mute_time_intervals: [always]
    - matchers: [window="active"]
      active_time_intervals: [long_ago]
time_intervals:
  - name: always
    time_intervals: [{ weekdays: ['sunday:saturday'] }]
  - name: long_ago
    time_intervals: [{ years: ['2000'] }]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
receivers:
  - name: team
    webhook_configs: [{ url: 'http://127.0.0.1:1/' }]
`;

function alert(labels: Record<string, string>, startsAtMs: number, endsAtMs: number = startsAtMs + 3_600_000): Alert {
  return { fingerprint: fingerprint(labels), labels, annotations: {}, startsAtMs, endsAtMs, generatorURL: '', updatedAtMs: Date.now(), timeout: false };
}

describe('dispatcher and notification pipeline', () => {
  let hook: FakeIntegration;
  let mail: FakeIntegration;
  let store: AlertStore;
  let silences: SilenceStore;
  let dispatcher: Dispatcher;
  let config: LoadedAlertmanagerConfig;
  let metrics: NotifierMetrics;
  let history: NotificationHistory;
  const T0 = Date.parse('2026-12-01T10:00:00Z');

  beforeEach(async () => {
    vi.useFakeTimers({ now: T0 });
    const dir = mkdtempSync(join(tmpdir(), 'notifier-'));
    writeFileSync(join(dir, 'am.yml'), AM_CONFIG);
    const loaded = await loadAlertmanagerFile(join(dir, 'am.yml'), new HttpClients(), 'http://am');
    hook = new FakeIntegration('webhook');
    mail = new FakeIntegration('email', false);
    config = { ...loaded, receivers: new Map([['team', { name: 'team', integrations: [hook, mail], unsupported: [] }]]) };
    store = new AlertStore();
    silences = new SilenceStore(new MemorySharedMap(), 3_600_000);
    metrics = new NotifierMetrics({ alerts: () => ({ active: 0, suppressed: 0, unprocessed: 0 }), silences: () => silences.countByState(Date.now()), groups: () => 0 });
    history = new NotificationHistory(10);
    const pipeline = new NotificationPipeline({
      history,
      allAlerts: () => store.all(),
      silences,
      nflog: new NotificationLog(new MemorySharedMap()),
      metrics,
      logger: createLogger('test', 'silent'),
      externalUrl: 'http://am',
      retentionMs: 3_600_000,
      now: Date.now,
      minBackoffMs: 1000,
      maxBackoffMs: 4000,
    });
    dispatcher = new Dispatcher(config, pipeline, createLogger('test', 'silent'));
    store.subscribe((a, o) => dispatcher.insert(a, o));
  });
  afterEach(() => {
    dispatcher?.stop();
    vi.useRealTimers();
  });

  it('flushes a group once after group_wait with all its alerts, and not again before repeat_interval', async () => {
    store.put(alert({ alertname: 'A', instance: '1' }, T0));
    await vi.advanceTimersByTimeAsync(5000);
    store.put(alert({ alertname: 'A', instance: '2' }, T0 + 5000));
    await vi.advanceTimersByTimeAsync(4999);
    expect(hook.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(hook.sent).toEqual([{ atMs: T0 + 10_000, alerts: ['1', '2'], groupKey: '{}:{alertname="A"}' }]);
    expect(mail.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(hook.sent).toHaveLength(1);
  });

  it('flushes at once an alert that started longer ago than group_wait', async () => {
    store.put(alert({ alertname: 'Old', instance: '1' }, T0 - 60_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(hook.sent).toHaveLength(1);
  });

  it('notifies a new alert in the group at the next group_interval, and the resolution only where send_resolved', async () => {
    store.put(alert({ alertname: 'A', instance: '1' }, T0));
    await vi.advanceTimersByTimeAsync(10_000);
    store.put(alert({ alertname: 'A', instance: '2' }, T0 + 20_000));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hook.sent.map((s) => s.alerts)).toEqual([['1'], ['1', '2']]);
    store.put({ ...alert({ alertname: 'A', instance: '1' }, T0, Date.now()), updatedAtMs: Date.now() });
    store.put({ ...alert({ alertname: 'A', instance: '2' }, T0 + 20_000, Date.now()), updatedAtMs: Date.now() });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hook.sent).toHaveLength(3);
    expect(hook.sent[2]?.alerts).toEqual(['1', '2']);
    // The mail integration does not send resolved alerts (send_resolved false), as Alertmanager.
    expect(mail.sent).toHaveLength(2);
    expect(dispatcher.groupCount).toBe(0);
  });

  it('does not notify silenced or inhibited alerts', async () => {
    await silences.set({ matchers: [{ type: '=', name: 'instance', value: 'muted' }], endsAt: T0 + 3_600_000, createdBy: 't', comment: 'c' }, T0);
    store.put(alert({ alertname: 'A', instance: 'muted' }, T0));
    store.put(alert({ alertname: 'A', instance: 'ok' }, T0));
    store.put(alert({ alertname: 'B', severity: 'warning', instance: 'w' }, T0));
    store.put(alert({ alertname: 'B', severity: 'critical', instance: 'c' }, T0));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hook.sent.map((s) => `${s.groupKey} ${s.alerts.join(',')}`).sort()).toEqual(['{}:{alertname="A"} ok', '{}:{alertname="B"} c']);
  });

  it('mutes routes in their mute intervals and outside their active intervals, counting why', async () => {
    store.put(alert({ alertname: 'M', window: 'mute' }, T0));
    store.put(alert({ alertname: 'A', window: 'active' }, T0));
    store.put(alert({ alertname: 'N', window: 'none' }, T0));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hook.sent.map((s) => s.groupKey)).toEqual(['{}:{alertname="N"}']);
    const suppressed = await metrics.registry.getSingleMetricAsString('alertmanager_notifications_suppressed_total');
    expect(suppressed).toContain('reason="mute_time_interval"} 1');
    expect(suppressed).toContain('reason="active_time_interval"} 1');
  });

  it('retries a failing integration with backoff without delaying the other, and settles the record only after delivery', async () => {
    hook.failures = [new NotifyError('down', true, 'serverError'), new NotifyError('down', true, 'serverError')];
    let settled = false;
    const obligation = new Obligation(() => {
      settled = true;
    });
    store.put(alert({ alertname: 'A', instance: '1' }, T0), obligation);
    obligation.seal();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(mail.sent).toHaveLength(1);
    expect(hook.sent).toHaveLength(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1000); // first retry, fails
    expect(hook.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1500); // second retry after 1.5 s, succeeds
    expect(hook.sent).toEqual([expect.objectContaining({ atMs: T0 + 12_500 })]);
    expect(settled).toBe(true);
  });

  it('keeps the record unsettled when the flush deadline passes, and delivers at a later flush', async () => {
    hook.downUntilMs = T0 + 80_000;
    let settled = false;
    const obligation = new Obligation(() => {
      settled = true;
    });
    store.put(alert({ alertname: 'A', instance: '1' }, T0), obligation);
    obligation.seal();
    await vi.advanceTimersByTimeAsync(10_000 + 60_000);
    expect(settled).toBe(false);
    expect(hook.sent).toHaveLength(0);
    expect((await metrics.registry.getSingleMetricAsString('alertmanager_notifications_failed_total'))).toContain('integration="webhook",reason="contextDeadlineExceededError"} 1');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hook.sent).toHaveLength(1);
    expect(hook.sent[0]?.atMs).toBeLessThan(T0 + 80_000 + 5000);
    expect(settled).toBe(true);
  });

  it('keeps the record unsettled when a receiver hangs past the flush deadline (the abort is no failure for good)', async () => {
    hook.hangs = true;
    let settled = false;
    const obligation = new Obligation(() => {
      settled = true;
    });
    store.put(alert({ alertname: 'A', instance: '1' }, T0), obligation);
    obligation.seal();
    await vi.advanceTimersByTimeAsync(10_000 + 60_000);
    expect(hook.sent).toHaveLength(0);
    expect(settled).toBe(false);
    hook.hangs = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hook.sent).toHaveLength(1);
    expect(settled).toBe(true);
  });

  it('records each attempted notification in the history, newest first, with its outcome', async () => {
    hook.failures = [new NotifyError('bad request', false, 'clientError')];
    store.put(alert({ alertname: 'A', instance: '1' }, T0));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(history.latest().map((e) => [e.integration, e.outcome, e.reason, e.groupKey, e.status, e.alerts])).toEqual(
      expect.arrayContaining([
        ['webhook[0]', 'failed', 'clientError', '{}:{alertname="A"}', 'firing', 1],
        ['email[0]', 'sent', undefined, '{}:{alertname="A"}', 'firing', 1],
      ]),
    );
    expect(history.latest()).toHaveLength(2);
    expect(history.latest(1)).toHaveLength(1);
  });

  it('settles a record at once when a client error makes the notification fail for good', async () => {
    hook.failures = [new NotifyError('bad request', false, 'clientError')];
    let settled = false;
    const obligation = new Obligation(() => {
      settled = true;
    });
    store.put(alert({ alertname: 'A', instance: '1' }, T0), obligation);
    obligation.seal();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(settled).toBe(true);
    expect(hook.sent).toHaveLength(0);
  });

  it('rebuilds its groups on reload and keeps what was notified', async () => {
    store.put(alert({ alertname: 'A', instance: '1' }, T0));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hook.sent).toHaveLength(1);
    dispatcher.reload(config, store.all());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hook.sent).toHaveLength(1);
    expect(dispatcher.groupCount).toBe(1);
  });
});
