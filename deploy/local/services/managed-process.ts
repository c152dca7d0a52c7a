// A child process we own: its own process group (so the whole tree can be signalled), output
// appended to a log file, a readiness wait that explains failures, and a registry that kills every
// live child when this process exits, so nothing is left behind.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { isExecutable } from './install-locations.ts';
import { dirname, isAbsolute } from 'node:path';
import { pollUntilReady, type ReadinessProbe } from './readiness.ts';

export interface ManagedProcessOptions {
  /** Used in errors, e.g. "kafka". */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended here (the directory is created). */
  logFile: string;
  cwd?: string;
  /** Merged over this process's environment. */
  env?: Record<string, string | undefined>;
  /**
   * Also kill the child when this process dies without running exit handlers (SIGKILL, OOM):
   * Linux's parent-death signal, set through util-linux `setpriv` when it is there. Default true.
   */
  dieWithParent?: boolean;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  error?: Error;
}

const live = new Set<ManagedProcess>();
let exitHooksInstalled = false;

export class ManagedProcess {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly pid: number | undefined;
  /** Resolves (never rejects) when the process has exited or failed to spawn. */
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;

  constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.command = options.command;
    this.args = options.args;
    this.logFile = options.logFile;
    installExitHooks();
    mkdirSync(dirname(options.logFile), { recursive: true });
    const fd = openSync(options.logFile, 'a');
    let resolveExited: (exit: ProcessExit) => void = () => {};
    this.exited = new Promise((resolve) => {
      resolveExited = resolve;
    });
    try {
      writeSync(fd, `\n--- ${new Date().toISOString()} starting ${options.command} ${options.args.join(' ')}\n`);
      // The child writes straight into the file: no pipe through our event loop, and its output
      // survives us being busy or gone.
      const [command, args] = withParentDeathSignal(options.command, options.args, options.dieWithParent ?? true);
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      this.pid = child.pid;
      const finish = (exit: ProcessExit): void => {
        if (this.exit !== undefined) return;
        this.exit = exit;
        live.delete(this);
        resolveExited(exit);
      };
      child.once('error', (error) => finish({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => finish({ code, signal }));
      if (child.pid !== undefined) live.add(this);
    } finally {
      closeSync(fd);
    }
  }

  /** Undefined while running. */
  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  get running(): boolean {
    return this.exit === undefined && this.pid !== undefined;
  }

  /**
   * Polls `probe` until it passes. Fails at once if the process dies, or after `timeoutMs`, with
   * the exit status and the end of the log in the message.
   */
  async waitUntilReady(probe: ReadinessProbe, timeoutMs: number): Promise<void> {
    try {
      await pollUntilReady(probe, {
        timeoutMs,
        abortReason: () => (this.exit === undefined ? undefined : `process exited (${describeExit(this.exit)})`),
      });
    } catch (err) {
      throw new Error(this.failureMessage(err instanceof Error ? err.message : String(err)));
    }
    // Something else may have answered on the port while our process died.
    if (this.exit !== undefined) throw new Error(this.failureMessage(`process exited (${describeExit(this.exit)})`));
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (this.exit !== undefined || this.pid === undefined) return this.exited;
    this.signalGroup('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceExpired = new Promise<'grace-expired'>((resolve) => {
      timer = setTimeout(() => resolve('grace-expired'), graceMs);
    });
    const first = await Promise.race([this.exited, graceExpired]);
    clearTimeout(timer);
    if (first === 'grace-expired') this.signalGroup('SIGKILL');
    const exit = await this.exited;
    this.signalGroup('SIGKILL'); // stragglers the leader left in its group
    return exit;
  }

  /** SIGKILL to the whole group: what tests use to simulate a crash. */
  async kill(): Promise<ProcessExit> {
    this.signalGroup('SIGKILL');
    return this.exited;
  }

  /** The last `lines` lines of the log file. */
  logTail(lines = 30): string {
    return readLogTail(this.logFile, lines);
  }

  private failureMessage(reason: string): string {
    const exit = this.exit === undefined ? 'still running' : describeExit(this.exit);
    return (
      `${this.name} did not become ready: ${reason}\n` +
      `  command: ${this.command} ${this.args.join(' ')}\n` +
      `  process: ${exit}\n` +
      `--- last lines of ${this.logFile} ---\n${this.logTail()}`
    );
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

/** How many children this process currently owns (for tests and diagnostics). */
export function liveProcessCount(): number {
  return live.size;
}

/** SIGKILL every live child's process group, synchronously (usable from an 'exit' handler). */
export function killAllManagedProcesses(): void {
  for (const child of live) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function describeExit(exit: ProcessExit): string {
  if (exit.error !== undefined) return `failed to spawn: ${exit.error.message}`;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

let setprivPath: string | null | undefined;

// setpriv sets PR_SET_PDEATHSIG and then execs the command, so the child keeps its pid and
// process group and still gets SIGKILL once we are gone, however we went.
function withParentDeathSignal(command: string, args: readonly string[], wanted: boolean): [string, readonly string[]] {
  if (!wanted || process.platform !== 'linux') return [command, args];
  if (setprivPath === undefined) setprivPath = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => isExecutable(p)) ?? null;
  // A command that does not exist is spawned directly, so that it fails with ENOENT rather than
  // with setpriv's exit code.
  if (setprivPath === null || (isAbsolute(command) && !isExecutable(command))) return [command, args];
  return [setprivPath, ['--pdeathsig', 'KILL', '--', command, ...args]];
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllManagedProcesses);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Someone else handles this signal (a graceful shutdown that stops the services itself);
      // the 'exit' hook above still catches whatever they leave behind.
      if (process.listenerCount(signal) > 1) return;
      killAllManagedProcesses();
      // Re-raise so the default action (terminate with the signal) still happens.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function readLogTail(file: string, lines: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '(no log file)';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n+$/, '');
    return text.split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}
