// The synthetic series Prometheus adds for every scrape: up, scrape_duration_seconds,
// scrape_samples_scraped, scrape_samples_post_metric_relabeling, scrape_series_added.
import type { ProtoWriter } from '../protocol/proto-writer.ts';
import { appendTimeSeries, encodeLabelSet, writeStaleMarker } from '../protocol/remote-write-codec.ts';

export const REPORT_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
] as const;

export interface ScrapeReport {
  up: boolean;
  durationSeconds: number;
  samplesScraped: number;
  samplesPostRelabel: number;
  seriesAdded: number;
}

export class ScrapeReportEncoder {
  private readonly encoded: Uint8Array[];

  constructor(targetLabels: ReadonlyArray<readonly [string, string]>, externalLabels: ReadonlyArray<readonly [string, string]> = []) {
    const labels = [...targetLabels, ...externalLabels.filter(([n]) => !targetLabels.some(([t]) => t === n))];
    const names = labels.map(([n]) => n);
    const values = labels.map(([, v]) => v);
    this.encoded = REPORT_SERIES.map((metric) => encodeLabelSet(['__name__', ...names], [metric, ...values]));
  }

  append(w: ProtoWriter, report: ScrapeReport, timestampMs: number): void {
    const values = [report.up ? 1 : 0, report.durationSeconds, report.samplesScraped, report.samplesPostRelabel, report.seriesAdded];
    for (let i = 0; i < this.encoded.length; i++) appendTimeSeries(w, this.encoded[i] as Uint8Array, values[i] as number, timestampMs);
  }

  appendStale(w: ProtoWriter, timestampMs: number): void {
    for (const labels of this.encoded) writeStaleMarker(w, labels, timestampMs);
  }

  get seriesCount(): number {
    return this.encoded.length;
  }
}
