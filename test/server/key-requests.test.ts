import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { auditOf } from '../helpers/fixtures';
import { DAY, setClock, settleOutbox } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let sink: SmtpSink;
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
let mia: TestUser;
let admin2: TestUser;

const noticesOf = async (u: TestUser) => (await server.services.notifications.list(u.userId, { limit: 100 })).items;
const summaryOf = async (u: TestUser) => {
  const s = await u.api.alerts.summary.query();
  if (s.unchanged) throw new Error('expected a full summary');
  return s;
};

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'key-requests', smtpUrl: sink.url });
  team = await createTeam(server, 'Requests');
  mia = await team.addUser('mia');
  admin2 = await team.addUser('second-admin', 'admin');
  await team.admin.api.settings.update.mutate({ teamId: team.teamId, allowMemberKeyGeneration: false });
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

describe('key requests', () => {
  it('lets a member ask while generation is off, and counts the request on every admin badge', async () => {
    expect(await errorCode(mia.api.keys.create.mutate({ teamId: team.teamId, name: 'ci deploy' }))).toBe('FORBIDDEN');
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'ci deploy', reason: 'deploys from CI', expiresInDays: 30 });
    expect(request).toMatchObject({ state: 'pending', name: 'ci deploy', reason: 'deploys from CI', expiresInDays: 30, requester: { userId: mia.userId } });

    const adminSummary = await summaryOf(team.admin);
    expect(adminSummary.pendingRequests).toBeGreaterThanOrEqual(1);
    expect(adminSummary.badge.text).not.toBe('');
    expect((await summaryOf(mia)).pendingRequests).toBe(0);
    expect((await team.admin.api.keyRequests.list.query({ teamId: team.teamId, state: 'pending' })).map((r) => r.id)).toContain(request.id);
    expect(await errorCode(mia.api.keyRequests.list.query({ teamId: team.teamId }))).toBe('FORBIDDEN');

    await settleOutbox(server);
    expect((await noticesOf(admin2)).find((n) => n.kind === 'key_request_created')?.message).toContain(`${mia.email} asks for a key “ci deploy”`);
    expect(sink.to(admin2.email).map((m) => m.subject)).toContain(`Key request: "ci deploy" from ${mia.email} in team "Requests"`);
  });

  it('refuses a request from someone who may generate keys anyway', async () => {
    expect(await errorCode(team.admin.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'x', reason: 'y' }))).toBe('BAD_REQUEST');
  });

  it('after approval the member generates the key once, and a second time is refused', async () => {
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'approved key', reason: 'nightly export' });
    const approved = await team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id, expiresInDays: 10 });
    expect(approved.state).toBe('approved');
    expect(approved.grantExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 6 * DAY);

    const created = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'approved key', requestId: request.id });
    expect(created.key).toMatch(/^kw_/);
    expect(created.row.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 9 * DAY);
    expect(await errorCode(mia.api.keys.create.mutate({ teamId: team.teamId, name: 'approved key again', requestId: request.id }))).toBe('FORBIDDEN');
    // Somebody else cannot use mia's approval.
    const leo = await team.addUser('leo');
    expect(await errorCode(leo.api.keys.create.mutate({ teamId: team.teamId, name: 'stolen', requestId: request.id }))).toBe('NOT_FOUND');

    await settleOutbox(server);
    expect((await noticesOf(mia)).some((n) => n.kind === 'key_request_approved')).toBe(true);
    expect(sink.to(mia.email).map((m) => m.subject)).toContain('Your request for the Keywarden API key "approved key" was approved in team "Requests"');
    const mine = await mia.api.keyRequests.mine.query({ teamId: team.teamId });
    expect(mine.find((r) => r.id === request.id)?.keyId).toBe(created.row.id);
  });

  it("caps the key at the approval's lifetime: a member may ask for less, and is refused more with a 400", async () => {
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'one-day grant', reason: 'a quick test', expiresInDays: 30 });
    await team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id, expiresInDays: 1 });
    await expect(mia.api.keys.create.mutate({ teamId: team.teamId, name: 'one-day grant', requestId: request.id, expiresInDays: 3650 })).rejects.toThrow(
      expect.objectContaining({ data: expect.objectContaining({ code: 'BAD_REQUEST' }), message: 'expiresInDays: the approval of this key allows at most 1 day.' }),
    );
    expect(await errorCode(mia.api.keys.create.mutate({ teamId: team.teamId, name: 'one-day grant', requestId: request.id, expiresAt: new Date(Date.now() + 2 * DAY) }))).toBe('BAD_REQUEST');
    // The refusals spent nothing: the approval still gives its one key, of the approved lifetime.
    const created = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'one-day grant', requestId: request.id });
    expect(Math.abs(created.row.expiresAt!.getTime() - (Date.now() + DAY))).toBeLessThan(5 * 60_000);

    const shorter = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'shorter', reason: 'less is fine' });
    await team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: shorter.id, expiresInDays: 10 });
    const less = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'shorter', requestId: shorter.id, expiresInDays: 2 });
    expect(Math.abs(less.row.expiresAt!.getTime() - (Date.now() + 2 * DAY))).toBeLessThan(5 * 60_000);
  });

  it('redeems an approval once even when two calls race', async () => {
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'raced grant', reason: 'race' });
    await team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id });
    const results = await Promise.allSettled([1, 2, 3].map(() => mia.api.keys.create.mutate({ teamId: team.teamId, name: 'raced grant', requestId: request.id })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('a denial notifies the member, with the note', async () => {
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'denied key', reason: 'just because' });
    const denied = await team.admin.api.keyRequests.deny.mutate({ teamId: team.teamId, requestId: request.id, note: 'use the shared staging key' });
    expect(denied).toMatchObject({ state: 'denied', note: 'use the shared staging key' });
    expect(await errorCode(mia.api.keys.create.mutate({ teamId: team.teamId, name: 'denied key', requestId: request.id }))).toBe('FORBIDDEN');
    expect(await errorCode(admin2.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id }))).toBe('BAD_REQUEST');

    await settleOutbox(server);
    const notice = (await noticesOf(mia)).find((n) => n.kind === 'key_request_denied');
    expect(notice?.reason).toBe('use the shared staging key');
    const mail = sink.to(mia.email).find((m) => m.subject === 'Your request for the Keywarden API key "denied key" was denied in team "Requests"');
    expect(mail?.text).toContain('use the shared staging key');
    expect((await summaryOf(mia)).needsAttention).toBeGreaterThanOrEqual(1);
  });

  it('answers a request once when two admins decide at the same moment', async () => {
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'two admins', reason: 'race' });
    const results = await Promise.allSettled([
      team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id }),
      admin2.api.keyRequests.deny.mutate({ teamId: team.teamId, requestId: request.id }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('lets an approval lapse after 7 days', async () => {
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'lapsed', reason: 'later' });
    await team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id });
    try {
      setClock(server, 7 * DAY + 60_000);
      // Through the service: the test's session would have lapsed too at this clock.
      const asMia = { userId: mia.userId, email: mia.email, role: 'member' as const, ip: null, userAgent: null };
      await expect(server.services.keys.create(asMia, { teamId: team.teamId, name: 'lapsed', requestId: request.id })).rejects.toThrow(/expired/);
    } finally {
      setClock(server, 0);
    }
  });

  it('audits every step', async () => {
    const actions = (await auditOf(server, team.teamId)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['key_request.created', 'key_request.approved', 'key_request.denied']));
    const created = (await auditOf(server, team.teamId, 'key.created')).find((a) => a.details?.requestId);
    expect(created).toBeTruthy();
  });
});
