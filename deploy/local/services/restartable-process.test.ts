import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';
import { httpProbe } from './readiness.ts';
import { RestartableProcess } from './restartable-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'restartable-process-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// An HTTP server answering with its own pid, so a restart is visible.
const SERVER = 'require("node:http").createServer((q, s) => s.end(String(process.pid))).listen(Number(process.argv[1]), "127.0.0.1")';

describe('RestartableProcess', () => {
  it('starts again on the same port after stop() and after kill()', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const service = new RestartableProcess({
      name: 'http',
      command: process.execPath,
      args: ['-e', SERVER, String(port)],
      logFile: join(dir, 'http.log'),
      probe: httpProbe(url),
      readyTimeoutMs: 10_000,
      stopGraceMs: 5000,
    });
    expect(await service.start()).toBeGreaterThan(0);
    expect(service.startupMs).toBeGreaterThan(0);
    const firstPid = service.process?.pid;
    expect(await (await fetch(url)).text()).toBe(String(firstPid));
    expect(await service.start()).toBe(0); // already running: no second process
    expect(service.process?.pid).toBe(firstPid);

    await service.stop();
    expect(service.running).toBe(false);
    await expect(fetch(url)).rejects.toThrow();

    await service.start();
    const secondPid = service.process?.pid;
    expect(secondPid).not.toBe(firstPid);
    expect(await (await fetch(url)).text()).toBe(String(secondPid));

    await service.kill();
    expect(service.process?.exitStatus?.signal).toBe('SIGKILL');
    await service.start();
    expect(service.running).toBe(true);
    await service.stop();
  });

  it('kills a process that never becomes ready', async () => {
    const service = new RestartableProcess({
      name: 'mute',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      logFile: join(dir, 'mute.log'),
      probe: httpProbe('http://127.0.0.1:1/'),
      readyTimeoutMs: 200,
      stopGraceMs: 5000,
    });
    await expect(service.start()).rejects.toThrow(/mute did not become ready/);
    expect(service.running).toBe(false);
    expect(service.process?.exitStatus?.signal).toBe('SIGKILL');
  });
});
