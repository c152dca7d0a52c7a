// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the CPU went: self time per function
// (file:line), and per file, as shares of the busy (non-idle) samples.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface HotSpot {
  /** "functionName path:line" (1-based line), or "(garbage collector)" and the like. */
  where: string;
  selfMs: number;
  /** Share of the busy samples, 0..100. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  functions: HotSpot[];
  files: HotSpot[];
}

const IDLE = '(idle)';

function shortUrl(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** Self time by function and by file, biggest first. `root` is stripped from file paths. */
export function summarizeCpuProfile(profile: CpuProfile, root: string, top = 15): ProfileSummary {
  const hits = new Map<number, number>();
  if (profile.samples !== undefined && profile.samples.length > 0) {
    for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  } else {
    for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  }
  let total = 0;
  for (const h of hits.values()) total += h;
  const msPerSample = total === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / total;

  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const h = hits.get(node.id) ?? 0;
    if (h === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === IDLE) continue;
    busy += h;
    const file = url === '' ? '' : shortUrl(url, root);
    const where = file === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + h);
    const fileKey = file === '' ? functionName : file;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + h);
  }
  const rank = (m: Map<string, number>): HotSpot[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, h]) => ({ where, selfMs: Math.round(h * msPerSample), percent: busy === 0 ? 0 : Math.round((h / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy * msPerSample), functions: rank(byFunction), files: rank(byFile) };
}

/** Summaries of every .cpuprofile in dir (file name -> summary). */
export function summarizeProfileDir(dir: string, root: string, top = 15): Map<string, ProfileSummary> {
  const out = new Map<string, ProfileSummary>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    out.set(name, summarizeCpuProfile(JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile, root, top));
  }
  return out;
}

/** Summaries of the profiles in every subdirectory of the bench's profile directory ("<node>/<file>" -> summary). */
export function summarizeProfileDirs(dirs: { profiles: string; root: string }, top = 15): Map<string, ProfileSummary> {
  const out = new Map<string, ProfileSummary>();
  let subdirs: string[];
  try {
    subdirs = readdirSync(dirs.profiles).sort();
  } catch {
    return out;
  }
  for (const sub of subdirs) {
    for (const [file, summary] of summarizeProfileDir(join(dirs.profiles, sub), dirs.root, top)) out.set(`${sub}/${file}`, summary);
  }
  return out;
}

export function formatProfileSummary(title: string, s: ProfileSummary, top = 12): string {
  const lines = [`${title}: ${(s.busyMs / 1000).toFixed(1)} s busy`, '  self time by function:'];
  for (const f of s.functions.slice(0, top)) lines.push(`    ${f.percent.toFixed(1).padStart(5)}%  ${f.where}`);
  lines.push('  self time by file:');
  for (const f of s.files.slice(0, top)) lines.push(`    ${f.percent.toFixed(1).padStart(5)}%  ${f.where}`);
  return lines.join('\n');
}
