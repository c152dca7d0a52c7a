// The scraper's regression check (`npm run bench:compare`): compares a run's figures with the last
// recorded run committed in bench/recorded-run.json, and exits 1 if one got worse by more than its
// tolerance. Not a timed test in CI: it is run by hand, after `npm run bench` or on its own.
//
//   node bench/compare.ts                    core bench now (in process, ~10 s) + pipeline figures of
//                                            .data/bench/latest.json or latest-scrape-pipeline.json
//   node bench/compare.ts --core-only        only the in-process core bench
//   node bench/compare.ts --file <run.json>  pipeline figures from that file
//   node bench/compare.ts --record           write the current figures as bench/recorded-run.json
//
// Figures compared (lower is better for all):
// - core ns/sample (parse + append + compress + Kafka value, process CPU time; bench/core-bench.ts);
// - scraper CPU per 1M samples as a ratio to vmagent's in the same run (the ratio, because the
//   machine's load moves both alike), and the scraper's own figure for the record;
// - scraper peak RSS and RSS at the end of the window.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSecondsPerMillion, type ContestantFigures } from './bench-harness/contestant-figures.ts';
import type { Measured } from './bench-harness/bench-result.ts';
import { runCoreBench } from './core-bench.ts';

const RECORDED = resolve(import.meta.dirname, 'recorded-run.json');
const DATA = resolve(import.meta.dirname, '../.data/bench');

export interface Figure {
  value: number;
  unit: string;
  /** Allowed worsening before it counts as a regression, as a fraction (0.15 = 15 %). */
  tolerance: number;
}

export interface RecordedRun {
  recordedAt: string;
  source: string;
  load: string;
  figures: Record<string, Figure>;
}

interface PipelineJson {
  scrapePipeline: { runs: Record<string, Measured<ContestantFigures>> } | null;
}

/** The pipeline figures of a run file (npm run bench's latest.json, or the pipeline bench's own). */
export function pipelineFigures(json: PipelineJson): Record<string, Figure> {
  const out: Record<string, Figure> = {};
  const runs = json.scrapePipeline?.runs;
  const scraper = runs?.['ringwatch-scraper'];
  if (scraper === undefined || !scraper.ok) return out;
  const cpu = cpuSecondsPerMillion(scraper.value);
  out['scraper CPU per 1M samples'] = { value: cpu, unit: 'CPU-s', tolerance: 0.35 };
  const vmagent = runs?.['vmagent'];
  if (vmagent !== undefined && vmagent.ok) {
    out['scraper CPU per 1M samples / vmagent'] = { value: cpu / cpuSecondsPerMillion(vmagent.value), unit: 'x', tolerance: 0.2 };
  }
  out['scraper peak RSS'] = { value: scraper.value.peakRssBytes / 2 ** 20, unit: 'MiB', tolerance: 0.15 };
  const endRss = scraper.value.details['rss at end bytes'];
  if (endRss !== undefined) out['scraper RSS at end of window'] = { value: endRss / 2 ** 20, unit: 'MiB', tolerance: 0.15 };
  const e2e = runs?.['ringwatch-end-to-end'];
  if (e2e !== undefined && e2e.ok && vmagent !== undefined && vmagent.ok) {
    out['end to end CPU per 1M samples / vmagent'] = { value: cpuSecondsPerMillion(e2e.value) / cpuSecondsPerMillion(vmagent.value), unit: 'x', tolerance: 0.2 };
  }
  return out;
}

export async function coreFigures(): Promise<Record<string, Figure>> {
  const [core] = await runCoreBench();
  if (core === undefined) throw new Error('core bench returned nothing');
  return { 'core ns/sample': { value: core.value, unit: 'ns', tolerance: 0.2 } };
}

/** Lines of the comparison and whether any figure regressed past its tolerance. */
export function compareFigures(recorded: Record<string, Figure>, current: Record<string, Figure>): { lines: string[]; regressed: boolean } {
  const lines: string[] = [];
  let regressed = false;
  for (const [name, now] of Object.entries(current)) {
    const before = recorded[name];
    if (before === undefined) {
      lines.push(`  ${name.padEnd(42)} ${fmt(now.value).padStart(9)} ${now.unit.padEnd(5)} (not in the recorded run)`);
      continue;
    }
    const change = now.value / before.value - 1;
    const bad = change > before.tolerance;
    regressed ||= bad;
    lines.push(
      `  ${name.padEnd(42)} ${fmt(now.value).padStart(9)} ${now.unit.padEnd(5)} recorded ${fmt(before.value).padStart(9)}  ${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%` +
        `${bad ? `  REGRESSION (tolerance ${(before.tolerance * 100).toFixed(0)}%)` : ''}`,
    );
  }
  return { lines, regressed };
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function loadNow(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / ');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { 'core-only': { type: 'boolean' }, file: { type: 'string' }, record: { type: 'boolean' } } });
  const current: Record<string, Figure> = await coreFigures();
  let source = 'core bench only';
  if (values['core-only'] !== true) {
    const candidates = values.file !== undefined ? [values.file] : [join(DATA, 'latest.json'), join(DATA, 'latest-scrape-pipeline.json')];
    // The newer of the two default files: either npm run bench or the pipeline bench alone wrote it.
    const found = candidates
      .filter((f) => existsSync(f))
      .map((f) => ({ f, json: JSON.parse(readFileSync(f, 'utf8')) as PipelineJson & { startedAt?: string } }))
      .filter((c) => c.json.scrapePipeline !== null && c.json.scrapePipeline !== undefined)
      .sort((a, b) => (b.json.startedAt ?? '').localeCompare(a.json.startedAt ?? ''))[0];
    if (found !== undefined) {
      Object.assign(current, pipelineFigures(found.json));
      source = `core bench + ${found.f} (${found.json.startedAt ?? 'undated'})`;
    } else {
      console.log('no pipeline figures found (run npm run bench or node bench/scrape-pipeline-bench.ts first): core bench only');
    }
  }
  const load = loadNow();
  if (values.record === true) {
    const run: RecordedRun = { recordedAt: new Date().toISOString(), source, load, figures: current };
    writeFileSync(RECORDED, `${JSON.stringify(run, null, 2)}\n`);
    console.log(`recorded ${Object.keys(current).length} figures in ${RECORDED} (load ${load})`);
  } else {
    if (!existsSync(RECORDED)) throw new Error(`${RECORDED} missing: record a run with --record`);
    const recorded = JSON.parse(readFileSync(RECORDED, 'utf8')) as RecordedRun;
    console.log(`now: ${source}, load ${load}\nrecorded: ${recorded.recordedAt}, ${recorded.source}, load ${recorded.load}`);
    const { lines, regressed } = compareFigures(recorded.figures, current);
    for (const l of lines) console.log(l);
    console.log(regressed ? 'REGRESSED: see above' : 'no regression beyond the tolerances');
    process.exitCode = regressed ? 1 : 0;
  }
}
