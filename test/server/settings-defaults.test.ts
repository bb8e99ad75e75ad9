import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEAM_SETTINGS } from '../../shared/schemas/team';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * A team made before a setting existed has none stored for it: every reader gets the setting's
 * default through the one settingsOf, over the API and in the services alike.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'settings-defaults' });
});
afterAll(() => server.close());

/** A team whose stored settings hold only what the first release had. */
async function olderTeam() {
  const team = await createTeam(server);
  await server.storage.cols.teams.updateOne(
    { _id: team.teamId },
    { $unset: { 'settings.leakResponse': '', 'settings.idleDisableDays': '', 'settings.idleWarningDays': '' }, $set: { 'settings.expiryWarningDays': null } },
  );
  return team;
}

describe('settings of a team made before a setting existed', () => {
  it('reads every missing setting as its default', async () => {
    const team = await olderTeam();
    const settings = await team.admin.api.settings.get.query({ teamId: team.teamId });
    expect(settings).toEqual({ ...DEFAULT_TEAM_SETTINGS, allowMemberKeyGeneration: true, maxLifetimeDays: null });
  });

  it('checks an idle policy against the default warning when only the policy is given', async () => {
    const team = await olderTeam();
    // The default warning (7 days) comes before 30 days of idleness: accepted, and stored whole.
    const { settings } = await team.admin.api.settings.update.mutate({ teamId: team.teamId, idleDisableDays: 30 });
    expect(settings).toMatchObject({ idleDisableDays: 30, idleWarningDays: DEFAULT_TEAM_SETTINGS.idleWarningDays, leakResponse: DEFAULT_TEAM_SETTINGS.leakResponse });
    const preview = await team.admin.api.settings.previewIdlePolicy.query({ teamId: team.teamId, idleDisableDays: 30 });
    expect(preview).toEqual({ disableNow: 0, warn: 0, byOwner: [] });
  });
});
