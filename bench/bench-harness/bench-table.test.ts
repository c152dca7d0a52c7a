import { describe, expect, it } from 'vitest';
import { formatBenchTable, formatNumber } from './bench-table.ts';

describe('formatNumber', () => {
  it('keeps three significant digits and groups big numbers', () => {
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(187.54)).toBe('188');
    expect(formatNumber(1_234_567)).toBe('1,230,000');
    expect(formatNumber(2.5)).toBe('2.5');
  });
});

describe('formatBenchTable', () => {
  const table = formatBenchTable([
    { title: 'micro', results: [{ name: 'parser ns/sample', value: 187.5, unit: 'ns' }] },
    {
      title: 'scrape pipeline',
      results: [
        {
          name: 'CPU per 1M samples',
          value: 3,
          unit: 'CPU-s',
          note: 'scraper only',
          peers: [
            { peer: 'vmagent', value: 1.5 },
            { peer: 'prometheus-agent', value: null, note: 'not built: go missing' },
          ],
        },
      ],
    },
    { title: 'writer', results: [], error: 'Kafka did not start' },
  ]);

  it('puts each peer figure beside Ringwatch with the ratio Ringwatch / peer', () => {
    const row = table.split('\n').find((l) => l.startsWith('CPU per 1M samples'))!;
    expect(row).toContain('[1]');
    expect(row).toMatch(/\b3\s+CPU-s\s+1\.5 \(x2\)\s+missing \[2\]/);
  });

  it('lists the notes and the sections that did not run', () => {
    expect(table).toContain('[1] scraper only');
    expect(table).toContain('[2] not built: go missing');
    expect(table).toContain('-- writer\n   not run: Kafka did not start');
  });

  it('leaves peer cells empty for figures without peers', () => {
    const row = table.split('\n').find((l) => l.startsWith('parser ns/sample'))!;
    expect(row.trimEnd()).toMatch(/188\s+ns$/);
  });
});
