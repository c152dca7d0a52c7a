import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';
import { liveProcessCount, ManagedProcess } from './managed-process.ts';
import { httpProbe, pollUntilReady, type ReadinessProbe } from './readiness.ts';

const dir = mkdtempSync(join(tmpdir(), 'managed-process-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function nodeChild(script: string, args: string[] = []): ManagedProcess {
  counter += 1;
  return new ManagedProcess({
    name: `child-${counter}`,
    command: process.execPath,
    args: ['-e', script, ...args],
    logFile: join(dir, `child-${counter}.log`),
  });
}

// Whole lines only: the log's header line repeats the command line, script included.
function logLine(child: ManagedProcess, pattern: RegExp): RegExpExecArray | null {
  return new RegExp(`^${pattern.source}$`, 'm').exec(readFileSync(child.logFile, 'utf8'));
}

function logHasLine(child: ManagedProcess, pattern: RegExp): ReadinessProbe {
  return { description: `log has a line ${pattern}`, check: async () => logLine(child, pattern) !== null };
}

/** Gone, or a zombie nobody has reaped yet (it no longer runs either way). */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('ManagedProcess', () => {
  it('appends stdout and stderr to the log file and reports the exit code', async () => {
    const child = nodeChild('console.log("to stdout"); console.error("to stderr"); process.exit(7)');
    const exit = await child.exited;
    expect(exit).toEqual({ code: 7, signal: null });
    expect(child.exitStatus).toEqual(exit);
    expect(logLine(child, /to stdout/)).not.toBeNull();
    expect(logLine(child, /to stderr/)).not.toBeNull();
    expect(child.logTail(2)).toBe('to stdout\nto stderr');
  });

  it('waits until an HTTP probe passes', async () => {
    const port = await freePort();
    const child = nodeChild(
      'const [port] = process.argv.slice(1); require("node:http").createServer((q, s) => s.end("ok")).listen(Number(port), "127.0.0.1")',
      [String(port)],
    );
    await child.waitUntilReady(httpProbe(`http://127.0.0.1:${port}/`), 10_000);
    expect(child.running).toBe(true);
    await child.stop(5000);
    expect(child.running).toBe(false);
  });

  it('fails at once, with exit code and log tail, when the process dies before it is ready', async () => {
    const child = nodeChild('console.error("fatal: bad config line " + (1 + 2)); process.exit(3)');
    const began = Date.now();
    const error = await child.waitUntilReady(httpProbe('http://127.0.0.1:1/'), 60_000).catch((e: unknown) => e);
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`${child.name} did not become ready`);
    expect(message).toContain('exited with code 3');
    expect(message).toContain('fatal: bad config line 3');
  });

  it('times out with the last failure while the process keeps running', async () => {
    const child = nodeChild('console.log("still booting"); setInterval(() => {}, 1000)');
    const error = await child.waitUntilReady(httpProbe('http://127.0.0.1:1/'), 300).catch((e: unknown) => e);
    const message = (error as Error).message;
    expect(message).toContain('not ready after 300 ms');
    expect(message).toContain('still running');
    expect(message).toMatch(/ECONNREFUSED|fetch failed/);
    await child.kill();
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const child = nodeChild('process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("armed"); setInterval(() => {}, 1000)');
    await child.waitUntilReady(logHasLine(child, /armed/), 10_000);
    const exit = await child.stop(200);
    expect(exit.signal).toBe('SIGKILL');
    expect(logLine(child, /ignoring SIGTERM/)).not.toBeNull();
  });

  it('stops gracefully with SIGTERM when the process honours it', async () => {
    const child = nodeChild('process.on("SIGTERM", () => { console.log("bye"); process.exit(0); }); console.log("armed"); setInterval(() => {}, 1000)');
    await child.waitUntilReady(logHasLine(child, /armed/), 10_000);
    expect(await child.stop(10_000)).toEqual({ code: 0, signal: null });
    expect(logLine(child, /bye/)).not.toBeNull();
  });

  it('kills the whole process group, grandchildren included', async () => {
    const child = nodeChild(
      'const g = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });' +
        'console.log("grandchild=" + g.pid); setInterval(() => {}, 1000)',
    );
    await child.waitUntilReady(logHasLine(child, /grandchild=\d+/), 10_000);
    const grandchild = Number(logLine(child, /grandchild=(\d+)/)?.[1]);
    expect(processGone(grandchild)).toBe(false);
    await child.kill();
    await pollUntilReady({ description: 'grandchild gone', check: async () => processGone(grandchild) }, { timeoutMs: 5000 });
  });

  it('kill() ends the process with SIGKILL, like a crash', async () => {
    const child = nodeChild('console.log("armed"); setInterval(() => {}, 1000)');
    await child.waitUntilReady(logHasLine(child, /armed/), 10_000);
    expect(liveProcessCount()).toBeGreaterThan(0);
    expect(await child.kill()).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('reports a command that cannot be spawned', async () => {
    const child = new ManagedProcess({ name: 'missing', command: join(dir, 'no-such-binary'), args: [], logFile: join(dir, 'missing.log') });
    expect((await child.exited).error?.message).toContain('ENOENT');
    await expect(child.waitUntilReady(httpProbe('http://127.0.0.1:1/'), 5000)).rejects.toThrow(/failed to spawn/);
    await child.stop(); // no-op, must not throw
  });
});

describe('children are killed when the parent goes away', () => {
  const moduleUrl = new URL('./managed-process.ts', import.meta.url).href;
  const orphans: number[] = [];
  // Should an assertion fail, do not leave the orphan running.
  afterEach(() => {
    for (const pid of orphans.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  });
  // A parent that starts a long-lived child, prints its pid, then ends as `ending` says.
  function runParent(ending: string): Promise<{ childPid: number; code: number | null; signal: NodeJS.Signals | null }> {
    const script =
      `import { ManagedProcess } from ${JSON.stringify(moduleUrl)};` +
      `const c = new ManagedProcess({ name: 'c', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], logFile: ${JSON.stringify(join(dir, 'orphan.log'))} });` +
      `console.log('child=' + c.pid);` +
      ending;
    return new Promise((resolve, reject) => {
      const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      parent.once('error', reject);
      parent.once('exit', (code, signal) => {
        const childPid = Number(/child=(\d+)/.exec(out)?.[1]);
        if (!Number.isInteger(childPid)) {
          reject(new Error(`parent printed no child pid: ${out}`));
          return;
        }
        orphans.push(childPid);
        resolve({ childPid, code, signal });
      });
    });
  }

  it('on process.exit()', async () => {
    const { childPid, code } = await runParent('setTimeout(() => process.exit(0), 50);');
    expect(code).toBe(0);
    await pollUntilReady({ description: 'orphan gone', check: async () => processGone(childPid) }, { timeoutMs: 5000 });
  });

  it('on SIGKILL, which runs no handlers (parent-death signal)', async () => {
    const { childPid, signal } = await runParent('setTimeout(() => process.kill(process.pid, "SIGKILL"), 50);');
    expect(signal).toBe('SIGKILL');
    await pollUntilReady({ description: 'orphan gone', check: async () => processGone(childPid) }, { timeoutMs: 5000 });
  });

  it('on SIGTERM, and the parent still dies of SIGTERM', async () => {
    const { childPid, signal } = await runParent('setTimeout(() => process.kill(process.pid, "SIGTERM"), 50);');
    expect(signal).toBe('SIGTERM');
    await pollUntilReady({ description: 'orphan gone', check: async () => processGone(childPid) }, { timeoutMs: 5000 });
  });
});
