import { describe, expect, it } from 'vitest';
import { NOT_A_VECTOR, parseQueryResponse, queryFailure } from './query-result.ts';

describe('parseQueryResponse', () => {
  it('reads a vector, with special float values and labels in Prometheus order', () => {
    const body = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { job: 'api', __name__: 'up', instance: 'a:1' }, value: [1700000000.123, '1'] },
          { metric: { job: 'b' }, value: [1700000000.123, 'NaN'] },
          { metric: {}, value: [1700000000.123, '+Inf'] },
          { metric: { job: 'c' }, value: [1700000000.123, '-Inf'] },
          { metric: { job: 'd' }, value: [1700000000.123, '-1.5e-3'] },
        ],
      },
      warnings: ['careful'],
    });
    const r = parseQueryResponse(body, 200);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual(['careful']);
    expect(r.vector.map((s) => s.value)).toEqual([1, NaN, Infinity, -Infinity, -0.0015]);
    expect(Object.keys(r.vector[0]?.labels ?? {})).toEqual(['__name__', 'instance', 'job']);
  });

  it('turns a scalar into one sample without labels (rules.EngineQueryFunc)', () => {
    const r = parseQueryResponse({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '42'] } });
    expect(r).toEqual({ ok: true, vector: [{ labels: {}, value: 42 }], warnings: [], infos: [] });
  });

  it('refuses matrix and string results with Prometheus words', () => {
    for (const resultType of ['matrix', 'string']) {
      const r = parseQueryResponse({ status: 'success', data: { resultType, result: [] } });
      expect(r).toMatchObject({ ok: false, error: NOT_A_VECTOR });
    }
    expect(NOT_A_VECTOR).toBe('rule result is not a vector or scalar');
  });

  it('makes an API error the rule error, with its type', () => {
    const r = parseQueryResponse(JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:6: parse error: unexpected end of input' }), 400);
    expect(r).toEqual({ ok: false, error: 'bad_data: 1:6: parse error: unexpected end of input', errorType: 'bad_data', warnings: [] });
  });

  it.each([
    ['<html>bad gateway</html>', 'HTTP 502: query response is not JSON: "<html>bad gateway</html>"'],
    ['[]', 'HTTP 502: invalid query response: the response is not a JSON object'],
    ['{"status":"success"}', 'HTTP 502: invalid query response: "data" is missing'],
    ['{"status":"weird"}', 'HTTP 502: invalid query response: unexpected "status": "weird"'],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}', 'data.result[0].value: not a number: "x"'],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","2"]}]}}', 'data.result[0].value: expected [<timestamp>, "<value>"]'],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}}', 'data.result[0]: label "a" is not a string'],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{}]}]}}', 'native histogram samples are not supported'],
    ['{"status":"success","data":{"resultType":"tensor","result":[]}}', 'unknown "data.resultType": "tensor"'],
  ])('names what is wrong in %s', (body, message) => {
    const r = parseQueryResponse(body, 502);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it('wraps transport failures in the same shape', () => {
    expect(queryFailure('connect ECONNREFUSED')).toEqual({ ok: false, error: 'connect ECONNREFUSED', warnings: [] });
  });
});
