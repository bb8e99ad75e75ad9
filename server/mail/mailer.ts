import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

/**
 * Nodemailer behind a two-method interface. With SMTP_URL it sends through that
 * server; without it (the embedded default) each message is written to
 * DATA_DIR/mail/ and summarised on one line, so a person running `npm start`
 * can read their sign-in code.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable id per logical message: a retried send reuses it as Message-ID. */
  idempotencyKey?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
  describe: string;
}

export function createMailer(options: { smtpUrl?: string; from: string; dataDir: string; log?: (line: string) => void }): Mailer {
  const log = options.log ?? ((line: string) => console.log(line));
  const from = options.from;
  const messageId = (m: MailMessage) => (m.idempotencyKey ? `<${m.idempotencyKey}@keywarden>` : undefined);

  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl, { from });
    return {
      describe: `SMTP ${new URL(options.smtpUrl).host}`,
      async send(m) {
        await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: messageId(m) });
      },
      close: () => transport.close(),
    };
  }

  const dir = join(options.dataDir, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    describe: `files in ${dir}`,
    async send(m) {
      const info = await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: messageId(m) });
      // Sign-in codes: readable by the user who runs Keywarden only.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      log(`[mail] to ${m.to}: ${m.subject}  (${file})`);
    },
    close: () => transport.close(),
  };
}
