import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../server/services/outbox.service';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { adminActor, issueKey, setClock, sleep, startPeer, until } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

const HOUR = 3_600_000;
let sink: SmtpSink;
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
let owners: TestUser[];

async function revokeOneKeyEach(label: string) {
  const keyIds: string[] = [];
  for (const owner of owners) keyIds.push((await issueKey(server, owner, team.teamId, `${label} ${owner.email.split('-')[0]}`)).id);
  return server.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'bulk', actor: adminActor(team.admin), keyIds });
}

const outboxDocs = (s: TestServer, teamId: string) => s.deps.cols.outbox.find({ teamId }).toArray();

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'notify-outbox', smtpUrl: sink.url });
  team = await createTeam(server, 'Outbox');
  owners = [await team.addUser('ann'), await team.addUser('ben'), await team.addUser('col')];
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

describe('the email outbox', () => {
  it('keeps revoking while SMTP is down, holds the emails, and delivers each exactly once when it is back', async () => {
    await sink.pause();
    const result = await revokeOneKeyEach('outage');
    expect(result.changed).toHaveLength(3);
    // Each owner's notice exists at once, whatever the mail server does.
    for (const o of owners) expect((await o.api.notifications.list.query({})).items).toHaveLength(1);

    await server.services.outbox.drain();
    const waiting = await outboxDocs(server, team.teamId);
    expect(waiting).toHaveLength(3);
    for (const m of waiting) {
      expect(m).toMatchObject({ state: 'pending', attempts: 1 });
      expect(m.lastError).toBeTruthy();
      expect(m.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    }
    // Not due yet: a drain now sends nothing and does not count an attempt.
    await sink.resume();
    await server.services.outbox.drain();
    expect(sink.messages).toHaveLength(0);

    setClock(server, HOUR);
    await Promise.all([server.services.outbox.drain(), server.services.outbox.drain()]);
    await sink.waitFor((m) => m.length >= 3);
    await server.services.outbox.drain();
    await sleep(300);
    expect(sink.messages).toHaveLength(3);
    for (const o of owners) expect(sink.to(o.email)).toHaveLength(1);
    for (const m of await outboxDocs(server, team.teamId)) expect(m).toMatchObject({ state: 'sent', attempts: 2 });
    setClock(server, 0);
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
    await sink.pause();
    await revokeOneKeyEach('restart');
    await server.services.outbox.drain();
    const pending = (await outboxDocs(server, team.teamId)).filter((m) => m.state === 'pending');
    expect(pending).toHaveLength(3);
    // A worker claimed this one and died before sending it.
    await server.deps.cols.outbox.updateOne({ _id: pending[0]!._id }, { $set: { leaseOwner: 'crashed-worker', leaseUntil: new Date(Date.now() + 10 * 60_000) } });
    await server.stop();

    await sink.resume();
    const before = sink.messages.length;
    const [a, b] = await Promise.all([startPeer(server, 'notify-outbox-a', sink.url), startPeer(server, 'notify-outbox-b', sink.url)]);
    try {
      setClock(a, HOUR);
      setClock(b, HOUR);
      await Promise.all([a.services.outbox.drain(), b.services.outbox.drain()]);
      await sink.waitFor((m) => m.length >= before + 3);
      await Promise.all([a.services.outbox.drain(), b.services.outbox.drain()]);
      await sleep(300);
      expect(sink.messages).toHaveLength(before + 3);
      for (const o of owners) expect(sink.to(o.email).filter((m) => /restart/.test(m.text ?? ''))).toHaveLength(1);
      expect((await outboxDocs(a, team.teamId)).every((m) => m.state === 'sent')).toBe(true);
    } finally {
      await b.stop();
      server = a; // the file's afterAll drops the database through this instance
    }
  });

  it('keeps a message as failed after the last attempt, audits it, and shows it to admins only', async () => {
    await sink.pause();
    const { changed } = await revokeOneKeyEach('doomed');
    expect(changed).toHaveLength(3);
    const max = server.services.outbox.options.maxAttempts;
    for (let i = 1; i <= max; i++) {
      setClock(server, i * 2 * HOUR);
      await server.services.outbox.drain();
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
    const all = await adminApi.admin.outbox.query({ teamId: team.teamId, limit: 4 });
    expect(all.items).toHaveLength(4);
    expect(all.nextCursor).toBeTruthy();

    const audit = await server.deps.cols.audit.find({ teamId: team.teamId, action: 'outbox.failed' }).toArray();
    expect(audit).toHaveLength(3);
    expect(await errorCode(server.client(owners[0]!.token).admin.outbox.query({ teamId: team.teamId }))).toBe('FORBIDDEN');

    // Failed for good means no further sends, even with SMTP back.
    const before = sink.messages.length;
    setClock(server, 100 * HOUR);
    await server.services.outbox.drain();
    await sleep(200);
    expect(sink.messages).toHaveLength(before);
    setClock(server, 0);
  });

  it('sends within moments of an action without waiting for the job tick', async () => {
    const before = sink.messages.length;
    await revokeOneKeyEach('prompt');
    await until(() => sink.messages.length >= before + 3, 5_000);
  });
});
