// The notifier's /metrics, under Alertmanager's own names so its dashboards and alerts work.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Registered up front, as Alertmanager does, so that rate() sees a series from zero.
const INTEGRATIONS = ['email', 'pagerduty', 'wechat', 'pushover', 'slack', 'opsgenie', 'webhook', 'victorops', 'sns', 'telegram', 'discord', 'webex', 'msteams', 'msteamsv2', 'jira', 'rocketchat', 'http_template', 'alertmanager'];
const FAILURE_REASONS = ['other', 'clientError', 'serverError', 'contextCanceledError', 'contextDeadlineExceededError'];

export class NotifierMetrics {
  readonly registry = new Registry();
  readonly notifications: Counter<'integration'>;
  readonly notificationsFailed: Counter<'integration' | 'reason'>;
  readonly notificationRequests: Counter<'integration'>;
  readonly notificationRequestsFailed: Counter<'integration'>;
  readonly notificationLatency: Histogram<'integration'>;
  readonly notificationsSuppressed: Counter<'reason'>;
  /** Alertmanager's failures with the receiver too (its receiver-names-in-metrics flag), under Ringwatch's name. */
  readonly receiverFailures: Counter<'receiver' | 'integration' | 'reason'>;
  readonly alertsReceived: Counter<'status' | 'source'>;
  readonly alertsInvalid: Counter<'source'>;
  /** Alertmanager's name and Ringwatch's (every node exports the latter), set together. */
  readonly configReloadSuccessful: { set(value: number): void };
  readonly configReloadSuccessTimestamp: { set(value: number): void };
  readonly configHash: Gauge;
  readonly offsetsCommitted: Counter<'partition'>;
  readonly pendingRecords: Gauge;

  constructor(collect: { alerts: () => Record<'active' | 'suppressed' | 'unprocessed', number>; silences: () => Record<'active' | 'pending' | 'expired', number>; groups: () => number }) {
    const r = this.registry;
    collectDefaultMetrics({ register: r });
    this.notifications = new Counter({ name: 'alertmanager_notifications_total', help: 'The total number of attempted notifications.', labelNames: ['integration'], registers: [r] });
    this.notificationsFailed = new Counter({
      name: 'alertmanager_notifications_failed_total',
      help: 'The total number of failed notifications.',
      labelNames: ['integration', 'reason'],
      registers: [r],
    });
    this.notificationRequests = new Counter({
      name: 'alertmanager_notification_requests_total',
      help: 'The total number of attempted notification requests.',
      labelNames: ['integration'],
      registers: [r],
    });
    this.notificationRequestsFailed = new Counter({
      name: 'alertmanager_notification_requests_failed_total',
      help: 'The total number of failed notification requests.',
      labelNames: ['integration'],
      registers: [r],
    });
    this.notificationLatency = new Histogram({
      name: 'alertmanager_notification_latency_seconds',
      help: 'The latency of notifications in seconds.',
      labelNames: ['integration'],
      buckets: [1, 5, 10, 15, 20],
      registers: [r],
    });
    this.notificationsSuppressed = new Counter({
      name: 'alertmanager_notifications_suppressed_total',
      help: 'The total number of notifications suppressed for being silenced, inhibited, outside of active time intervals or within muted time intervals.',
      labelNames: ['reason'],
      registers: [r],
    });
    this.receiverFailures = new Counter({
      name: 'ringwatch_notifier_notifications_failed_total',
      help: 'Failed notifications by receiver, integration and reason.',
      labelNames: ['receiver', 'integration', 'reason'],
      registers: [r],
    });
    for (const i of INTEGRATIONS) {
      this.notifications.labels(i);
      this.notificationRequests.labels(i);
      this.notificationRequestsFailed.labels(i);
      this.notificationLatency.labels(i);
      for (const reason of FAILURE_REASONS) this.notificationsFailed.labels(i, reason);
    }
    this.alertsReceived = new Counter({ name: 'alertmanager_alerts_received_total', help: 'The total number of received alerts.', labelNames: ['status', 'source'], registers: [r] });
    this.alertsInvalid = new Counter({ name: 'alertmanager_alerts_invalid_total', help: 'The total number of received alerts that were invalid.', labelNames: ['source'], registers: [r] });
    new Gauge({
      name: 'alertmanager_alerts',
      help: 'How many alerts by state.',
      labelNames: ['state'],
      registers: [r],
      collect() {
        for (const [state, n] of Object.entries(collect.alerts())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'alertmanager_silences',
      help: 'How many silences by state.',
      labelNames: ['state'],
      registers: [r],
      collect() {
        for (const [state, n] of Object.entries(collect.silences())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'alertmanager_dispatcher_aggregation_groups',
      help: 'Number of active aggregation groups',
      registers: [r],
      collect() {
        this.set(collect.groups());
      },
    });
    const both = (names: readonly string[], help: string): { set(value: number): void } => {
      const gauges = names.map((name) => new Gauge({ name, help, registers: [r] }));
      return { set: (value) => gauges.forEach((g) => g.set(value)) };
    };
    this.configReloadSuccessful = both(['alertmanager_config_last_reload_successful', 'ringwatch_config_last_reload_successful'], 'Whether the last configuration reload attempt was successful.');
    this.configReloadSuccessTimestamp = both(
      ['alertmanager_config_last_reload_success_timestamp_seconds', 'ringwatch_config_last_reload_success_timestamp_seconds'],
      'Timestamp of the last successful configuration reload.',
    );
    this.configHash = new Gauge({ name: 'alertmanager_config_hash', help: 'Hash of the currently loaded alertmanager configuration.', registers: [r] });
    this.offsetsCommitted = new Counter({ name: 'ringwatch_notifier_offsets_committed_total', help: 'Offset commits of the alerts topic, by partition.', labelNames: ['partition'], registers: [r] });
    this.pendingRecords = new Gauge({ name: 'ringwatch_notifier_records_pending', help: 'Alert records whose notifications are not settled yet (their offsets are not committed).', registers: [r] });
  }
}
