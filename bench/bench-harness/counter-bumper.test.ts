import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../scraper/exposition/parser.ts';
import { bumpValue, findCounterValues } from './counter-bumper.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('findCounterValues', () => {
  it('picks counters with enough digits, skipping comments, gauges and short values', () => {
    const body = new TextEncoder().encode(
      '# HELP a_total x\n# TYPE a_total counter\na_total 5\nb_total 803688\ng_bytes 123456\nc_total{x="1 2"} 1.760768e+06\nd_total NaN\n',
    );
    const spans = findCounterValues(body, 10);
    expect(spans.map((s) => text(body.subarray(s.start, s.end)))).toEqual(['803688', '1.760768']);
    expect(findCounterValues(body, 1)).toHaveLength(1);
  });

  it('finds counters in the real node_exporter body', () => {
    const body = readFileSync(path.resolve(import.meta.dirname, '../../test/fixtures/exposition/node-exporter-1.5.txt'));
    expect(findCounterValues(body, 4)).toHaveLength(4);
  });
});

describe('bumpValue', () => {
  const bumped = (s: string, times = 1): string => {
    const body = new TextEncoder().encode(`x_total ${s}\n`);
    const [span] = findCounterValues(body, 1, 1);
    for (let i = 0; i < times; i++) bumpValue(body, span!);
    return text(body).slice(8, -1);
  };

  it('increments like an odometer, carrying over the decimal point', () => {
    expect(bumped('803688')).toBe('803689');
    expect(bumped('6201.39')).toBe('6201.40');
    expect(bumped('1.760769e+06')).toBe('1.760770e+06');
    expect(bumped('19.99')).toBe('20.00');
    expect(bumped('100', 25)).toBe('125');
  });

  it('wraps all nines to zeros without changing the length', () => {
    expect(bumped('9.99')).toBe('0.00');
  });

  it('keeps the body parseable with the bumped value', () => {
    const body = new TextEncoder().encode('a_total 1.760768e+06\n');
    bumpValue(body, findCounterValues(body, 1)[0]!);
    const values: number[] = [];
    parseExposition(body, 'prometheus-text', { onSample: (_b, _s, _e, v) => void values.push(v) });
    expect(values).toEqual([1760769]);
  });
});
