import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../protocol/proto-writer.ts';
import { decodeWriteRequest, type DecodedTimeSeries, isStaleNaN } from '../protocol/remote-write-codec.ts';
import { type ExpositionFormat, parseExposition } from './exposition/parser.ts';
import { readGlobalConfig, readScrapeConfig, type ScrapeConfig } from '../model/scrape-config.ts';
import { ScrapeError } from './scrape-error.ts';
import { REPORT_SERIES, ScrapeReportEncoder } from './scrape-report.ts';
import { type AppendStats, WriteRequestAppender } from './write-request-appender.ts';

const NODE_EXPORTER = '/work/shared/testdata/exposition/node-exporter-1.5.txt';

const GLOBAL = readGlobalConfig({ scrape_interval: '15s' }, 'global');
const TARGET_LABELS: [string, string][] = [
  ['instance', 'host-1:9100'],
  ['job', 'node'],
];

/** Job options as the scrape config reader produces them from YAML-shaped input. */
function job(fields: Record<string, unknown> = {}): ScrapeConfig {
  return readScrapeConfig({ job_name: 'node', ...fields }, 'scrape_configs[0]', GLOBAL);
}

interface Scrape {
  stats: AppendStats;
  series: DecodedTimeSeries[];
}

function scrape(appender: WriteRequestAppender, body: string | Uint8Array, timestampMs: number, format: ExpositionFormat = 'prometheus-text'): Scrape {
  appender.begin(timestampMs);
  parseExposition(typeof body === 'string' ? Buffer.from(body) : body, format, appender);
  const stats = appender.end(false);
  return { stats, series: decodeWriteRequest(appender.writer.bytes()).timeseries };
}

/** A series as Prometheus prints it, labels in wire order: `name{a="1",b="2"}`. */
function text(ts: DecodedTimeSeries): string {
  const name = ts.labels.find((l) => l.name === '__name__')?.value ?? '';
  const rest = ts.labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}=${JSON.stringify(l.value)}`);
  return `${name}{${rest.join(',')}}`;
}

function byText(series: DecodedTimeSeries[]): Map<string, DecodedTimeSeries['samples']> {
  return new Map(series.map((ts) => [text(ts), ts.samples]));
}

function staleTexts(series: DecodedTimeSeries[]): string[] {
  return series.filter((ts) => ts.samples.length === 1 && isStaleNaN(ts.samples[0]!.value)).map(text);
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const T1 = 1_700_000_000_000;
const T2 = T1 + 15_000;
const T3 = T2 + 15_000;

describe('WriteRequestAppender: labels', () => {
  it('attaches the target labels and writes every label set sorted by name', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const { series, stats } = scrape(a, 'node_load1 0.5\nnode_cpu_seconds_total{mode="idle",cpu="0"} 10.25\n', T1);
    expect(series.map(text)).toEqual([
      'node_load1{instance="host-1:9100",job="node"}',
      'node_cpu_seconds_total{cpu="0",instance="host-1:9100",job="node",mode="idle"}',
    ]);
    expect(series.map((ts) => ts.samples)).toEqual([[{ value: 0.5, timestampMs: T1 }], [{ value: 10.25, timestampMs: T1 }]]);
    for (const ts of series) {
      const names = ts.labels.map((l) => l.name);
      expect(names).toEqual([...names].sort());
      expect(names[0]).toBe('__name__');
    }
    expect(stats).toEqual({ scraped: 2, postRelabel: 2, seriesAdded: 2, staleMarkers: 0, duplicates: 0, outOfBounds: 0 });
  });

  it('honor_labels false: a conflicting scraped label is kept as exported_<name>', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const { series } = scrape(a, 'up{job="pushed",instance="elsewhere:1"} 1\nm{job="a",exported_job="b"} 2\nn{job=""} 3\n', T1);
    expect(series.map(text)).toEqual([
      'up{exported_instance="elsewhere:1",exported_job="pushed",instance="host-1:9100",job="node"}',
      // exported_job is taken, so the prefix is doubled, as Prometheus does.
      'm{exported_exported_job="a",exported_job="b",instance="host-1:9100",job="node"}',
      // An empty value is an absent label: no conflict.
      'n{instance="host-1:9100",job="node"}',
    ]);
  });

  it('honor_labels true: the scraped value wins, missing target labels are still added', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ honor_labels: true }));
    const { series } = scrape(a, 'up{job="pushed"} 1\n', T1);
    expect(series.map(text)).toEqual(['up{instance="host-1:9100",job="pushed"}']);
  });

  it('honor_timestamps true uses the exposed timestamp, false the scrape time', () => {
    const body = 'with_ts 1 1600000000123\nwithout_ts 2\n';
    const honoured = scrape(new WriteRequestAppender(TARGET_LABELS, job()), body, T1).series;
    expect(honoured.map((ts) => ts.samples[0]?.timestampMs)).toEqual([1600000000123, T1]);
    const ignored = scrape(new WriteRequestAppender(TARGET_LABELS, job({ honor_timestamps: false })), body, T1).series;
    expect(ignored.map((ts) => ts.samples[0]?.timestampMs)).toEqual([T1, T1]);
  });

  it('OpenMetrics timestamps (seconds) become milliseconds', () => {
    const body = '# TYPE a counter\na_total 5 1600000000.5\n# EOF\n';
    const { series } = scrape(new WriteRequestAppender(TARGET_LABELS, job()), body, T1, 'openmetrics');
    expect(series.map(text)).toEqual(['a_total{instance="host-1:9100",job="node"}']);
    expect(series[0]?.samples).toEqual([{ value: 5, timestampMs: 1600000000500 }]);
  });
});

describe('WriteRequestAppender: metric_relabel_configs', () => {
  const body = 'go_goroutines 7\ngo_gc_duration_seconds{quantile="0.5"} 0.001\nnode_load1 0.5\nnode_load5 0.25\n';

  it('drop', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }] }));
    const { series, stats } = scrape(a, body, T1);
    expect(series.map(text)).toEqual(['node_load1{instance="host-1:9100",job="node"}', 'node_load5{instance="host-1:9100",job="node"}']);
    expect(stats).toMatchObject({ scraped: 4, postRelabel: 2, seriesAdded: 2 });
    // Dropped series stay dropped on the cached path too.
    expect(scrape(a, body, T2)).toMatchObject({ stats: { scraped: 4, postRelabel: 2, seriesAdded: 0, staleMarkers: 0 } });
  });

  it('keep', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'node_load(1|5)', action: 'keep' }] }));
    expect(scrape(a, body, T1).series.map(text)).toEqual(['node_load1{instance="host-1:9100",job="node"}', 'node_load5{instance="host-1:9100",job="node"}']);
  });

  it('replace, and labeldrop of a target label', () => {
    const a = new WriteRequestAppender(
      TARGET_LABELS,
      job({
        metric_relabel_configs: [
          { source_labels: ['__name__', 'instance'], separator: '@', regex: 'node_(.*)@([^:]+):.*', target_label: 'host', replacement: '$2/$1' },
          { regex: 'instance', action: 'labeldrop' },
        ],
      }),
    );
    expect(scrape(a, body, T1).series.map(text)).toEqual([
      'go_goroutines{job="node"}',
      'go_gc_duration_seconds{job="node",quantile="0.5"}',
      'node_load1{host="host-1/load1",job="node"}',
      'node_load5{host="host-1/load5",job="node"}',
    ]);
  });

  it('a rule that leaves a metric name the legacy scheme refuses drops those series, not the scrape', () => {
    // (Under utf8, Prometheus 3's default, "1bad" is a valid name: see series-labels.test.ts.)
    const a = new WriteRequestAppender(TARGET_LABELS, job({ metric_name_validation_scheme: 'legacy', metric_relabel_configs: [{ target_label: '__name__', replacement: '1bad' }] }));
    expect(scrape(a, body, T1).series).toEqual([]);
  });
});

describe('WriteRequestAppender: limits', () => {
  const body = 'a 1\nb 2\nc 3\nd 4\ne 5\n';

  it('sample_limit counts samples after relabeling', () => {
    expect(scrape(new WriteRequestAppender(TARGET_LABELS, job({ sample_limit: 5 })), body, T1).stats.postRelabel).toBe(5);
    const err = thrown(() => scrape(new WriteRequestAppender(TARGET_LABELS, job({ sample_limit: 4 })), body, T1));
    expect(err).toBeInstanceOf(ScrapeError);
    expect((err as ScrapeError).reason).toBe('sample_limit');
    expect((err as ScrapeError).message).toBe('sample_limit exceeded (limit 4)');
    const relabeled = job({ sample_limit: 3, metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'a|b', action: 'drop' }] });
    expect(scrape(new WriteRequestAppender(TARGET_LABELS, relabeled), body, T1).stats.postRelabel).toBe(3);
  });

  it('label_limit counts every final label, __name__ and target labels included', () => {
    const b = 'm{a="1"} 1\n'; // __name__, a, instance, job
    expect(scrape(new WriteRequestAppender(TARGET_LABELS, job({ label_limit: 4 })), b, T1).series).toHaveLength(1);
    const err = thrown(() => scrape(new WriteRequestAppender(TARGET_LABELS, job({ label_limit: 3 })), b, T1));
    expect((err as ScrapeError).reason).toBe('label_limit');
    expect((err as ScrapeError).message).toMatch(/metric: m, number of labels: 4, limit: 3/);
  });

  it('label_name_length_limit and label_value_length_limit', () => {
    const b = 'm{abcdefgh="v"} 1\n';
    // "instance" is 8 long as well: a limit of 8 passes.
    expect(scrape(new WriteRequestAppender(TARGET_LABELS, job({ label_name_length_limit: 8 })), b, T1).series).toHaveLength(1);
    const nameErr = thrown(() => scrape(new WriteRequestAppender(TARGET_LABELS, job({ label_name_length_limit: 7 })), b, T1));
    expect((nameErr as ScrapeError).reason).toBe('label_name_length_limit');
    expect(scrape(new WriteRequestAppender(TARGET_LABELS, job({ label_value_length_limit: 11 })), b, T1).series).toHaveLength(1);
    const valueErr = thrown(() => scrape(new WriteRequestAppender(TARGET_LABELS, job({ label_value_length_limit: 10 })), b, T1));
    expect((valueErr as ScrapeError).reason).toBe('label_value_length_limit');
    expect((valueErr as ScrapeError).message).toMatch(/label name: instance, value: "host-1:9100", length: 11, limit: 10/);
  });
});

describe('WriteRequestAppender: duplicates and stats', () => {
  it('an OpenMetrics sample with a timestamp beyond int64 ms is dropped and counted; the rest of the scrape is kept', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ honor_timestamps: true }));
    const body = '# TYPE a gauge\na 1 1.5\na{x="y"} 2 1e19\n# TYPE b gauge\nb 3\n# EOF\n';
    const { stats, series } = scrape(a, body, T1, 'openmetrics');
    expect(stats).toMatchObject({ scraped: 3, postRelabel: 2, outOfBounds: 1 });
    expect(series.map(text).sort()).toEqual([`a{instance="host-1:9100",job="node"}`, `b{instance="host-1:9100",job="node"}`]);
    expect(series.find((ts) => text(ts).startsWith('a'))?.samples[0]?.timestampMs).toBe(1500);
  });

  it('a series repeated in one body is counted and skipped (the first value wins)', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const { series, stats } = scrape(a, 'm{a="1"} 1\nm{a="1"} 2\nm{a="2"} 3\n', T1);
    expect(series.map((ts) => [text(ts), ts.samples[0]?.value])).toEqual([
      ['m{a="1",instance="host-1:9100",job="node"}', 1],
      ['m{a="2",instance="host-1:9100",job="node"}', 3],
    ]);
    expect(stats).toEqual({ scraped: 3, postRelabel: 2, seriesAdded: 2, staleMarkers: 0, duplicates: 1, outOfBounds: 0 });
  });

  it('the same series written with its labels in another order is a duplicate too', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const { series, stats } = scrape(a, 'm{a="1",b="2"} 1\nm{b="2",a="1"} 2\n', T1);
    expect(series).toHaveLength(1);
    expect(stats).toMatchObject({ scraped: 2, postRelabel: 1, seriesAdded: 1, duplicates: 1 });
    // ...and it is one series for staleness: one marker when it goes.
    const next = scrape(a, 'other 1\n', T2);
    expect(staleTexts(next.series)).toEqual(['m{a="1",b="2",instance="host-1:9100",job="node"}']);
  });

  it('series that metric relabeling makes equal are one series: one sample per scrape, one stale marker', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ metric_relabel_configs: [{ regex: 'cpu', action: 'labeldrop' }] }));
    const body = 'node_cpu_seconds_total{cpu="0",mode="idle"} 1\nnode_cpu_seconds_total{cpu="1",mode="idle"} 2\n';
    const first = scrape(a, body, T1);
    expect(first.series.map((ts) => [text(ts), ts.samples[0]?.value])).toEqual([
      ['node_cpu_seconds_total{instance="host-1:9100",job="node",mode="idle"}', 1],
    ]);
    expect(first.stats).toEqual({ scraped: 2, postRelabel: 1, seriesAdded: 1, staleMarkers: 0, duplicates: 1, outOfBounds: 0 });
    expect(scrape(a, body, T2).stats).toEqual({ scraped: 2, postRelabel: 1, seriesAdded: 0, staleMarkers: 0, duplicates: 1, outOfBounds: 0 });
    expect(a.cachedSeries).toBe(1);
    const gone = scrape(a, 'other 1\n', T3);
    expect(staleTexts(gone.series)).toEqual(['node_cpu_seconds_total{instance="host-1:9100",job="node",mode="idle"}']);
  });

  it('seriesAdded counts series new to the cache: all on the first scrape, only new ones after', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    expect(scrape(a, 'a 1\nb 1\nc 1\n', T1).stats).toMatchObject({ scraped: 3, postRelabel: 3, seriesAdded: 3 });
    expect(scrape(a, 'a 2\nb 2\nc 2\n', T2).stats).toMatchObject({ scraped: 3, postRelabel: 3, seriesAdded: 0 });
    expect(scrape(a, 'a 3\nb 3\nc 3\nd 3\n', T3).stats).toMatchObject({ scraped: 4, postRelabel: 4, seriesAdded: 1 });
  });
});

describe('WriteRequestAppender: staleness', () => {
  it('a vanished series gets exactly one stale marker, at the next scrape time', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    scrape(a, 'a 1\nb 1\nc{x="1"} 1\n', T1);
    const second = scrape(a, 'a 2\n', T2);
    expect(staleTexts(second.series)).toEqual(['b{instance="host-1:9100",job="node"}', 'c{instance="host-1:9100",job="node",x="1"}']);
    for (const ts of second.series) expect(ts.samples[0]?.timestampMs).toBe(T2);
    expect(byText(second.series).get('a{instance="host-1:9100",job="node"}')).toEqual([{ value: 2, timestampMs: T2 }]);
    expect(second.stats.staleMarkers).toBe(2);
    const third = scrape(a, 'a 3\n', T3);
    expect(staleTexts(third.series)).toEqual([]);
    expect(third.stats.staleMarkers).toBe(0);
    expect(third.series.map(text)).toEqual(['a{instance="host-1:9100",job="node"}']);
    expect(a.cachedSeries).toBe(1);
  });

  it('a series that comes back after going stale is new again', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    scrape(a, 'a 1\nb 1\n', T1);
    scrape(a, 'a 2\n', T2);
    const third = scrape(a, 'a 3\nb 3\n', T3);
    expect(third.stats).toMatchObject({ seriesAdded: 1, staleMarkers: 0 });
    expect(staleTexts(third.series)).toEqual([]);
  });

  it('series dropped by metric relabeling never get stale markers', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'dropped', action: 'drop' }] }));
    scrape(a, 'kept 1\ndropped 1\n', T1);
    const second = scrape(a, 'other 1\n', T2);
    expect(staleTexts(second.series)).toEqual(['kept{instance="host-1:9100",job="node"}']);
  });

  it('series exposed with their own timestamp get no stale markers (as Prometheus)', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    scrape(a, 'with_ts 1 1600000000000\nplain 1\n', T1);
    const second = scrape(a, 'other 1\n', T2);
    expect(staleTexts(second.series)).toEqual(['plain{instance="host-1:9100",job="node"}']);
    scrape(a, 'with_ts 1 1600000000000\n', T3);
    const failed = (() => {
      a.begin(T3 + 15_000);
      a.end(true);
      return decodeWriteRequest(a.writer.bytes()).timeseries;
    })();
    expect(staleTexts(failed)).toEqual([]);
  });

  it('a failed scrape writes no samples and marks every series of the previous scrape stale', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ sample_limit: 3 }));
    scrape(a, 'a 1\nb 1\nc 1\n', T1);
    a.begin(T2);
    // Fails half way: a and b were seen again, d is new, c was not reached.
    expect(() => parseExposition(Buffer.from('a 2\nd 2\nb 2\ne 2\nc 2\n'), 'prometheus-text', a)).toThrow(ScrapeError);
    const stats = a.end(true);
    const written = decodeWriteRequest(a.writer.bytes()).timeseries;
    expect(written.every((ts) => isStaleNaN(ts.samples[0]!.value))).toBe(true);
    expect(staleTexts(written).sort()).toEqual([
      'a{instance="host-1:9100",job="node"}',
      'b{instance="host-1:9100",job="node"}',
      'c{instance="host-1:9100",job="node"}',
    ]);
    expect(written.every((ts) => ts.samples[0]?.timestampMs === T2)).toBe(true);
    expect(stats).toMatchObject({ postRelabel: 0, seriesAdded: 0, staleMarkers: 3 });
    // Nothing left to go stale on the next scrape; everything is new again.
    const next = scrape(a, 'a 3\n', T3);
    expect(staleTexts(next.series)).toEqual([]);
    expect(next.stats.seriesAdded).toBe(1);
  });

  it('two failed scrapes in a row mark the series stale only once', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    scrape(a, 'a 1\n', T1);
    a.begin(T2);
    expect(a.end(true).staleMarkers).toBe(1);
    a.begin(T3);
    expect(a.end(true).staleMarkers).toBe(0);
    expect(a.writer.length).toBe(0);
  });

  it('endOfTarget() marks every series of the last scrape stale', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    scrape(a, 'a 1\nb 1\n', T1);
    scrape(a, 'a 2\nc 2\n', T2);
    expect(a.endOfTarget(T3)).toBe(2);
    const written = decodeWriteRequest(a.writer.bytes()).timeseries;
    expect(staleTexts(written)).toEqual(['a{instance="host-1:9100",job="node"}', 'c{instance="host-1:9100",job="node"}']);
    expect(written.every((ts) => ts.samples[0]?.timestampMs === T3)).toBe(true);
    expect(a.cachedSeries).toBe(0);
  });
});

describe('WriteRequestAppender on a real node_exporter 1.5 body', () => {
  const body = readFileSync(NODE_EXPORTER);
  const lines = body
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const distinctSeries = new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' '))));

  it('writes one series per sample, each with the target labels', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const { series, stats } = scrape(a, body, T1);
    expect(lines.length).toBeGreaterThan(400);
    expect(distinctSeries.size).toBe(lines.length);
    expect(stats).toEqual({ scraped: lines.length, postRelabel: lines.length, seriesAdded: lines.length, staleMarkers: 0, duplicates: 0, outOfBounds: 0 });
    expect(series).toHaveLength(lines.length);
    expect(new Set(series.map(text)).size).toBe(lines.length);
    for (const ts of series) {
      expect(ts.labels.filter((l) => l.name === 'job' || l.name === 'instance')).toEqual([
        { name: 'instance', value: 'host-1:9100' },
        { name: 'job', value: 'node' },
      ]);
      expect(ts.samples).toHaveLength(1);
      expect(ts.samples[0]?.timestampMs).toBe(T1);
    }
    expect(byText(series).get('go_goroutines{instance="host-1:9100",job="node"}')).toEqual([{ value: 7, timestampMs: T1 }]);
    expect(byText(series).get('go_gc_duration_seconds{instance="host-1:9100",job="node",quantile="0.25"}')).toEqual([{ value: 0, timestampMs: T1 }]);
  });

  it('scraped again: the same series from the cache, nothing added, nothing stale', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const first = scrape(a, body, T1);
    const second = scrape(a, body, T2);
    expect(second.stats).toEqual({ scraped: lines.length, postRelabel: lines.length, seriesAdded: 0, staleMarkers: 0, duplicates: 0, outOfBounds: 0 });
    expect(second.series.map(text)).toEqual(first.series.map(text));
    expect(a.cachedSeries).toBe(lines.length);
  });

  it('metric relabeling on the real body keeps the counts consistent', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job({ metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }] }));
    const goSamples = lines.filter((l) => l.startsWith('go_')).length;
    expect(goSamples).toBeGreaterThan(0);
    const { stats, series } = scrape(a, body, T1);
    expect(stats).toMatchObject({ scraped: lines.length, postRelabel: lines.length - goSamples, seriesAdded: lines.length - goSamples });
    expect(series).toHaveLength(lines.length - goSamples);
  });
});

describe('ScrapeReportEncoder', () => {
  it('writes the five synthetic series with the target labels, and their stale markers', () => {
    const enc = new ScrapeReportEncoder(TARGET_LABELS);
    expect(enc.seriesCount).toBe(5);
    const w = new ProtoWriter(256);
    enc.append(w, { up: true, durationSeconds: 0.25, samplesScraped: 507, samplesPostRelabel: 500, seriesAdded: 3 }, T1);
    const series = decodeWriteRequest(w.bytes()).timeseries;
    expect(series.map((ts) => [text(ts), ts.samples])).toEqual([
      ['up{instance="host-1:9100",job="node"}', [{ value: 1, timestampMs: T1 }]],
      ['scrape_duration_seconds{instance="host-1:9100",job="node"}', [{ value: 0.25, timestampMs: T1 }]],
      ['scrape_samples_scraped{instance="host-1:9100",job="node"}', [{ value: 507, timestampMs: T1 }]],
      ['scrape_samples_post_metric_relabeling{instance="host-1:9100",job="node"}', [{ value: 500, timestampMs: T1 }]],
      ['scrape_series_added{instance="host-1:9100",job="node"}', [{ value: 3, timestampMs: T1 }]],
    ]);
    w.reset();
    enc.append(w, { up: false, durationSeconds: 1, samplesScraped: 0, samplesPostRelabel: 0, seriesAdded: 0 }, T2);
    expect(decodeWriteRequest(w.bytes()).timeseries[0]?.samples).toEqual([{ value: 0, timestampMs: T2 }]);
    w.reset();
    enc.appendStale(w, T3);
    const stale = decodeWriteRequest(w.bytes()).timeseries;
    expect(staleTexts(stale).map((s) => s.slice(0, s.indexOf('{')))).toEqual([...REPORT_SERIES]);
  });
});

describe('external labels', () => {
  it('are added to series and report series that lack them, never overriding', async () => {
    const { WriteRequestAppender } = await import('./write-request-appender.ts');
    const { ScrapeReportEncoder } = await import('./scrape-report.ts');
    const { readGlobalConfig, readScrapeConfig } = await import('../model/scrape-config.ts');
    const { parseExposition } = await import('./exposition/parser.ts');
    const { decodeWriteRequest } = await import('../protocol/remote-write-codec.ts');
    const job = readScrapeConfig({ job_name: 'j' }, 'job', readGlobalConfig({}, 'global'));
    const external: [string, string][] = [['cluster', 'eu-1'], ['env', 'prod']];
    const a = new WriteRequestAppender([['instance', 'h:1'], ['job', 'j']], job, external);
    a.begin(1000);
    parseExposition(Buffer.from('m 1\nn{env="dev"} 2\n'), 'prometheus-text', a);
    a.end(false);
    new ScrapeReportEncoder([['instance', 'h:1'], ['job', 'j'], ['env', 'target']], external).append(a.writer, { up: true, durationSeconds: 0, samplesScraped: 2, samplesPostRelabel: 2, seriesAdded: 2 }, 1000);
    const byName = new Map(decodeWriteRequest(a.writer.bytes()).timeseries.map((t) => [t.labels.find((l) => l.name === '__name__')?.value, Object.fromEntries(t.labels.map((l) => [l.name, l.value]))]));
    expect(byName.get('m')).toMatchObject({ cluster: 'eu-1', env: 'prod' });
    expect(byName.get('n')).toMatchObject({ cluster: 'eu-1', env: 'dev' });
    expect(byName.get('up')).toMatchObject({ cluster: 'eu-1', env: 'target' });
  });
});

describe('positional match on a reused body buffer', () => {
  it('never takes another series of the same length at the same offset for the cached one', async () => {
    const { WriteRequestAppender } = await import('./write-request-appender.ts');
    const { readGlobalConfig, readScrapeConfig } = await import('../model/scrape-config.ts');
    const { parseExposition } = await import('./exposition/parser.ts');
    const { decodeWriteRequest } = await import('../protocol/remote-write-codec.ts');
    const job = readScrapeConfig({ job_name: 'j' }, 'job', readGlobalConfig({}, 'global'));
    const a = new WriteRequestAppender([['job', 'j']], job);
    // One buffer, overwritten in place by each scrape, as the target scraper does.
    const buffer = Buffer.alloc(64);
    const scrape = (text: string): Record<string, number> => {
      buffer.fill(0);
      const n = buffer.write(text);
      a.begin(1000);
      parseExposition(buffer.subarray(0, n), 'prometheus-text', a);
      a.end(false);
      const out: Record<string, number> = {};
      for (const ts of decodeWriteRequest(a.writer.bytes()).timeseries) {
        const name = ts.labels.find((l) => l.name === '__name__')?.value as string;
        const sample = ts.samples[0] as { value: number };
        if (!Number.isNaN(sample.value)) out[`${name}${ts.labels.find((l) => l.name === 'x')?.value ?? ''}`] = sample.value;
      }
      return out;
    };
    expect(scrape('aaa{x="1"} 1\nbbb{x="2"} 2\n')).toEqual({ aaa1: 1, bbb2: 2 });
    expect(scrape('ccc{x="3"} 3\nddd{x="4"} 4\n')).toEqual({ ccc3: 3, ddd4: 4 });
    expect(scrape('ccc{x="3"} 5\nddd{x="4"} 6\n')).toEqual({ ccc3: 5, ddd4: 6 });
  });
});

describe('WriteRequestAppender: the per-target arena (positional, hashed and dead entries)', () => {
  // Deterministic pseudo-random numbers (mulberry32), so a failure reproduces.
  function random(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const seriesText = (k: number): string => `m_${k % 7}{k="${k}"}`;
  const wireText = (k: number): string => `m_${k % 7}{instance="host-1:9100",job="node",k="${k}"}`;

  it('matches the set model over many scrapes of churning, reordered series', () => {
    const rnd = random(12);
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    let previous = new Set<number>();
    for (let round = 0; round < 60; round++) {
      // Some rounds keep the body as it was (the positional path), others churn and shuffle it.
      const chosen = new Set<number>();
      if (round % 3 === 2) for (const k of previous) chosen.add(k);
      else for (let k = 0; k < 400; k++) if (rnd() < (round % 2 === 0 ? 0.8 : 0.3)) chosen.add(k);
      const order = [...chosen];
      if (round % 3 !== 2) order.sort(() => rnd() - 0.5);
      const body = order.map((k) => `${seriesText(k)} ${round}\n`).join('');
      const { stats, series } = scrape(a, body, T1 + round * 15_000);
      const stale = staleTexts(series).sort();
      const written = series.filter((ts) => !isStaleNaN(ts.samples[0]!.value)).map(text).sort();
      expect(written).toEqual(order.map(wireText).sort());
      expect(stale).toEqual([...previous].filter((k) => !chosen.has(k)).map(wireText).sort());
      expect(stats.seriesAdded).toBe(order.filter((k) => !previous.has(k)).length);
      expect(stats.staleMarkers).toBe(stale.length);
      expect(a.cachedSeries).toBe(chosen.size);
      previous = chosen;
    }
  });

  it('a series away for many scrapes comes back new, and goes stale once when it leaves again', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const filler = (n: number): string => Array.from({ length: 50 }, (_, i) => `f{i="${i}",n="${n}"} 1\n`).join('');
    scrape(a, `back{x="1"} 1\n${filler(0)}`, T1);
    // Fifty new series every scrape: the arena compacts away the dead ones meanwhile.
    for (let n = 1; n <= 10; n++) scrape(a, filler(n), T1 + n * 15_000);
    const again = scrape(a, `back{x="1"} 2\n${filler(10)}`, T1 + 11 * 15_000);
    expect(again.stats).toMatchObject({ seriesAdded: 1, staleMarkers: 0 });
    const gone = scrape(a, filler(10), T1 + 12 * 15_000);
    expect(staleTexts(gone.series)).toEqual(['back{instance="host-1:9100",job="node",x="1"}']);
    expect(staleTexts(scrape(a, filler(10), T1 + 13 * 15_000).series)).toEqual([]);
  });

  it('holds thousands of series per target: a second scrape adds none and writes all', () => {
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const body = Array.from({ length: 5000 }, (_, k) => `${seriesText(k)} ${k}\n`).join('');
    expect(scrape(a, body, T1).stats).toMatchObject({ scraped: 5000, postRelabel: 5000, seriesAdded: 5000 });
    const reversed = Array.from({ length: 5000 }, (_, k) => `${seriesText(4999 - k)} ${k}\n`).join('');
    const second = scrape(a, reversed, T2);
    expect(second.stats).toMatchObject({ scraped: 5000, postRelabel: 5000, seriesAdded: 0, staleMarkers: 0 });
    expect(byText(second.series).get(wireText(4999))).toEqual([{ value: 0, timestampMs: T2 }]);
  });

  it('appenders sharing one writer each write only their own scrape into it', () => {
    const shared = new ProtoWriter(16);
    const one = new WriteRequestAppender([['job', 'one']], job(), [], shared);
    const two = new WriteRequestAppender([['job', 'two']], job(), [], shared);
    expect(scrape(one, 'a 1\nb 1\n', T1).series.map(text)).toEqual(['a{job="one"}', 'b{job="one"}']);
    expect(scrape(two, 'c 1\n', T1).series.map(text)).toEqual(['c{job="two"}']);
    expect(one.writer).toBe(two.writer);
    expect(staleTexts(scrape(one, 'a 2\n', T2).series)).toEqual(['b{job="one"}']);
  });
});

describe('WriteRequestAppender: cache memory', () => {
  it('gives back the slack of its arenas once the series are stable, and grows again for a new series', () => {
    const body = readFileSync(new URL('../test/fixtures/exposition/node-exporter-1.5.txt', import.meta.url));
    const a = new WriteRequestAppender(TARGET_LABELS, job());
    const first = scrape(a, body, T1);
    const filled = a.cacheBytes;
    const second = scrape(a, body, T2);
    expect(second.stats.seriesAdded).toBe(0);
    expect(a.cacheBytes).toBeLessThan(filled - 16 * 1024);
    expect([...byText(second.series).keys()]).toEqual([...byText(first.series).keys()]);
    // A new series after the trim: the arenas grow again and every series keeps its labels.
    const more = Buffer.concat([body, Buffer.from('ringwatch_test_new_total{a="b"} 5\n')]);
    const third = scrape(a, more, T3);
    expect(third.stats.seriesAdded).toBe(1);
    const fourth = scrape(a, more, T3 + 15_000);
    const values = byText(fourth.series);
    expect(values.get('ringwatch_test_new_total{a="b",instance="host-1:9100",job="node"}')?.[0]?.value).toBe(5);
    expect([...values.keys()].filter((k) => !k.startsWith('ringwatch_test_'))).toEqual([...byText(first.series).keys()]);
    expect(a.cacheBytes).toBeLessThan(filled);
  });
});
