// A real SMTP server (smtp-server) for notifier tests: accepts every message without TLS or auth
// and keeps it parsed (mailparser) with the time it arrived.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../deploy/local/services/free-port.ts';

export interface ReceivedMail {
  readonly atMs: number;
  readonly subject: string;
  readonly to: string;
  readonly from: string;
  readonly text: string;
  readonly html: string;
}

export interface SmtpSink {
  /** host:port, an Alertmanager smarthost. */
  readonly smarthost: string;
  readonly received: ReceivedMail[];
  close(): Promise<void>;
}

const addressText = (a: unknown): string => {
  if (a === undefined || a === null) return '';
  if (Array.isArray(a)) return a.map(addressText).join(', ');
  return (a as { text?: string }).text ?? '';
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            atMs: Date.now(),
            subject: mail.subject ?? '',
            to: addressText(mail.to),
            from: addressText(mail.from),
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    smarthost: `127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
