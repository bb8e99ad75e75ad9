import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBothSchemes } from '../helpers/axe';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * A key's rate limits and credits edited in the built extension's details panel (a form, checked
 * with the shared schema before it is sent), stored by the server, and applied by verify. Axe checks
 * the form in light and dark mode.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'key-limits-ui' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

describe('the limits form', () => {
  it('refuses a bad limit next to its field, then saves a rate limit and monthly credits that verify applies', async () => {
    const team = await createTeam(server, 'Acme');
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'metered' });
    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await page.getByRole('link', { name: 'Details of metered' }).click();
    const panel = page.getByRole('dialog');
    await panel.getByRole('button', { name: 'Edit limits' }).click();
    const form = panel.getByRole('form', { name: 'Edit rate limits and credits' });

    await form.getByRole('button', { name: 'Add a rate limit' }).click();
    const limit = form.getByRole('group', { name: 'Rate limit 1' });
    await limit.getByLabel('Name', { exact: true }).fill('Per Minute');
    await limit.getByLabel('Limit (calls)').fill('2');
    await limit.getByLabel('Window (1 second to 24 hours)').fill('1');
    await limit.getByLabel('Window unit').selectOption('minutes');
    await form.getByRole('button', { name: 'Save limits' }).click();
    // Upper case is refused before anything is sent, next to the field.
    await form.getByRole('alert').filter({ hasText: /Rate limit 1, name/ }).waitFor();
    expect((await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items[0]!.ratelimits).toEqual([]);

    await limit.getByLabel('Name', { exact: true }).fill('per_minute');
    await form.getByLabel('Limit the number of calls (credits)').check();
    await form.getByLabel(/^Remaining/).fill('500');
    await form.getByLabel('Refill', { exact: true }).selectOption('monthly');
    await form.getByLabel(/^Refill to/).fill('500');
    await form.getByLabel(/^Refill day/).fill('31');
    expect(await checkBothSchemes(page, 'key details with the limits form')).toEqual([]);
    await form.getByRole('button', { name: 'Save limits' }).click();
    await panel.getByText('per_minute: 2 per 60 s').waitFor();
    await panel.getByText(/500 left, refilled to 500 monthly on day 31/).waitFor();

    const [row] = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items;
    expect(row).toMatchObject({ ratelimits: [{ name: 'per_minute', limit: 2, durationMs: 60_000, autoApply: true }], credits: { remaining: 500, refill: { amount: 500, interval: 'monthly', refillDay: 31 } } });
    // Verify applies them (within the revocation bound): two calls a minute, each spending a credit.
    const verify = async () => (await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: created.key }) })).json();
    await expect.poll(verify, POLL).toMatchObject({ valid: true, ratelimits: [{ name: 'per_minute', limit: 2 }], credits: { remaining: expect.any(Number) } });
    await expect.poll(verify, POLL).toMatchObject({ valid: false, code: 'RATE_LIMITED' });
    await page.close();
  });
});
