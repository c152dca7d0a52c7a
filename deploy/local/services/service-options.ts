// What every managed service takes and gives back.
import type { ManagedProcess } from './managed-process.ts';

export interface ServiceOptions {
  /** The service's own data directory (created if missing, reused across restarts). */
  dataDir: string;
  /** The log goes to `<logDir>/<service>.log`. */
  logDir: string;
  /** Main listening port; a free one is chosen when absent. */
  port?: number;
  /** How long to wait for readiness on each start. */
  readyTimeoutMs?: number;
}

export interface RunningService {
  readonly logFile: string;
  /** Milliseconds from spawn to ready, for the latest start(). */
  readonly startupMs: number;
  /** The process of the latest start() (tests kill() it to simulate a crash). */
  readonly process: ManagedProcess | undefined;
  readonly running: boolean;
  /** Starts again with the same ports and data; no-op when running. Resolves with the startup time. */
  start(): Promise<number>;
  /** SIGTERM, then SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}
