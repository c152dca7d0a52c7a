// file_sd_configs, as Prometheus' file discovery: each file holds a list of target groups (JSON,
// or YAML for .yml/.yaml); every group gets __meta_filepath. Files are read again when they
// change (fs.watch on their directory, since editors replace files by renaming) and every
// refresh_interval in case an event was missed. A file that cannot be read or parsed keeps its
// last good groups; a file that does not exist has none (as a glob matching nothing). A `*` in
// the file name is a pattern (as Prometheus), expanded at every read.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Logger } from '../core/logger.ts';
import type { FileSdConfig } from '../model/scrape-config.ts';
import type { TargetGroup } from './target-group.ts';
import type { Discoverer, DiscoveryEvents } from './discoverer.ts';
import { readTargetGroups } from './target-group-format.ts';

export const FILE_PATH_LABEL = '__meta_filepath';

/** The groups in one file's text; throws an error that names the file. */
export function parseFileSd(text: string, path: string): TargetGroup[] {
  const json = path.toLowerCase().endsWith('.json');
  let doc: unknown;
  try {
    doc = json ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new Error(`${path}: invalid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return readTargetGroups(doc, { strict: !json, sourcePrefix: `file_sd:${path}`, metaLabels: { [FILE_PATH_LABEL]: path } });
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** Whether a file name matches a file_sd name pattern (`*` matches any run of characters but "/"). */
export function matchesFilePattern(pattern: string, name: string): boolean {
  const parts = pattern.split('*').map((p) => p.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]*')}$`).test(name);
}

/** The files a list of paths and patterns names now, sorted (as Go's filepath.Glob), each once. */
export async function expandFilePatterns(patterns: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    if (!basename(pattern).includes('*')) {
      out.add(pattern);
      continue;
    }
    const dir = dirname(pattern);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue; // a directory that does not exist (yet) matches nothing
    }
    const namePattern = basename(pattern);
    for (const name of names.sort()) if (matchesFilePattern(namePattern, name)) out.add(join(dir, name));
  }
  return [...out];
}

export interface FileSdOptions {
  config: FileSdConfig;
  events: DiscoveryEvents;
  logger: Logger;
}

export class FileSdDiscoverer implements Discoverer {
  readonly mechanism = 'file_sd' as const;
  private readonly files: string[];
  private readonly refreshIntervalMs: number;
  private readonly events: DiscoveryEvents;
  private readonly logger: Logger;
  /** Last good groups per file. */
  private readonly groups = new Map<string, TargetGroup[]>();
  private readonly watchers = new Map<string, FSWatcher>();
  private update: ((groups: TargetGroup[]) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private lastReported: string | undefined;
  private stopped = false;

  constructor(opts: FileSdOptions) {
    this.files = [...new Set(opts.config.files)];
    this.refreshIntervalMs = opts.config.refreshIntervalMs;
    this.events = opts.events;
    this.logger = opts.logger.child({ component: 'file_sd' });
  }

  start(update: (groups: TargetGroup[]) => void): void {
    this.update = update;
    this.watchDirectories();
    this.refresh();
    this.timer = setInterval(() => {
      // A directory that did not exist at start may exist now.
      this.watchDirectories();
      this.refresh();
    }, this.refreshIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.reading;
  }

  /** Reads every file again (coalesced: at most one read in flight and one queued). */
  refresh(): void {
    if (this.stopped) return;
    if (this.reading !== undefined) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readAll().finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        this.refresh();
      }
    });
  }

  private async readAll(): Promise<void> {
    const files = await expandFilePatterns(this.files);
    // A file no longer matched (deleted, renamed away) takes its targets with it.
    for (const known of [...this.groups.keys()]) if (!files.includes(known)) this.groups.delete(known);
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          if (this.groups.get(file)?.length !== 0) this.logger.warn({ file }, 'file_sd file does not exist: no targets from it');
          this.groups.set(file, []);
          continue;
        }
        this.failed(file, err as Error);
        continue;
      }
      try {
        this.groups.set(file, parseFileSd(text, file));
      } catch (err) {
        this.failed(file, err as Error);
      }
    }
    if (this.stopped) return;
    const all = files.flatMap((f) => this.groups.get(f) ?? []);
    const text = JSON.stringify(all);
    if (text === this.lastReported) return;
    this.lastReported = text;
    this.update?.(all);
  }

  private failed(file: string, err: Error): void {
    this.logger.error({ file, err: err.message }, 'cannot read file_sd file; keeping its last good targets');
    this.events.error('file_sd', file, err);
  }

  private watchDirectories(): void {
    const byDir = new Map<string, Set<string>>();
    for (const file of this.files) {
      const dir = dirname(file);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)?.add(basename(file));
    }
    for (const [dir, names] of byDir) {
      if (this.watchers.has(dir)) continue;
      try {
        const patterns = [...names].filter((n) => n.includes('*'));
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // No file name (some platforms): any change in the directory may be ours.
          if (name === null || names.has(name.toString()) || patterns.some((p) => matchesFilePattern(p, name.toString()))) this.refresh();
        });
        watcher.on('error', (err) => {
          this.logger.warn({ dir, err: err.message }, 'watching file_sd directory failed; relying on refresh_interval');
          watcher.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, watcher);
      } catch (err) {
        this.logger.warn({ dir, err: (err as Error).message }, 'cannot watch file_sd directory; relying on refresh_interval');
      }
    }
  }
}
