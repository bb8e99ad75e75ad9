import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBothSchemes } from '../helpers/axe';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';

/**
 * Accessibility in the browser: axe-core on every page of the built extension
 * (popup, options, each dashboard tab, the confirm window), in light and in
 * dark mode, in the states a user meets (empty, filled, asking to confirm, a
 * dialog open). A serious or critical violation fails the test, which lists
 * each one as page, scheme, rule, element and fix. Also the dashboard tabs'
 * keyboard model and long names that must not widen the key table.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'a11y' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/** A key name of 100 characters and no spaces, the longest the schema allows. */
const LONG_NAME = `build-${'x'.repeat(94)}`;

/** Team "Acme": the member's keys in every state (one revoked, so they have an unread notice), the admin's own key. */
async function acme() {
  const team = await createTeam(server, 'Acme');
  const member = await team.addUser('member');
  const keys: Record<string, { id: string; value: string }> = {};
  for (const [user, name] of [[member, 'member-ci'], [member, 'member-laptop'], [member, LONG_NAME], [member, 'member-old'], [team.admin, 'admin-tools']] as const) {
    const created = await user.api.keys.create.mutate({ teamId: team.teamId, name });
    keys[name] = { id: created.row.id, value: created.key };
  }
  await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [keys['member-old']!.id] });
  await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [keys['member-laptop']!.id] });
  const signIn = (user: TestUser, role: string) => setSession(ext, sessionOf(server.url, user, { teamId: team.teamId, name: 'Acme', role }), settingsFor(server.url));
  return { team, member, keys, signIn };
}

/** Opens an extension page and waits until nothing on it is still loading. */
async function open(path: string, ready: (page: Page) => Promise<unknown>, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await ext.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(ext.url(path));
  await ready(page);
  await settled(page);
  return page;
}

/** No spinner left: axe must see the page as the user reads it, not half loaded. */
const settled = (page: Page) => expect.poll(() => page.locator('.loading').count(), POLL).toBe(0);

const POPUP = { width: 380, height: 720 };

describe('accessibility (axe-core, light and dark)', () => {
  it('finds nothing serious in the popup, signed out, as an admin and as a member with unread alerts', async () => {
    const { team, member, signIn } = await acme();
    const found: string[] = [];

    await setSession(ext, null);
    let page = await open('popup.html', (p) => p.getByRole('heading', { name: 'You are signed out' }).waitFor(), POPUP);
    found.push(...(await checkBothSchemes(page, 'popup, signed out')));
    await page.close();

    await signIn(team.admin, 'super_admin');
    page = await open('popup.html', (p) => p.getByRole('heading', { name: 'Team keys' }).waitFor(), POPUP);
    await expect.poll(() => page.locator('.count-enabled dd').textContent(), POLL).not.toBe('…');
    found.push(...(await checkBothSchemes(page, 'popup, admin')));
    await page.close();

    await expect.poll(async () => (await member.api.notifications.list.query({ limit: 8 })).items.length, { timeout: 30_000, interval: 200 }).toBeGreaterThan(0);
    await signIn(member, 'member');
    page = await open('popup.html', (p) => p.getByRole('list', { name: 'Alerts' }).waitFor(), POPUP);
    await page.getByRole('list', { name: 'My keys' }).waitFor();
    found.push(...(await checkBothSchemes(page, 'popup, member with unread alerts')));
    await page.getByRole('button', { name: 'Generate key' }).click();
    await page.getByLabel('Key name').waitFor();
    found.push(...(await checkBothSchemes(page, 'popup, generate key form')));
    await page.close();

    expect(found).toEqual([]);
  });

  it('finds nothing serious on the options page, signed out and signed in', async () => {
    const { team, signIn } = await acme();
    const found: string[] = [];

    await setSession(ext, null);
    let page = await open('options.html', (p) => p.getByRole('heading', { name: 'Sign in' }).waitFor());
    found.push(...(await checkBothSchemes(page, 'options, signed out')));
    await page.close();

    await signIn(team.admin, 'super_admin');
    page = await open('options.html', (p) => p.getByText(`Signed in as ${team.admin.email}`).waitFor());
    found.push(...(await checkBothSchemes(page, 'options, signed in')));
    await page.close();

    expect(found).toEqual([]);
  });

  it('finds nothing serious on any dashboard tab, in the revoke-all dialog, or in the member view', async () => {
    const { team, member, signIn } = await acme();
    const found: string[] = [];
    await signIn(team.admin, 'super_admin');
    const page = await open('dashboard.html', (p) => p.locator('table.keys tbody tr').first().waitFor());

    found.push(...(await checkBothSchemes(page, 'dashboard, keys tab')));
    await page.getByLabel('Select member-ci').check();
    await page.getByRole('button', { name: 'Revoke selected (1)' }).click();
    await page.getByRole('group', { name: 'Confirm' }).waitFor();
    found.push(...(await checkBothSchemes(page, 'dashboard, keys tab, a row selected and asking to confirm')));
    await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Revoke all…' }).click();
    await page.getByRole('dialog').waitFor();
    found.push(...(await checkBothSchemes(page, 'dashboard, revoke-all dialog')));
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Set expiry for API keys' }).waitFor();
    await page.getByLabel('Keys expire after').check();
    await page.getByLabel('Maximum key lifetime in days').fill('30');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('button', { name: 'Apply policy' }).waitFor();
    await settled(page);
    found.push(...(await checkBothSchemes(page, 'dashboard, settings tab with a policy preview')));

    await page.getByRole('tab', { name: 'Members' }).click();
    await page.locator('table.members').waitFor();
    await settled(page);
    found.push(...(await checkBothSchemes(page, 'dashboard, members tab')));

    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.locator('table.audit').waitFor();
    await settled(page);
    found.push(...(await checkBothSchemes(page, 'dashboard, audit log tab')));

    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('CI deploy');
    await page.getByRole('checkbox', { name: /keys:read/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByLabel('Your new API token').waitFor();
    await page.locator('table.tokens tbody tr').first().waitFor();
    await settled(page);
    found.push(...(await checkBothSchemes(page, 'dashboard, API tokens tab with a new token shown once')));
    await page.close();

    await signIn(member, 'member');
    const memberPage = await open('dashboard.html', (p) => p.locator('table.keys tbody tr').first().waitFor());
    found.push(...(await checkBothSchemes(memberPage, 'dashboard, member view')));
    await memberPage.close();

    expect(found).toEqual([]);
  });

  it('finds nothing serious in the quick-revoke confirm window, before and after revoking', async () => {
    const { member, keys, signIn } = await acme();
    await signIn(member, 'member');
    const found: string[] = [];
    const outcome = await ext.worker.evaluate(
      (selectionText) => (globalThis as any).keywarden.menuClick({ menuItemId: 'keywarden-revoke', selectionText }),
      keys['member-ci']!.value,
    );
    expect(outcome.kind).toBe('confirming');
    // Chrome opens the window; Playwright may report its page before the URL is known, so find the page by URL.
    const confirmPage = () => ext.context.pages().find((p) => p.url().includes(`confirm.html#${outcome.pending.id}`));
    await expect.poll(confirmPage, POLL).toBeTruthy();
    const page = confirmPage()!;
    await page.getByRole('heading', { name: 'Revoke this API key?' }).waitFor();
    found.push(...(await checkBothSchemes(page, 'confirm window, asking')));
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('heading', { name: 'Key revoked' }).waitFor();
    found.push(...(await checkBothSchemes(page, 'confirm window, revoked')));
    await page.close();

    expect(found).toEqual([]);
  });
});

describe('dashboard keyboard and layout', () => {
  it('moves between the dashboard tabs with the arrow keys, Home and End, with one tab stop', async () => {
    const { team, signIn } = await acme();
    await signIn(team.admin, 'super_admin');
    const page = await open('dashboard.html', (p) => p.getByRole('tab', { name: 'Keys' }).waitFor());
    /** The selected tab, the focused tab, and which tabs Tab can reach (tabindex 0). */
    const state = () =>
      page.evaluate(() => {
        const tabs = [...document.querySelectorAll<HTMLElement>('[role="tab"]')];
        const panel = document.getElementById(tabs.find((t) => t.getAttribute('aria-selected') === 'true')!.getAttribute('aria-controls')!);
        return {
          selected: tabs.filter((t) => t.getAttribute('aria-selected') === 'true').map((t) => t.textContent),
          focused: document.activeElement?.textContent,
          tabStops: tabs.filter((t) => t.tabIndex === 0).map((t) => t.textContent),
          panelShown: !!panel && !panel.hidden && panel.getAttribute('aria-labelledby') === document.activeElement?.id,
        };
      });

    await page.getByRole('tab', { name: 'Keys' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(state, POLL).toEqual({ selected: ['Settings'], focused: 'Settings', tabStops: ['Settings'], panelShown: true });
    await page.keyboard.press('End');
    await expect.poll(state, POLL).toEqual({ selected: ['Audit log'], focused: 'Audit log', tabStops: ['Audit log'], panelShown: true });
    await page.keyboard.press('ArrowRight');
    await expect.poll(state, POLL).toEqual({ selected: ['Keys'], focused: 'Keys', tabStops: ['Keys'], panelShown: true });
    await page.keyboard.press('ArrowLeft');
    await expect.poll(state, POLL).toEqual({ selected: ['Audit log'], focused: 'Audit log', tabStops: ['Audit log'], panelShown: true });
    await page.keyboard.press('Home');
    await expect.poll(state, POLL).toEqual({ selected: ['Keys'], focused: 'Keys', tabStops: ['Keys'], panelShown: true });
    // Tab leaves the tab list for the panel instead of walking through the other tabs.
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), POLL).toBe('panel-keys');
    await page.close();
  });

  it('cuts a long key name without spaces short on screen, keeps it whole in the page, and keeps the table within the window', async () => {
    const { team, signIn } = await acme();
    await signIn(team.admin, 'super_admin');
    const page = await open('dashboard.html', (p) => p.locator('table.keys tbody tr').first().waitFor());
    const cell = page.locator('td.key-name', { hasText: LONG_NAME });
    await cell.waitFor();
    const layout = await cell.evaluate((td) => {
      const wrap = td.closest('.table-wrap')!;
      return {
        text: td.textContent,
        clipped: td.scrollWidth > td.clientWidth,
        ellipsis: getComputedStyle(td).textOverflow,
        tableFits: wrap.scrollWidth <= wrap.clientWidth,
        pageFits: document.documentElement.scrollWidth <= window.innerWidth,
      };
    });
    expect(layout).toEqual({ text: LONG_NAME, clipped: true, ellipsis: 'ellipsis', tableFits: true, pageFits: true });
    await page.close();
  });
});
