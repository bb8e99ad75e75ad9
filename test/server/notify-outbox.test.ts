import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../server/services/outbox.service';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { auditOf } from '../helpers/fixtures';
import { adminActor, issueKey, setClock, settleOutbox, startPeer } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

const HOUR = 3_600_000;
let sink: SmtpSink;
let server: TestServer;

/** A team of three owners of its own, so each test counts only its own messages. */
async function teamOfThree(label: string) {
  const team = await createTeam(server, `Outbox ${label}`);
  const owners = [await team.addUser('ann'), await team.addUser('ben'), await team.addUser('col')];
  const mailsTo = () => owners.flatMap((o) => sink.to(o.email));
  return { team, owners, mailsTo };
}

async function revokeOneKeyEach(team: Awaited<ReturnType<typeof createTeam>>, owners: TestUser[], label: string) {
  const keyIds: string[] = [];
  for (const owner of owners) keyIds.push((await issueKey(server, owner, team.teamId, `${label} ${owner.email.split('-')[0]}`)).id);
  return server.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'bulk', actor: adminActor(team.admin), keyIds });
}

const outboxDocs = async (s: TestServer, teamId: string) => (await s.services.outbox.listForTeam(teamId, { limit: 200 })).items;

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'notify-outbox', smtpUrl: sink.url });
});
afterEach(async () => {
  // A failed test must not leave the mail server down or the clock moved for the next one.
  await sink.resume();
  setClock(server, 0);
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

describe('the email outbox', () => {
  it('keeps revoking while SMTP is down, holds the emails, and delivers each exactly once when it is back', async () => {
    const { team, owners, mailsTo } = await teamOfThree('outage');
    await sink.pause();
    const result = await revokeOneKeyEach(team, owners, 'outage');
    expect(result.changed).toHaveLength(3);
    // Each owner's notice exists at once, whatever the mail server does.
    for (const o of owners) expect((await o.api.notifications.list.query({})).items).toHaveLength(1);

    await settleOutbox(server);
    const waiting = await outboxDocs(server, team.teamId);
    expect(waiting).toHaveLength(3);
    for (const m of waiting) {
      expect(m).toMatchObject({ state: 'pending', attempts: 1 });
      expect(m.lastError).toBeTruthy();
      expect(m.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    }
    // Not due yet: a drain now sends nothing and does not count an attempt.
    await sink.resume();
    expect(await server.services.outbox.drain()).toBe(0);
    expect(mailsTo()).toHaveLength(0);

    setClock(server, HOUR);
    await Promise.all([server.services.outbox.drain(), server.services.outbox.drain()]);
    // Run the outbox to completion again: whatever it sends now would be a second copy.
    await settleOutbox(server);
    expect(mailsTo()).toHaveLength(3);
    for (const o of owners) expect(sink.to(o.email)).toHaveLength(1);
    for (const m of await outboxDocs(server, team.teamId)) expect(m).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('backs off exponentially with jitter, capped', () => {
    const o = { baseDelayMs: 1000, maxDelayMs: 60_000 };
    expect(retryDelayMs(1, o, () => 0)).toBe(500);
    expect(retryDelayMs(1, o, () => 1)).toBe(1000);
    expect(retryDelayMs(4, o, () => 1)).toBe(8000);
    expect(retryDelayMs(30, o, () => 1)).toBe(60_000);
    expect(retryDelayMs(30, o, () => 0)).toBe(30_000);
  });

  it('loses nothing when a server stops mid-outbox: another instance sends every message once, even one a dead worker held', async () => {
    const { team, owners, mailsTo } = await teamOfThree('restart');
    await sink.pause();
    await revokeOneKeyEach(team, owners, 'restart');
    await settleOutbox(server);
    const pending = (await outboxDocs(server, team.teamId)).filter((m) => m.state === 'pending');
    expect(pending).toHaveLength(3);
    // About crash recovery: a worker claimed this one and died before sending it (its lease, as stored).
    await server.storage.cols.outbox.updateOne({ _id: pending[0]!.id }, { $set: { leaseOwner: 'crashed-worker', leaseUntil: new Date(Date.now() + 10 * 60_000) } });
    await server.stop();

    await sink.resume();
    const [a, b] = await Promise.all([startPeer(server, 'notify-outbox-a', sink.url), startPeer(server, 'notify-outbox-b', sink.url)]);
    try {
      setClock(a, HOUR);
      setClock(b, HOUR);
      await Promise.all([a.services.outbox.drain(), b.services.outbox.drain()]);
      // Both instances run to completion once more: a second copy would be sent now.
      await settleOutbox(a, b);
      expect(mailsTo()).toHaveLength(3);
      for (const o of owners) expect(sink.to(o.email)).toHaveLength(1);
      expect((await outboxDocs(a, team.teamId)).every((m) => m.state === 'sent')).toBe(true);
    } finally {
      await b.stop();
      server = a; // the other tests and the file's afterAll (which drops the database) use this instance
    }
  });

  it('delivers what the previous version left in the outbox: a pending message, and one its claim document held for a worker that is gone', async () => {
    const { team, owners, mailsTo } = await teamOfThree('upgrade');
    const at = new Date();
    const left = (owner: TestUser, held: boolean) => ({
      _id: `legacy_${owner.userId}`,
      teamId: team.teamId,
      userId: owner.userId,
      to: owner.email,
      subject: 'Written by the previous version',
      text: 'Still delivered after the upgrade.',
      html: '',
      state: 'pending' as const,
      attempts: held ? 1 : 0,
      nextAttemptAt: at,
      leaseUntil: held ? new Date(at.getTime() + 10 * 60_000) : null,
      leaseOwner: held ? 'previous-version-worker' : null,
      lastError: held ? 'connection refused' : null,
      createdAt: at,
      sentAt: null,
    });
    const [pending, held] = [left(owners[0]!, false), left(owners[1]!, true)];
    await server.storage.cols.outbox.insertMany([pending, held]);
    // The previous version claimed a message by inserting this document; nothing reads it any more.
    await server.storage.database.db
      .collection<{ _id: string; owner: string; until: Date | null }>('leases')
      .insertOne({ _id: `outbox:${held._id}:1:0`, owner: 'previous-version-worker', until: held.leaseUntil });

    await settleOutbox(server);
    expect(sink.to(owners[0]!.email)).toHaveLength(1);
    expect(sink.to(owners[1]!.email)).toHaveLength(0);
    // Once the dead worker's lease has run out, its message goes out too, once.
    setClock(server, HOUR);
    await settleOutbox(server);
    expect(mailsTo()).toHaveLength(2);
    expect(sink.to(owners[1]!.email)).toHaveLength(1);
    expect((await outboxDocs(server, team.teamId)).map((m) => [m.to, m.state, m.attempts]).sort()).toEqual(
      [
        [owners[0]!.email, 'sent', 1],
        [owners[1]!.email, 'sent', 2],
      ].sort(),
    );
  });

  it('keeps a message as failed after the last attempt, audits it, and shows it to admins only', async () => {
    const { team, owners, mailsTo } = await teamOfThree('doomed');
    await sink.pause();
    const { changed } = await revokeOneKeyEach(team, owners, 'doomed');
    expect(changed).toHaveLength(3);
    const max = server.services.outbox.options.maxAttempts;
    for (let i = 1; i <= max; i++) {
      setClock(server, i * 2 * HOUR);
      await settleOutbox(server);
    }
    await sink.resume();
    const failed = (await outboxDocs(server, team.teamId)).filter((m) => m.state === 'failed');
    expect(failed).toHaveLength(3);
    for (const m of failed) expect(m.attempts).toBe(max);

    const adminApi = server.client(team.admin.token);
    const view = await adminApi.admin.outbox.query({ teamId: team.teamId, state: 'failed' });
    expect(view.items).toHaveLength(3);
    expect(view.items[0]).toMatchObject({ state: 'failed', attempts: max });
    expect(view.items.map((m) => m.to).sort()).toEqual(owners.map((o) => o.email).sort());
    const firstPage = await adminApi.admin.outbox.query({ teamId: team.teamId, limit: 2 });
    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.nextCursor).toBeTruthy();
    const secondPage = await adminApi.admin.outbox.query({ teamId: team.teamId, limit: 2, cursor: firstPage.nextCursor! });
    expect([...firstPage.items, ...secondPage.items].map((m) => m.id).sort()).toEqual(failed.map((m) => m.id).sort());

    const audit = await auditOf(server, team.teamId, 'outbox.failed');
    expect(audit).toHaveLength(3);
    expect(await errorCode(server.client(owners[0]!.token).admin.outbox.query({ teamId: team.teamId }))).toBe('FORBIDDEN');

    // Failed for good means no further sends, even with SMTP back and the outbox run to completion.
    setClock(server, 100 * HOUR);
    expect(await server.services.outbox.drain()).toBe(0);
    await settleOutbox(server);
    expect(mailsTo()).toHaveLength(0);
  });

  it('sends within moments of an action without waiting for the job tick', async () => {
    const { team, owners, mailsTo } = await teamOfThree('prompt');
    await revokeOneKeyEach(team, owners, 'prompt');
    // Test servers run no job ticks, and nothing here drains: only the kick the action gave can have sent these.
    await server.services.outbox.idle();
    expect(mailsTo()).toHaveLength(3);
  });
});
