// Readiness probes (HTTP GET, TCP connect) and polling them until they pass or a deadline expires.
import { connect } from 'node:net';

export interface ReadinessProbe {
  /** Shown in timeout errors, e.g. "GET http://127.0.0.1:2379/health". */
  readonly description: string;
  /** Resolves true when ready; false or a rejection means "not yet". */
  check(): Promise<boolean>;
}

export interface PollOptions {
  timeoutMs: number;
  /** First pause between checks; grows to 250 ms so a slow start does not spin. */
  intervalMs?: number;
  /** Returns a reason to give up early (e.g. the process died), checked before each attempt. */
  abortReason?: () => string | undefined;
}

export class ReadinessTimeoutError extends Error {
  readonly lastFailure: string | undefined;
  constructor(message: string, lastFailure: string | undefined) {
    super(message);
    this.name = 'ReadinessTimeoutError';
    this.lastFailure = lastFailure;
  }
}

export function httpProbe(
  url: string,
  options: { acceptBody?: (body: string) => boolean; requestTimeoutMs?: number } = {},
): ReadinessProbe {
  const requestTimeoutMs = options.requestTimeoutMs ?? 2000;
  return {
    description: `GET ${url}`,
    async check() {
      const response = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs) });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${body.slice(0, 200)}`);
      if (options.acceptBody !== undefined && !options.acceptBody(body)) throw new Error(`not ready: ${body.slice(0, 200)}`);
      return true;
    },
  };
}

export function tcpProbe(host: string, port: number, connectTimeoutMs = 1000): ReadinessProbe {
  return {
    description: `TCP connect ${host}:${port}`,
    check: () => tcpConnects(host, port, connectTimeoutMs),
  };
}

export function tcpConnects(host: string, port: number, connectTimeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect timed out after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

/** Both probes must pass, in order (a cheap TCP check before an expensive client handshake). */
export function allProbes(...probes: ReadinessProbe[]): ReadinessProbe {
  return {
    description: probes.map((p) => p.description).join(' then '),
    async check() {
      for (const probe of probes) if (!(await probe.check())) return false;
      return true;
    },
  };
}

export async function pollUntilReady(probe: ReadinessProbe, options: PollOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let pause = options.intervalMs ?? 50;
  let lastFailure: string | undefined;
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) throw new ReadinessTimeoutError(`${probe.description}: ${aborted}`, lastFailure);
    try {
      if (await probe.check()) return;
      lastFailure = 'probe returned false';
    } catch (err) {
      lastFailure = describeError(err);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new ReadinessTimeoutError(
        `${probe.description}: not ready after ${options.timeoutMs} ms (last failure: ${lastFailure})`,
        lastFailure,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, remaining)));
    pause = Math.min(pause * 2, 250);
  }
}

export function waitForHttp(url: string, options: PollOptions & { acceptBody?: (body: string) => boolean }): Promise<void> {
  return pollUntilReady(httpProbe(url, options.acceptBody === undefined ? {} : { acceptBody: options.acceptBody }), options);
}

export function waitForTcp(host: string, port: number, options: PollOptions): Promise<void> {
  return pollUntilReady(tcpProbe(host, port), options);
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    // fetch() wraps the interesting part (ECONNREFUSED...) in `cause`.
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
