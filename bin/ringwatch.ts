#!/usr/bin/env node
// The one command line entry: `ringwatch <node> --config <file.yaml>` for every kind of node.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { loadConfigFile } from '../core/config-file.ts';
import { ConfigError } from '../core/config-schema.ts';
import { reexecOnce } from './node-reexec.ts';

const USAGE = `usage: ringwatch <command> [--config <file.yaml>]

nodes:
  scraper          scrape targets and produce samples to Kafka
  storage-writer   consume samples from Kafka and remote-write them to the stores
  coordinator      turn target sources into the target list in etcd
  alerting         evaluate Prometheus rule files, sharded over replicas; alerts to Alertmanager and Kafka
  notifier         consume alerts from Kafka and notify receivers, as Alertmanager (API v2)
  query            the Prometheus HTTP API over one or several stores, with a results cache
  demo-target      a demo service exposing counters, gauges, a histogram and a summary

commands:
  targets          add, remove and list targets through a coordinator (ringwatch targets --help)

Every configuration field can also be set from the environment:
RINGWATCH_<FIELD>__<SUBFIELD>=value (e.g. RINGWATCH_KAFKA__BROKERS=127.0.0.1:9092).
See docs/configuration.md.`;

type NodeMain = (raw: unknown, context: { configPath?: string }) => Promise<void>;

/**
 * V8 flags a node sets for itself (read by V8 at every allocation-limit check, so setting them
 * at start works; no launcher flags needed). The scraper allocates little JS garbage but many
 * short-lived ArrayBuffers (socket reads, Kafka requests): by default their external memory alone
 * triggers a mark-compact every few hundred ms. Accounted in the global limit instead, they are
 * freed by scavenges and the major GCs all but stop (docs/benchmarks.md has the figures).
 * V8's flags are process-wide: the scraper's worker threads (node.scrape_workers) have them too.
 */
const V8_FLAGS: Record<string, readonly string[]> = {
  scraper: ['--external-memory-accounted-in-global-limit'],
};

/**
 * V8 flags read only when the heap is set up, so given on the node's re-execution (node-reexec.ts).
 * The scraper's garbage is short-lived: with V8's default young generation (up to 3 x 32 MiB here)
 * scavenges were rare, nearly nothing reached the old generation, so no mark-compact ran and the
 * ArrayBuffers promoted meanwhile (Kafka messages and requests) piled up as external memory, RSS
 * rising 140 MiB a minute. With 8 MiB semi-spaces, regular collections keep RSS flat and the
 * scraper's RSS per series above its base fell from 1.8 to 0.75 KB, CPU within the noise. Since
 * Kafka values are reused (scraper/message-buffers.ts) nothing large dies young, and 4 MiB keeps
 * RSS flat with a smaller heap: 0.26 KB per series (docs/benchmarks.md). An operator's own
 * --max-semi-space-size wins.
 *
 * The storage-writer holds each message until its remote-write request is acked, so much of what
 * it allocates lives long enough to reach the old generation, and V8 started an incremental
 * marking about every 1.5 s, far below its heap limit: half the writer's CPU at the live rate went
 * to those collections (V8's helper threads included). Without incremental marking a full
 * collection runs when the old generation reaches its limit (a few per minute, a pause of tens of
 * milliseconds, which a Kafka consumer and remote writer do not feel): the writer's CPU fell by
 * 40 % (docs/benchmarks.md).
 */
const START_FLAGS: Record<string, readonly string[]> = {
  scraper: ['--max-semi-space-size=4'],
  'storage-writer': ['--no-incremental-marking'],
};

const NODES: Record<string, () => Promise<NodeMain>> = {
  scraper: async () => (await import('../scraper/main.ts')).runScraper,
  'storage-writer': async () => (await import('../storage-writer/main.ts')).runStorageWriter,
  'demo-target': async () => (await import('../deploy/demo-target/demo-target.ts')).runDemoTarget,
  coordinator: async () => (await import('../coordinator/main.ts')).runCoordinator,
  alerting: async () => (await import('../alerting/main.ts')).runAlerting,
  notifier: async () => (await import('../notifier/main.ts')).runNotifier,
  query: async () => (await import('../query/main.ts')).runQuery,
};

type CommandMain = (argv: string[]) => Promise<number>;

/** Commands that are not nodes: they take their own arguments and exit with their code. */
const COMMANDS: Record<string, () => Promise<CommandMain>> = {
  targets: async () => {
    const { runTargetsCli, TARGETS_USAGE } = await import('../coordinator/targets-cli.ts');
    return async (argv) => {
      if (argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
        console.log(TARGETS_USAGE);
        return argv[0] === undefined ? 2 : 0;
      }
      return runTargetsCli(argv, { env: process.env, out: (t) => console.log(t), err: (t) => console.error(t) });
    };
  },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const runCommand = COMMANDS[command];
  if (runCommand !== undefined) return (await runCommand())(rest);
  const load = NODES[command];
  if (load === undefined) {
    console.error(`ringwatch: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let configPath: string | undefined;
  try {
    const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } }, strict: true });
    configPath = values.config;
  } catch (err) {
    console.error(`ringwatch ${command}: ${(err as Error).message}`);
    return 2;
  }
  reexecOnce(START_FLAGS[command] ?? []); // returns only when it does not re-execute this process
  for (const flag of V8_FLAGS[command] ?? []) setFlagsFromString(flag);
  try {
    const raw = await loadConfigFile(configPath);
    const run = await load();
    await run(raw, configPath !== undefined ? { configPath } : {});
    return -1; // keeps running
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ringwatch ${command}: invalid configuration${configPath !== undefined ? ` in ${configPath}` : ''}: ${err.message}`);
      return 2;
    }
    console.error(`ringwatch ${command}: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
