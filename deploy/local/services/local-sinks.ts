// Where the local stack's notifications land, so a person can see them without a mail server or a
// chat service: an SMTP server (smtp-server, no TLS, no auth, loopback only) that writes each mail
// to <dir>/mail/<n>-<to>.eml, and an HTTP server that writes each webhook, chat or pager call to
// <dir>/notifications/<path>-<n>.json. Both log one line per message.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface LocalSinks {
  readonly smtpPort: number;
  readonly httpPort: number;
  readonly dir: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function startLocalSinks(opts: { dir: string; smtpPort: number; httpPort: number; say: (line: string) => void }): Promise<LocalSinks> {
  const mailDir = join(opts.dir, 'mail');
  const hookDir = join(opts.dir, 'notifications');
  mkdirSync(mailDir, { recursive: true });
  mkdirSync(hookDir, { recursive: true });
  let mails = 0;
  let hooks = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: MAX_BODY_BYTES,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const file = join(mailDir, `${String(++mails).padStart(4, '0')}-${to.replace(/[^a-zA-Z0-9@._-]/g, '_')}.eml`);
        writeFileSync(file, Buffer.concat(chunks));
        opts.say(`mail to ${to}: ${file}`);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort, '127.0.0.1', () => resolve());
  });
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const name = (req.url ?? '/').replace(/^\/+/, '').replace(/[^a-zA-Z0-9_-]/g, '_') || 'root';
      const file = join(hookDir, `${name}-${String(++hooks).padStart(4, '0')}.json`);
      writeFileSync(file, Buffer.concat(chunks));
      opts.say(`${name} notification: ${file}`);
      // As the services answer: Slack's incoming webhooks a plain "ok", PagerDuty 202 with a JSON status.
      if (name === 'chat') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success","message":"Event processed"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.httpPort, '127.0.0.1', () => resolve());
  });
  return {
    smtpPort: opts.smtpPort,
    httpPort: opts.httpPort,
    dir: opts.dir,
    close: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
