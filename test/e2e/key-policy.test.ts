import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBothSchemes } from '../helpers/axe';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * A key's policy in the built extension against a real server: the details panel previews a
 * narrowing against the key's recorded verifications, "Limit to the addresses it used" fills the
 * addresses from them, and verify then serves exactly those callers. Axe checks the panel with
 * its preview in light and dark mode.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'key-policy-ui' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/** A verification on behalf of a service whose caller came from `ip`. */
async function verifyFrom(key: string, ip: string): Promise<{ valid: boolean; code?: string; reason?: string }> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key, context: { ip } }) });
  return res.json() as Promise<{ valid: boolean; code?: string; reason?: string }>;
}

describe('the key policy panel', () => {
  it('previews an address restriction, limits the key to the addresses it used, and verify agrees', async () => {
    const team = await createTeam(server, 'Acme');
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'web' });
    for (let i = 0; i < 5; i++) expect(await verifyFrom(created.key, '203.0.113.5')).toMatchObject({ valid: true });
    for (let i = 0; i < 2; i++) expect(await verifyFrom(created.key, '198.51.100.7')).toMatchObject({ valid: true });
    await server.services.usage.flush();

    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await page.getByRole('link', { name: 'Details of web' }).click();
    const panel = page.getByRole('dialog');
    await panel.getByRole('heading', { name: 'Policy' }).waitFor();

    await panel.getByLabel(/^Allowed addresses/).fill('203.0.113.0/24');
    await panel.getByRole('button', { name: 'Save policy' }).click();
    await panel.getByText('2 of the 7 verifications in the last 30 days would have been refused: 198.51.100.7 ×2.').waitFor();
    expect(await checkBothSchemes(page, 'key details with a restrictions preview')).toEqual([]);

    await panel.getByRole('button', { name: 'Limit to the addresses it used' }).click();
    await panel.getByText('Saved. None of the 7 verifications in the last 30 days would have been refused.').waitFor();
    const stored = async () => (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items[0]!.restrictions.ips.sort();
    await expect.poll(stored, POLL).toEqual(['198.51.100.7', '203.0.113.5']);

    // Verify serves the callers the key had, and refuses another (within the revocation bound).
    await expect.poll(() => verifyFrom(created.key, '192.0.2.1'), POLL).toMatchObject({ valid: false, code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
    expect(await verifyFrom(created.key, '198.51.100.7')).toMatchObject({ valid: true });
    expect(await verifyFrom(created.key, '::ffff:203.0.113.5')).toMatchObject({ valid: true });
    await page.close();
  });
});
