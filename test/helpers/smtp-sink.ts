import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on loopback that keeps every message it receives, parsed. */
export interface SmtpSink {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Messages addressed to `to` (case-insensitive). */
  to(address: string): ParsedMail[];
  waitFor(predicate: (messages: ParsedMail[]) => boolean, timeoutMs?: number): Promise<ParsedMail[]>;
  stop(): Promise<void>;
  /** Stops accepting connections but keeps the port number, to simulate an outage. */
  pause(): Promise<void>;
  /** Listens again on the same port; does nothing when not paused (safe in afterEach). */
  resume(): Promise<void>;
}

export const addressesOf = (m: ParsedMail) =>
  [m.to].flat().flatMap((a) => (a ? a.value.map((v) => (v.address ?? '').toLowerCase()) : []));

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (mail) => {
            messages.push(mail);
            callback();
          },
          (err) => callback(err),
        );
      },
    });
  let server = make();
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
    });
  const actualPort = await listen(port);
  let paused = false;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));

  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    messages,
    to: (address) => messages.filter((m) => addressesOf(m).includes(address.toLowerCase())),
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: condition not met within ${timeoutMs} ms (${messages.length} messages)`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return messages;
    },
    stop: close,
    async pause() {
      if (paused) return;
      paused = true;
      await close();
    },
    async resume() {
      if (!paused) return;
      server = make();
      await listen(actualPort);
      paused = false;
    },
  };
}

export const SIGN_IN_CODE_IN_TEXT = /\b([0-9A-Z]{4}-[0-9A-Z]{4})\b/;

/** The code (ABCD-EFGH) in the newest sign-in email to `address`. */
export function latestCode(sink: SmtpSink, address: string): string | null {
  const mails = sink.to(address).filter((m) => /sign-in code/i.test(m.subject ?? ''));
  const text = mails.at(-1)?.text ?? '';
  return SIGN_IN_CODE_IN_TEXT.exec(text)?.[1] ?? null;
}
