import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { auditOf } from '../helpers/fixtures';
import { setClock, settleOutbox } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

const HOUR = 60 * 60_000;

type VerifyAnswer = { valid: boolean; code?: string; keyId?: string; rotation?: { replacedBy: string; graceEndsAt: string } };

let sink: SmtpSink;
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
let mia: TestUser;
let leo: TestUser;

async function verify(key: string): Promise<VerifyAnswer> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  return res.json() as Promise<VerifyAnswer>;
}

const noticesOf = async (u: TestUser) => (await server.services.notifications.list(u.userId, { limit: 100 })).items;

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'rotation', smtpUrl: sink.url });
  team = await createTeam(server, 'Rotation');
  mia = await team.addUser('mia');
  leo = await team.addUser('leo');
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

describe('keys.rotate', () => {
  it('gives a new key with the same name while the previous one keeps working and names its replacement', async () => {
    const { key: old, row: oldRow } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'billing worker' });
    const rotated = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: oldRow.id, graceHours: 24 });
    expect(rotated.row.name).toBe('billing worker');
    expect(rotated.row.generatedBy.userId).toBe(mia.userId);
    expect(rotated.row.replaces).toBe(oldRow.id);
    expect(rotated.previous.id).toBe(oldRow.id);
    expect(rotated.previous.rotation?.replacedBy).toBe(rotated.row.id);

    expect(await verify(rotated.key)).toMatchObject({ valid: true, keyId: rotated.row.id });
    const previous = await verify(old);
    expect(previous).toMatchObject({ valid: true, keyId: oldRow.id, rotation: { replacedBy: rotated.row.id } });
    const graceEnds = new Date(previous.rotation!.graceEndsAt).getTime();
    expect(Math.abs(graceEnds - (Date.now() + 24 * HOUR))).toBeLessThan(5 * 60_000);

    const audit = await auditOf(server, team.teamId, 'key.rotated');
    expect(audit.find((a) => a.targets.ids[0] === oldRow.id)?.targets.ids).toEqual([oldRow.id, rotated.row.id]);
  });

  it('defaults to a 24-hour grace', async () => {
    const { row } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'default grace' });
    const rotated = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id });
    expect(Math.abs(rotated.previous.rotation!.graceEndsAt.getTime() - (Date.now() + 24 * HOUR))).toBeLessThan(5 * 60_000);
  });

  it('with graceHours 0 revokes the previous key at once, with reason rotated', async () => {
    const { key: old, row } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'now' });
    const rotated = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 0 });
    expect(await verify(old)).toEqual({ valid: false, code: 'REVOKED' });
    expect(await verify(rotated.key)).toMatchObject({ valid: true });
    expect(rotated.previous).toMatchObject({ status: 'revoked', revokedReason: 'rotated' });
  });

  it('lets a member rotate only their own keys, and never another team\'s', async () => {
    const { row } = await leo.api.keys.create.mutate({ teamId: team.teamId, name: "leo's key" });
    expect(await errorCode(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 1 }))).toBe('FORBIDDEN');
    const other = await createTeam(server, 'Elsewhere');
    const { row: foreign } = await other.admin.api.keys.create.mutate({ teamId: other.teamId, name: 'foreign' });
    expect(await errorCode(team.admin.api.keys.rotate.mutate({ teamId: team.teamId, keyId: foreign.id, graceHours: 1 }))).toBe('NOT_FOUND');
  });

  it('refuses to rotate a revoked, disabled or already rotated key with a 400', async () => {
    const { row: revoked } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'revoked' });
    await mia.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: revoked.id });
    expect(await errorCode(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: revoked.id, graceHours: 1 }))).toBe('BAD_REQUEST');

    const { row: disabled } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'disabled' });
    await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [disabled.id] });
    expect(await errorCode(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: disabled.id, graceHours: 1 }))).toBe('BAD_REQUEST');

    const { row: twice } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'twice' });
    await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: twice.id, graceHours: 1 });
    expect(await errorCode(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: twice.id, graceHours: 1 }))).toBe('BAD_REQUEST');
    expect(await errorCode(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: twice.id, graceHours: 169 }))).toBe('BAD_REQUEST');
  });

  it('rotates a key once when two rotations race', async () => {
    const { row } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'raced' });
    const results = await Promise.allSettled([1, 2, 3].map(() => mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const mine = await mia.api.keys.mine.query({ teamId: team.teamId, limit: 100 });
    expect(mine.items.filter((k) => k.name === 'raced')).toHaveLength(2);
  });

  it("tells the owner when an admin rotated their key, by notice and email", async () => {
    const { row } = await leo.api.keys.create.mutate({ teamId: team.teamId, name: 'rotated by admin' });
    await team.admin.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 168 });
    await settleOutbox(server);
    const notice = (await noticesOf(leo)).find((n) => n.kind === 'key_rotated');
    expect(notice?.keys.map((k) => k.name)).toEqual(['rotated by admin']);
    expect(notice?.message).toContain(`“rotated by admin” was rotated by ${team.admin.email}`);
    expect(sink.to(leo.email).map((m) => m.subject)).toContain('Your Keywarden API key "rotated by admin" was rotated in team "Rotation"');
  });
});

describe('the end of a grace period', () => {
  it('refuses the previous key at the instant its grace ends, then the pass revokes it with reason rotated', async () => {
    const ana = await team.addUser('ana');
    const { key: old, row } = await ana.api.keys.create.mutate({ teamId: team.teamId, name: 'short grace' });
    await ana.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 1 });
    expect(await verify(old)).toMatchObject({ valid: true });
    try {
      setClock(server, HOUR + 1000);
      // Before any pass ran: verify goes by the clock, like an expiry.
      expect(await verify(old)).toEqual({ valid: false, code: 'REVOKED' });
      const first = await server.services.rotation.run();
      expect(first.revoked).toBeGreaterThanOrEqual(1);
      const again = await server.services.rotation.run();
      expect(again.revoked).toBe(0);
    } finally {
      setClock(server, 0);
    }
    const mine = await ana.api.keys.mine.query({ teamId: team.teamId, limit: 10 });
    expect(mine.items.find((k) => k.id === row.id)).toMatchObject({ status: 'revoked', revokedReason: 'rotated' });
    const revokedAudit = (await auditOf(server, team.teamId, 'key.revoked')).filter((a) => a.targets.ids.includes(row.id));
    expect(revokedAudit).toHaveLength(1);
    expect(revokedAudit[0]!.details).toMatchObject({ reason: 'rotated' });
    // The planned end of a rotation is no alarm: no red "revoked" notice for it.
    expect((await noticesOf(ana)).filter((n) => n.kind === 'key_revoked')).toEqual([]);
  });

  it('keeps the first revocation when an admin revokes the previous key as its grace ends', async () => {
    const { row } = await leo.api.keys.create.mutate({ teamId: team.teamId, name: 'race at grace end' });
    await leo.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 1 });
    try {
      setClock(server, HOUR + 1000);
      await Promise.all([team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [row.id] }), server.services.rotation.run()]);
    } finally {
      setClock(server, 0);
    }
    const mine = await leo.api.keys.mine.query({ teamId: team.teamId, limit: 100 });
    const final = mine.items.find((k) => k.id === row.id)!;
    expect(final.status).toBe('revoked');
    expect(['manual', 'rotated']).toContain(final.revokedReason);
    expect((await auditOf(server, team.teamId, 'key.revoked')).filter((a) => a.targets.ids.includes(row.id))).toHaveLength(1);
  });

  it('warns the owner once when the previous key is still used in its last hour of grace', async () => {
    const eva = await team.addUser('eva');
    const { key: old, row } = await eva.api.keys.create.mutate({ teamId: team.teamId, name: 'still used' });
    await eva.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 24 });
    try {
      setClock(server, 2 * HOUR);
      expect((await server.services.rotation.run()).warned).toBe(0);
      setClock(server, 23 * HOUR + 30 * 60_000);
      expect(await verify(old)).toMatchObject({ valid: true });
      await server.services.usage.flush();
      expect((await server.services.rotation.run()).warned).toBe(1);
      expect((await server.services.rotation.run()).warned).toBe(0);
    } finally {
      setClock(server, 0);
    }
    await settleOutbox(server);
    const notices = (await noticesOf(eva)).filter((n) => n.kind === 'key_rotated');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.reason).toBe('grace_ending');
    expect(sink.to(eva.email).map((m) => m.subject)).toContain('Your previous Keywarden API key "still used" stops working within the hour and is still in use in team "Rotation"');
  });
});
