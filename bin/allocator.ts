// A node runs on jemalloc when the machine has it (Debian's libjemalloc2; install.sh installs it).
// With glibc's malloc a scraper's RSS grew by about 54 MiB a minute for 10 minutes: memory freed
// by V8 and Node (socket buffers, Kafka requests) that glibc keeps in its arenas (malloc_trim
// gave 240 MiB back, so not a leak). On jemalloc the same run stayed flat, for about
// 15 % more scraper CPU (docs/benchmarks.md, "Snappy, storage-writer and scraper memory"). The allocator must be
// loaded before the process starts, so the node re-executes itself once, in place (same pid,
// same stdio), with jemalloc preloaded. RINGWATCH_ALLOCATOR=system keeps glibc's malloc.
import { existsSync } from 'node:fs';

/** Where Debian, Ubuntu, Fedora and Alpine put jemalloc's shared library. */
export const JEMALLOC_PATHS: readonly string[] = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
  '/usr/lib/libjemalloc.so.2',
];

/** Set on the re-executed process: it is on jemalloc, or the attempt was made (never twice). */
const MARK = 'RINGWATCH_ALLOCATOR';

export interface Reexec {
  library: string;
  env: Record<string, string>;
}

/** The environment to re-execute with, or undefined to run as is. Pure, for its unit test. */
export function jemallocReexec(env: NodeJS.ProcessEnv, platform: string, exists: (path: string) => boolean = existsSync): Reexec | undefined {
  if (platform !== 'linux') return undefined;
  const choice = env[MARK];
  if (choice !== undefined && choice !== '' && choice !== 'jemalloc') return undefined; // 'system', or already re-executed
  const preload = env['LD_PRELOAD'] ?? '';
  if (preload.includes('jemalloc')) return undefined; // the operator preloaded it (or another build of it)
  const library = JEMALLOC_PATHS.find((p) => exists(p));
  if (library === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out['LD_PRELOAD'] = preload === '' ? library : `${library}:${preload}`;
  out[MARK] = 'jemalloc-preloaded';
  return { library, env: out };
}

/** Re-executes this process on jemalloc when jemallocReexec says so; returns only if it does not. */
export function runOnJemalloc(): void {
  const plan = jemallocReexec(process.env, process.platform);
  // process.execve: Node 22.15 / 23.11 and later, main thread only.
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string>) => never }).execve;
  if (plan === undefined || typeof execve !== 'function') return;
  execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], plan.env);
}
