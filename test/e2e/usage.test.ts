import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBothSchemes } from '../helpers/axe';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { verifyKey } from '../helpers/keys';

/**
 * Usage in the extension, against a real server: keys are verified through POST /v1/keys/verify,
 * the counts flushed, and then every revoke question says what the revoke would break (a row,
 * the ticked keys, Revoke All, the popup, the context menu's confirm window); rows draw their
 * 7 days and show tries after a revoke; a key's name opens its details; the team overview links
 * to idle keys. Axe checks the new panel and the confirm window in light and dark mode.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'usage-ui' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/** Where a verify from this test comes from, as the server records it. */
const LOOPBACK = '(127\\.0\\.0\\.1|::ffff:127\\.0\\.0\\.1|::1)';
const AGO = '(under a minute|\\d+ minutes?) ago';

async function acme() {
  const team = await createTeam(server, 'Acme');
  const ann = await team.addUser('ann');
  const keys: Record<string, { id: string; value: string }> = {};
  for (const name of ['ann-ci', 'ann-idle', 'ann-leaked']) {
    const created = await ann.api.keys.create.mutate({ teamId: team.teamId, name });
    keys[name] = { id: created.row.id, value: created.key };
  }
  const signIn = (user: TestUser, role: string) => setSession(ext, sessionOf(server.url, user, { teamId: team.teamId, name: 'Acme', role }), settingsFor(server.url));
  return { team, ann, keys, signIn };
}

/** Presents a key `n` times to the verify API, then writes the counts (what the flusher does every 10 s). */
async function useKey(value: string, n: number, expected: { valid: boolean; code?: string }) {
  for (let i = 0; i < n; i++) expect(await verifyKey(server, value)).toMatchObject(expected);
  await server.services.usage.flush();
}

const rowOf = (page: Page, keyName: string) => page.locator(`table.keys tbody tr:has(td.key-name:text-is("${keyName}"))`);

describe('usage in the dashboard', () => {
  it('says in each revoke question how often the keys were used in the last 24 h, then revokes', async () => {
    const { team, ann, keys, signIn } = await acme();
    await useKey(keys['ann-ci']!.value, 7, { valid: true });
    await signIn(team.admin, 'super_admin');
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    const row = rowOf(page, 'ann-ci');
    await row.waitFor();

    // The row: its 24 h count and its 7 days, drawn from keys.usage.
    await row.getByText('7 in 24 h').waitFor();
    await row.getByRole('img', { name: /^Valid uses per day, last 7 days: .* 7$/ }).waitFor();

    await row.hover();
    await row.getByRole('button', { name: 'Revoke ann-ci', exact: true }).click();
    const question = row.getByRole('group', { name: 'Confirm revoking ann-ci' });
    await question.getByText('Used 7 times in the last 24 h', { exact: false }).waitFor();
    expect(await question.textContent()).toMatch(/^Revoke “ann-ci” of .*This cannot be undone\.Used 7 times/);
    expect(await question.locator('.usage-impact').textContent()).toMatch(new RegExp(`^Used 7 times in the last 24 h, last ${AGO} from ${LOOPBACK}\\.$`));
    await question.getByRole('button', { name: 'Cancel' }).click();

    const idle = rowOf(page, 'ann-idle');
    await idle.hover();
    await idle.getByRole('button', { name: 'Revoke ann-idle', exact: true }).click();
    await idle.getByRole('group', { name: 'Confirm revoking ann-idle' }).getByText('Never used.').waitFor();
    await idle.getByRole('group', { name: 'Confirm revoking ann-idle' }).getByRole('button', { name: 'Cancel' }).click();

    await page.getByLabel('Select ann-ci').check();
    await page.getByLabel('Select ann-idle').check();
    await page.getByRole('button', { name: 'Revoke selected (2)' }).click();
    await page.getByRole('group', { name: 'Confirm' }).getByText('1 of the 2 selected keys was used in the last 24 h (7 uses).').waitFor();
    await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Revoke all…' }).click();
    await page.getByRole('dialog').getByText('1 key of the team was used in the last 24 h, 7 times in all. Most used: “ann-ci” (7).').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await row.hover();
    await row.getByRole('button', { name: 'Revoke ann-ci', exact: true }).click();
    await question.getByText('Used 7 times in the last 24 h', { exact: false }).waitFor();
    await question.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.locator('.tag').textContent(), POLL).toBe('REVOKED');
    const mine = await ann.api.keys.mine.query({ teamId: team.teamId });
    expect(mine.items.find((k) => k.name === 'ann-ci')?.status).toBe('revoked');
    await page.close();
  });

  it('opens a key’s details from its name: 30 days, last address and user agent, history; axe finds nothing serious', async () => {
    const { team, keys, signIn } = await acme();
    await useKey(keys['ann-ci']!.value, 3, { valid: true });
    await signIn(team.admin, 'super_admin');
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await rowOf(page, 'ann-ci').getByRole('link', { name: 'Details of ann-ci' }).click();

    const panel = page.getByRole('dialog', { name: 'ann-ci' });
    await panel.getByRole('img', { name: /^Uses of “ann-ci” per day, last 30 days: 3 valid uses and 0 refused tries/ }).waitFor();
    await expect.poll(() => panel.textContent(), POLL).toMatch(new RegExp(`Last used${AGO} \\(.*\\) from ${LOOPBACK}`));
    await panel.getByText('User agent').waitFor();
    await panel.getByRole('listitem').getByText('Generated', { exact: true }).waitFor();
    await expect.poll(() => page.locator('.loading').count(), POLL).toBe(0);
    expect(await checkBothSchemes(page, 'dashboard, key details panel')).toEqual([]);

    await panel.getByRole('button', { name: 'Close the key details' }).click();
    await expect.poll(() => panel.isVisible(), POLL).toBe(false);
    await page.close();
  });

  it('shows tries of a revoked key in its row, and the team overview links to idle keys through the list sorted by use', async () => {
    const { team, keys, signIn } = await acme();
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [keys['ann-leaked']!.id] });
    await useKey(keys['ann-leaked']!.value, 3, { valid: false, code: 'REVOKED' });
    await useKey(keys['ann-ci']!.value, 2, { valid: true });
    await signIn(team.admin, 'super_admin');
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));

    await rowOf(page, 'ann-leaked').getByText(new RegExp(`^tried 3 times since revoked, last ${AGO}$`)).waitFor();

    const overview = page.getByRole('region', { name: 'Usage' });
    await overview.getByText('2 valid verifications').waitFor();
    await overview.getByText('3 refused (revoked, disabled or expired keys)').waitFor();
    await overview.getByRole('button', { name: 'Show the 1 never-used key in the list' }).click();
    await page.getByText('Working keys by most recent use', { exact: false }).waitFor();
    expect(await page.getByLabel('Sort').inputValue()).toBe('recently_used');
    await expect.poll(() => page.locator('table.keys tbody tr td.key-name').allTextContents(), POLL).toEqual(['ann-ci', 'ann-idle']);
    await page.close();
  });
});

describe('usage where members revoke', () => {
  it('says how often the key was used in the confirm window of the context menu’s quick revoke, and in the popup', async () => {
    const { team, ann, keys, signIn } = await acme();
    await useKey(keys['ann-leaked']!.value, 4, { valid: true });
    await useKey(keys['ann-ci']!.value, 2, { valid: true });
    await signIn(ann, 'member');

    const popup = await ext.context.newPage();
    await popup.setViewportSize({ width: 380, height: 600 });
    await popup.goto(ext.url('popup.html'));
    const mine = popup.getByRole('list', { name: 'My keys' });
    await mine.getByRole('button', { name: 'Revoke ann-ci' }).click();
    await mine.getByRole('group', { name: 'Confirm' }).getByText('Used 2 times in the last 24 h', { exact: false }).waitFor();
    await mine.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Cancel' }).click();
    await popup.close();

    const outcome = await ext.worker.evaluate(
      (selectionText) => (globalThis as any).keywarden.menuClick({ menuItemId: 'keywarden-revoke', selectionText }),
      keys['ann-leaked']!.value,
    );
    expect(outcome.kind).toBe('confirming');
    // Chrome opens the window; Playwright may report its page before the URL is known, so find the page by URL.
    const confirmPage = () => ext.context.pages().find((p) => p.url().includes(`confirm.html#${outcome.pending.id}`));
    await expect.poll(confirmPage, POLL).toBeTruthy();
    const page = confirmPage()!;
    await page.getByRole('heading', { name: 'Revoke this API key?' }).waitFor();
    await page.getByText('Used 4 times in the last 24 h', { exact: false }).waitFor();
    expect(await page.locator('.usage-impact').textContent()).toMatch(new RegExp(`^Used 4 times in the last 24 h, last ${AGO} from ${LOOPBACK}\\.$`));
    expect(await checkBothSchemes(page, 'confirm window with recent use')).toEqual([]);
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('Revoked. Anything using this key is now refused.').waitFor();
    const mineNow = await ann.api.keys.mine.query({ teamId: team.teamId });
    expect(mineNow.items.find((k) => k.name === 'ann-leaked')?.status).toBe('revoked');
    await page.close();
  });
});
