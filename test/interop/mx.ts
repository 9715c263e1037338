/**
 * A loopback SMTP server in front of a real Dovecot, as a mail exchanger: a message for one of
 * Dovecot's users is handed to dovecot-lda (the local delivery agent an MTA such as Postfix runs), so
 * it lands in that user's INBOX and is read back over IMAP; mail for anyone else is kept in `outbound`
 * (it would leave for the Internet).
 */
import type { AddressInfo } from 'node:net';
import type { SMTPServer as SMTPServerType } from 'smtp-server';
import type { Dovecot } from './dovecot.js';
import { LOOPBACK_SMTP_OPTIONS } from './helpers.js';

export interface Mx {
  port: number;
  /** Raw messages for addresses that are not Dovecot's. */
  outbound: Buffer[];
  close(): Promise<void>;
}

export async function startMx(dovecot: Dovecot, localUsers: string[]): Promise<Mx> {
  const { SMTPServer } = (await import('smtp-server')) as typeof import('smtp-server');
  const outbound: Buffer[] = [];
  const local = new Set(localUsers.map((u) => u.toLowerCase()));
  const server: SMTPServerType = new SMTPServer({
    ...LOOPBACK_SMTP_OPTIONS,
    onAuth(auth, _session, cb) {
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        try {
          let remote = false;
          for (const r of session.envelope.rcptTo) {
            if (local.has(r.address.toLowerCase())) dovecot.deliver(r.address, from, raw);
            else remote = true;
          }
          if (remote) outbound.push(raw);
          cb();
        } catch (err) {
          cb(err as Error);
        }
      });
    },
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    outbound,
    close: () =>
      new Promise<void>((ok) => {
        const t = setTimeout(ok, 3_000);
        server.close(() => {
          clearTimeout(t);
          ok();
        });
      }),
  };
}

/** Sends one raw message over SMTP (EHLO, MAIL, RCPT, DATA with dot-stuffing, QUIT), as a person's mail client would. */
export async function smtpSend(port: number, from: string, to: string, raw: string): Promise<void> {
  const { Socket } = await import('node:net');
  const s = new Socket();
  let buf = '';
  const waiters: Array<(line: string) => void> = [];
  s.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      // Multi-line replies ("250-…") end with the line whose code is followed by a space.
      if (/^\d{3} /.test(line)) waiters.shift()?.(line);
    }
  });
  const reply = () => new Promise<string>((ok) => waiters.push(ok));
  const step = async (cmd: string | null, want: string) => {
    const r = reply();
    if (cmd !== null) s.write(`${cmd}\r\n`);
    const line = await r;
    if (!line.startsWith(want)) throw new Error(`SMTP ${cmd ?? 'greeting'} → ${line}`);
  };
  const greeting = reply();
  await new Promise<void>((ok, fail) => {
    s.once('error', fail);
    s.connect(port, '127.0.0.1', () => ok());
  });
  if (!(await greeting).startsWith('220')) throw new Error('no SMTP greeting');
  await step('EHLO cliente.padaria.com.br', '250');
  await step(`MAIL FROM:<${from}>`, '250');
  await step(`RCPT TO:<${to}>`, '250');
  await step('DATA', '354');
  const body = raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  await step(`${body}\r\n.`, '250');
  await step('QUIT', '221');
  s.destroy();
}
