import { describe, expect, it } from 'vitest';
import { decodeJob, decodeTarget, KEYS } from '../cluster/cluster-state.ts';
import { readGlobalConfig, readScrapeConfig } from '../model/scrape-config.ts';
import type { TargetGroup } from '../discovery/target-group.ts';
import { buildJobTargets, buildTargetList, chunk, diffKeys, jobRecord, keepUnknownSources, targetListKeys, type JobDefinition } from './target-list.ts';

const global = readGlobalConfig({ scrape_interval: '15s', scrape_timeout: '5s' }, 'global');

function job(raw: Record<string, unknown>): JobDefinition {
  const options = readScrapeConfig(raw, 'scrape_configs[0]', global);
  return { options, record: jobRecord(raw, options) };
}

const group = (source: string, targets: string[], labels: Record<string, string> = {}): TargetGroup => ({ source, targets, labels });

describe('buildTargetList', () => {
  it('builds each job\'s targets with their source, and a job record scrapers can read back', () => {
    const demo = job({ job_name: 'demo', metrics_path: '/m', static_configs: [{ targets: ['x:1'] }], relabel_configs: [{ source_labels: ['__meta_x'], target_label: 'x' }] });
    const list = buildTargetList([demo], new Map([['demo', [group('static:0', ['a:1']), group('file_sd:/f.json:0', ['b:2'], { __meta_x: 'y' })]]]));
    const targets = [...list.targets.values()];
    expect(targets.map((t) => [t.url, t.source, Object.fromEntries(t.labels)])).toEqual([
      ['http://a:1/m', 'static:0', { instance: 'a:1', job: 'demo' }],
      ['http://b:2/m', 'file_sd:/f.json:0', { instance: 'b:2', job: 'demo', x: 'y' }],
    ]);
    expect(targets[0]?.intervalMs).toBe(15_000);

    const record = list.jobs.get('demo');
    expect(record?.scrapeConfig).toEqual({ job_name: 'demo', metrics_path: '/m', relabel_configs: [{ source_labels: ['__meta_x'], target_label: 'x' }], scrape_interval: '15s', scrape_timeout: '5s' });
    // The record alone gives the same options, whatever the global section of the reader says.
    const reread = readScrapeConfig(record?.scrapeConfig, 'jobs/demo', readGlobalConfig({}, 'global'));
    expect([reread.intervalMs, reread.timeoutMs, reread.metricsPath]).toEqual([15_000, 5000, '/m']);
  });

  it('keeps the first source of a target found twice, and reports dropped and invalid ones', () => {
    const j = job({ job_name: 'j', relabel_configs: [{ source_labels: ['drop'], regex: 'yes', action: 'drop' }] });
    const built = buildJobTargets(j.options, [
      group('static:0', ['a:1']),
      group('http_sd:u:0', ['a:1', 'b:1']),
      group('http_sd:u:1', ['c:1'], { drop: 'yes' }),
      group('http_sd:u:2', ['bad/address']),
    ]);
    expect(built.targets.map((t) => [t.url, t.source])).toEqual([
      ['http://a:1/metrics', 'static:0'],
      ['http://b:1/metrics', 'http_sd:u:0'],
    ]);
    expect(built.dropped.map((d) => d.__address__)).toEqual(['c:1']);
    expect(built.invalid).toHaveLength(1);
    expect(built.invalid[0]?.discoveredLabels.__address__).toBe('bad/address');
  });

  it('gives a job over its target_limit no targets at all, and says why', () => {
    const limited = job({ job_name: 'limited', target_limit: 2 });
    const other = job({ job_name: 'other' });
    const groups = new Map([
      ['limited', [group('static:0', ['a:1', 'b:1', 'c:1'])]],
      ['other', [group('static:0', ['d:1'])]],
    ]);
    const list = buildTargetList([limited, other], groups);
    const lim = list.perJob.find((j) => j.job === 'limited');
    expect(lim?.targets).toEqual([]);
    expect(lim?.withheld).toHaveLength(3);
    expect(lim?.limitError).toBe('target_limit exceeded (number of targets: 3, limit: 2)');
    expect([...list.targets.values()].map((t) => t.job)).toEqual(['other']);
    expect(list.jobs.has('limited')).toBe(true);

    // At the limit exactly, all targets are kept (dropped ones do not count).
    const atLimit = buildJobTargets(limited.options, [group('static:0', ['a:1', 'b:1', 'a:1'])]);
    expect(atLimit.targets).toHaveLength(2);
    expect(atLimit.limitError).toBeUndefined();
  });
});

describe('targetListKeys and diffKeys', () => {
  const prefix = '/rw/';
  const demo = job({ job_name: 'demo' });

  it('encodes records the readers decode', () => {
    const keys = targetListKeys(buildTargetList([demo], new Map([['demo', [group('static:0', ['a:1'])]]])), prefix);
    const [jobKey, targetKey] = [...keys.keys()];
    expect(jobKey).toBe(`${prefix}${KEYS.jobs}demo`);
    expect(targetKey?.startsWith(`${prefix}${KEYS.targets}`)).toBe(true);
    expect(decodeJob(jobKey as string, keys.get(jobKey as string) as string).scrapeConfig.job_name).toBe('demo');
    expect(decodeTarget(targetKey as string, keys.get(targetKey as string) as string).source).toBe('static:0');
  });

  it('puts what changed, deletes what went, skips what is equal, with job records first in and last out', () => {
    const current = new Map([
      [`${prefix}jobs/old`, 'o'],
      [`${prefix}jobs/same`, 's'],
      [`${prefix}targets/t1`, '1'],
      [`${prefix}targets/t2`, '2'],
    ]);
    const desired = new Map([
      [`${prefix}jobs/same`, 's'],
      [`${prefix}jobs/new`, 'n'],
      [`${prefix}targets/t2`, '2*'],
      [`${prefix}targets/t3`, '3'],
    ]);
    expect(diffKeys(current, desired, prefix)).toEqual([
      { type: 'put', key: `${prefix}jobs/new`, value: 'n' },
      { type: 'put', key: `${prefix}targets/t2`, value: '2*' },
      { type: 'put', key: `${prefix}targets/t3`, value: '3' },
      { type: 'delete', key: `${prefix}targets/t1` },
      { type: 'delete', key: `${prefix}jobs/old` },
    ]);
    expect(diffKeys(desired, desired, prefix)).toEqual([]);
  });

  it('is stable: the same discovery gives byte-identical keys, so a new leader writes nothing', () => {
    const groups = new Map([['demo', [group('static:0', ['a:1', 'b:1'], { z: '1', a: '2' })]]]);
    const a = targetListKeys(buildTargetList([demo], groups), prefix);
    const b = targetListKeys(buildTargetList([job({ job_name: 'demo' })], groups), prefix);
    expect(diffKeys(a, b, prefix)).toEqual([]);
  });

  it('chunks operations for bounded transactions', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 2)).toEqual([]);
  });
});

describe('keepUnknownSources', () => {
  it('keeps the etcd targets of a source not read yet, and deletes the others as before', () => {
    const prefix = '/rw/';
    const rec = (job: string, source: string): string => JSON.stringify({ id: 'x', job, url: 'http://a/metrics', labels: [], discoveredLabels: {}, intervalMs: 1000, timeoutMs: 1000, source });
    const current = new Map([
      [`${prefix}targets/a`, rec('web', 'http_sd:http://sd/web:0')],
      [`${prefix}targets/b`, rec('web', 'file_sd:/etc/web.json:0')],
      [`${prefix}targets/c`, rec('db', 'http_sd:http://sd/web:0')],
      [`${prefix}targets/d`, rec('web', 'http_sd:http://sd/web2:0')],
    ]);
    const keep = keepUnknownSources(new Map([['web', ['http_sd:http://sd/web']]]), prefix);
    const deleted = diffKeys(current, new Map(), prefix, keep).map((op) => op.key);
    // a: same job, same source: kept. b: another source. c: another job. d: another URL (the prefix ends at ":").
    expect(deleted).toEqual([`${prefix}targets/b`, `${prefix}targets/c`, `${prefix}targets/d`]);
    expect(keepUnknownSources(new Map(), prefix)).toBeUndefined();
  });
});
