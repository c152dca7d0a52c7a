// The layering rule, checked on every file's imports: no node folder imports another node folder;
// the shared domain never imports a node; core/ imports nothing above it. See README, Architecture.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Nodes: each runs as its own process and shares code only through the domain folders. */
export const NODE_FOLDERS = ['scraper', 'coordinator', 'storage-writer', 'alerting', 'notifier', 'query'] as const;

/** What each domain folder may import (besides itself and npm packages). */
export const DOMAIN_LAYERS: Record<string, readonly string[]> = {
  core: [],
  protocol: ['core'],
  model: ['core'],
  template: ['core', 'model'],
  cluster: ['core', 'model'],
  discovery: ['core', 'model', 'cluster'],
};
const DOMAIN_FOLDERS = Object.keys(DOMAIN_LAYERS);

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** Project-internal imports of a file, as top-level folders of the repository. */
function importedFolders(file: string): { spec: string; folder: string; path: string }[] {
  const text = readFileSync(file, 'utf8');
  const out: { spec: string; folder: string; path: string }[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec === undefined || !spec.startsWith('.')) continue;
    const target = relative(ROOT, resolve(dirname(file), spec));
    out.push({ spec, folder: target.split('/')[0] as string, path: target });
  }
  return out;
}

function violations(): string[] {
  const found: string[] = [];
  for (const folder of [...NODE_FOLDERS, ...DOMAIN_FOLDERS]) {
    const dir = join(ROOT, folder);
    let files: string[];
    try {
      files = tsFiles(dir);
    } catch {
      continue; // a node folder that does not exist yet
    }
    for (const file of files) {
      const isTest = file.endsWith('.test.ts');
      const allowed = new Set<string>([folder, ...(DOMAIN_LAYERS[folder] ?? DOMAIN_FOLDERS)]);
      for (const imp of importedFolders(file)) {
        if (allowed.has(imp.folder)) continue;
        // Unit tests may use the test harness (waiting on conditions), nothing else outside.
        if (isTest && imp.path.startsWith('test/harness/')) continue;
        found.push(`${relative(ROOT, file)} imports ${imp.spec} (${imp.folder}/ is not below ${folder}/)`);
      }
    }
  }
  return found;
}

describe('import rules', () => {
  it('no node folder imports another node folder, the domain never imports a node, core imports nothing above it', () => {
    expect(violations()).toEqual([]);
  });

  it('the check sees real imports (a rule that reads nothing would always pass)', () => {
    const own = importedFolders(fileURLToPath(import.meta.url));
    expect(own).toEqual([]); // this file imports only packages
    const scraperMain = importedFolders(join(ROOT, 'scraper/main.ts')).map((i) => i.folder);
    expect(scraperMain).toContain('core');
    expect(scraperMain).toContain('cluster');
  });
});
