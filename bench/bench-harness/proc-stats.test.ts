import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CpuMeter, descendantPids, machineBusyShare, parseMachineCpu, parseProcStat, parseProcStatusBytes, treeCpuSeconds, treePeakRssBytes, type ProcStat } from './proc-stats.ts';

describe('parseProcStat', () => {
  it('reads the time fields of a real stat line', () => {
    const line =
      '9053 (cat) R 9051 9051 6726 0 -1 4194304 102 0 0 0 17 5 3 2 20 0 1 0 216251 3133440 390 18446744073709551615 1 2 3 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseProcStat(line)).toEqual({ pid: 9053, comm: 'cat', ppid: 9051, utime: 17, stime: 5, cutime: 3, cstime: 2 });
  });

  it('survives a command name with spaces and parentheses', () => {
    const line = '42 (my (odd) name) S 1 42 42 0 -1 0 0 0 0 0 100 200 0 0 20 0 1 0 1 1 1';
    const s = parseProcStat(line);
    expect(s.comm).toBe('my (odd) name');
    expect(s.ppid).toBe(1);
    expect(s.utime + s.stime).toBe(300);
  });

  it('rejects something that is not a stat line', () => {
    expect(() => parseProcStat('hello')).toThrow(/not a \/proc/);
  });
});

describe('parseProcStatusBytes', () => {
  const status = 'Name:\tnode\nVmPeak:\t  900 kB\nVmHWM:\t  2096 kB\nVmRSS:\t  1024 kB\n';
  it('converts kB fields to bytes', () => {
    expect(parseProcStatusBytes(status, 'VmHWM')).toBe(2096 * 1024);
    expect(parseProcStatusBytes(status, 'VmRSS')).toBe(1024 * 1024);
  });
  it('is undefined for an absent field', () => {
    expect(parseProcStatusBytes(status, 'VmSwap')).toBeUndefined();
  });
});

describe('machine CPU', () => {
  it('reads busy and total ticks from the aggregate line, idle and iowait not busy', () => {
    const text = 'cpu  100 5 50 800 40 1 4 0 0 0\ncpu0 50 2 25 400 20 0 2 0 0 0\n';
    expect(parseMachineCpu(text)).toEqual({ busy: 160, total: 1000 });
  });
  it('gives the busy share between two readings', () => {
    expect(machineBusyShare({ busy: 100, total: 1000 }, { busy: 400, total: 2000 })).toBeCloseTo(0.3);
  });
});

describe('descendantPids', () => {
  const stat = (pid: number, ppid: number): ProcStat => ({ pid, ppid, comm: 'x', utime: 0, stime: 0, cutime: 0, cstime: 0 });
  it('walks children and grandchildren, not siblings', () => {
    const stats = [stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 10), stat(13, 11), stat(20, 1)];
    expect(descendantPids(10, stats).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
  });
});

describe('against this machine', () => {
  it('charges a busy child process for its CPU time and memory', async () => {
    // A child that spins until it has used 300 ms of CPU (by its own account), then waits for
    // stdin to close.
    const spin = 'while (process.cpuUsage().user < 300000); process.stdin.resume(); process.stdin.on("end",()=>process.exit(0)); console.log("spun")';
    const child = spawn(process.execPath, ['-e', spin], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const pid = child.pid as number;
    const meter = new CpuMeter({ child: pid });
    meter.start();
    expect(treeCpuSeconds(pid)).toBeGreaterThanOrEqual(0.25);
    expect(treePeakRssBytes(pid)).toBeGreaterThan(10 * 1024 * 1024);
    // Idle now: the window sees (almost) nothing.
    expect(meter.read().child).toBeLessThan(0.1);
    const times = meter.readTimes().child!;
    expect(times.user).toBeGreaterThanOrEqual(0);
    expect(times.system).toBeGreaterThanOrEqual(0);
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
    expect(treeCpuSeconds(pid)).toBe(0);
    expect(meter.read().child).toBeGreaterThanOrEqual(0); // keeps the last reading once gone
  });
});
