// Scrape durations as heat maps: the scrapers' own histogram (buckets per time slice), and the
// per-target scrape_duration_seconds report series bucketed by Grafana.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { PROMETHEUS, PanelIds, labelValuesVariable, promQuery, ringwatchDashboard, timeseriesPanel } from './common.ts';

export function scrapeDurations(): dashboard.Dashboard {
  const ids = new PanelIds();
  const histogramHeatmap = new heatmap.PanelBuilder()
    .id(ids.next())
    .title('Scrape duration distribution')
    .description('Scrapes per duration bucket (ringwatch_scraper_scrape_duration_seconds), by time slice.')
    .datasource(PROMETHEUS)
    .height(10)
    .span(24)
    .calculate(false)
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Oranges').steps(64))
    .yAxis(new heatmap.YAxisConfigBuilder().unit('s'))
    .cellValues(new heatmap.CellValuesBuilder().unit('short'))
    .withTarget(
      promQuery({ expr: 'sum by (le) (increase(ringwatch_scraper_scrape_duration_seconds_bucket{exported_job=~"$job"}[$__rate_interval]))', legend: '{{le}}', format: prometheus.PromQueryFormat.Heatmap }, 'A'),
    );
  const targetHeatmap = new heatmap.PanelBuilder()
    .id(ids.next())
    .title('Per-target scrape duration')
    .description('scrape_duration_seconds of every selected target, bucketed by Grafana.')
    .datasource(PROMETHEUS)
    .height(10)
    .span(24)
    .calculate(true)
    .calculation(new common.HeatmapCalculationOptionsBuilder().yBuckets(new common.HeatmapCalculationBucketConfigBuilder().scale(new common.ScaleDistributionConfigBuilder().type(common.ScaleDistribution.Log).log(2))))
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Blues').steps(64))
    .yAxis(new heatmap.YAxisConfigBuilder().unit('s'))
    .withTarget(promQuery({ expr: 'scrape_duration_seconds{job=~"$job"}', legend: '{{instance}}' }, 'A'));
  return ringwatchDashboard('ringwatch-scrape-durations', 'Ringwatch / Scrape durations', 'Heat maps of scrape durations.')
    .withVariable(labelValuesVariable('job', 'job', 'scrape_duration_seconds', 'Job'))
    .withPanel(histogramHeatmap)
    .withPanel(targetHeatmap)
    .withPanel(timeseriesPanel(ids, {
      title: 'Scrape duration quantiles',
      description: 'Median, 90th and 99th percentile from the scrapers\' histogram.',
      unit: 's',
      span: 24,
      targets: [0.5, 0.9, 0.99].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (le) (rate(ringwatch_scraper_scrape_duration_seconds_bucket{exported_job=~"$job"}[$__rate_interval])))`,
        legend: `p${Math.round(q * 100)}`,
      })),
    }))
    .build();
}
