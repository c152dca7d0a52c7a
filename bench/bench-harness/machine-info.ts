// The machine a run was measured on, for the JSON and docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  /** First lines of `lscpu`, when it is there. */
  lscpu: string[];
  memoryGiB: number;
  kernel: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  let lscpu: string[] = [];
  try {
    lscpu = execFileSync('lscpu', { encoding: 'utf8' }).split('\n').slice(0, 10);
  } catch {
    // not installed
  }
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    lscpu,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function formatLoad(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}
