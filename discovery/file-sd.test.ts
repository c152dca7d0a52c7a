import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import type { TargetGroup } from './target-group.ts';
import { eventually } from '../test/harness/eventually.ts';
import { FileSdDiscoverer, matchesFilePattern, parseFileSd } from './file-sd.ts';

describe('parseFileSd', () => {
  it('reads JSON groups, adding __meta_filepath and a per-group source', () => {
    const groups = parseFileSd('[{"targets":["a:1","b:2"],"labels":{"env":"prod"}},{"targets":["c:3"]}]', '/sd/x.json');
    expect(groups).toEqual([
      { targets: ['a:1', 'b:2'], labels: { env: 'prod', __meta_filepath: '/sd/x.json' }, source: 'file_sd:/sd/x.json:0' },
      { targets: ['c:3'], labels: { __meta_filepath: '/sd/x.json' }, source: 'file_sd:/sd/x.json:1' },
    ]);
  });

  it('reads YAML for .yml and .yaml, and an empty YAML file as no groups', () => {
    expect(parseFileSd('- targets: [a:1]\n  labels: {team: x}\n', 'x.yml')[0]).toMatchObject({ targets: ['a:1'], labels: { team: 'x' } });
    expect(parseFileSd('', 'x.yaml')).toEqual([]);
  });

  it('names the file, group and field on bad content', () => {
    expect(() => parseFileSd('[{"targets": [1]}]', 'f.json')).toThrow(/^f\.json: group 0\.targets\[0\]: expected a string/);
    expect(() => parseFileSd('{"targets": []}', 'f.json')).toThrow(/^f\.json: expected a list of target groups/);
    expect(() => parseFileSd('[{"targets": []', 'f.json')).toThrow(/^f\.json: invalid JSON/);
    expect(() => parseFileSd('- targets: [a:1]\n  labels: {"bad-name": x}\n', 'f.yml')).toThrow(/^f\.yml: group 0\.labels: "bad-name" is not a valid label name/);
    expect(() => parseFileSd('- targets: [a:1]\n  label: {}\n', 'f.yml')).toThrow(/^f\.yml: group 0: unknown field "label"/);
    expect(() => parseFileSd('- targets: [a:1]\n  labels: {n: [1]}\n', 'f.yml')).toThrow(/^f\.yml: group 0\.labels\.n: expected a string/);
    // JSON ignores unknown fields, as Prometheus does.
    expect(parseFileSd('[{"targets": ["a:1"], "comment": "x"}]', 'f.json')).toHaveLength(1);
  });
});

describe('FileSdDiscoverer', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function start(files: string[], refreshIntervalMs = 60_000) {
    const updates: TargetGroup[][] = [];
    const errors: string[] = [];
    const d = new FileSdDiscoverer({
      config: { files, refreshIntervalMs },
      events: { error: (mechanism, source, err) => errors.push(`${mechanism} ${source} ${err.message}`) },
      logger: createLogger('test', 'silent'),
    });
    d.start((g) => updates.push(g));
    const latestTargets = () => updates.at(-1)?.flatMap((g) => g.targets);
    return { d, updates, errors, latestTargets };
  }

  it('reports the files, follows edits and atomic replacements, and keeps the last good content of a broken file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'file-sd-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.yml');
    writeFileSync(a, JSON.stringify([{ targets: ['a:1'] }]));
    writeFileSync(b, '- targets: [b:1]\n');
    const { d, errors, latestTargets } = start([a, b]);
    try {
      await eventually(() => (latestTargets()?.join(',') === 'a:1,b:1' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'initial targets' });

      writeFileSync(a, JSON.stringify([{ targets: ['a:1', 'a:2'] }]));
      await eventually(() => (latestTargets()?.join(',') === 'a:1,a:2,b:1' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'edited file' });

      // Editors and config management replace files by renaming a new one over them.
      writeFileSync(join(dir, 'b.yml.tmp'), '- targets: [b:9]\n');
      renameSync(join(dir, 'b.yml.tmp'), b);
      await eventually(() => (latestTargets()?.join(',') === 'a:1,a:2,b:9' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'replaced file' });

      writeFileSync(a, '[{"targets": [');
      await eventually(() => (errors.length > 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'an error for the broken file' });
      expect(errors[0]).toContain(`file_sd ${a} ${a}: invalid JSON`);
      expect(latestTargets()?.join(',')).toBe('a:1,a:2,b:9');

      // Deleted: as a glob matching nothing, its targets go.
      rmSync(b);
      await eventually(() => (latestTargets()?.join(',') === 'a:1,a:2' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'deleted file' });
    } finally {
      await d.stop();
    }
  });

  it('reports a missing file as no targets and picks it up on the refresh interval', async () => {
    dir = mkdtempSync(join(tmpdir(), 'file-sd-'));
    const sub = join(dir, 'not-yet');
    const file = join(sub, 'x.json');
    const { d, updates, latestTargets } = start([file], 100);
    try {
      await eventually(() => (updates.length > 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'first report' });
      expect(updates[0]).toEqual([]);
      // The directory did not exist, so nothing watches it: only the refresh interval finds the file.
      const { mkdirSync } = await import('node:fs');
      mkdirSync(sub);
      writeFileSync(file, JSON.stringify([{ targets: ['x:1'], labels: { a: 'b' } }]));
      await eventually(() => (latestTargets()?.join(',') === 'x:1' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'file found on refresh' });
      expect(updates.at(-1)?.[0]?.labels).toEqual({ a: 'b', __meta_filepath: file });
    } finally {
      await d.stop();
    }
  });

  it('expands a * in the file name as Prometheus does: new files join, removed ones leave, other names are ignored', async () => {
    dir = mkdtempSync(join(tmpdir(), 'file-sd-'));
    writeFileSync(join(dir, 'web.json'), JSON.stringify([{ targets: ['web:1'] }]));
    writeFileSync(join(dir, 'db.json'), JSON.stringify([{ targets: ['db:1'] }]));
    writeFileSync(join(dir, 'notes.txt'), 'not a target file');
    writeFileSync(join(dir, 'web.yml'), '- targets: [yml:1]\n');
    const { d, latestTargets } = start([join(dir, '*.json')]);
    try {
      // Sorted by file name, as Go's filepath.Glob returns them.
      await eventually(() => (latestTargets()?.join(',') === 'db:1,web:1' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'matched files' });
      writeFileSync(join(dir, 'cache.json'), JSON.stringify([{ targets: ['cache:1'] }]));
      await eventually(() => (latestTargets()?.join(',') === 'cache:1,db:1,web:1' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'a new matching file' });
      rmSync(join(dir, 'db.json'));
      await eventually(() => (latestTargets()?.join(',') === 'cache:1,web:1' ? true : undefined), { timeoutMs: 5000, intervalMs: 20, description: 'a removed file' });
    } finally {
      await d.stop();
    }
  });
});

describe('matchesFilePattern', () => {
  it('* matches any run of characters in the name, the rest literally', () => {
    expect(matchesFilePattern('*.json', 'a.json')).toBe(true);
    expect(matchesFilePattern('*.json', '.json')).toBe(true);
    expect(matchesFilePattern('*.json', 'a.json.bak')).toBe(false);
    expect(matchesFilePattern('web-*.yml', 'web-1.yml')).toBe(true);
    expect(matchesFilePattern('web-*.yml', 'webx1.yml')).toBe(false);
    expect(matchesFilePattern('a.(b).json', 'a.(b).json')).toBe(true);
    expect(matchesFilePattern('a.(b).json', 'aX(b)Xjson')).toBe(false);
  });
});
