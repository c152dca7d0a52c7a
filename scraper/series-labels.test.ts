// UTF-8 names end to end through the real parser and appender: Prometheus 3's default (utf8)
// keeps them, legacy drops only the offending series (counted), escaping rewrites them.
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest } from '../protocol/remote-write-codec.ts';
import { parseExposition } from './exposition/parser.ts';
import { readGlobalConfig, readScrapeConfig, type DroppedSeriesReason } from '../model/scrape-config.ts';
import { WriteRequestAppender } from './write-request-appender.ts';

const BODY = [
  '# TYPE "http.server.duration" gauge',
  '{"http.server.duration","service.name"="api"} 1.5',
  'legacy_metric{"k8s.pod"="p1"} 2',
  'plain_metric{code="200"} 3',
  '',
].join('\n');

function scrape(fields: Record<string, unknown>): { series: string[]; dropped: DroppedSeriesReason[] } {
  const dropped: DroppedSeriesReason[] = [];
  const job = { ...readScrapeConfig({ job_name: 'j', ...fields }, 'job', readGlobalConfig({}, 'global')), onDroppedSeries: (r: DroppedSeriesReason) => dropped.push(r) };
  const appender = new WriteRequestAppender([['instance', 'h:1'], ['job', 'j']], job);
  appender.begin(1_700_000_000_000);
  parseExposition(new TextEncoder().encode(BODY), 'prometheus-text', appender);
  appender.end(false);
  const series = decodeWriteRequest(appender.writer.bytes()).timeseries.map((ts) => ts.labels.map((l) => `${l.name}=${l.value}`).join(','));
  return { series, dropped };
}

describe('metric_name_validation_scheme and metric_name_escaping_scheme', () => {
  it('utf8 (the default, as Prometheus 3) keeps UTF-8 metric and label names as they are', () => {
    const { series, dropped } = scrape({});
    expect(series).toEqual([
      '__name__=http.server.duration,instance=h:1,job=j,service.name=api',
      '__name__=legacy_metric,instance=h:1,job=j,k8s.pod=p1',
      '__name__=plain_metric,code=200,instance=h:1,job=j',
    ]);
    expect(dropped).toEqual([]);
  });

  it('legacy drops only the series with a UTF-8 name, each counted by reason; the scrape goes on', () => {
    const { series, dropped } = scrape({ metric_name_validation_scheme: 'legacy' });
    expect(series).toEqual(['__name__=plain_metric,code=200,instance=h:1,job=j']);
    expect(dropped).toEqual(['invalid_metric_name', 'invalid_label_name']);
  });

  it('an escaping scheme rewrites the names a legacy store cannot take, and only those', () => {
    expect(scrape({ metric_name_escaping_scheme: 'underscores' }).series).toEqual([
      '__name__=http_server_duration,instance=h:1,job=j,service_name=api',
      '__name__=legacy_metric,instance=h:1,job=j,k8s_pod=p1',
      '__name__=plain_metric,code=200,instance=h:1,job=j',
    ]);
    expect(scrape({ metric_name_escaping_scheme: 'values' }).series[0]).toBe('U__service_2e_name=api,__name__=U__http_2e_server_2e_duration,instance=h:1,job=j');
    expect(scrape({ metric_name_escaping_scheme: 'dots' }).series[2]).toBe('__name__=plain_metric,code=200,instance=h:1,job=j');
  });

  it('names the field of a bad combination', () => {
    expect(() => readScrapeConfig({ job_name: 'j', metric_name_validation_scheme: 'legacy', metric_name_escaping_scheme: 'allow-utf-8' }, 'job', readGlobalConfig({}, 'global'))).toThrow(
      /^job\.metric_name_escaping_scheme: must not be allow-utf-8 when metric_name_validation_scheme is legacy/,
    );
    expect(() => readScrapeConfig({ job_name: 'j', metric_name_validation_scheme: 'utf-8' }, 'job', readGlobalConfig({}, 'global'))).toThrow(/^job\.metric_name_validation_scheme/);
  });
});
