// Reads one node's YAML file and applies environment overrides before validation, so that every
// field can be set either way: RINGWATCH_KAFKA__BROKERS=a:9092,b:9092 sets kafka.brokers and
// RINGWATCH_SCRAPE_CONFIGS__0__SCRAPE_INTERVAL=30s sets scrape_configs[0].scrape_interval.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './config-schema.ts';

export const ENV_PREFIX = 'RINGWATCH_';
/** RINGWATCH_ variables that are not configuration fields (the CLI's, the stack's, the tests'). */
const NOT_CONFIG = /^RINGWATCH_(LOG_LEVEL|ALLOCATOR|REEXECUTED|API_TOKEN|COORDINATOR_URL|INFRA|KEEP_TEST_DATA|STACK_.*)$/;

export async function loadConfigFile(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  let doc: unknown = {};
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new ConfigError('--config', `cannot read ${path}: ${(err as Error).message}`);
    }
    doc = parseConfigText(text, path);
  }
  return applyEnvOverrides(doc ?? {}, env);
}

export function parseConfigText(text: string, source: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown position';
      throw new ConfigError(source, `YAML syntax error at ${where}: ${err.message.split('\n')[0]}`);
    }
    throw err;
  }
}

/** Returns a copy of doc with every RINGWATCH_<A>__<B>... variable set at path a.b (values read as YAML scalars). */
export function applyEnvOverrides(doc: unknown, env: NodeJS.ProcessEnv): unknown {
  const root: unknown = structuredClone(doc);
  const entries = Object.entries(env)
    .filter(([name, value]) => name.startsWith(ENV_PREFIX) && !NOT_CONFIG.test(name) && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let result = root;
  for (const [name, value] of entries) {
    const segments = name.slice(ENV_PREFIX.length).split('__').map((s) => s.toLowerCase());
    if (segments.some((s) => s === '')) throw new ConfigError(name, 'empty path segment in environment override');
    result = setPath(result, segments, parseEnvValue(value as string), name);
  }
  return result;
}

function parseEnvValue(value: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    return value;
  }
}

function setPath(node: unknown, segments: string[], value: unknown, envName: string): unknown {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  if (/^\d+$/.test(head)) {
    const list = Array.isArray(node) ? node : [];
    const index = Number(head);
    if (index > list.length) throw new ConfigError(envName, `list index ${index} is past the end (the list has ${list.length} items)`);
    list[index] = setPath(list[index], rest, value, envName);
    return list;
  }
  const obj = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : {};
  obj[head] = setPath(obj[head], rest, value, envName);
  return obj;
}
