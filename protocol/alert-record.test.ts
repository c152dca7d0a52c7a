import { describe, expect, it } from 'vitest';
import { decodeAlertRecord, encodeAlertRecord, type AlertRecord } from './alert-record.ts';

const record: AlertRecord = {
  version: 1,
  fingerprint: '0123456789abcdef',
  status: 'firing',
  labels: { alertname: 'InstanceDown', instance: 'a:9100', severity: '2' },
  annotations: { summary: 'a:9100 is down' },
  activeAt: '2026-12-01T10:00:00.000Z',
  startsAt: '2026-12-01T10:01:00.000Z',
  endsAt: '2026-12-01T10:05:00.000Z',
  generatorURL: 'http://alerting:9490/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
  value: 0,
  rule: { group: 'instances', file: 'rules/instances.yml', name: 'InstanceDown' },
  evaluatedAt: '2026-12-01T10:01:00.000Z',
  replica: 'alerting-1',
};

describe('alert record', () => {
  it('round-trips, including values JSON cannot hold', () => {
    expect(decodeAlertRecord(encodeAlertRecord(record))).toEqual(record);
    const nan = decodeAlertRecord(encodeAlertRecord({ ...record, value: Number.NaN }));
    expect(nan.value).toBeNaN();
    expect(decodeAlertRecord(encodeAlertRecord({ ...record, value: Number.POSITIVE_INFINITY })).value).toBe(Number.POSITIVE_INFINITY);
  });

  it('names the field that is wrong', () => {
    const bad = (patch: Record<string, unknown>): string => {
      try {
        decodeAlertRecord(JSON.stringify({ ...record, ...patch }));
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(bad({ version: 2 })).toMatch(/^version: unsupported 2/);
    expect(bad({ status: 'exploded' })).toMatch(/^status: expected one of/);
    expect(bad({ fingerprint: 'xyz' })).toMatch(/^fingerprint: expected 16 hex digits/);
    expect(bad({ labels: { a: 1 } })).toMatch(/^labels\.a: expected a string/);
    expect(bad({ startsAt: 'yesterday' })).toMatch(/^startsAt: expected an RFC 3339 time/);
    expect(bad({ rule: null })).toMatch(/^rule: expected an object/);
    expect(() => decodeAlertRecord('{')).toThrow(/^not JSON/);
  });
});
