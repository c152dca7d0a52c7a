import { describe, expect, it } from 'vitest';
import { type DropReason, ExpositionParseError, parseExposition } from './parser.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Outcome {
  count: number;
  samples: Array<[series: string, value: number, timestampMs: number]>;
  dropped: Array<[reason: DropReason, series: string]>;
}

function parseOpenMetrics(text: string): Outcome {
  const samples: Outcome['samples'] = [];
  const dropped: Outcome['dropped'] = [];
  const count = parseExposition(encoder.encode(text), 'openmetrics', {
    onSample(b, start, end, value, timestampMs) {
      samples.push([decoder.decode(b.subarray(start, end)), value, timestampMs]);
    },
    onDroppedSample(reason, b, start, end) {
      dropped.push([reason, decoder.decode(b.subarray(start, end))]);
    },
  });
  return { count, samples, dropped };
}

describe('OpenMetrics timestamps beyond int64 milliseconds', () => {
  // prometheus/OpenMetrics tests/testdata/parsers/timestamps/metrics, "shouldParse": true.
  const suiteCase = `# TYPE a counter
# HELP a help
a_total{foo="1"} 1 000
a_total{foo="2"} 1 0.0
a_total{foo="3"} 1 1.1
a_total{foo="4"} 1 12345678901234567890.1234567890
a_total{foo="5"} 1 1.5e3
# TYPE b counter
# HELP b help
b_total 2 1234567890
# EOF
`;

  it('accepts the test suite "timestamps" case and drops only the sample no int64 holds', () => {
    expect(parseOpenMetrics(suiteCase)).toEqual({
      count: 5,
      samples: [
        ['a_total{foo="1"}', 1, 0],
        ['a_total{foo="2"}', 1, 0],
        ['a_total{foo="3"}', 1, 1100],
        ['a_total{foo="5"}', 1, 1500000],
        ['b_total', 2, 1234567890000],
      ],
      dropped: [['out_of_bounds', 'a_total{foo="4"}']],
    });
  });

  it('drops at 2^63 ms and below -2^63 ms, keeps what fits', () => {
    const { samples, dropped } = parseOpenMetrics(
      'fits 1 9223372036854774\nat_limit 1 9223372036854775.807\nlow 1 -1e19\nlow_fits 1 -9223372036854774\n# EOF\n',
    );
    expect(samples.map(([series, , ts]) => [series, ts])).toEqual([
      ['fits', 9223372036854774000],
      ['low_fits', -9223372036854774000],
    ]);
    expect(dropped).toEqual([
      ['out_of_bounds', 'at_limit'],
      ['out_of_bounds', 'low'],
    ]);
  });

  it('parses on without an onDroppedSample callback', () => {
    const values: number[] = [];
    const count = parseExposition(encoder.encode('a 1 1e19\nb 2\n# EOF\n'), 'openmetrics', { onSample: (_b, _s, _e, v) => void values.push(v) });
    expect(count).toBe(1);
    expect(values).toEqual([2]);
  });

  it('still rejects a malformed line whose timestamp is out of bounds', () => {
    for (const text of ['a 1 1e19 # {x="y"} z\n# EOF\n', 'a 1 1e19 2\n# EOF\n', 'a{b="c",b="d"} 1 1e19\n# EOF\n', 'a 1 1e19\n']) {
      expect(() => parseOpenMetrics(text), text).toThrow(ExpositionParseError);
    }
  });

  it('keeps rejecting a timestamp that is no float64 at all (Go ParseFloat range error)', () => {
    expect(() => parseOpenMetrics('a 1 1e400\n# EOF\n')).toThrow(/timestamp out of range/);
  });
});
