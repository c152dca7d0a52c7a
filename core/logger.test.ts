import { describe, expect, it } from 'vitest';
import { redactSecrets } from './logger.ts';

describe('redactSecrets', () => {
  it('hides passwords, tokens and SASL secrets at any depth and keeps the rest', () => {
    const config = {
      kafka: { brokers: ['a:1'], sasl: { mechanism: 'plain', username: 'u', password: 'hunter2' } },
      stores: [{ url: 'http://x', bearer_token: 'abc', headers: { Authorization: 'Bearer abc', 'X-Scope-OrgID': 't1' } }],
    };
    const text = JSON.stringify(redactSecrets(config));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abc');
    expect(text).toContain('"X-Scope-OrgID":"t1"');
    expect(text).toContain('"brokers":["a:1"]');
  });
});
