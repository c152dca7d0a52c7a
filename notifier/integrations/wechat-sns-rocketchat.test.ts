// WeChat, SNS and Rocket.Chat against a local HTTP server standing in for their APIs: the
// requests Alertmanager 0.28 sends (paths, headers, bodies, default templates) and how answers
// are classified.
import { createHmac, createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../alert.ts';
import { loadAlertmanagerFile, type LoadedAlertmanagerConfig } from '../alertmanager-file.ts';
import { fingerprint } from '../labels.ts';
import { amzDate } from './aws-sigv4.ts';
import { HttpClients } from './http-client.ts';
import { groupKeyHash } from './http-json.ts';
import { NotifyError, type Integration, type NotifyContext } from './integration.ts';
import { SnsIntegration, truncateBytes } from './sns.ts';
import { goQueryEncode } from './wechat.ts';

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const NOW = Date.now();
const alert = (labels: Record<string, string>, endsAtMs: number, annotations: Record<string, string> = { summary: 'disk is full' }): Alert => ({
  fingerprint: fingerprint(labels),
  labels,
  annotations,
  startsAtMs: NOW - 60_000,
  endsAtMs,
  generatorURL: 'http://prom/graph',
  updatedAtMs: NOW,
  timeout: false,
});
const firing = [alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 60_000)];
const resolved = [alert({ alertname: 'DiskFull', instance: 'a' }, NOW - 1000)];

describe('wechat, sns and rocketchat integrations', () => {
  let server: Server;
  let base: string;
  const captured: Captured[] = [];
  /** What the server answers next, by path prefix (default: success for each API). */
  const answers = new Map<string, { status: number; body: string }[]>();
  let loaded: LoadedAlertmanagerConfig;
  const http = new HttpClients();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '';
        captured.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        const prefix = [...answers.keys()].find((p) => url.startsWith(p));
        const next = prefix !== undefined ? answers.get(prefix)?.shift() : undefined;
        const fallback = url.includes('/gettoken')
          ? { status: 200, body: '{"access_token":"tok-1","expires_in":7200}' }
          : url.includes('/message/send')
            ? { status: 200, body: '{"errcode":0,"errmsg":"ok"}' }
            : url.startsWith('/sns')
              ? { status: 200, body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>' }
              : { status: 200, body: '{"success":true}' };
        const a = next ?? fallback;
        res.writeHead(a.status, { 'Content-Type': 'text/plain' }).end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const dir = mkdtempSync(join(tmpdir(), 'notifier-more-'));
    writeFileSync(join(dir, 'token-id'), 'user-7\n');
    writeFileSync(
      join(dir, 'am.yml'),
      `global:
  wechat_api_url: '${base}/cgi-bin/'
  wechat_api_secret: 'corp secret'
  wechat_api_corp_id: 'corp1'
  rocketchat_api_url: '${base}/rc'
  rocketchat_token: 'rc-token'
  rocketchat_token_id_file: '${join(dir, 'token-id')}'
route: { receiver: all }
receivers:
  - name: all
    wechat_configs: [{ to_user: '@all', agent_id: '1000002' }]
    rocketchat_configs:
      - channel: '#ops'
        fields: [{ title: 'Instance', value: '{{ .CommonLabels.instance }}' }, { title: 'Short', value: 'x', short: true }]
        short_fields: false
        actions: [{ text: 'Open', url: 'http://runbook/{{ .GroupLabels.alertname }}' }]
    sns_configs:
      - api_url: '${base}/sns'
        topic_arn: 'arn:aws:sns:eu-west-1:123456789012:alerts'
        sigv4: { region: eu-west-1, access_key: AKIDEXAMPLE, secret_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
        attributes: { severity: '{{ .CommonLabels.severity }}critical', team: ops }
  - name: markdown
    wechat_configs: [{ message_type: markdown, message: '**{{ .Status }}**' }]
  - name: fifo
    sns_configs:
      - api_url: '${base}/sns'
        topic_arn: 'arn:aws:sns:eu-west-1:123456789012:alerts.fifo'
        sigv4: { region: eu-west-1, access_key: AK, secret_key: SK }
  - name: sms
    sns_configs:
      - api_url: '${base}/sns'
        phone_number: '+15555550100'
        sigv4: { region: eu-west-1, access_key: AK, secret_key: SK }
`,
    );
    loaded = await loadAlertmanagerFile(join(dir, 'am.yml'), http, 'http://am.example.org');
  });
  afterAll(async () => {
    await http.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    captured.length = 0;
    answers.clear();
  });

  const ctx = (receiver = 'all'): NotifyContext => ({
    receiver,
    groupKey: '{}:{alertname="DiskFull"}',
    groupLabels: { alertname: 'DiskFull' },
    externalUrl: 'http://am.example.org',
    nowMs: Date.now(),
    signal: new AbortController().signal,
  });
  const integration = (kind: string, receiver = 'all'): Integration => {
    const found = loaded.receivers.get(receiver)?.integrations.find((i) => i.kind === kind);
    if (found === undefined) throw new Error(`no ${kind} in ${receiver}`);
    return found;
  };
  const failure = async (p: Promise<void>): Promise<NotifyError> => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NotifyError);
    return err as NotifyError;
  };

  it('sends all three kinds (none left unsupported)', () => {
    expect(loaded.receivers.get('all')?.unsupported).toEqual([]);
    expect(loaded.receivers.get('all')?.integrations.map((i) => i.kind).sort()).toEqual(['rocketchat', 'sns', 'wechat']);
  });

  describe('wechat', () => {
    it('gets a token with corpid and corpsecret, then sends the text message with it; the token is reused', async () => {
      await integration('wechat').notify(ctx(), firing);
      expect(captured.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /cgi-bin/gettoken?corpid=corp1&corpsecret=corp+secret', 'POST /cgi-bin/message/send?access_token=tok-1']);
      // Go's encoding/json of weChatMessage: both content structs, empty strings left out.
      const body = JSON.parse(captured[1]?.body ?? '{}') as { text: { content: string } };
      expect(Object.keys(body)).toEqual(['text', 'touser', 'agentid', 'safe', 'msgtype', 'markdown']);
      expect(body).toMatchObject({ touser: '@all', agentid: '1000002', safe: '0', msgtype: 'text', markdown: { content: '' } });
      // wechat.default.message: the subject, then each alert.
      expect(body.text.content.startsWith('[FIRING:1] DiskFull (a)\n')).toBe(true);
      expect(body.text.content).toContain('AlertmanagerUrl:\nhttp://am.example.org/#/alerts?receiver=all');
      expect(captured[1]?.headers['content-type']).toBe('application/json');
      await integration('wechat').notify(ctx(), firing);
      expect(captured.map((c) => c.method)).toEqual(['GET', 'POST', 'POST']);
    });

    it('sends markdown as markdown', async () => {
      await integration('wechat', 'markdown').notify(ctx('markdown'), firing);
      const body = JSON.parse(captured.at(-1)?.body ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ msgtype: 'markdown', markdown: { content: '**firing**' }, text: { content: '' } });
    });

    it('drops an expired token (errcode 42001) and retries; another errcode fails for good; a non-200 is retried', async () => {
      const w = integration('wechat', 'markdown');
      answers.set('/cgi-bin/message/send', [{ status: 200, body: '{"errcode":42001,"errmsg":"access_token expired"}' }]);
      const expired = await failure(w.notify(ctx('markdown'), firing));
      expect(expired.retryable).toBe(true);
      answers.set('/cgi-bin/gettoken', [{ status: 200, body: '{"access_token":"tok-2"}' }]);
      await w.notify(ctx('markdown'), firing);
      // The cached token was used first, then dropped: one new token fetched.
      expect(captured.filter((c) => c.url.startsWith('/cgi-bin/gettoken'))).toHaveLength(1);
      expect(captured.at(-1)?.url).toBe('/cgi-bin/message/send?access_token=tok-2');
      answers.set('/cgi-bin/message/send', [{ status: 200, body: '{"errcode":40003,"errmsg":"invalid userid"}' }]);
      expect((await failure(w.notify(ctx('markdown'), firing))).retryable).toBe(false);
      answers.set('/cgi-bin/message/send', [{ status: 403, body: 'no' }]);
      expect((await failure(w.notify(ctx('markdown'), firing))).retryable).toBe(true);
    });

    it('fails for good on an empty token, without the secret in the error', async () => {
      const fresh = (await loadAlertmanagerFile(loaded.path, http, 'http://am.example.org')).receivers.get('all')?.integrations.find((i) => i.kind === 'wechat');
      answers.set('/cgi-bin/gettoken', [{ status: 200, body: '{"errcode":40001}' }]);
      const err = await failure((fresh as Integration).notify(ctx(), firing));
      expect(err.retryable).toBe(false);
      expect(err.message).toBe('wechat: invalid APISecret for CorpID: corp1');
    });

    it('encodes a query as url.Values.Encode does', () => {
      expect(goQueryEncode({ b: 'x y', a: "~*!'()" })).toBe('a=~%2A%21%27%28%29&b=x+y');
    });
  });

  describe('rocketchat', () => {
    it('posts chat.postMessage with the token headers and the default title, link and colour', async () => {
      await integration('rocketchat').notify(ctx(), firing);
      const c = captured.at(-1);
      expect(`${c?.method} ${c?.url}`).toBe('POST /rc/api/v1/chat.postMessage');
      expect(c?.headers['x-auth-token']).toBe('rc-token');
      expect(c?.headers['x-user-id']).toBe('user-7');
      const body = JSON.parse(c?.body ?? '{}') as { channel: string; attachments: Record<string, unknown>[] };
      expect(Object.keys(body)).toEqual(['channel', 'attachments']);
      expect(body.channel).toBe('#ops');
      const [att] = body.attachments;
      expect(att?.title).toBe('[FIRING:1] DiskFull (a)');
      expect(att?.color).toBe('red');
      expect(String(att?.title_link)).toContain('http://am.example.org/#/alerts?receiver=all');
      expect(att?.fields).toEqual([
        { short: false, title: 'Instance', value: 'a' },
        { short: true, title: 'Short', value: 'x' },
      ]);
      expect(att?.actions).toEqual([{ type: 'button', text: 'Open', url: 'http://runbook/DiskFull', is_webview: false, msg_in_chat_window: false }]);
      await integration('rocketchat').notify(ctx(), resolved);
      expect((JSON.parse(captured.at(-1)?.body ?? '{}') as { attachments: { color: string }[] }).attachments[0]?.color).toBe('green');
    });

    it('fails for good on success false in a 200, retries a 5xx, fails a 4xx for good', async () => {
      answers.set('/rc/', [{ status: 200, body: '{"success":false,"error":"room not found"}' }, { status: 503, body: 'busy' }, { status: 401, body: 'who' }]);
      const notFound = await failure(integration('rocketchat').notify(ctx(), firing));
      expect([notFound.retryable, notFound.message]).toEqual([false, 'rocketchat: error response from Rocketchat: room not found']);
      expect((await failure(integration('rocketchat').notify(ctx(), firing))).retryable).toBe(true);
      expect((await failure(integration('rocketchat').notify(ctx(), firing))).retryable).toBe(false);
    });
  });

  describe('sns', () => {
    it('publishes to the topic with a SigV4 signature the server can verify', async () => {
      await integration('sns').notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a', severity: 'page-' }, NOW + 60_000)]);
      const c = captured.at(-1) as Captured;
      expect(`${c.method} ${c.url}`).toBe('POST /sns');
      expect(c.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
      const params = Object.fromEntries(new URLSearchParams(c.body));
      // sns.default.message: the common annotations' values, then the alerts.
      expect(params.Message?.startsWith('disk is full\n')).toBe(true);
      expect(Object.keys(params).sort()).toEqual([
        'Action', 'Message', 'MessageAttributes.entry.1.Name', 'MessageAttributes.entry.1.Value.DataType', 'MessageAttributes.entry.1.Value.StringValue',
        'MessageAttributes.entry.2.Name', 'MessageAttributes.entry.2.Value.DataType', 'MessageAttributes.entry.2.Value.StringValue', 'Subject', 'TopicArn', 'Version',
      ]);
      expect(params).toMatchObject({
        Action: 'Publish',
        Version: '2010-03-31',
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
        Subject: '[FIRING:1] DiskFull (a page-)',
        'MessageAttributes.entry.1.Name': 'severity',
        'MessageAttributes.entry.1.Value.DataType': 'String',
        'MessageAttributes.entry.1.Value.StringValue': 'page-critical',
        'MessageAttributes.entry.2.Name': 'team',
        'MessageAttributes.entry.2.Value.DataType': 'String',
        'MessageAttributes.entry.2.Value.StringValue': 'ops',
      });
      // Verify the signature as AWS would, from what arrived.
      const auth = String(c.headers.authorization);
      const m = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/sns\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
      expect(m, auth).not.toBeNull();
      const [, day, signed, signature] = m as unknown as [string, string, string, string];
      const date = String(c.headers['x-amz-date']);
      expect(date.slice(0, 8)).toBe(day);
      expect(Math.abs(Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`) - Date.now())).toBeLessThan(60_000);
      expect(signed).toBe('content-type;host;x-amz-date');
      const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
      const canonical = ['POST', '/sns', '', ...signed.split(';').map((h) => `${h}:${String(c.headers[h])}`), '', signed, sha(c.body)].join('\n');
      const toSign = ['AWS4-HMAC-SHA256', date, `${day}/eu-west-1/sns/aws4_request`, sha(canonical)].join('\n');
      const h = (k: string | Buffer, s: string): Buffer => createHmac('sha256', k).update(s).digest();
      const key = h(h(h(h('AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', day), 'eu-west-1'), 'sns'), 'aws4_request');
      expect(createHmac('sha256', key).update(toSign).digest('hex')).toBe(signature);
    });

    it('adds deduplication and group ids on a FIFO topic, and cuts an SMS to 1600 bytes with a truncated attribute', async () => {
      await integration('sns', 'fifo').notify(ctx('fifo'), firing);
      const fifo = Object.fromEntries(new URLSearchParams(captured.at(-1)?.body ?? ''));
      expect(fifo.MessageDeduplicationId).toBe(groupKeyHash('{}:{alertname="DiskFull"}'));
      expect(fifo.MessageGroupId).toBe(groupKeyHash('{}:{alertname="DiskFull"}'));
      const long = 'é'.repeat(1000);
      await integration('sns', 'sms').notify(ctx('sms'), [alert({ alertname: 'DiskFull' }, NOW + 60_000, { description: long })]);
      const params = Object.fromEntries(new URLSearchParams(captured.at(-1)?.body ?? ''));
      expect(params.PhoneNumber).toBe('+15555550100');
      expect(params.MessageDeduplicationId).toBeUndefined();
      expect(Buffer.byteLength(params.Message ?? '')).toBe(1600);
      expect(params['MessageAttributes.entry.1.Name']).toBe('truncated');
      expect(params['MessageAttributes.entry.1.Value.StringValue']).toBe('true');
      expect(truncateBytes('aé', 2)).toEqual({ message: 'a', truncated: true });
    });

    it("classifies AWS's answers: 5xx retried, 4xx for good", async () => {
      answers.set('/sns', [{ status: 500, body: '<ErrorResponse><Error><Code>InternalError</Code></Error></ErrorResponse>' }, { status: 400, body: '<ErrorResponse><Error><Code>InvalidParameter</Code></Error></ErrorResponse>' }]);
      expect((await failure(integration('sns').notify(ctx(), firing))).retryable).toBe(true);
      const bad = await failure(integration('sns').notify(ctx(), firing));
      expect(bad.retryable).toBe(false);
      expect(bad.message).toContain('InvalidParameter');
    });

    it('takes credentials and region from the environment when the config has none; refuses role_arn and profile', async () => {
      const cfg = { api_url: `${base}/sns`, topic_arn: 'arn:t', message: 'm', subject: '', sigv4: {} };
      const tmpl = loaded.templates;
      const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SESSION_TOKEN: 'sess', AWS_REGION: 'us-east-2' };
      await new SnsIntegration(cfg, 0, http.client(undefined), tmpl, env).notify(ctx(), firing);
      const c = captured.at(-1) as Captured;
      expect(String(c.headers.authorization)).toMatch(/Credential=ENVKEY\/\d{8}\/us-east-2\/sns\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,/);
      expect(c.headers['x-amz-security-token']).toBe('sess');
      const noRegion = await failure(new SnsIntegration(cfg, 0, http.client(undefined), tmpl, { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' }).notify(ctx(), firing));
      expect(noRegion.message).toBe('sns: region not configured in sns.sigv4.region or in default credentials chain');
      const role = await failure(new SnsIntegration({ ...cfg, sigv4: { region: 'r', role_arn: 'arn:role' } }, 0, http.client(undefined), tmpl, env).notify(ctx(), firing));
      expect(role.message).toContain('role_arn');
      expect(amzDate(0)).toBe('19700101T000000Z');
    });
  });
});
