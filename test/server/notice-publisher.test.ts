import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticePublisher, type NoticeDelivery } from '../../server/services/notice-publisher';
import { noticeId } from '../../server/services/notify.service';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { noticesOf } from '../helpers/fixtures';
import { settleOutbox } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/** The one way a notice is published: row, badge signal, email, each once however often it is retried. */
let sink: SmtpSink;
let server: TestServer;

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'notice-publisher', smtpUrl: sink.url });
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

function delivery(user: { userId: string; email: string }, teamId: string, source: string, withMail: boolean): NoticeDelivery {
  const at = new Date();
  return {
    notice: {
      id: noticeId(source),
      userId: user.userId,
      teamId,
      teamName: 'Publishing',
      kind: 'key_revoked',
      keys: [{ id: 'key_x', name: `key of ${source}`, hint: 'kw_…', expiresAt: null }],
      revokedKeyIds: ['key_x'],
      actor: null,
      reason: 'manual',
      thresholdDays: null,
      message: `line of ${source}`,
      createdAt: at,
      readAt: null,
    },
    mail: withMail ? { to: user.email, subject: `mail of ${source}`, text: 'text', html: '<p>html</p>' } : null,
  };
}

describe('publishing a notice', () => {
  it('writes the row, signals the reader and sends the email once, however often it is published again', async () => {
    const team = await createTeam(server, 'Publishing');
    const mia = await team.addUser('mia');
    const publish = noticePublisher(server.storage.repos, server.services.outbox, server.services.alertsBus);
    const signalled: string[] = [];
    const unsubscribe = server.services.alertsBus.subscribe((userId) => signalled.push(userId));
    try {
      const once = delivery(mia, team.teamId, `publisher-once-${mia.userId}`, true);
      await publish([once]);
      // A retry after a crash between the writes: it repeats every step, and each step stays single.
      await publish([once]);
      await settleOutbox(server);
      expect((await noticesOf(server, mia.userId)).map((n) => n.message)).toEqual([once.notice.message]);
      expect(sink.to(mia.email).map((m) => m.subject)).toEqual([once.mail!.subject]);
      expect(signalled.filter((u) => u === mia.userId)).toHaveLength(2);
    } finally {
      unsubscribe();
    }
  });

  it('publishes an in-app-only notice without any email', async () => {
    const team = await createTeam(server, 'Publishing');
    const ann = await team.addUser('ann');
    const publish = noticePublisher(server.storage.repos, server.services.outbox, server.services.alertsBus);
    const quiet = delivery(ann, team.teamId, `publisher-quiet-${ann.userId}`, false);
    await publish([quiet]);
    await settleOutbox(server);
    expect((await noticesOf(server, ann.userId)).map((n) => n.id)).toEqual([quiet.notice.id]);
    expect(sink.to(ann.email)).toEqual([]);
  });
});
