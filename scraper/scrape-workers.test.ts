// The scrape workers' facade with real worker threads and real HTTP targets: placement by target
// id, operations reaching the worker that owns the target, job options rebuilt in the worker,
// merged metrics, and a dead worker restarted with its targets.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger } from '../core/logger.ts';
import { readGlobalConfig, readScrapeConfig, type JobScrapeOptions } from '../model/scrape-config.ts';
import { relabel } from '../model/relabel.ts';
import { targetId, type ScrapeTarget } from '../model/scrape-target.ts';
import { eventually } from '../test/harness/eventually.ts';
import { startRecordingTarget, type RecordingTarget } from '../test/harness/recording-target.ts';
import { jobOptionsFromPortable, portableJobOptions } from './scrape-worker-protocol.ts';
import { ScrapeWorkers, workerOf } from './scrape-workers.ts';

const logger = createLogger('test', 'silent');

function job(name: string, extra: Record<string, unknown> = {}): JobScrapeOptions {
  return readScrapeConfig({ job_name: name, scrape_interval: '1s', scrape_timeout: '500ms', ...extra }, 'scrape_configs[0]', readGlobalConfig({}, 'global'));
}

function targetFor(address: string, jobName: string): ScrapeTarget {
  const labels: [string, string][] = [['instance', address], ['job', jobName]];
  const url = `http://${address}/metrics`;
  return { id: targetId(jobName, url, labels), job: jobName, url, labels, discoveredLabels: {}, intervalMs: 1000, timeoutMs: 500 };
}

describe('workerOf: which worker owns a target', () => {
  it('is the same on every call and spreads ids over the workers', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => targetId('j', `http://h${i}:9100/metrics`, []));
    for (const n of [2, 3, 4]) {
      const counts = new Array<number>(n).fill(0);
      for (const id of ids) {
        const w = workerOf(id, n);
        expect(workerOf(id, n)).toBe(w);
        counts[w] = (counts[w] as number) + 1;
      }
      for (const c of counts) expect(c).toBeGreaterThan((ids.length / n) * 0.8);
    }
    expect(ids.every((id) => workerOf(id, 1) === 0)).toBe(true);
  });
});

describe('job options in a worker', () => {
  it('relabel rules survive the structured clone and relabel as the original', () => {
    const original = job('j', {
      relabel_configs: [{ source_labels: ['__address__'], regex: '(.+):(\\d+)', target_label: 'host', replacement: '$1' }],
      metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }],
    });
    const rebuilt = jobOptionsFromPortable(structuredClone(portableJobOptions(original)));
    const labels = new Map([['__address__', 'node-1:9100']]);
    expect(relabel(labels, rebuilt.relabelConfigs)).toEqual(relabel(labels, original.relabelConfigs));
    expect(relabel(new Map([['__name__', 'go_goroutines']]), rebuilt.metricRelabelConfigs)).toBeNull();
    expect(relabel(new Map([['__name__', 'up']]), rebuilt.metricRelabelConfigs)).not.toBeNull();
    const { relabelConfigs: _a, metricRelabelConfigs: _b, onDroppedSeries: _c, ...plainRebuilt } = rebuilt;
    const { relabelConfigs: _d, metricRelabelConfigs: _e, onDroppedSeries: _f, staticConfigs: _g, fileSdConfigs: _h, httpSdConfigs: _i, ...plainOriginal } = original as JobScrapeOptions & Record<string, unknown>;
    expect(plainRebuilt).toEqual(plainOriginal);
  });
});

describe('ScrapeWorkers with two worker threads', () => {
  const targets: RecordingTarget[] = [];
  let workers: ScrapeWorkers | undefined;

  afterEach(async () => {
    await workers?.close();
    workers = undefined;
    await Promise.all(targets.splice(0).map((t) => t.close()));
  });

  async function setUp(n: number): Promise<{ scrapeTargets: ScrapeTarget[]; sent: Map<string, number>; main: Registry }> {
    for (let i = 0; i < n; i++) targets.push(await startRecordingTarget());
    const jobs = new Map([['j', job('j')]]);
    const sent = new Map<string, number>();
    const main = new Registry();
    workers = new ScrapeWorkers({
      workers: 2,
      nodeId: 'test',
      logger,
      registry: main,
      jobOptions: (name) => jobs.get(name),
      sink: { send: (key, value) => {
        expect(value.length).toBeGreaterThan(0);
        sent.set(key, (sent.get(key) ?? 0) + 1);
      } },
    });
    return { scrapeTargets: targets.map((t) => targetFor(t.address, 'j')), sent, main };
  }

  it('each target runs on the worker its id names; stop reaches that worker; every scrape reaches the sink', async () => {
    const { scrapeTargets, sent } = await setUp(8);
    const w = workers as ScrapeWorkers;
    await w.sync(scrapeTargets);
    const expected = [0, 1].map((i) => scrapeTargets.filter((t) => workerOf(t.id, 2) === i).length);
    expect(expected.every((c) => c > 0)).toBe(true);
    await eventually(async () => ((await w.ownedPerWorker()).join() === expected.join() ? true : undefined), { timeoutMs: 5000, description: 'targets owned per worker' });
    await eventually(() => (targets.every((t) => t.requests.length >= 2) ? true : undefined), { timeoutMs: 10_000, description: 'two scrapes of every target' });
    for (const t of scrapeTargets) expect(sent.get(t.id) ?? 0).toBeGreaterThanOrEqual(2);
    expect(w.all().map((l) => l.target.id).sort()).toEqual(scrapeTargets.map((t) => t.id).sort());
    await eventually(() => (w.all().every((l) => l.health.health === 'up') ? true : undefined), { timeoutMs: 5000, description: 'health reported back' });

    const gone = scrapeTargets[0] as ScrapeTarget;
    await w.stop(gone.id, { staleMarkers: true });
    expect(w.get(gone.id)).toBeUndefined();
    const after = expected.map((c, i) => (i === workerOf(gone.id, 2) ? c - 1 : c));
    expect(await w.ownedPerWorker()).toEqual(after);
  });

  it('a reload restarts the loop on its worker and keeps it there; a reload to an unknown job is refused', async () => {
    const { scrapeTargets } = await setUp(2);
    const w = workers as ScrapeWorkers;
    await w.sync(scrapeTargets);
    const t = scrapeTargets[0] as ScrapeTarget;
    expect(w.reload({ ...t, timeoutMs: 400 }, Date.now(), Number.POSITIVE_INFINITY)).toBe(true);
    expect(w.get(t.id)?.target.timeoutMs).toBe(400);
    expect(w.reload({ ...t, job: 'nope' }, Date.now(), Number.POSITIVE_INFINITY)).toBe(false);
    const owned = await w.ownedPerWorker();
    expect(owned.reduce((a, b) => a + b, 0)).toBe(2);
    const before = (targets[0] as RecordingTarget).requests.length;
    await eventually(() => ((targets[0] as RecordingTarget).requests.length >= before + 2 ? true : undefined), { timeoutMs: 10_000, description: 'scrapes after the reload' });
  });

  it('the node\'s registry shows the workers\' scrape counters summed', async () => {
    const { scrapeTargets, main } = await setUp(4);
    const w = workers as ScrapeWorkers;
    await w.sync(scrapeTargets);
    await eventually(() => (targets.every((t) => t.requests.length >= 2) ? true : undefined), { timeoutMs: 10_000, description: 'two scrapes of every target' });
    new (await import('prom-client')).Counter({ name: 'main_only_total', help: 'x', registers: [main] }).inc(3);
    const text = await w.registry.metrics();
    const scrapes = Number(/^ringwatch_scraper_scrapes_total\{job="j"\} (\d+)$/m.exec(text)?.[1]);
    expect(scrapes).toBeGreaterThanOrEqual(8);
    expect(text).toMatch(/^ringwatch_scraper_targets_owned 4$/m);
    expect(text).toMatch(/^main_only_total 3$/m);
  });

  it('a worker that dies is restarted and its targets are scraped again', async () => {
    const { scrapeTargets } = await setUp(6);
    const w = workers as ScrapeWorkers;
    await w.sync(scrapeTargets);
    await eventually(() => (targets.every((t) => t.requests.length >= 1) ? true : undefined), { timeoutMs: 10_000, description: 'every target scraped' });
    await w.crashWorkerForTest(0);
    await eventually(() => (w.restarts === 1 ? true : undefined), { timeoutMs: 5000, description: 'worker restarted' });
    const counts = targets.map((t) => t.requests.length);
    await eventually(() => (targets.every((t, i) => t.requests.length >= (counts[i] as number) + 2) ? true : undefined), { timeoutMs: 10_000, description: 'every target scraped twice after the restart' });
    const expected = [0, 1].map((i) => scrapeTargets.filter((t) => workerOf(t.id, 2) === i).length);
    expect(await w.ownedPerWorker()).toEqual(expected);
  });
});
