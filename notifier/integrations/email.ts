// The email integration (notify/email) over nodemailer: Alertmanager's smarthost, hello, auth,
// STARTTLS only when require_tls (and then mandatory), implicit TLS on port 465, its headers.
// Every header, to, from, html and text are templates (Subject defaults to email.default.subject).
import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { Alert } from '../alert.ts';
import { notificationData, type AlertmanagerTemplate } from '../notification-templates.ts';
import type { EmailConfig } from '../receiver-config.ts';
import { asNotifyError, NotifyError, type Integration, type NotifyContext } from './integration.ts';

function splitSmarthost(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(i + 1)) };
}

// SMTP reply codes: 4xx is transient (worth retrying), 5xx permanent.
function smtpFailure(err: unknown, signal: AbortSignal): NotifyError {
  const code = (err as { responseCode?: number }).responseCode;
  if (code !== undefined && code >= 500) return new NotifyError(`email: ${(err as Error).message}`, false, 'clientError');
  if (code !== undefined && code >= 400) return new NotifyError(`email: ${(err as Error).message}`, true, 'serverError');
  return asNotifyError(err, signal);
}

export class EmailIntegration implements Integration {
  readonly kind = 'email';
  readonly index: number;
  readonly sendResolved: boolean;
  readonly #config: EmailConfig;
  readonly #tmpl: AlertmanagerTemplate;

  constructor(config: EmailConfig, index: number, tmpl: AlertmanagerTemplate) {
    this.#config = config;
    this.#tmpl = tmpl;
    this.index = index;
    this.sendResolved = config.send_resolved;
  }

  async notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void> {
    const c = this.#config;
    const data = notificationData(this.#tmpl, ctx.receiver, ctx.groupLabels, alerts, ctx.nowMs);
    const text = (field: string, t: string): string => {
      try {
        return this.#tmpl.executeTextString(t, data);
      } catch (err) {
        throw new NotifyError(`email: execute ${field} template: ${(err as Error).message}`, false, 'other');
      }
    };
    const headers: Record<string, string> = {};
    for (const [name, t] of Object.entries({ Subject: '{{ template "email.default.subject" . }}', ...(c.headers ?? {}) })) headers[name] = text(`headers.${name}`, t);
    const to = headers.To ?? text('to', c.to);
    const from = headers.From ?? text('from', c.from ?? '');
    const subject = headers.Subject ?? '';
    for (const h of ['To', 'From', 'Subject']) delete headers[h];
    let html = '';
    try {
      html = this.#tmpl.executeHTMLString(c.html ?? '', data);
    } catch (err) {
      throw new NotifyError(`email: execute html template: ${(err as Error).message}`, false, 'other');
    }
    const body = text('text', c.text ?? '');
    const { host, port } = splitSmarthost(c.smarthost ?? '');
    const password = c.auth_password_file !== undefined && c.auth_password_file !== '' ? readFileSync(c.auth_password_file, 'utf8').trim() : c.auth_password;
    const tls = c.tls_config ?? {};
    const transport = createTransport({
      host,
      port,
      secure: port === 465,
      requireTLS: c.require_tls === true,
      ignoreTLS: c.require_tls !== true,
      name: c.hello ?? 'localhost',
      connectionTimeout: 10_000,
      socketTimeout: 30_000,
      ...(c.auth_username ? { auth: { user: c.auth_username, pass: password ?? '' } } : {}),
      tls: {
        rejectUnauthorized: !(tls.insecure_skip_verify ?? false),
        ...(tls.server_name ? { servername: tls.server_name } : { servername: host }),
        ...(tls.ca_file ? { ca: readFileSync(tls.ca_file) } : {}),
      },
    });
    const onAbort = (): void => transport.close();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await transport.sendMail({
        from,
        to,
        subject,
        headers,
        ...(html !== '' ? { html } : {}),
        ...(body !== '' ? { text: body } : {}),
      });
    } catch (err) {
      throw smtpFailure(err, ctx.signal);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      transport.close();
    }
  }
}
