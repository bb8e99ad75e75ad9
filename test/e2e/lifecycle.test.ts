import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * The key lifecycle in the built extension: Rotate next to Revoke in a dashboard row (grace
 * chosen from the short list, the new key shown once, the old row saying until when it works),
 * and a member's key request answered from an admin's popup.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'lifecycle-e2e' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

describe('key lifecycle in the extension', () => {
  it('rotates a key from its dashboard row and shows the grace on the old row', async () => {
    const team = await createTeam(server, 'Acme');
    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'billing' });
    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    const row = page.locator('table.keys tbody tr:has(td.key-name:text-is("billing"))').first();
    await row.waitFor();
    await row.hover();
    await row.getByRole('button', { name: 'Rotate billing', exact: true }).click();
    await row.getByRole('combobox', { name: 'Grace period' }).selectOption('168');
    await row.getByRole('button', { name: 'Rotate key' }).click();
    const secret = await page.getByLabel('Your new API key').inputValue();
    expect(secret).toMatch(/^kw_/);
    await page.getByLabel('I have copied the key and stored it safely').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText(/rotating — old key works until/).waitFor();
    const mine = await team.admin.api.keys.mine.query({ teamId: team.teamId, limit: 10 });
    expect(mine.items.filter((k) => k.name === 'billing')).toHaveLength(2);
    await page.close();
  });

  it("lists a member's request in an admin's popup, where Approve answers it", async () => {
    const team = await createTeam(server, 'Requests');
    const mia = await team.addUser('mia');
    await team.admin.api.settings.update.mutate({ teamId: team.teamId, allowMemberKeyGeneration: false });
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'ci deploy', reason: 'deploys from CI' });
    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Requests', role: 'super_admin' }), settingsFor(server.url));
    const popup = await ext.context.newPage();
    await popup.goto(ext.url('popup.html'));
    // The admin's alerts name the request too; the list of waiting requests is where it is answered.
    const waiting = popup.getByRole('list', { name: 'Key requests' });
    await waiting.getByText('deploys from CI', { exact: true }).waitFor();
    await waiting.getByRole('button', { name: `Approve ci deploy for ${mia.email}` }).click();
    await expect.poll(async () => (await mia.api.keyRequests.mine.query({ teamId: team.teamId })).find((r) => r.id === request.id)?.state, POLL).toBe('approved');
    await popup.close();
  });
});
