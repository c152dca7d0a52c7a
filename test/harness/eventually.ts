// Waiting on a condition in integration tests: poll until the check passes, fail with the last
// reason when the deadline passes. This is how tests wait; never a fixed sleep.
export interface EventuallyOptions {
  timeoutMs: number;
  intervalMs?: number;
  description: string;
}

/** Calls check until it returns a value other than undefined (or stops throwing), and returns it. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, opts: EventuallyOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 250;
  let last = 'condition not met yet';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.description}: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
