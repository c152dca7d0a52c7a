import { describe, expect, it } from 'vitest';
import { compareLabelSets, mergeMatrices, readMatrixBody, trimMatrix, writeMatrixBody, type MatrixAnswer } from './matrix.ts';

describe('mergeMatrices', () => {
  it('concatenates per series in time order; a series may be in some pieces only', () => {
    const a: MatrixAnswer = {
      result: [
        { metric: { __name__: 'up', job: 'b' }, values: [[1, '1'], [2, '1']] },
        { metric: { __name__: 'up', job: 'a' }, values: [[1, '0']] },
      ],
    };
    const b: MatrixAnswer = { result: [{ metric: { job: 'b', __name__: 'up' }, values: [[3, '2']] }, { metric: { __name__: 'up', job: 'c' }, values: [[3, '5']] }] };
    const merged = mergeMatrices([a, b]);
    expect(merged.result).toEqual([
      { metric: { __name__: 'up', job: 'a' }, values: [[1, '0']] },
      { metric: { __name__: 'up', job: 'b' }, values: [[1, '1'], [2, '1'], [3, '2']] },
      { metric: { __name__: 'up', job: 'c' }, values: [[3, '5']] },
    ]);
  });
  it('keeps histograms apart from float values, and unions warnings', () => {
    const h = { count: '1', sum: '2', buckets: [] };
    const merged = mergeMatrices([
      { result: [{ metric: { a: '1' }, histograms: [[1, h]] }], warnings: ['w'] },
      { result: [{ metric: { a: '1' }, histograms: [[2, h]], values: [[3, '1']] }], warnings: ['w', 'x'] },
    ]);
    expect(merged).toEqual({ result: [{ metric: { a: '1' }, histograms: [[1, h], [2, h]], values: [[3, '1']] }], warnings: ['w', 'x'] });
  });
  it('keeps a point shared by two pieces once', () => {
    expect(mergeMatrices([{ result: [{ metric: {}, values: [[1, '1'], [2, '2']] }] }, { result: [{ metric: {}, values: [[2, '2'], [3, '3']] }] }]).result[0]?.values).toEqual([
      [1, '1'],
      [2, '2'],
      [3, '3'],
    ]);
  });
});

describe('compareLabelSets', () => {
  it('orders as Prometheus labels.Compare: by name, then value, a prefix first', () => {
    expect(compareLabelSets({ a: '1' }, { a: '1', b: '1' })).toBeLessThan(0);
    expect(compareLabelSets({ a: '2' }, { a: '1', b: '1' })).toBeGreaterThan(0);
    expect(compareLabelSets({ a: '1', c: '1' }, { a: '1', b: '9' })).toBeGreaterThan(0);
    expect(compareLabelSets({ b: 'x', a: 'y' }, { a: 'y', b: 'x' })).toBe(0);
  });
});

describe('trimMatrix', () => {
  it('keeps points inside [start, end] and drops series left empty', () => {
    const m: MatrixAnswer = { result: [{ metric: { a: '1' }, values: [[10, '1'], [20, '2'], [30, '3']] }, { metric: { a: '2' }, values: [[40, '1']] }] };
    expect(trimMatrix(m, 20_000, 30_000).result).toEqual([{ metric: { a: '1' }, values: [[20, '2'], [30, '3']] }]);
  });
  it('compares fractional-second timestamps in milliseconds', () => {
    const m: MatrixAnswer = { result: [{ metric: {}, values: [[1.5, '1'], [2.5, '2']] }] };
    expect(trimMatrix(m, 1500, 2000).result[0]?.values).toEqual([[1.5, '1']]);
  });
});

describe('envelope', () => {
  it('reads and writes the success envelope of a matrix', () => {
    const body = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"1"},"values":[[1,"1"]]}]}}';
    const m = readMatrixBody(body);
    expect(m).toBeDefined();
    expect(writeMatrixBody(m as MatrixAnswer)).toBe(body);
  });
  it('refuses errors and other result types', () => {
    expect(readMatrixBody('{"status":"error","errorType":"bad_data","error":"x"}')).toBeUndefined();
    expect(readMatrixBody('{"status":"success","data":{"resultType":"vector","result":[]}}')).toBeUndefined();
    expect(readMatrixBody('not json')).toBeUndefined();
  });
});
