import { describe, expect, it } from 'vitest';
import { MAX_LABELS_PER_REQUEST, MAX_TARGETS_PER_REQUEST, readRegistration, readRemoval, RequestError } from './registration-request.ts';
import { readCoordinatorConfig } from './coordinator-config.ts';

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
      [{ job: 'demo', targets: ['a:1', 'u:pw@b:2'] }, /^targets\[1\]: "u:<secret>@b:2" contains userinfo; expected a host:port address/],
      [{ job: 'demo', targets: ['http://u:pw@b:2'] }, /^targets\[0\]: "http:\/\/u:<secret>@b:2" contains userinfo/],
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

describe('api.registration policy', () => {
  const config = (registration: unknown) =>
    readCoordinatorConfig({
      node: { id: 'c1', listen_address: '127.0.0.1:29100' },
      etcd: { endpoints: ['127.0.0.1:2379'] },
      scrape_configs: [{ job_name: 'demo' }, { job_name: 'node' }],
      api: { registration },
    }).api.registration;
  const refusal = (body: unknown, registration: unknown): { status: number; message: string } | undefined => {
    try {
      readRegistration(body, jobs, config(registration));
      return undefined;
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      return { status: err.status, message: err.message };
    }
  };

  it('refuses an interval below min_scrape_interval (default 1s), naming the label and the setting', () => {
    expect(refusal({ job: 'demo', targets: ['a:1'], labels: { __scrape_interval__: '1ms' } }, undefined)).toEqual({
      status: 400,
      message: 'labels.__scrape_interval__: 1ms is below the minimum of 1s (api.registration.min_scrape_interval)',
    });
    expect(refusal({ job: 'demo', targets: ['a:1'], labels: { __scrape_interval__: '10s' } }, { min_scrape_interval: '30s' })?.message).toMatch(/below the minimum of 30s/);
    expect(refusal({ job: 'demo', targets: ['a:1'], labels: { __scrape_interval__: '30s' } }, { min_scrape_interval: '30s' })).toBeUndefined();
    expect(refusal({ job: 'demo', targets: ['a:1'], labels: { __scrape_interval__: 'soon' } }, undefined)?.message).toMatch(/^labels\.__scrape_interval__: "soon" is not a duration/);
    expect(refusal({ job: 'demo', targets: ['a:1'], labels: { __scheme__: 'gopher' } }, undefined)?.message).toMatch(/^labels\.__scheme__: must be http or https/);
    expect(refusal({ job: 'demo', targets: ['a:1'], labels: { __metrics_path__: 'x' } }, undefined)?.message).toMatch(/^labels\.__metrics_path__: must start with/);
  });

  it('refuses jobs not in allowed_jobs and addresses matching no allowed_addresses pattern, with 403', () => {
    const policy = { allowed_jobs: ['node'], allowed_addresses: ['10\\.0\\.[0-9]+\\.[0-9]+:9100', '.*\\.internal:[0-9]+'] };
    expect(refusal({ job: 'demo', targets: ['10.0.0.1:9100'] }, policy)).toEqual({
      status: 403,
      message: 'job: "demo" does not accept registered targets (api.registration.allowed_jobs: node)',
    });
    expect(refusal({ job: 'node', targets: ['10.0.0.1:9100', 'db.internal:9187'] }, policy)).toBeUndefined();
    // Anchored: a pattern never matches a part of the address.
    expect(refusal({ job: 'node', targets: ['10.0.0.1:9100', 'evil.example:9100'] }, policy)).toEqual({
      status: 403,
      message: 'targets[1]: "evil.example:9100" matches none of api.registration.allowed_addresses',
    });
    expect(refusal({ job: 'node', targets: ['110.0.0.1:91000'] }, policy)?.status).toBe(400);
    expect(refusal({ job: 'node', targets: ['110.0.0.1:9100'] }, policy)?.status).toBe(403);
  });

  it('names the field of a bad policy in the config', () => {
    expect(() => config({ allowed_jobs: ['nope'] })).toThrow(/^api\.registration\.allowed_jobs\[0\]: "nope" is not a job of scrape_configs/);
    expect(() => config({ allowed_addresses: ['('] })).toThrow(/^api\.registration\.allowed_addresses\[0\]: invalid regular expression/);
    expect(() => config({ min_interval: '1s' })).toThrow(/^api\.registration\.min_interval: unknown field/);
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
