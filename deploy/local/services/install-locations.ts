// Where deploy/local/install.sh puts things: the repository root, binaries on PATH, Kafka's jars.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KAFKA_VERSION = '3.9.1';
const INSTALL_HINT = 'run deploy/local/install.sh first';

/** The directory holding Ringwatch's package.json, found by walking up from this file. */
export function repoRoot(from: string = import.meta.url): string {
  let dir = dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'ringwatch') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`repoRoot: no Ringwatch package.json above ${from}`);
    dir = parent;
  }
}

/** The first of `names` found on PATH, as an absolute path. */
/** Whether path is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findExecutable(names: readonly string[]): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  throw new Error(`none of ${names.join(', ')} found on PATH: ${INSTALL_HINT}`);
}

/** `.cache/kafka-<version>/libs` under the repository root, checked to hold Kafka's jars. */
export function kafkaLibsDir(root: string = repoRoot()): string {
  const libs = join(root, '.cache', `kafka-${KAFKA_VERSION}`, 'libs');
  if (!existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`)) || !existsSync(join(libs, `kafka-tools-${KAFKA_VERSION}.jar`))) {
    throw new Error(`Kafka ${KAFKA_VERSION} jars not found in ${libs}: ${INSTALL_HINT}`);
  }
  return libs;
}
