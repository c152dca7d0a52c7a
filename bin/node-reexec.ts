// A node re-executes itself once at start, in place (process.execve: same pid, same stdio), for
// what must be in place before the process starts:
// - jemalloc, when the machine has it (Debian's libjemalloc2; install.sh installs it). With
//   glibc's malloc a scraper's RSS grew by about 54 MiB a minute for 10 minutes: memory freed by
//   V8 and Node (socket buffers, Kafka requests) that glibc keeps in its arenas (malloc_trim gave
//   240 MiB back, so not a leak). On jemalloc the same run stayed flat. RINGWATCH_ALLOCATOR=system
//   keeps glibc's malloc.
// - V8 flags that V8 reads only when it sets up the heap (the young generation's size), which
//   v8.setFlagsFromString at run time cannot change. docs/benchmarks.md has the figures.
import { existsSync } from 'node:fs';

/** Where Debian, Ubuntu, Fedora and Alpine put jemalloc's shared library. */
export const JEMALLOC_PATHS: readonly string[] = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
  '/usr/lib/libjemalloc.so.2',
];

/** The operator's choice of allocator (unset or 'jemalloc': jemalloc where present; 'system'). */
const ALLOCATOR = 'RINGWATCH_ALLOCATOR';
/** Set on the re-executed process, so that it never re-executes again. */
const REEXECUTED = 'RINGWATCH_REEXECUTED';

export interface Reexec {
  /** The jemalloc library preloaded, if it is. */
  library: string | undefined;
  env: Record<string, string>;
  /** Node's options for the new process: the start flags not already given, then the current ones. */
  execArgv: string[];
}

/**
 * `--max-semi-space-size=16` → `--max-semi-space-size` (V8 takes `_` and `-` alike), and a
 * boolean's two spellings are one flag: `--no-incremental-marking` → `--incremental-marking`.
 */
function flagName(flag: string): string {
  const eq = flag.indexOf('=');
  const name = (eq < 0 ? flag : flag.slice(0, eq)).replaceAll('_', '-');
  return name.startsWith('--no-') ? `--${name.slice(5)}` : name;
}

function jemallocLibrary(env: NodeJS.ProcessEnv, platform: string, exists: (path: string) => boolean): string | undefined {
  if (platform !== 'linux') return undefined;
  const choice = env[ALLOCATOR];
  if (choice !== undefined && choice !== '' && choice !== 'jemalloc') return undefined; // 'system'
  if ((env['LD_PRELOAD'] ?? '').includes('jemalloc')) return undefined; // the operator preloaded it (or another build of it)
  return JEMALLOC_PATHS.find((p) => exists(p));
}

/**
 * How to re-execute this node, or undefined to run as is. startFlags are V8 flags for the node's
 * kind; one the operator gave already (on the command line or in NODE_OPTIONS) is theirs and kept.
 * Pure, for its unit test.
 */
export function reexecPlan(
  env: NodeJS.ProcessEnv,
  platform: string,
  execArgv: readonly string[],
  startFlags: readonly string[] = [],
  exists: (path: string) => boolean = existsSync,
): Reexec | undefined {
  if (env[REEXECUTED] !== undefined && env[REEXECUTED] !== '') return undefined;
  const given = new Set([...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  const flags = startFlags.filter((f) => !given.has(flagName(f)));
  const library = jemallocLibrary(env, platform, exists);
  if (library === undefined && flags.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  if (library !== undefined) {
    const preload = env['LD_PRELOAD'] ?? '';
    out['LD_PRELOAD'] = preload === '' ? library : `${library}:${preload}`;
  }
  out[REEXECUTED] = '1';
  return { library, env: out, execArgv: [...flags, ...execArgv] };
}

/** Re-executes this process when reexecPlan says so; returns only if it does not. */
export function reexecOnce(startFlags: readonly string[]): void {
  const plan = reexecPlan(process.env, process.platform, process.execArgv, startFlags);
  // process.execve: Node 22.15 / 23.11 and later, main thread only.
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string>) => never }).execve;
  if (plan === undefined || typeof execve !== 'function') return;
  execve(process.execPath, [process.execPath, ...plan.execArgv, ...process.argv.slice(1)], plan.env);
}
