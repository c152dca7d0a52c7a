// The email integration against a real SMTP server (smtp-server) in this process: STARTTLS when
// require_tls (and refusal when the server cannot), AUTH, headers and the default templates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../alert.ts';
import { fingerprint } from '../labels.ts';
import { loadNotificationTemplates } from '../notification-templates.ts';
import type { EmailConfig } from '../receiver-config.ts';
import { EmailIntegration } from './email.ts';
import { NotifyError, type NotifyContext } from './integration.ts';

const NOW = Date.now();
const alert: Alert = {
  fingerprint: fingerprint({ alertname: 'DiskFull', instance: 'db-1' }),
  labels: { alertname: 'DiskFull', instance: 'db-1' },
  annotations: { summary: 'disk <full>' },
  startsAtMs: NOW - 60_000,
  endsAtMs: NOW + 60_000,
  generatorURL: 'http://prom/graph',
  updatedAtMs: NOW,
  timeout: false,
};
const ctx = (): NotifyContext => ({ receiver: 'mail', groupKey: '{}:{alertname="DiskFull"}', groupLabels: { alertname: 'DiskFull' }, externalUrl: 'http://am', nowMs: NOW, signal: new AbortController().signal });

let servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  servers = [];
});

async function smtp(options: SMTPServerOptions): Promise<{ port: number; mails: ParsedMail[]; auths: string[]; secured: boolean[] }> {
  const mails: ParsedMail[] = [];
  const auths: string[] = [];
  const secured: boolean[] = [];
  const server = new SMTPServer({
    logger: false,
    ...options,
    onAuth(auth, _session, cb) {
      auths.push(`${auth.method} ${auth.username}:${auth.password}`);
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      secured.push(session.secure);
      simpleParser(stream).then((m) => {
        mails.push(m);
        cb();
      }, cb);
    },
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, mails, auths, secured };
}

const base = (port: number, extra: Partial<EmailConfig> = {}): EmailConfig => ({
  send_resolved: false,
  to: 'oncall@example.org',
  from: 'ringwatch@example.org',
  smarthost: `127.0.0.1:${port}`,
  hello: 'ringwatch.local',
  html: '{{ template "email.default.html" . }}',
  text: '',
  require_tls: false,
  ...extra,
});

describe('EmailIntegration', () => {
  it('sends the default subject and HTML, configured headers and a text part, with AUTH', async () => {
    const s = await smtp({ authOptional: true, disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    const tmpl = await loadNotificationTemplates([], 'http://am');
    const mail = new EmailIntegration(base(s.port, { auth_username: 'u', auth_password: 'p', headers: { 'X-Team': '{{ .GroupLabels.alertname }}-team' }, text: 'summary: {{ .CommonAnnotations.summary }}' }), 0, tmpl);
    await mail.notify(ctx(), [alert]);
    const [m] = s.mails;
    expect(m?.subject).toBe('[FIRING:1] DiskFull (db-1)');
    expect(m?.headers.get('x-team')).toBe('DiskFull-team');
    expect(m?.text?.trim()).toBe('summary: disk <full>');
    expect(m?.html).toContain('disk &lt;full&gt;');
    expect(s.auths).toEqual(['PLAIN u:p']);
  });

  it('uses STARTTLS when require_tls is set, and fails against a server that does not offer it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const tls = await smtp({ authOptional: true, key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    const tmpl = await loadNotificationTemplates([], 'http://am');
    await new EmailIntegration(base(tls.port, { require_tls: true, tls_config: { insecure_skip_verify: true } }), 0, tmpl).notify(ctx(), [alert]);
    expect(tls.secured).toEqual([true]);

    const plain = await smtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    const err = await new EmailIntegration(base(plain.port, { require_tls: true }), 0, tmpl).notify(ctx(), [alert]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotifyError);
    expect(plain.mails).toHaveLength(0);
  });

  it('reports a refused connection as retryable', async () => {
    const tmpl = await loadNotificationTemplates([], 'http://am');
    const err = await new EmailIntegration(base(1), 0, tmpl).notify(ctx(), [alert]).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true, reason: 'other' });
  });
});
