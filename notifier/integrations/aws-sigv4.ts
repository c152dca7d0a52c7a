// AWS Signature Version 4 (the signing the AWS SDK does for every request), with node:crypto:
// canonical request → string to sign → HMAC chain of date, region, service → Authorization.
// Only what a POST of a form body needs: the path is signed as given, no query string.
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignInput {
  readonly method: string;
  readonly url: URL;
  /** Header names as sent; they are all signed (lowercased, sorted). Host is added. */
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: AwsCredentials;
  readonly nowMs: number;
}

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

/** 20150830T123600Z */
export function amzDate(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding of each path segment (AWS's UriEncode, "/" kept). */
function canonicalPath(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((seg) => encodeURIComponent(decodeURIComponent(seg)).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** The headers to send: the input's, plus Host, X-Amz-Date, X-Amz-Security-Token and Authorization. */
export function signRequest(input: SignInput): Record<string, string> {
  const date = amzDate(input.nowMs);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = { ...input.headers, Host: input.url.host, 'X-Amz-Date': date };
  if (input.credentials.sessionToken !== undefined && input.credentials.sessionToken !== '') headers['X-Amz-Security-Token'] = input.credentials.sessionToken;
  const canonical = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const signedHeaders = canonical.map(([k]) => k).join(';');
  const canonicalRequest = [
    input.method,
    canonicalPath(input.url.pathname),
    // The query string: sorted name=value pairs, as AWS's UriEncode writes them.
    [...input.url.searchParams.entries()]
      .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&'),
    ...canonical.map(([k, v]) => `${k}:${v}`),
    '',
    signedHeaders,
    sha256Hex(input.body),
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), input.region), input.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.Authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
