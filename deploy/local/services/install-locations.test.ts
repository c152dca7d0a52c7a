import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable, kafkaLibsDir, repoRoot } from './install-locations.ts';

const empty = mkdtempSync(join(tmpdir(), 'install-locations-test-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('repoRoot', () => {
  it('finds the directory of Ringwatch package.json from a file below it', () => {
    const root = repoRoot(import.meta.url);
    expect(existsSync(join(root, 'deploy', 'local', 'services', 'install-locations.ts'))).toBe(true);
    expect(repoRoot(join(root, 'deploy', 'local', 'services', 'kafka.ts'))).toBe(root);
  });

  it('fails outside the repository', () => {
    expect(() => repoRoot(join(empty, 'x.ts'))).toThrow(/no Ringwatch package.json above/);
  });
});

describe('kafkaLibsDir', () => {
  it('tells to run install.sh when the jars are missing', () => {
    expect(() => kafkaLibsDir(empty)).toThrow(`Kafka 3.9.1 jars not found in ${join(empty, '.cache', 'kafka-3.9.1', 'libs')}: run deploy/local/install.sh first`);
  });
});

describe('findExecutable', () => {
  it('returns the first name found on PATH', () => {
    expect(findExecutable(['ringwatch-no-such-tool', 'sh'])).toMatch(/\/sh$/);
  });

  it('tells to run install.sh when none is found', () => {
    expect(() => findExecutable(['ringwatch-no-such-tool'])).toThrow('none of ringwatch-no-such-tool found on PATH: run deploy/local/install.sh first');
  });
});
