import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';

/** The server tells each member, per team, whether they may generate keys, and acts by the same rule. */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ label: 'can-generate' });
});
afterAll(() => server.close());

describe('canGenerate on the session', () => {
  it('says yes to admins always and to members while the team allows it, and the key and request procedures agree', async () => {
    const team = await createTeam(server, 'Generation');
    const mia = await team.addUser('mia');
    const canGenerate = async (user: { api: typeof mia.api }) => (await user.api.auth.me.query()).teams.find((t) => t.teamId === team.teamId)?.canGenerate;

    expect(await canGenerate(team.admin)).toBe(true);
    expect(await canGenerate(mia)).toBe(true);
    await mia.api.keys.create.mutate({ teamId: team.teamId, name: 'allowed' });
    expect(await errorCode(mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'needless', reason: 'may generate already' }))).toBe('BAD_REQUEST');

    await team.admin.api.settings.update.mutate({ teamId: team.teamId, allowMemberKeyGeneration: false });
    expect(await canGenerate(team.admin)).toBe(true);
    expect(await canGenerate(mia)).toBe(false);
    expect(await errorCode(mia.api.keys.create.mutate({ teamId: team.teamId, name: 'refused' }))).toBe('FORBIDDEN');
    await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'asked', reason: 'needs one' });
  });
});
