// Go's time.ParseDuration / Duration.String, as the webhook timeout and pushover fields use them.
import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.ts';

describe('go durations', () => {
  it('parses Go syntax', () => {
    expect(parseGoDuration('10s')).toBe(10_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-2m')).toBe(-120_000);
    expect(parseGoDuration('250us')).toBe(0.25);
  });
  it('rejects what Go rejects', () => {
    expect(() => parseGoDuration('2d')).toThrow('time: unknown unit "d" in duration "2d"');
    expect(() => parseGoDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration('.s')).toThrow('time: invalid duration ".s"');
  });
  it('prints like Duration.String', () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(60_000)).toBe('1m0s');
    expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
    expect(formatGoDuration(90_500)).toBe('1m30.5s');
    expect(formatGoDuration(500)).toBe('500ms');
    expect(formatGoDuration(1.5)).toBe('1.5ms');
    for (const ms of [10_000, 5_400_000, 1500, 300]) expect(parseGoDuration(formatGoDuration(ms))).toBe(ms);
  });
});
