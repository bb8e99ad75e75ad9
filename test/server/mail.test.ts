import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../server/mail/mailer';
import { startSmtpSink } from '../helpers/smtp-sink';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the mailer', () => {
  it('sends through SMTP_URL with nodemailer, text and HTML, with the idempotency key as Message-ID', async () => {
    const sink = await startSmtpSink();
    const mailer = createMailer({ smtpUrl: sink.url, from: 'Keywarden <kw@example.test>', dataDir: '/nonexistent' });
    try {
      await mailer.send({ to: 'dev@example.test', subject: 'Hello', text: 'plain body', html: '<p>html body</p>', idempotencyKey: 'ntf_abc123' });
      const [mail] = await sink.waitFor((m) => m.length === 1);
      expect(mail).toMatchObject({ subject: 'Hello', text: 'plain body', messageId: '<ntf_abc123@keywarden>' });
      expect(mail!.html).toContain('<p>html body</p>');
      expect(mail!.from?.text).toContain('kw@example.test');
    } finally {
      mailer.close();
      await sink.stop();
    }
  });

  it('without SMTP_URL writes each message to DATA_DIR/mail and prints one line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-mail-'));
    dirs.push(dataDir);
    const lines: string[] = [];
    const mailer = createMailer({ from: 'Keywarden <kw@localhost>', dataDir, log: (l) => lines.push(l) });
    await mailer.send({ to: 'dev@example.test', subject: 'Your Keywarden sign-in code: 123456', text: 'Your code is 123456' });
    const files = readdirSync(join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(dataDir, 'mail', files[0]!), 'utf8');
    expect(eml).toMatch(/^To: dev@example.test$/m);
    expect(eml).toContain('Your code is 123456');
    expect(lines).toEqual([expect.stringMatching(/^\[mail\] to dev@example.test: Your Keywarden sign-in code: 123456 {2}\(.*\.eml\)$/)]);
  });
});
