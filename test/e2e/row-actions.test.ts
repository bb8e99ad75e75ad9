import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, screenshot, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { seedKey } from '../helpers/keys';

/**
 * Acting on keys where they are shown: a row's own Revoke (admins in the dashboard, members on
 * their own keys in the popup and the member dashboard), "Select all N matching" over a few
 * hundred keys of one owner among others (300 keep the test fast; the server pages through any
 * number up to 10,000), and what the screens show right after Revoke All, for an admin's table
 * and for the popup of a member who just lost 610 keys.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'rowactions' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/** Inserts `n` keys straight through the repo, a batch at a time (issuing them through the API would take minutes). */
async function seedMany(teamId: string, ownerId: string, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => seedKey(server, { teamId, ownerId, name: `${prefix}-${String(i + j).padStart(3, '0')}` })));
  }
}

async function acme() {
  const team = await createTeam(server, 'Acme');
  const ann = await team.addUser('ann');
  const bob = await team.addUser('bob');
  const signIn = (user: TestUser, role: string) => setSession(ext, sessionOf(server.url, user, { teamId: team.teamId, name: 'Acme', role }), settingsFor(server.url));
  const statusOf = async (user: TestUser, name: string) => (await user.api.keys.mine.query({ teamId: team.teamId, limit: 100 })).items.find((k) => k.name === name)?.status;
  return { team, ann, bob, signIn, statusOf };
}

const rowOf = (page: Page, keyName: string) => page.locator(`table.keys tbody tr:has(td.key-name:text-is("${keyName}"))`);
const tagTexts = (page: Page) => page.locator('table.keys tbody .tag').allTextContents();

describe('row actions', () => {
  it('lets an admin revoke one key from its row: Revoke, then the confirmation that names the key and its owner', async () => {
    const { team, ann, signIn, statusOf } = await acme();
    for (const name of ['ann-ci', 'ann-laptop']) await ann.api.keys.create.mutate({ teamId: team.teamId, name });
    await signIn(team.admin, 'super_admin');
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    const row = rowOf(page, 'ann-ci');
    await row.waitFor();

    await row.hover();
    await screenshot(page, 'row-actions', { until: page.locator('table.keys') });
    await row.getByRole('button', { name: 'Revoke ann-ci', exact: true }).click();
    const question = row.getByRole('group', { name: 'Confirm revoking ann-ci' });
    // The key and its owner, by name and email.
    expect(await question.textContent()).toMatch(new RegExp(`^Revoke “ann-ci” of .*<${ann.email.replace(/[.]/g, '\\.')}>\\?`));
    await screenshot(page, 'row-revoke-confirm', { until: page.locator('table.keys') });
    await question.getByRole('button', { name: 'Revoke key' }).click();

    await expect.poll(() => row.locator('.tag').textContent(), POLL).toBe('REVOKED');
    await page.getByRole('status').getByText(`Revoked “ann-ci”. ${ann.email} was notified.`).waitFor();
    expect(await statusOf(ann, 'ann-ci')).toBe('revoked');
    expect(await statusOf(ann, 'ann-laptop')).toBe('enabled');

    // On a narrow screen the same actions sit behind "⋯".
    await page.setViewportSize({ width: 760, height: 860 });
    const other = rowOf(page, 'ann-laptop');
    await other.getByRole('button', { name: 'Actions for ann-laptop' }).click();
    await other.getByRole('menuitem', { name: 'Disable' }).click();
    await expect.poll(() => other.locator('.tag').textContent(), POLL).toBe('DISABLED');
    expect(await statusOf(ann, 'ann-laptop')).toBe('disabled');
    await page.close();
  });

  it('lets a member revoke their own key from the popup, and from the dashboard', async () => {
    const { team, ann, signIn, statusOf } = await acme();
    for (const name of ['leaked', 'deploy', 'spare']) await ann.api.keys.create.mutate({ teamId: team.teamId, name });
    await signIn(ann, 'member');
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 380, height: 600 });
    await page.goto(ext.url('popup.html'));
    const mine = page.getByRole('list', { name: 'My keys' });
    await mine.getByRole('button', { name: 'Revoke leaked' }).click();
    await mine.getByRole('group', { name: 'Confirm' }).getByText('Revoke “leaked”? Anything using it stops working at once.').waitFor();
    await mine.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => mine.locator('li:has(.key-name:text-is("leaked")) .tag').textContent(), POLL).toBe('REVOKED');
    expect(await statusOf(ann, 'leaked')).toBe('revoked');

    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(ext.url('dashboard.html'));
    const row = rowOf(page, 'deploy');
    await row.hover();
    await row.getByRole('button', { name: 'Revoke deploy', exact: true }).click();
    await row.getByRole('group', { name: 'Confirm revoking deploy' }).getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.locator('.tag').textContent(), POLL).toBe('REVOKED');
    expect(await statusOf(ann, 'deploy')).toBe('revoked');
    expect(await statusOf(ann, 'spare')).toBe('enabled');
    await page.close();
  });
});

describe('big teams', () => {
  it('revokes exactly the 300 keys of one owner among others with "Select all 300 matching", in one action', async () => {
    const { team, ann, bob, signIn } = await acme();
    await seedMany(team.teamId, ann.userId, 'ann', 300);
    await seedMany(team.teamId, bob.userId, 'bob', 40);
    const other = await createTeam(server, 'Other');
    await seedMany(other.teamId, other.admin.userId, 'ann', 5);
    await signIn(team.admin, 'super_admin');
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await page.getByText('Showing 50 of 340 keys').waitFor();

    await page.getByRole('combobox', { name: 'Generated by' }).fill(ann.email);
    await page.getByRole('option', { name: ann.email }).click();
    await page.getByText('Showing 50 of 300 keys').waitFor();
    await page.getByLabel('Select all keys on this page').check();
    await page.getByRole('button', { name: 'Select all 300 matching keys' }).click();
    await page.getByText('All 300 matching keys selected').waitFor();
    await page.getByRole('button', { name: 'Revoke all 300 matching' }).click();
    await page.getByRole('group', { name: 'Confirm' }).getByText('Revoke all 300 keys of Acme matching these filters?', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Revoke 300 matching keys' }).click();
    await page.getByRole('status').getByText('Revoked 300 keys of Acme, of the 300 matching. Owners were notified.').waitFor();
    expect(await tagTexts(page)).not.toContain('ENABLED');

    const count = async (user: TestUser) => {
      const page1 = await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled', 'disabled', 'revoked'], generatedBy: [user.userId], limit: 1 });
      return page1.counts;
    };
    expect(await count(ann)).toEqual({ enabled: 0, disabled: 0, revoked: 300 });
    expect(await count(bob)).toEqual({ enabled: 40, disabled: 0, revoked: 0 });
    const untouched = await other.admin.api.keys.list.query({ teamId: other.teamId, view: ['enabled'], limit: 10 });
    expect(untouched.items).toHaveLength(5);
    const audit = (await team.admin.api.audit.list.query({ teamId: team.teamId })).items.filter((e) => e.action === 'key.revoked');
    expect(audit.map((e) => e.targets.count)).toEqual([300]);
    await page.close();
  });

  it('shows no ENABLED row right after Revoke All, and keeps the popup of a member who lost 610 keys under 600 px', async () => {
    const { team, ann, bob, signIn } = await acme();
    await seedMany(team.teamId, ann.userId, 'ann', 610);
    await seedMany(team.teamId, bob.userId, 'bob', 10);
    await signIn(team.admin, 'super_admin');
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await page.getByText('Showing 50 of 620 keys').waitFor();
    await page.getByRole('button', { name: 'Revoke all…' }).click();
    await page.getByLabel('Type REVOKE ALL to confirm').fill('REVOKE ALL');
    await page.getByRole('button', { name: 'Revoke all keys' }).click();
    await page.getByText('Revoked all 620 keys of Acme. Owners were notified.').waitFor();
    // The moment the answer is on screen, before the list has been read again.
    expect(await tagTexts(page)).not.toContain('ENABLED');
    expect(await page.locator('.counts-inline').textContent()).toContain('0 enabled');
    await expect.poll(() => page.locator('.table-wrap').getAttribute('aria-busy'), POLL).not.toBe('true');
    expect(new Set(await tagTexts(page))).toEqual(new Set(['REVOKED']));
    await page.close();

    await signIn(ann, 'member');
    const popup = await ext.context.newPage();
    await popup.setViewportSize({ width: 380, height: 600 });
    await popup.goto(ext.url('popup.html'));
    const alerts = popup.getByRole('list', { name: 'Alerts' });
    await alerts.getByText(`610 of your keys were revoked by ${team.admin.email} (Revoke All) in Acme.`).waitFor();
    await popup.getByRole('list', { name: 'My keys' }).waitFor();
    expect(await alerts.locator('.chip').count()).toBe(0);
    const height = await popup.evaluate(() => document.querySelector('main.popup')!.getBoundingClientRect().height);
    expect(height).toBeLessThan(600);
    await popup.getByRole('button', { name: 'Show 5 more' }).waitFor();
    await screenshot(popup, 'popup-many-keys');
    await popup.close();
  });
});
