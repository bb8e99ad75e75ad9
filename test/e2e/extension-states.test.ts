import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, readBadge, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';

/**
 * The states around the happy path: signed out, server down, session expired,
 * a member on the admin dashboard, generating a key, admin tools in the popup,
 * CSV export and Revoke All.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'extstates' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/** Team "Acme" of each test's own: a member with three keys. */
async function acme() {
  const team = await createTeam(server, 'Acme');
  const member = await team.addUser('member');
  for (const name of ['one', 'two', 'three']) await member.api.keys.create.mutate({ teamId: team.teamId, name });
  const sessionAs = (user: TestUser, role: string, serverUrl = server.url, token = user.token) =>
    sessionOf(serverUrl, { ...user, token }, { teamId: team.teamId, name: 'Acme', role });
  return { team, member, sessionAs };
}

describe('the extension in every state', () => {
  it('shows signed-out pages with a way to sign in, and an empty badge', async () => {
    await setSession(ext, null);
    const page = await ext.context.newPage();
    await page.goto(ext.url('popup.html'));
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await page.goto(ext.url('dashboard.html'));
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await expect.poll(async () => (await readBadge(ext)).text, POLL).toBe('');
    await page.close();
  });

  it('says the server is unreachable, with a retry, when nothing answers at the URL', async () => {
    const { member, sessionAs } = await acme();
    const dead = 'http://127.0.0.1:9';
    await setSession(ext, sessionAs(member, 'member', dead), settingsFor(dead));
    const page = await ext.context.newPage();
    await page.goto(ext.url('popup.html'));
    await page.getByText('Server unreachable').first().waitFor();
    await expect(page.getByRole('button', { name: 'Try again' }).first().isVisible()).resolves.toBe(true);
    await expect.poll(async () => (await readBadge(ext)).title, POLL).toMatch(/Can't reach the Keywarden server/);
    await page.close();
  });

  it('sends an expired session back to sign-in', async () => {
    const { member, sessionAs } = await acme();
    await setSession(ext, sessionAs(member, 'member', server.url, 'not-a-valid-session-token'), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.goto(ext.url('popup.html'));
    await page.getByRole('heading', { name: 'Your session has expired' }).waitFor();
    await page.goto(ext.url('options.html'));
    await page.getByText('Your session has expired. Sign in again.').waitFor();
    await page.close();
  });

  it('shows a member their own keys on the dashboard with the reason, even if the stored role was stale', async () => {
    // The stored session claims "admin"; the dashboard re-reads the role from the server.
    const { member, sessionAs } = await acme();
    await setSession(ext, sessionAs(member, 'admin'), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await page.getByText('so you see only the keys you generated').waitFor();
    await expect.poll(() => page.locator('table.keys tbody tr').count(), POLL).toBe(3);
    await expect(page.getByRole('tab', { name: 'Settings' }).count()).resolves.toBe(0);
    await page.close();
  });

  it('lets a member generate a key and shows the secret once with a copy button', async () => {
    const { member, sessionAs } = await acme();
    await setSession(ext, sessionAs(member, 'member'), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 380, height: 700 });
    await page.goto(ext.url('popup.html'));
    await page.getByRole('button', { name: 'Generate key' }).click();
    await page.getByLabel('Key name').fill('from-popup');
    await page.getByRole('button', { name: 'Generate key' }).click();
    const secret = page.getByLabel('Your new API key');
    await secret.waitFor();
    expect(await secret.inputValue()).toMatch(/^kw_[0-9A-Za-z]{36}$/);
    await expect(page.getByText('This is the only time Keywarden shows it').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Copy' }).isVisible()).resolves.toBe(true);
    await page.getByRole('list', { name: 'My keys' }).getByText('from-popup').waitFor();
    await page.close();
  });

  it('gives admins counts, find-by-value with Revoke, CSV export and Revoke All', async () => {
    const { team, member, sessionAs } = await acme();
    const leaked = (await member.api.keys.create.mutate({ teamId: team.teamId, name: 'leaked' })).key;
    await setSession(ext, sessionAs(team.admin, 'super_admin'), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 380, height: 700 });
    await page.goto(ext.url('popup.html'));
    // The member's three keys and the leaked one.
    await expect.poll(() => page.locator('.count-enabled dd').textContent(), POLL).toBe('4');
    await page.getByLabel('Key value').fill(leaked.slice(0, -1));
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText(/checksum|exactly/).first().waitFor();
    await page.getByLabel('Key value').fill(leaked);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.locator('.lookup-result').getByText('leaked').waitFor();
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('button', { name: 'Revoke now' }).click();
    await page.locator('.lookup-result .tag-revoked').waitFor();

    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(ext.url('dashboard.html'));
    await expect.poll(() => page.locator('table.keys tbody tr').count(), POLL).toBe(4);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export keys (CSV)' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('name');
    expect(csv).toContain('leaked');

    await page.getByRole('button', { name: 'Revoke all…' }).click();
    const confirmButton = page.getByRole('button', { name: 'Revoke all keys' });
    await page.getByLabel('Type REVOKE ALL to confirm').fill('revoke all');
    expect(await confirmButton.isDisabled()).toBe(true);
    await page.getByLabel('Type REVOKE ALL to confirm').fill('REVOKE ALL');
    await confirmButton.click();
    await page.getByText(/Revoked all 3 keys of Acme/).waitFor();
    const left = await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled', 'disabled'] });
    expect(left.items).toEqual([]);
    await page.close();
  });
});
