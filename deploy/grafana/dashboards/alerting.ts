// Alerting: firing and pending alerts (ALERTS), rule evaluation (failures, duration, missed
// iterations), notifications sent by the rule evaluators and delivered by the notifier, by
// receiver and integration.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { PROMETHEUS, PanelIds, promQuery, ringwatchDashboard, row, statPanel, timeseriesPanel } from './common.ts';

export function alerting(): dashboard.Dashboard {
  const ids = new PanelIds();
  const rate = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;
  const firingTable = new table.PanelBuilder()
    .id(ids.next())
    .title('Firing alerts')
    .description('Alerts firing now, one row per alert (from the ALERTS series).')
    .datasource(PROMETHEUS)
    .height(8)
    .span(24)
    .withTarget(promQuery({ expr: 'ALERTS{alertstate="firing"}', instant: true, format: prometheus.PromQueryFormat.Table }, 'A'));
  return ringwatchDashboard('ringwatch-alerting', 'Ringwatch / Alerting', 'Rule evaluation, alerts and notifications.')
    .withPanel(statPanel(ids, { title: 'Firing alerts', description: 'Alerts firing now.', unit: 'none', target: { expr: 'count(ALERTS{alertstate="firing"}) or vector(0)' } }))
    .withPanel(statPanel(ids, { title: 'Pending alerts', description: 'Alerts pending (waiting for their `for`).', unit: 'none', target: { expr: 'count(ALERTS{alertstate="pending"}) or vector(0)' } }))
    .withPanel(statPanel(ids, { title: 'Rule groups', description: 'Rule groups loaded from the rule files.', unit: 'none', target: { expr: 'max(ringwatch_alerting_rule_groups)' } }))
    .withPanel(statPanel(ids, { title: 'Alerting replicas', description: 'Live alerting replicas in the ring.', unit: 'none', target: { expr: 'max(ringwatch_alerting_members_seen)' } }))
    .withPanel(firingTable)
    .withPanel(timeseriesPanel(ids, { title: 'Firing alerts by name', description: 'Firing alert instances by alert name.', unit: 'none', stack: true, targets: [{ expr: 'count by (alertname) (ALERTS{alertstate="firing"})', legend: '{{alertname}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Alerts by state', description: 'Active alerts of the owned groups, by state, per replica.', unit: 'none', targets: [{ expr: 'sum by (state) (ringwatch_alerting_alerts)', legend: '{{state}}' }] }))
    .withRow(row(ids, 'Rule evaluation'))
    .withPanel(timeseriesPanel(ids, { title: 'Evaluation failures', description: 'Failed rule evaluations per second, by rule group.', unit: 'cps', targets: [{ expr: rate('prometheus_rule_evaluation_failures_total', 'rule_group'), legend: '{{rule_group}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Evaluations', description: 'Rule evaluations per second, by rule group.', unit: 'cps', targets: [{ expr: rate('prometheus_rule_evaluations_total', 'rule_group'), legend: '{{rule_group}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Missed iterations', description: 'Group evaluations skipped because the previous one was still running.', unit: 'none', targets: [{ expr: 'sum by (rule_group) (increase(prometheus_rule_group_iterations_missed_total[$__rate_interval]))', legend: '{{rule_group}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Group evaluation duration', description: 'Duration of the last evaluation of each group.', unit: 's', targets: [{ expr: 'max by (rule_group) (prometheus_rule_group_last_duration_seconds)', legend: '{{rule_group}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Rule groups owned per replica', description: 'Rule groups each alerting replica evaluates.', unit: 'none', stack: true, targets: [{ expr: 'sum by (instance) (ringwatch_alerting_rule_groups_owned)', legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Publish errors', description: 'Failed produce attempts to Kafka by topic (retried).', unit: 'cps', targets: [{ expr: rate('ringwatch_alerting_publish_errors_total', 'topic'), legend: '{{topic}}' }] }))
    .withRow(row(ids, 'Notifications'))
    .withPanel(timeseriesPanel(ids, {
      title: 'Notifications sent by the rule evaluators',
      description: 'Alerts sent to each Alertmanager, and errors.',
      unit: 'cps',
      targets: [
        { expr: rate('prometheus_notifications_sent_total', 'alertmanager'), legend: 'sent {{alertmanager}}' },
        { expr: rate('prometheus_notifications_errors_total', 'alertmanager'), legend: 'errors {{alertmanager}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, { title: 'Notification queue', description: 'Alert notifications queued in the rule evaluators.', unit: 'none', targets: [{ expr: 'sum by (instance) (prometheus_notifications_queue_length)', legend: '{{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Notifications by integration',
      description: 'Notifications attempted by the notifier, and failed, by integration (email, webhook...).',
      unit: 'cps',
      targets: [
        { expr: rate('alertmanager_notifications_total', 'integration'), legend: '{{integration}}' },
        { expr: rate('alertmanager_notifications_failed_total', 'integration, reason'), legend: 'failed {{integration}} {{reason}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Failed notifications by receiver',
      description: 'Failed notifications by receiver and integration.',
      unit: 'cps',
      targets: [{ expr: rate('ringwatch_notifier_notifications_failed_total', 'receiver, integration'), legend: '{{receiver}} {{integration}}' }],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Notification latency',
      description: '99th percentile of notification latency by integration.',
      unit: 's',
      targets: [{ expr: 'histogram_quantile(0.99, sum by (le, integration) (rate(alertmanager_notification_latency_seconds_bucket[$__rate_interval])))', legend: '{{integration}}' }],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Suppressed notifications, silences, groups',
      description: 'Notifications suppressed (silenced, inhibited, muted by time interval), silences by state, aggregation groups, and alert records consumed but not yet settled.',
      unit: 'none',
      targets: [
        { expr: 'sum by (reason) (increase(alertmanager_notifications_suppressed_total[$__rate_interval]))', legend: 'suppressed {{reason}}' },
        { expr: 'max by (state) (alertmanager_silences)', legend: 'silences {{state}}' },
        { expr: 'sum(alertmanager_dispatcher_aggregation_groups)', legend: 'aggregation groups' },
        { expr: 'sum(ringwatch_notifier_records_pending)', legend: 'records pending' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Dropped alert notifications',
      description: 'Alerts the rule evaluators dropped (queue full or Alertmanager unreachable), and invalid alerts the notifier refused, by source.',
      unit: 'none',
      targets: [
        { expr: 'sum(increase(prometheus_notifications_dropped_total[$__rate_interval]))', legend: 'dropped by the evaluators' },
        { expr: 'sum by (source) (increase(alertmanager_alerts_invalid_total[$__rate_interval]))', legend: 'invalid {{source}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, { title: 'Alerts received by the notifier', description: 'Alerts received per second, by status.', unit: 'cps', targets: [{ expr: rate('alertmanager_alerts_received_total', 'status'), legend: '{{status}}' }] }))
    .build();
}
