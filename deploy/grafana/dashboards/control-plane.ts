// Control plane: the coordinator (target discovery and the target list) and the query node
// (requests, results cache, limits, store latency).
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelIds, ringwatchDashboard, row, statPanel, timeseriesPanel } from './common.ts';

export function controlPlane(): dashboard.Dashboard {
  const ids = new PanelIds();
  const rate = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;
  return ringwatchDashboard('ringwatch-control-plane', 'Ringwatch / Coordinator and query node', 'Target discovery by the coordinator, and the query node Grafana reads through.')
    .withRow(row(ids, 'Coordinator'))
    .withPanel(statPanel(ids, { title: 'Leader', description: 'Coordinators holding the leadership (should be 1).', unit: 'none', target: { expr: 'sum(ringwatch_coordinator_is_leader)' } }))
    .withPanel(statPanel(ids, { title: 'Targets', description: 'Targets in the list written by the leader.', unit: 'none', target: { expr: 'sum(max by (exported_job, source) (ringwatch_coordinator_targets))' } }))
    .withPanel(statPanel(ids, { title: 'Since last sync', description: 'Seconds since the leader last wrote the target list.', unit: 's', target: { expr: 'time() - max(ringwatch_coordinator_last_sync_timestamp_seconds)' } }))
    .withPanel(statPanel(ids, { title: 'Dropped targets', description: 'Discovered targets dropped by relabeling.', unit: 'none', target: { expr: 'sum(max by (exported_job) (ringwatch_coordinator_dropped_targets))' } }))
    .withPanel(timeseriesPanel(ids, { title: 'Targets by job and source', description: 'Targets in the list, by job and discovery source.', unit: 'none', stack: true, targets: [{ expr: 'max by (exported_job, source) (ringwatch_coordinator_targets)', legend: '{{exported_job}} {{source}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Discovery and sync errors',
      description: 'Discovery errors by mechanism, failed target-list writes, target limits exceeded.',
      unit: 'cps',
      targets: [
        { expr: rate('ringwatch_coordinator_discovery_errors_total', 'mechanism'), legend: 'discovery {{mechanism}}' },
        { expr: 'sum(rate(ringwatch_coordinator_target_list_sync_errors_total[$__rate_interval]))', legend: 'sync errors' },
        { expr: rate('ringwatch_coordinator_target_limit_exceeded_total', 'exported_job'), legend: 'limit exceeded {{exported_job}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, { title: 'Target list writes', description: 'Writes to the target list in etcd, by operation.', unit: 'cps', targets: [{ expr: rate('ringwatch_coordinator_target_list_writes_total', 'op'), legend: '{{op}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Invalid targets', description: 'Discovered targets that could not be built, by job.', unit: 'none', targets: [{ expr: 'max by (exported_job) (ringwatch_coordinator_invalid_targets)', legend: '{{exported_job}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Target API changes', description: 'Targets registered and deregistered through the coordinator\'s API, by operation.', unit: 'none', targets: [{ expr: 'sum by (op) (increase(ringwatch_coordinator_api_target_changes_total[$__rate_interval]))', legend: '{{op}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Config reloads',
      description: 'Whether the last configuration reload (SIGHUP or POST /-/reload) of each node succeeded (0: the node kept its previous config), and the age of its last good one.',
      unit: 'none',
      targets: [
        { expr: 'min by (instance) (ringwatch_config_last_reload_successful)', legend: 'successful {{instance}}' },
        { expr: 'time() - max by (instance) (ringwatch_config_last_reload_success_timestamp_seconds)', legend: 'age (s) {{instance}}' },
      ],
    }))
    .withRow(row(ids, 'Query node'))
    .withPanel(timeseriesPanel(ids, { title: 'Requests by handler and code', description: 'API requests per second.', unit: 'reqps', stack: true, targets: [{ expr: rate('ringwatch_query_requests_total', 'handler, code'), legend: '{{handler}} {{code}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Results cache hit ratio',
      description: 'Share of range-query pieces served from the results cache.',
      unit: 'percentunit',
      targets: [{ expr: 'sum(rate(ringwatch_query_cache_requests_total{result="hit"}[$__rate_interval])) / sum(rate(ringwatch_query_cache_requests_total[$__rate_interval]))', legend: 'hit ratio' }],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Results cache size',
      description: 'Bytes and entries held, evictions.',
      unit: 'bytes',
      targets: [
        { expr: 'sum by (instance) (ringwatch_query_cache_bytes)', legend: 'bytes {{instance}}' },
        { expr: 'sum by (instance) (ringwatch_query_cache_entries)', legend: 'entries {{instance}}' },
        { expr: 'sum by (instance) (rate(ringwatch_query_cache_evictions_total[$__rate_interval]))', legend: 'evictions/s {{instance}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Store request latency',
      description: '99th percentile of requests to each store, by path.',
      unit: 's',
      targets: [{ expr: 'histogram_quantile(0.99, sum by (le, store, path) (rate(ringwatch_query_store_request_duration_seconds_bucket[$__rate_interval])))', legend: '{{store}} {{path}}' }],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Concurrency and rejections',
      description: 'Queries holding a slot, waiting for one, and rejected by reason.',
      unit: 'none',
      targets: [
        { expr: 'sum(ringwatch_query_in_flight)', legend: 'in flight' },
        { expr: 'sum(ringwatch_query_queued)', legend: 'queued' },
        { expr: 'sum by (reason) (increase(ringwatch_query_rejected_total[$__rate_interval]))', legend: 'rejected {{reason}}' },
      ],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Results cache errors and skips',
      description: 'Shared-cache operations that failed (served as misses), and pieces not cached, by reason.',
      unit: 'none',
      targets: [
        { expr: 'sum by (backend, operation) (increase(ringwatch_query_cache_errors_total[$__rate_interval]))', legend: 'errors {{backend}} {{operation}}' },
        { expr: 'sum by (backend, reason) (increase(ringwatch_query_cache_skipped_total[$__rate_interval]))', legend: 'skipped {{backend}} {{reason}}' },
      ],
    }))
    .build();
}
