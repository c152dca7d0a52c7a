import { describe, expect, it } from 'vitest';
import { amzDate, signRequest } from './aws-sigv4.ts';

// AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite): its credentials,
// region, service and instant.
const SUITE = {
  region: 'us-east-1',
  service: 'service',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  nowMs: Date.parse('2015-08-30T12:36:00Z'),
};

describe('AWS SigV4', () => {
  it('writes the date as AWS does', () => {
    expect(amzDate(SUITE.nowMs)).toBe('20150830T123600Z');
  });

  it('signs the suite\'s get-vanilla request to its published signature', () => {
    const headers = signRequest({ ...SUITE, method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {}, body: '' });
    expect(headers.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it("signs the suite's post-x-www-form-urlencoded request to its published signature", () => {
    const headers = signRequest({ ...SUITE, method: 'POST', url: new URL('https://example.amazonaws.com/'), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Param1=value1' });
    expect(headers.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    );
  });

  it('adds the session token to the signed headers', () => {
    const headers = signRequest({ ...SUITE, credentials: { ...SUITE.credentials, sessionToken: 'tok' }, method: 'POST', url: new URL('https://sns.us-east-1.amazonaws.com/'), headers: {}, body: 'x' });
    expect(headers['X-Amz-Security-Token']).toBe('tok');
    expect(headers.Authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
  });
});
