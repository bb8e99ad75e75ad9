import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { auditOf } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';

/** What the extension's leak guard asks of the server: only keys it found, over the signed-in session. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'leaks-extension' });
});
afterAll(async () => {
  await server?.close();
});

async function setup() {
  const team = await createTeam(server, 'Guarded');
  const owner = await team.addUser('owner');
  const other = await team.addUser('other');
  const created = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'prod' });
  return { team, owner, other, key: created.key, keyId: created.row.id };
}

describe('leaks.check / leaks.report / leaks.revoke', () => {
  it("tells the owner and admins it is the team's key they may revoke; another member only that it is the team's", async () => {
    const { team, owner, other, key, keyId } = await setup();
    const teamId = team.teamId;
    expect(await owner.api.leaks.check.query({ teamId, key })).toEqual({ teamKey: true, keyId, name: 'prod', canRevoke: true, revoked: false });
    expect(await team.admin.api.leaks.check.query({ teamId, key })).toMatchObject({ teamKey: true, canRevoke: true });
    expect(await other.api.leaks.check.query({ teamId, key })).toEqual({ teamKey: true, keyId: null, name: null, canRevoke: false, revoked: false });
    expect(await other.api.leaks.check.query({ teamId, key: generateKey() })).toMatchObject({ teamKey: false });
    const stranger = await createTeam(server, 'Elsewhere');
    expect(await stranger.admin.api.leaks.check.query({ teamId: stranger.teamId, key })).toMatchObject({ teamKey: false });
  });

  it('lets only the owner or an admin revoke now; anyone signed in may report, handled per the team response', async () => {
    const { team, owner, other, key, keyId } = await setup();
    const teamId = team.teamId;
    expect(await errorCode(other.api.leaks.revoke.mutate({ teamId, key, url: 'https://ci.example/run/1' }))).toBe('FORBIDDEN');
    expect(await other.api.leaks.report.mutate({ teamId, key, url: 'https://ci.example/run/1' })).toEqual({ received: true });
    expect(await owner.api.keys.lookup.query({ teamId, key })).toMatchObject({ status: 'revoked', revokedReason: 'leaked' });
    const [leak] = await auditOf(server, teamId, 'key.leaked');
    expect(leak).toMatchObject({ actor: { userId: other.userId }, targets: { ids: [keyId] }, details: { source: 'extension', url: 'https://ci.example/run/1', action: 'revoked' } });
    expect(await owner.api.leaks.revoke.mutate({ teamId, key })).toEqual({ revoked: [], alreadyRevoked: [keyId], notFound: [] });
  });
});
