// `ringwatch targets add|rm|ls`: registers, removes and lists targets through a coordinator's API.
//   ringwatch targets add --job J [--label k=v ...] host:port...
//   ringwatch targets rm --job J host:port...
//   ringwatch targets ls [--job J]
// --coordinator <url> (default $RINGWATCH_COORDINATOR_URL or http://127.0.0.1:29100) and
// --token <token> (default $RINGWATCH_API_TOKEN). Exit codes: 0 done, 1 the request failed (or
// some targets to remove were not registered), 2 bad usage.
import { parseArgs } from 'node:util';

export const DEFAULT_COORDINATOR_URL = 'http://127.0.0.1:29100';

export const TARGETS_USAGE = `usage: ringwatch targets <add|rm|ls> [options]

  ringwatch targets add --job <job> [--label name=value ...] <host:port>...
  ringwatch targets rm  --job <job> <host:port>...
  ringwatch targets ls  [--job <job>]

options:
  --coordinator <url>  coordinator API (default $RINGWATCH_COORDINATOR_URL or ${DEFAULT_COORDINATOR_URL})
  --token <token>      bearer token for add/rm (default $RINGWATCH_API_TOKEN)`;

export type TargetsCommand =
  | { action: 'add'; url: string; token?: string; job: string; labels: Record<string, string>; targets: string[] }
  | { action: 'rm'; url: string; token?: string; job: string; targets: string[] }
  | { action: 'ls'; url: string; token?: string; job?: string };

export class UsageError extends Error {}

export function parseTargetsArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): TargetsCommand {
  const [action, ...rest] = argv;
  if (action !== 'add' && action !== 'rm' && action !== 'ls') {
    throw new UsageError(action === undefined ? 'missing subcommand (add, rm or ls)' : `unknown subcommand "${action}" (expected add, rm or ls)`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: {
        job: { type: 'string', short: 'j' },
        label: { type: 'string', short: 'l', multiple: true },
        coordinator: { type: 'string' },
        token: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const url = (values.coordinator ?? env.RINGWATCH_COORDINATOR_URL ?? DEFAULT_COORDINATOR_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--coordinator: expected an http(s) URL, got "${url}"`);
  const tokenValue = values.token ?? env.RINGWATCH_API_TOKEN;
  const token = tokenValue === undefined || tokenValue === '' ? {} : { token: tokenValue };

  if (action === 'ls') {
    if (positionals.length > 0) throw new UsageError(`ls takes no targets (got ${positionals.join(' ')})`);
    if (values.label !== undefined) throw new UsageError('--label only applies to add');
    return { action, url, ...token, ...(values.job !== undefined ? { job: values.job } : {}) };
  }
  if (values.job === undefined || values.job === '') throw new UsageError(`${action} needs --job <job>`);
  if (positionals.length === 0) throw new UsageError(`${action} needs at least one host:port target`);
  if (action === 'rm') {
    if (values.label !== undefined) throw new UsageError('--label only applies to add');
    return { action, url, ...token, job: values.job, targets: positionals };
  }
  const labels: Record<string, string> = {};
  for (const l of values.label ?? []) {
    const i = l.indexOf('=');
    if (i <= 0) throw new UsageError(`--label: expected name=value, got "${l}"`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  return { action, url, ...token, job: values.job, labels, targets: positionals };
}

export interface ListedTarget {
  scrapePool: string;
  labels: Record<string, string>;
  scrapeUrl: string;
  owner: string | null;
  health: string;
  lastScrape: string;
  lastError: string;
}

/** The `ls` table: job, instance, owner, health, last scrape (relative to now). */
export function formatTargetTable(targets: readonly ListedTarget[], nowMs: number): string {
  const rows = [['JOB', 'INSTANCE', 'OWNER', 'HEALTH', 'LAST SCRAPE', 'ERROR']];
  for (const t of targets) {
    rows.push([t.scrapePool, t.labels.instance ?? t.scrapeUrl, t.owner ?? '-', t.health, ago(t.lastScrape, nowMs), t.lastError]);
  }
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ').trimEnd()).join('\n');
}

function ago(iso: string, nowMs: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t) || t <= 0) return 'never';
  const s = Math.max(0, (nowMs - t) / 1000);
  if (s < 60) return `${s.toFixed(1)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.floor(s % 60)}s ago`;
  return new Date(t).toISOString();
}

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
  fetch?: typeof fetch;
  now?(): number;
}

/** Runs the command; returns the exit code. */
export async function runTargetsCli(argv: readonly string[], io: CliIo): Promise<number> {
  let cmd: TargetsCommand;
  try {
    cmd = parseTargetsArgs(argv, io.env);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`ringwatch targets: ${err.message}\n\n${TARGETS_USAGE}`);
      return 2;
    }
    throw err;
  }
  const doFetch = io.fetch ?? fetch;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (cmd.token !== undefined) headers.Authorization = `Bearer ${cmd.token}`;

  let path: string;
  let init: RequestInit;
  if (cmd.action === 'ls') {
    path = `/api/v1/targets?state=active${cmd.job !== undefined ? `&scrapePool=${encodeURIComponent(cmd.job)}` : ''}`;
    init = { method: 'GET', headers };
  } else {
    const body = cmd.action === 'add' ? { job: cmd.job, targets: cmd.targets, labels: cmd.labels } : { job: cmd.job, targets: cmd.targets };
    path = '/api/v1/targets';
    init = { method: cmd.action === 'add' ? 'POST' : 'DELETE', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  }

  let status: number;
  let payload: unknown;
  try {
    const res = await doFetch(cmd.url + path, { ...init, signal: AbortSignal.timeout(30_000) });
    status = res.status;
    const text = await res.text();
    try {
      payload = JSON.parse(text);
    } catch {
      payload = { status: 'error', error: text.trim().slice(0, 500) || `HTTP ${res.status}` };
    }
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    io.err(`ringwatch targets: cannot reach the coordinator at ${cmd.url}: ${cause ?? (err as Error).message}`);
    return 1;
  }
  const envelope = payload as { status?: string; error?: string; data?: unknown };
  if (status !== 200 || envelope.status !== 'success') {
    const hint = status === 401 ? ' (set --token or RINGWATCH_API_TOKEN)' : '';
    io.err(`ringwatch targets ${cmd.action}: the coordinator answered ${status}: ${envelope.error ?? 'no error message'}${hint}`);
    return 1;
  }

  if (cmd.action === 'ls') {
    const data = envelope.data as { activeTargets?: ListedTarget[] };
    const targets = data.activeTargets ?? [];
    io.out(targets.length === 0 ? `no targets${cmd.job !== undefined ? ` in job "${cmd.job}"` : ''}` : formatTargetTable(targets, (io.now ?? Date.now)()));
    return 0;
  }
  if (cmd.action === 'add') {
    const data = envelope.data as { registered: string[] };
    io.out(`registered ${data.registered.length} target(s) in job "${cmd.job}": ${data.registered.join(' ')}`);
    return 0;
  }
  const data = envelope.data as { removed: string[]; notFound: string[] };
  if (data.removed.length > 0) io.out(`removed ${data.removed.length} target(s) from job "${cmd.job}": ${data.removed.join(' ')}`);
  if (data.notFound.length > 0) {
    io.err(`ringwatch targets rm: not registered in job "${cmd.job}" (only targets added with "targets add" can be removed): ${data.notFound.join(' ')}`);
    return 1;
  }
  return 0;
}
