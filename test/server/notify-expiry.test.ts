import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/env';
import { noticesOf as userNotices } from '../helpers/fixtures';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { DAY, issueKey, setClock, settleOutbox, startPeer } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

const MIN = 60_000;
let sink: SmtpSink;
let a: TestServer;
let b: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;

/** Both instances at the same (moved) time, each running its whole job list at once. */
async function tickBothAt(offsetMs: number) {
  setClock(a, offsetMs);
  setClock(b, offsetMs);
  await Promise.all([a.jobs.runOnce(), b.jobs.runOnce(), a.services.expiryWarnings.run(), b.services.expiryWarnings.run()]);
  // Both outboxes run to completion: every email of this tick is in the sink, and nothing more will come.
  await settleOutbox(a, b);
}

/** One instance's pass: grouping per owner is per pass, so two racing passes may split an owner's keys. */
async function tickOneAt(offsetMs: number) {
  setClock(a, offsetMs);
  setClock(b, offsetMs);
  await a.services.expiryWarnings.run();
  await settleOutbox(a);
}

/** Both instances' clocks, before a test issues keys (each test starts at a time of its own). */
function clockAt(offsetMs: number) {
  setClock(a, offsetMs);
  setClock(b, offsetMs);
}

const noticesOf = async (userId: string) => (await userNotices(a, userId)).map((n) => ({ kind: n.kind, days: n.thresholdDays ?? null, keys: n.keys.map((k) => k.name) }));
const mailsTo = (u: TestUser) => sink.to(u.email).map((m) => m.subject);

beforeAll(async () => {
  sink = await startSmtpSink();
  a = await startTestServer({ label: 'notify-expiry', smtpUrl: sink.url });
  b = await startPeer(a, 'notify-expiry-b', sink.url);
  team = await createTeam(a, 'Expiry');
});
afterAll(async () => {
  await b.stop();
  await a.close();
  await sink.stop();
});

describe('expiry warnings', () => {
  it('runs every JOB_INTERVAL_SECONDS, a minute by default', () => {
    expect(parseEnv({}).JOB_INTERVAL_SECONDS).toBe(60);
    expect(parseEnv({ JOB_INTERVAL_SECONDS: '5' }).JOB_INTERVAL_SECONDS).toBe(5);
  });

  it('warns once per key per threshold, then says it expired, with two instances running the job at once', async () => {
    const mia = await team.addUser('mia');
    clockAt(0);
    await issueKey(a, mia, team.teamId, 'ten-day key', 10);
    await tickBothAt(0);
    expect(await noticesOf(mia.userId)).toEqual([]);

    await tickBothAt(3 * DAY + MIN);
    await tickBothAt(3 * DAY + 2 * MIN);
    expect(await noticesOf(mia.userId)).toEqual([{ kind: 'key_expiring', days: 7, keys: ['ten-day key'] }]);
    expect(mailsTo(mia)).toEqual(['Your Keywarden API key "ten-day key" expires in 7 days or less in team "Expiry"']);

    await tickBothAt(9 * DAY + MIN);
    await tickBothAt(9 * DAY + 5 * MIN);
    expect((await noticesOf(mia.userId)).map((n) => n.days)).toEqual([7, 1]);

    await tickBothAt(10 * DAY + MIN);
    await tickBothAt(10 * DAY + 2 * MIN);
    expect((await noticesOf(mia.userId)).map((n) => n.kind)).toEqual(['key_expiring', 'key_expiring', 'key_expired']);
    expect(mailsTo(mia)).toEqual([
      'Your Keywarden API key "ten-day key" expires in 7 days or less in team "Expiry"',
      'Your Keywarden API key "ten-day key" expires in 1 day or less in team "Expiry"',
      'Your Keywarden API key "ten-day key" has expired in team "Expiry"',
    ]);
    const expired = sink.to(mia.email)[2]!;
    expect(expired.text).toMatch(/What to do next: .*Generate a new key/);
  });

  it('catches up after downtime with only the most urgent threshold, and groups an owner\'s keys', async () => {
    const noa = await team.addUser('noa');
    clockAt(10 * DAY + 3 * MIN);
    await issueKey(a, noa, team.teamId, 'catch-up one', 10);
    await issueKey(a, noa, team.teamId, 'catch-up two', 10);
    const ola = await team.addUser('ola');
    await issueKey(a, ola, team.teamId, 'short-lived', 5);

    // Down for 9.5 days: noa's keys passed both 7 and 1; ola's key passed its 1-day threshold and expired.
    await tickOneAt(19 * DAY + 15 * 60 * MIN);
    await tickBothAt(19 * DAY + 16 * 60 * MIN);
    expect(await noticesOf(noa.userId)).toEqual([{ kind: 'key_expiring', days: 1, keys: ['catch-up one', 'catch-up two'] }]);
    expect(mailsTo(noa)).toEqual(['2 of your Keywarden API keys expire within 1 day in team "Expiry"']);
    expect(await noticesOf(ola.userId)).toEqual([{ kind: 'key_expired', days: null, keys: ['short-lived'] }]);
    expect(mailsTo(ola)).toEqual(['Your Keywarden API key "short-lived" has expired in team "Expiry"']);
  });

  it('does not warn about a lifetime its owner chose moment ago, nor about revoked keys', async () => {
    const pia = await team.addUser('pia');
    clockAt(20 * DAY);
    await issueKey(a, pia, team.teamId, 'three-day key', 3);
    const doomed = await issueKey(a, pia, team.teamId, 'revoked before warning', 8);
    await a.services.keys.revokeOwn({ userId: pia.userId, email: pia.email, role: 'member', ip: null, userAgent: null }, team.teamId, doomed.id);
    await tickBothAt(20 * DAY + 2 * MIN);
    expect((await noticesOf(pia.userId)).map((n) => n.kind)).toEqual(['key_revoked']);
    await tickBothAt(22 * DAY + 2 * MIN);
    expect((await noticesOf(pia.userId)).map((n) => `${n.kind}:${n.days}`)).toEqual(['key_revoked:null', 'key_expiring:1']);
  });

  it('finishes a pass a crashed runner left half-done, without sending anything twice', async () => {
    const quinn = await team.addUser('quinn');
    clockAt(30 * DAY);
    const key = await issueKey(a, quinn, team.teamId, 'crash key', 5);
    const at = new Date(Date.now() + 34 * DAY);
    // About crash recovery: a runner wrote its batch and claimed the mark, then died before writing the notice.
    await a.storage.cols.marks.insertOne({ _id: 'batch:crashed', at, state: 'pending', items: [{ markId: `warn:${key.id}:1`, keyId: key.id, teamId: team.teamId, ownerId: quinn.userId, kind: 'warn', days: 1 }] });
    await a.storage.cols.marks.insertOne({ _id: `warn:${key.id}:1`, at, batchId: 'crashed' });
    await tickBothAt(34 * DAY + 10 * MIN);
    await tickBothAt(34 * DAY + 20 * MIN);
    expect(await noticesOf(quinn.userId)).toEqual([{ kind: 'key_expiring', days: 1, keys: ['crash key'] }]);
    expect(mailsTo(quinn)).toHaveLength(1);
    expect(await a.storage.cols.marks.countDocuments({ state: 'pending' })).toBe(0);
  });
});
