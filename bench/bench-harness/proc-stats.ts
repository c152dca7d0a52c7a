// What a benchmark charges to a process: CPU time (utime + stime from /proc/<pid>/stat, in clock
// ticks) over a window, and its peak resident memory (VmHWM from /proc/<pid>/status). A process
// tree (a peer that forks helpers) is charged for every live descendant, plus the children it
// already reaped (cutime + cstime).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** Clock ticks spent in user mode. */
  utime: number;
  stime: number;
  /** Ticks of children this process waited for. */
  cutime: number;
  cstime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name sits in parentheses and may itself hold
 * spaces and ')', so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // After ')': field 3 (state) onwards, so fields[i] is field i + 3.
  const fields = text.slice(close + 2).trim().split(' ');
  const field = (n: number): number => {
    const v = Number(fields[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat: field ${n} missing in ${text.slice(0, 80)}`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

/** A `Name:   1234 kB` field of /proc/<pid>/status, in bytes; undefined when absent. */
export function parseProcStatusBytes(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** Every pid in `stats` descending from root (root included), from their parent pids. */
export function descendantPids(root: number, stats: readonly ProcStat[]): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list === undefined) children.set(s.ppid, [s.pid]);
    else list.push(s.pid);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    out.push(pid);
    for (const c of children.get(pid) ?? []) todo.push(c);
  }
  return out;
}

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of the stat times (100 on every common Linux). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s !== undefined) out.push(s);
  }
  return out;
}

export interface CpuTimes {
  /** Seconds in user mode. */
  user: number;
  /** Seconds in the kernel on the process' behalf (syscalls: socket reads and writes...). */
  system: number;
}

/**
 * CPU time used so far by pid and its live descendants, plus the children they reaped. Zero for
 * a process that is gone.
 */
export function treeCpuTimes(pid: number): CpuTimes {
  const stats = allStats();
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  let user = 0;
  let system = 0;
  for (const p of descendantPids(pid, stats)) {
    const s = byPid.get(p);
    if (s === undefined) continue;
    user += s.utime + s.cutime;
    system += s.stime + s.cstime;
  }
  const hz = clockTicksPerSecond();
  return { user: user / hz, system: system / hz };
}

/** treeCpuTimes' user + system. */
export function treeCpuSeconds(pid: number): number {
  const t = treeCpuTimes(pid);
  return t.user + t.system;
}

/** Peak resident set (VmHWM) of pid and its live descendants, summed; 0 when gone. */
export function treePeakRssBytes(pid: number): number {
  return treeStatusBytes(pid, 'VmHWM');
}

/** Resident set now (VmRSS) of pid and its live descendants, summed; 0 when gone. */
export function treeRssBytes(pid: number): number {
  return treeStatusBytes(pid, 'VmRSS');
}

function treeStatusBytes(pid: number, field: string): number {
  let total = 0;
  for (const p of descendantPids(pid, allStats())) {
    try {
      total += parseProcStatusBytes(readFileSync(`/proc/${p}/status`, 'utf8'), field) ?? 0;
    } catch {
      // gone
    }
  }
  return total;
}

/**
 * CPU seconds of several named process trees over a window: start() takes the baseline,
 * read() the seconds used since. A process that died in the window keeps its last reading.
 */
export class CpuMeter {
  private readonly pids: ReadonlyMap<string, number>;
  private readonly baseline = new Map<string, CpuTimes>();
  private readonly last = new Map<string, CpuTimes>();

  constructor(pids: Record<string, number | undefined>) {
    const m = new Map<string, number>();
    for (const [name, pid] of Object.entries(pids)) if (pid !== undefined) m.set(name, pid);
    this.pids = m;
  }

  start(): void {
    for (const [name, pid] of this.pids) {
      const t = treeCpuTimes(pid);
      this.baseline.set(name, t);
      this.last.set(name, t);
    }
  }

  /** User and system seconds used by each tree since start(). */
  readTimes(): Record<string, CpuTimes> {
    const out: Record<string, CpuTimes> = {};
    for (const [name, pid] of this.pids) {
      const now = treeCpuTimes(pid);
      const last = this.last.get(name) ?? { user: 0, system: 0 };
      const current = now.user + now.system >= last.user + last.system ? now : last; // gone (0): keep the last reading
      this.last.set(name, current);
      const base = this.baseline.get(name) ?? { user: 0, system: 0 };
      out[name] = { user: current.user - base.user, system: current.system - base.system };
    }
    return out;
  }

  /** Seconds (user + system) used by each tree since start(). */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, t] of Object.entries(this.readTimes())) out[name] = t.user + t.system;
    return out;
  }
}

export interface MachineCpuTimes {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat: busy (everything but idle and iowait) and total ticks. */
export function parseMachineCpu(procStat: string): MachineCpuTimes {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

export function machineCpuTimes(): MachineCpuTimes {
  return parseMachineCpu(readFileSync('/proc/stat', 'utf8'));
}

/** Share of the whole machine (all cores) busy between two readings, 0..1. */
export function machineBusyShare(from: MachineCpuTimes, to: MachineCpuTimes): number {
  const total = to.total - from.total;
  return total <= 0 ? 0 : (to.busy - from.busy) / total;
}
