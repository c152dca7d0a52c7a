import { describe, expect, it } from 'vitest';
import { escapeName } from './name-escaping.ts';

// Following prometheus/common model.EscapeName's rules and its test cases' shapes.
describe('escapeName', () => {
  it('underscores: every rune a legacy name cannot hold becomes "_"', () => {
    expect(escapeName('http.server.duration', 'underscores')).toBe('http_server_duration');
    expect(escapeName('no:escaping_required', 'underscores')).toBe('no:escaping_required');
    expect(escapeName('0starts.with.digit', 'underscores')).toBe('_starts_with_digit');
    expect(escapeName('标签名', 'underscores')).toBe('___');
  });

  it('dots: "." as _dot_, "_" doubled, anything else "__"', () => {
    expect(escapeName('mysystem.prod.west.cpu.load', 'dots')).toBe('mysystem_dot_prod_dot_west_dot_cpu_dot_load');
    expect(escapeName('no:escaping_required', 'dots')).toBe('no:escaping__required');
    expect(escapeName('label with 😱', 'dots')).toBe('label__with____');
  });

  it('values: U__ then each other rune as its hex code point; legacy names untouched', () => {
    expect(escapeName('no:escaping_required', 'values')).toBe('no:escaping_required');
    expect(escapeName('mysystem.prod.west.cpu.load', 'values')).toBe('U__mysystem_2e_prod_2e_west_2e_cpu_2e_load');
    expect(escapeName('label with 😱', 'values')).toBe('U__label_20_with_20__1f631_');
    expect(escapeName('http.server_duration', 'values')).toBe('U__http_2e_server__duration');
  });

  it('allow-utf-8 keeps every name', () => {
    expect(escapeName('http.server.duration', 'allow-utf-8')).toBe('http.server.duration');
  });
});
