import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { setTeamSettings } from '../helpers/fixtures';
import { DAY, setClock } from '../helpers/notify';

/** Rotation never lengthens a key's life, and a chain of rotations never holds more than two working keys. */
const HOUR = 60 * 60_000;

let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
let mia: TestUser;

const near = (actual: Date | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual!.getTime() - expected)).toBeLessThan(5 * 60_000);
};

beforeAll(async () => {
  server = await startTestServer({ label: 'rotation-lifetimes' });
  team = await createTeam(server, 'Lifetimes');
  mia = await team.addUser('mia');
});
afterAll(async () => {
  await server.close();
});

describe('a replacement key', () => {
  it("keeps its predecessor's lifetime when the team has no lifetime policy", async () => {
    const { row } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'one day', expiresInDays: 1 });
    const rotated = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 0 });
    near(rotated.row.expiresAt, Date.now() + DAY);
  });

  it('of a key that never expires never expires either, without a policy', async () => {
    const { row } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'forever' });
    expect(row.expiresAt).toBeNull();
    const rotated = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 0 });
    expect(rotated.row.expiresAt).toBeNull();
  });

  it("is capped by the team's policy when its predecessor lived longer", async () => {
    const capped = await createTeam(server, 'Capped');
    await setTeamSettings(server, capped, { maxLifetimeDays: 10 });
    const now = new Date();
    // A 100-day key laid out directly, as one made before the policy would have been.
    const old = await server.services.keys.importKey({ teamId: capped.teamId, ownerId: capped.admin.userId, name: 'long', createdAt: now, expiresAt: new Date(now.getTime() + 100 * DAY) });
    const rotated = await capped.admin.api.keys.rotate.mutate({ teamId: capped.teamId, keyId: old.id, graceHours: 0 });
    near(rotated.row.expiresAt, Date.now() + 10 * DAY);
  });
});

describe('rotating a replacement', () => {
  it('is refused while its predecessor still works in its grace, saying until when', async () => {
    const { row } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'chain' });
    const first = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 168 });
    const graceEnd = first.previous.rotation!.graceEndsAt.toISOString();
    await expect(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: first.row.id, graceHours: 168 })).rejects.toThrow(
      expect.objectContaining({ data: expect.objectContaining({ code: 'BAD_REQUEST' }), message: expect.stringContaining(`until ${graceEnd}`) }),
    );
    const mine = await mia.api.keys.mine.query({ teamId: team.teamId, limit: 100 });
    expect(mine.items.filter((k) => k.name === 'chain')).toHaveLength(2);

    // Once the grace is over, the replacement rotates like any key.
    try {
      setClock(server, 168 * HOUR + 60_000);
      const asMia = { userId: mia.userId, email: mia.email, role: 'member' as const, ip: null, userAgent: null };
      const second = await server.services.rotation.rotate(asMia, { teamId: team.teamId, keyId: first.row.id, graceHours: 1 });
      expect(second.row.replaces).toBe(first.row.id);
    } finally {
      setClock(server, 0);
    }
  });

  it('is allowed at once when the predecessor was revoked without grace, or revoked during it', async () => {
    const { row: a } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'no grace' });
    const b = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: a.id, graceHours: 0 });
    await expect(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: b.row.id, graceHours: 0 })).resolves.toMatchObject({ row: { replaces: b.row.id } });

    const { row: c } = await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'revoked in grace' });
    const d = await mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: c.id, graceHours: 24 });
    await mia.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: c.id });
    await expect(mia.api.keys.rotate.mutate({ teamId: team.teamId, keyId: d.row.id, graceHours: 24 })).resolves.toMatchObject({ row: { replaces: d.row.id } });
  });
});
