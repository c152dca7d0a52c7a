// The alerting node's own /metrics, with Prometheus' names where Prometheus has the same thing
// (rule group evaluations, notifications to Alertmanager), so existing dashboards and alerts on a
// Prometheus' rule manager work on Ringwatch's too.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class AlertingMetrics {
  readonly registry = new Registry();
  readonly evaluations = new Counter({
    name: 'prometheus_rule_evaluations_total',
    help: 'The total number of rule evaluations.',
    labelNames: ['rule_group'],
    registers: [this.registry],
  });
  readonly evaluationFailures = new Counter({
    name: 'prometheus_rule_evaluation_failures_total',
    help: 'The total number of rule evaluation failures.',
    labelNames: ['rule_group'],
    registers: [this.registry],
  });
  readonly groupIterations = new Counter({
    name: 'prometheus_rule_group_iterations_total',
    help: 'The total number of scheduled rule group evaluations, whether executed or missed.',
    labelNames: ['rule_group'],
    registers: [this.registry],
  });
  readonly groupIterationsMissed = new Counter({
    name: 'prometheus_rule_group_iterations_missed_total',
    help: 'The total number of rule group evaluations missed due to slow rule group evaluation.',
    labelNames: ['rule_group'],
    registers: [this.registry],
  });
  readonly groupDuration = new Histogram({
    name: 'prometheus_rule_group_duration_seconds',
    help: 'The duration of rule group evaluations.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly groupLastDuration = new Gauge({
    name: 'prometheus_rule_group_last_duration_seconds',
    help: 'The duration of the last rule group evaluation.',
    labelNames: ['rule_group'],
    registers: [this.registry],
  });
  readonly groupLastEvaluation = new Gauge({
    name: 'prometheus_rule_group_last_evaluation_timestamp_seconds',
    help: 'The timestamp of the last rule group evaluation in seconds.',
    labelNames: ['rule_group'],
    registers: [this.registry],
  });
  readonly groupRules = new Gauge({
    name: 'prometheus_rule_group_rules',
    help: 'The number of rules.',
    labelNames: ['rule_group'],
    registers: [this.registry],
  });
  readonly groupsOwned = new Gauge({ name: 'ringwatch_alerting_rule_groups_owned', help: 'Rule groups this replica evaluates now.', registers: [this.registry] });
  readonly groupsKnown = new Gauge({ name: 'ringwatch_alerting_rule_groups', help: 'Rule groups loaded from the rule files.', registers: [this.registry] });
  readonly membersSeen = new Gauge({ name: 'ringwatch_alerting_members_seen', help: 'Live alerting replicas in the ring.', registers: [this.registry] });
  readonly alerts = new Gauge({ name: 'ringwatch_alerting_alerts', help: 'Active alerts of the groups this replica owns, by state.', labelNames: ['state'], registers: [this.registry] });
  readonly notificationsSent = new Counter({
    name: 'prometheus_notifications_sent_total',
    help: 'Total number of alerts sent.',
    labelNames: ['alertmanager'],
    registers: [this.registry],
  });
  readonly notificationErrors = new Counter({
    name: 'prometheus_notifications_errors_total',
    help: 'Total number of sent alerts affected by errors.',
    labelNames: ['alertmanager'],
    registers: [this.registry],
  });
  readonly notificationsDropped = new Counter({
    name: 'prometheus_notifications_dropped_total',
    help: 'Total number of alerts dropped due to errors when sending to Alertmanager.',
    registers: [this.registry],
  });
  readonly notificationQueueLength = new Gauge({ name: 'prometheus_notifications_queue_length', help: 'The number of alert notifications in the queue.', registers: [this.registry] });
  readonly notificationQueueCapacity = new Gauge({ name: 'prometheus_notifications_queue_capacity', help: 'The capacity of the alert notifications queue.', registers: [this.registry] });
  readonly notificationLatency = new Histogram({
    name: 'prometheus_notifications_latency_seconds',
    help: 'Latency quantiles for sending alert notifications.',
    labelNames: ['alertmanager'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly alertRecordsPublished = new Counter({ name: 'ringwatch_alerting_alert_records_published_total', help: 'Alert transitions published to the alerts topic.', registers: [this.registry] });
  readonly samplesPublished = new Counter({ name: 'ringwatch_alerting_samples_published_total', help: 'Recording-rule and ALERTS samples published to the samples topic.', registers: [this.registry] });
  readonly publishErrors = new Counter({ name: 'ringwatch_alerting_publish_errors_total', help: 'Failed produce attempts to Kafka (retried).', labelNames: ['topic'], registers: [this.registry] });
  readonly stateWrites = new Counter({ name: 'ringwatch_alerting_state_writes_total', help: 'Group alert state written to etcd.', labelNames: ['result'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
