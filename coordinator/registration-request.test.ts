import { describe, expect, it } from 'vitest';
import { MAX_LABELS_PER_REQUEST, MAX_TARGETS_PER_REQUEST, readRegistration, readRemoval } from './registration-request.ts';

const jobs = new Set(['demo', 'node']);

describe('readRegistration', () => {
  it('reads job, targets and labels', () => {
    expect(readRegistration({ job: 'demo', targets: ['a:1', '[::1]:9100'], labels: { env: 'x' } }, jobs)).toEqual({
      job: 'demo',
      targets: ['a:1', '[::1]:9100'],
      labels: { env: 'x' },
    });
    expect(readRegistration({ job: 'demo', targets: ['a:1'] }, jobs).labels).toEqual({});
  });

  it('says which field is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [[], /expected a JSON object/],
      [{ targets: ['a:1'] }, /^job: is required/],
      [{ job: 'nope', targets: ['a:1'] }, /^job: unknown job "nope" \(configured jobs: demo, node\)/],
      [{ job: 'demo' }, /^targets: is required/],
      [{ job: 'demo', targets: [] }, /^targets: at least one/],
      [{ job: 'demo', targets: ['a:1', 'http://b:2'] }, /^targets\[1\]: "http:\/\/b:2" is not a host:port address/],
      [{ job: 'demo', targets: ['a'] }, /^targets\[0\]: "a" is not a host:port/],
      [{ job: 'demo', targets: ['a:99999'] }, /^targets\[0\]: "a:99999" is not a host:port/],
      [{ job: 'demo', targets: [1] }, /^targets\[0\]: expected a "host:port" string/],
      [{ job: 'demo', targets: ['a:1'], labels: { 'bad-name': 'x' } }, /^labels: "bad-name" is not a valid label name/],
      [{ job: 'demo', targets: ['a:1'], labels: { env: 1 } }, /^labels\.env: expected a string value/],
      [{ job: 'demo', targets: ['a:1'], extra: true }, /^extra: unknown field/],
    ];
    for (const [body, error] of cases) expect(() => readRegistration(body, jobs), JSON.stringify(body)).toThrow(error);
  });

  it('limits targets and labels per request', () => {
    const many = Array.from({ length: MAX_TARGETS_PER_REQUEST + 1 }, (_, i) => `h${i}:1`);
    expect(() => readRegistration({ job: 'demo', targets: many }, jobs)).toThrow(/at most 1000 targets per request, got 1001/);
    expect(readRegistration({ job: 'demo', targets: many.slice(1) }, jobs).targets).toHaveLength(MAX_TARGETS_PER_REQUEST);
    const labels = Object.fromEntries(Array.from({ length: MAX_LABELS_PER_REQUEST + 1 }, (_, i) => [`l${i}`, 'v']));
    expect(() => readRegistration({ job: 'demo', targets: ['a:1'], labels }, jobs)).toThrow(/at most 64 labels per request, got 65/);
  });
});

describe('readRemoval', () => {
  it('takes the query when it has job or target, the body otherwise', () => {
    expect(readRemoval({ job: 'demo', targets: ['a:1', 'b:2'] }, undefined, jobs)).toEqual({ job: 'demo', targets: ['a:1', 'b:2'] });
    expect(readRemoval({ job: undefined, targets: [] }, { job: 'node', targets: ['c:3'] }, jobs)).toEqual({ job: 'node', targets: ['c:3'] });
    expect(() => readRemoval({ job: 'demo', targets: [] }, undefined, jobs)).toThrow(/^target: at least one/);
    expect(() => readRemoval({ job: undefined, targets: ['a:1'] }, undefined, jobs)).toThrow(/^job: is required/);
  });
});
