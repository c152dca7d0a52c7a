// Per-target health from the scrape report series (up, scrape_duration_seconds,
// scrape_samples_scraped), filtered by the job and instance template variables.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelIds, labelValuesVariable, ringwatchDashboard, statPanel, timeseriesPanel } from './common.ts';

const SELECTOR = 'job=~"$job", instance=~"$instance"';

export function targetHealth(): dashboard.Dashboard {
  const ids = new PanelIds();
  return ringwatchDashboard('ringwatch-targets', 'Ringwatch / Target health', 'Scrape health of each target: up, scrape duration and samples.')
    .withVariable(labelValuesVariable('job', 'job', 'up', 'Job'))
    .withVariable(labelValuesVariable('instance', 'instance', 'up{job=~"$job"}', 'Instance'))
    .withPanel(statPanel(ids, { title: 'Targets up', description: 'Targets whose last scrape succeeded.', unit: 'none', target: { expr: `sum(up{${SELECTOR}})` } }))
    .withPanel(statPanel(ids, { title: 'Targets down', description: 'Targets whose last scrape failed.', unit: 'none', target: { expr: `count(up{${SELECTOR}} == 0) or vector(0)` } }))
    .withPanel(statPanel(ids, { title: 'Samples per scrape', description: 'Samples scraped in the last scrape, all selected targets.', unit: 'none', target: { expr: `sum(scrape_samples_scraped{${SELECTOR}})` } }))
    .withPanel(statPanel(ids, { title: 'Slowest scrape', description: 'Longest last scrape among the selected targets.', unit: 's', target: { expr: `max(scrape_duration_seconds{${SELECTOR}})` } }))
    .withPanel(timeseriesPanel(ids, { title: 'Up', description: '1 while the target\'s scrapes succeed.', unit: 'none', span: 24, targets: [{ expr: `up{${SELECTOR}}`, legend: '{{job}} {{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Scrape duration', description: 'How long each scrape took.', unit: 's', targets: [{ expr: `scrape_duration_seconds{${SELECTOR}}`, legend: '{{job}} {{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, { title: 'Samples scraped', description: 'Samples each scrape returned.', unit: 'none', targets: [{ expr: `scrape_samples_scraped{${SELECTOR}}`, legend: '{{job}} {{instance}}' }] }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Availability',
      description: 'Share of successful scrapes over the interval.',
      unit: 'percentunit',
      targets: [{ expr: `avg by (job, instance) (avg_over_time(up{${SELECTOR}}[$__interval]))`, legend: '{{job}} {{instance}}' }],
    }))
    .withPanel(timeseriesPanel(ids, {
      title: 'Scrape failures by job and reason',
      description: 'Failed scrapes per second as the scrapers count them (exported_job: the target\'s job).',
      unit: 'cps',
      targets: [{ expr: 'sum by (exported_job, reason) (rate(ringwatch_scraper_scrape_failures_total{exported_job=~"$job"}[$__rate_interval]))', legend: '{{exported_job}} {{reason}}' }],
    }))
    .build();
}
