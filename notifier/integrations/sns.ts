// The Amazon SNS integration (notify/sns): the Publish action of SNS's query API, a form POST
// signed with SigV4 (aws-sigv4.ts) to api_url or https://sns.<region>.amazonaws.com/. Subject,
// message (cut to 256 KiB, 1600 bytes for SMS, with a "truncated" attribute), topic/target ARN or
// phone number, attributes; on a FIFO topic the group key's hash as deduplication and group id.
// Credentials: sigv4.access_key/secret_key, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
// (/ AWS_SESSION_TOKEN) from the environment; region: sigv4.region, else AWS_REGION /
// AWS_DEFAULT_REGION. Not supported (failing each notification for good, with the reason):
// sigv4.profile and sigv4.role_arn (shared config files, STS).
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import { signRequest, type AwsCredentials } from './aws-sigv4.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { HttpClient } from './http-client.ts';
import { groupKeyHash, postForm } from './http-json.ts';
import { NotifyError, type NotifyContext } from './integration.ts';
import { HttpIntegration } from './json-http-integration.ts';
import { goQueryEncode } from './wechat.ts';

const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SMS_BYTES = 1600;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** validateAndTruncateMessage, cut at a character boundary. */
export function truncateBytes(message: string, max: number): { message: string; truncated: boolean } {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= max) return { message, truncated: false };
  let cut = bytes.subarray(0, max).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return { message: cut, truncated: true };
}

export class SnsIntegration extends HttpIntegration<ConfigValue> {
  readonly kind = 'sns';
  readonly #env: NodeJS.ProcessEnv;

  constructor(config: ConfigValue, index: number, http: HttpClient, tmpl: AlertmanagerTemplate, env: NodeJS.ProcessEnv = process.env) {
    super(config, index, http, tmpl);
    this.#env = env;
  }

  #sigv4(): ConfigValue {
    return (this.config.sigv4 as ConfigValue | undefined) ?? {};
  }

  region(): string {
    const region = str(this.#sigv4().region) || str(this.#env.AWS_REGION) || str(this.#env.AWS_DEFAULT_REGION);
    if (region === '') throw new NotifyError('sns: region not configured in sns.sigv4.region or in default credentials chain', false, 'other');
    return region;
  }

  credentials(): AwsCredentials {
    const s = this.#sigv4();
    if (str(s.role_arn) !== '') throw new NotifyError('sns: sigv4.role_arn (STS assume role) is not supported by this notifier', false, 'other');
    if (str(s.access_key) !== '' && str(s.secret_key) !== '') return { accessKeyId: str(s.access_key), secretAccessKey: str(s.secret_key) };
    if (str(s.profile) !== '') throw new NotifyError('sns: sigv4.profile (shared credentials files) is not supported by this notifier', false, 'other');
    const id = str(this.#env.AWS_ACCESS_KEY_ID);
    const secret = str(this.#env.AWS_SECRET_ACCESS_KEY);
    if (id === '' || secret === '') throw new NotifyError('sns: no credentials: set sigv4.access_key and secret_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', false, 'other');
    const token = str(this.#env.AWS_SESSION_TOKEN);
    return { accessKeyId: id, secretAccessKey: secret, ...(token !== '' ? { sessionToken: token } : {}) };
  }

  /** The Publish action's parameters (createPublishInput), as the query API's form fields. */
  publishParams(ctx: NotifyContext, alerts: readonly Alert[]): Record<string, string> {
    const c = this.config;
    const { text } = this.expand(ctx, alerts);
    const params: Record<string, string> = { Action: 'Publish', Version: '2010-03-31' };
    const attributes = new Map<string, string>();
    for (const [k, v] of Object.entries((c.attributes as Record<string, string> | undefined) ?? {})) attributes.set(text(k), text(v));
    let limit = MAX_MESSAGE_BYTES;
    if (str(c.topic_arn) !== '') {
      const topic = text(str(c.topic_arn));
      params.TopicArn = topic;
      if (topic.endsWith('.fifo')) {
        params.MessageDeduplicationId = groupKeyHash(ctx.groupKey);
        params.MessageGroupId = groupKeyHash(ctx.groupKey);
      }
    }
    if (str(c.phone_number) !== '') {
      params.PhoneNumber = text(str(c.phone_number));
      limit = MAX_SMS_BYTES;
    }
    if (str(c.target_arn) !== '') params.TargetArn = text(str(c.target_arn));
    const { message, truncated } = truncateBytes(text(str(c.message)), limit);
    if (truncated) attributes.set('truncated', 'true');
    params.Message = message;
    [...attributes.keys()].sort().forEach((name, i) => {
      const entry = `MessageAttributes.entry.${i + 1}`;
      params[`${entry}.Name`] = name;
      params[`${entry}.Value.DataType`] = 'String';
      params[`${entry}.Value.StringValue`] = attributes.get(name) as string;
    });
    if (str(c.subject) !== '') params.Subject = text(str(c.subject));
    return params;
  }

  endpoint(ctx: NotifyContext, alerts: readonly Alert[], region: string): URL {
    const api = this.expand(ctx, alerts).text(str(this.config.api_url));
    if (api === '') return new URL(`https://sns.${region}.amazonaws.com/`);
    try {
      // The SDK takes an endpoint without a scheme as https.
      return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(api) ? api : `https://${api}`);
    } catch {
      throw new NotifyError(`sns: api_url ${JSON.stringify(api)} is not a URL`, false, 'clientError');
    }
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const region = this.region();
    const credentials = this.credentials();
    const url = this.endpoint(ctx, alerts, region);
    const body = goQueryEncode(this.publishParams(ctx, alerts));
    const headers = signRequest({
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
      region,
      service: 'sns',
      credentials,
      nowMs: Date.now(),
    });
    const answer = await postForm('sns', url.toString(), body, headers, this.http, ctx.signal);
    if (!answer.includes('<PublishResponse')) throw new NotifyError(`sns: unexpected answer ${JSON.stringify(answer.slice(0, 256))}`, false, 'other');
  }
}
