// A service process that can be stopped and started again with the same command line (same ports,
// same data directory), e.g. to take Prometheus away for a while in a test.
import { ManagedProcess, type ManagedProcessOptions } from './managed-process.ts';
import type { ReadinessProbe } from './readiness.ts';
import type { RunningService } from './service-options.ts';

export interface RestartableProcessOptions extends ManagedProcessOptions {
  probe: ReadinessProbe;
  readyTimeoutMs: number;
  /** Default grace between SIGTERM and SIGKILL in stop(). */
  stopGraceMs: number;
}

export class RestartableProcess implements RunningService {
  private readonly options: RestartableProcessOptions;
  private current: ManagedProcess | undefined;
  private lastStartupMs = 0;

  constructor(options: RestartableProcessOptions) {
    this.options = options;
  }

  get name(): string {
    return this.options.name;
  }

  get logFile(): string {
    return this.options.logFile;
  }

  /** The process of the latest start(), running or not. */
  get process(): ManagedProcess | undefined {
    return this.current;
  }

  get startupMs(): number {
    return this.lastStartupMs;
  }

  get running(): boolean {
    return this.current?.running ?? false;
  }

  /** Spawns the process and waits until it is ready; returns the milliseconds that took. No-op when running. */
  async start(): Promise<number> {
    if (this.current?.running === true) return 0;
    const began = performance.now();
    const child = new ManagedProcess(this.options);
    this.current = child;
    try {
      await child.waitUntilReady(this.options.probe, this.options.readyTimeoutMs);
    } catch (err) {
      await child.kill();
      throw err;
    }
    this.lastStartupMs = Math.round(performance.now() - began);
    return this.lastStartupMs;
  }

  async stop(graceMs = this.options.stopGraceMs): Promise<void> {
    await this.current?.stop(graceMs);
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    await this.current?.kill();
  }
}
