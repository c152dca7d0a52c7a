// The one table `npm run bench` prints: every figure, and beside it the same figure for each peer
// with the ratio Ringwatch / peer; notes (what a figure includes, why a peer is missing) below.
import { PEERS, roundSignificant, type BenchResult } from './bench-result.ts';

export interface BenchSection {
  title: string;
  results: BenchResult[];
  /** Set when the section could not run at all. */
  error?: string;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const r = roundSignificant(x, 3);
  return Math.abs(r) >= 10_000 ? Math.round(r).toLocaleString('en-US') : String(r);
}

function peerCell(result: BenchResult, peer: string, notes: string[]): string {
  const figure = result.peers?.find((p) => p.peer === peer);
  if (figure === undefined) return '';
  const noteRef = (text: string | undefined): string => {
    if (text === undefined) return '';
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return ` [${i + 1}]`;
  };
  if (figure.value === null) return `missing${noteRef(figure.note)}`;
  const ratio = figure.value === 0 ? '' : ` (x${formatNumber(result.value / figure.value)})`;
  return `${formatNumber(figure.value)}${ratio}${noteRef(figure.note)}`;
}

/** Plain-text table; ratio columns read "Ringwatch / peer". */
export function formatBenchTable(sections: readonly BenchSection[]): string {
  const notes: string[] = [];
  const header = ['benchmark', 'Ringwatch', 'unit', ...PEERS.map((p) => `${p} (Ringwatch/${p})`)];
  const rows: (string[] | string)[] = [];
  for (const section of sections) {
    rows.push(`-- ${section.title}`);
    if (section.error !== undefined) {
      rows.push(`   not run: ${section.error}`);
      continue;
    }
    for (const r of section.results) {
      let name = r.name;
      if (r.note !== undefined) {
        let i = notes.indexOf(r.note);
        if (i < 0) i = notes.push(r.note) - 1;
        name += ` [${i + 1}]`;
      }
      rows.push([name, formatNumber(r.value), r.unit, ...PEERS.map((p) => peerCell(r, p, notes))]);
    }
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (typeof row === 'string' ? 0 : (row[c] ?? '').length))));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 1 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(typeof row === 'string' ? row : line(row));
  if (notes.length > 0) {
    out.push('');
    notes.forEach((n, i) => out.push(`[${i + 1}] ${n}`));
  }
  return out.join('\n');
}
