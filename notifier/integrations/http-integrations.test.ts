import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../alert.ts';
import { loadAlertmanagerFile, type LoadedAlertmanagerConfig } from '../alertmanager-file.ts';
import { fingerprint } from '../labels.ts';
import { HttpClients } from './http-client.ts';
import { groupKeyHash } from './http-json.ts';
import { PushoverIntegration } from './pushover.ts';
import { NotifyError, type NotifyContext } from './integration.ts';

interface Captured {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

const NOW = Date.now();
const alert = (labels: Record<string, string>, endsAtMs: number): Alert => ({
  fingerprint: fingerprint(labels),
  labels,
  annotations: { summary: 'disk is full' },
  startsAtMs: NOW - 60_000,
  endsAtMs,
  generatorURL: 'http://prom/graph',
  updatedAtMs: NOW,
  timeout: false,
});

describe('HTTP integrations', () => {
  let server: Server;
  let base: string;
  const captured: Captured[] = [];
  let status = 200;
  let jiraIssues: unknown[] = [];
  let loaded: LoadedAlertmanagerConfig;
  const http = new HttpClients();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({ path: `${req.method === 'POST' ? '' : `${req.method} `}${req.url ?? ''}`, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> });
        let body = req.url?.includes('/bot') ? '{"ok":true}' : req.url?.startsWith('/slack') ? 'ok' : '{}';
        if (req.url === '/jira/search') body = JSON.stringify({ issues: jiraIssues });
        if (req.url?.endsWith('/transitions') && req.method === 'GET') body = JSON.stringify({ transitions: [{ id: '31', name: 'Done' }, { id: '11', name: 'Reopen' }] });
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? body : 'nope');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const dir = mkdtempSync(join(tmpdir(), 'notifier-http-'));
    writeFileSync(
      join(dir, 'am.yml'),
      `route: { receiver: all }
receivers:
  - name: all
    slack_configs: [{ api_url: '${base}/slack', channel: '#ops', send_resolved: true }]
    pagerduty_configs: [{ routing_key: 'rk', url: '${base}/pd' }]
    msteams_configs: [{ webhook_url: '${base}/teams' }]
    telegram_configs: [{ api_url: '${base}', bot_token: 'tok', chat_id: 42 }]
    opsgenie_configs: [{ api_url: '${base}/og/', api_key: 'key', tags: 'a,b' }]
    discord_configs: [{ webhook_url: '${base}/discord', username: 'am' }]
    msteamsv2_configs: [{ webhook_url: '${base}/teams2' }]
    victorops_configs: [{ api_url: '${base}/vo/', api_key: 'vokey', routing_key: 'team-{{ .GroupLabels.alertname }}', custom_fields: { extra: '{{ .Status }}' } }]
    jira_configs: [{ api_url: '${base}/jira', project: 'OPS', issue_type: 'Bug', labels: ['{{ .GroupLabels.alertname }}'], resolve_transition: Done, reopen_transition: Reopen }]
    webex_configs: [{ api_url: '${base}/webex', room_id: 'room1', http_config: { authorization: { credentials: 'bot' } } }]
`,
    );
    loaded = await loadAlertmanagerFile(join(dir, 'am.yml'), http, 'http://am.example.org');
  });
  afterAll(async () => {
    await http.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const ctx = (): NotifyContext => ({
    receiver: 'all',
    groupKey: '{}:{alertname="DiskFull"}',
    groupLabels: { alertname: 'DiskFull' },
    externalUrl: 'http://am.example.org',
    nowMs: Date.now(),
    signal: new AbortController().signal,
  });
  const integration = (kind: string) => {
    const found = loaded.receivers.get('all')?.integrations.find((i) => i.kind === kind);
    if (found === undefined) throw new Error(`no ${kind}`);
    return found;
  };
  const last = (prefix: string): Captured => {
    const c = captured.filter((x) => x.path.startsWith(prefix)).at(-1);
    if (c === undefined) throw new Error(`nothing posted to ${prefix}`);
    return c;
  };

  it('sends every configured kind (none is left unsupported)', () => {
    expect(loaded.receivers.get('all')?.unsupported).toEqual([]);
    expect(loaded.receivers.get('all')?.integrations.map((i) => i.kind).sort()).toEqual(['discord', 'jira', 'msteams', 'msteamsv2', 'opsgenie', 'pagerduty', 'slack', 'telegram', 'victorops', 'webex']);
  });

  it("posts Slack's attachment with the default templates", async () => {
    await integration('slack').notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 60_000)]);
    const { body } = last('/slack');
    expect(body.channel).toBe('#ops');
    const [att] = body.attachments as Record<string, unknown>[];
    expect(att).toMatchObject({ title: '[FIRING:1] DiskFull (a)', color: 'danger', mrkdwn_in: ['fallback', 'pretext', 'text'] });
    expect(att?.title_link).toContain('http://am.example.org/#/alerts?receiver=all');
  });

  it('triggers and resolves PagerDuty incidents with the group key hash as dedup key', async () => {
    await integration('pagerduty').notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 60_000)]);
    expect(last('/pd').body).toMatchObject({ routing_key: 'rk', event_action: 'trigger', dedup_key: groupKeyHash('{}:{alertname="DiskFull"}'), payload: { severity: 'error', summary: '[FIRING:1] DiskFull (a)' } });
    await integration('pagerduty').notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW - 1000)]);
    expect(last('/pd').body.event_action).toBe('resolve');
  });

  it('posts a Teams MessageCard, a Telegram message and an OpsGenie alert with its key', async () => {
    const alerts = [alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 60_000)];
    await integration('msteams').notify(ctx(), alerts);
    expect(last('/teams').body).toMatchObject({ '@context': 'http://schema.org/extensions', type: 'MessageCard', themeColor: '8C1A1A', title: '[FIRING:1] DiskFull (a)' });
    await integration('telegram').notify(ctx(), alerts);
    expect(last('/bottok/sendMessage').body).toMatchObject({ chat_id: 42, parse_mode: 'HTML', disable_notification: false });
    await integration('opsgenie').notify(ctx(), alerts);
    const og = last('/og/v2/alerts');
    expect(og.headers.authorization).toBe('GenieKey key');
    expect(og.body).toMatchObject({ alias: groupKeyHash('{}:{alertname="DiskFull"}'), tags: ['a', 'b'], details: { alertname: 'DiskFull', instance: 'a' } });
  });

  it('posts a Discord embed, a Teams v2 Adaptive Card and a Webex message with the bot token from http_config', async () => {
    const alerts = [alert({ alertname: 'DiskFull', instance: 'a' }, NOW - 1000)];
    await integration('discord').notify(ctx(), alerts);
    expect(last('/discord').body).toMatchObject({ username: 'am', embeds: [{ title: '[RESOLVED] DiskFull (a)', color: 0x2ecc71 }] });
    await integration('msteamsv2').notify(ctx(), alerts);
    const card = last('/teams2').body as { type: string; attachments: { content: { body: { text: string; color?: string }[] } }[] };
    expect(card.type).toBe('message');
    expect(card.attachments[0]?.content.body[0]).toMatchObject({ text: '[RESOLVED] DiskFull (a)', color: 'Good' });
    await integration('webex').notify(ctx(), alerts);
    const webex = last('/webex');
    expect(webex.headers.authorization).toBe('Bearer bot');
    expect(webex.body.roomId).toBe('room1');
    expect(String(webex.body.markdown)).toContain('Resolved');
  });

  it('creates a Jira issue labelled with the group, updates it, and transitions it when resolved', async () => {
    const firing = [alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 60_000)];
    const label = `ALERT{${groupKeyHash('{}:{alertname="DiskFull"}')}}`;
    jiraIssues = [];
    await integration('jira').notify(ctx(), firing);
    expect(String(last('/jira/search').body.jql)).toBe(`statusCategory != Done and project="OPS" and labels="${label}" order by status ASC,resolutiondate DESC`);
    expect(last('/jira/issue').body.fields).toMatchObject({ project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: '[FIRING:1] DiskFull (a)', labels: [label, 'DiskFull'].sort() });
    jiraIssues = [{ key: 'OPS-7', fields: { status: { statusCategory: { key: 'indeterminate' } } } }];
    await integration('jira').notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW - 1000)]);
    expect(last('PUT /jira/issue/OPS-7').body.fields).toMatchObject({ summary: '[RESOLVED] DiskFull (a)' });
    expect(last('/jira/issue/OPS-7/transitions').body).toEqual({ transition: { id: '31' } });
  });

  it('opens and recovers a VictorOps incident at <api_url><api_key>/<routing_key>', async () => {
    await integration('victorops').notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 60_000)]);
    expect(last('/vo/vokey/team-DiskFull').body).toMatchObject({ message_type: 'CRITICAL', entity_id: groupKeyHash('{}:{alertname="DiskFull"}'), extra: 'firing', monitoring_tool: expect.stringContaining('Alertmanager') });
    await integration('victorops').notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW - 1000)]);
    expect(last('/vo/vokey/team-DiskFull').body).toMatchObject({ message_type: 'RECOVERY', extra: 'resolved' });
  });

  it('sends Pushover its parameters in the query string, emergency priority while firing', async () => {
    const config = { send_resolved: true, user_key: 'u1', token: 't1', title: '{{ template "pushover.default.title" . }}', message: '{{ template "pushover.default.message" . }}', url: '', priority: '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}', retry: 60_000, expire: 3_600_000, html: false };
    const pushover = new PushoverIntegration(config, 0, http.client(undefined), loaded.templates, `${base}/pushover`);
    await pushover.notify(ctx(), [alert({ alertname: 'DiskFull', instance: 'a' }, NOW + 60_000)]);
    const query = new URLSearchParams(last('/pushover').path.split('?')[1]);
    expect(Object.fromEntries(query)).toMatchObject({ token: 't1', user: 'u1', title: '[FIRING:1] DiskFull (a)', priority: '2', retry: '60', expire: '3600' });
  });

  it('classifies failures as Alertmanager does: 5xx retryable, 4xx not', async () => {
    status = 503;
    const e5 = await integration('msteams').notify(ctx(), [alert({ alertname: 'X' }, NOW + 1000)]).catch((e: unknown) => e);
    status = 400;
    const e4 = await integration('msteams').notify(ctx(), [alert({ alertname: 'X' }, NOW + 1000)]).catch((e: unknown) => e);
    status = 200;
    expect(e5).toBeInstanceOf(NotifyError);
    expect(e5).toMatchObject({ retryable: true, reason: 'serverError' });
    expect(e4).toMatchObject({ retryable: false, reason: 'clientError' });
  });
});
