import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBothSchemes } from '../helpers/axe';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { contrastOf } from '../helpers/contrast';
import { POLL, screenshot, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * An admin of two teams must always see which team they act on: the switcher
 * in the dashboard's header and in the popup's names the current team in text
 * that reads (contrast of at least 4.5:1) in light and in dark mode, and
 * choosing the other team moves the page to it.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'switcher' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

const POPUP = { width: 380, height: 600 };

/** Acme's admin is also an admin of Globex; each team has one key named after it. */
async function twoTeams() {
  const acme = await createTeam(server, 'Acme');
  const globex = await createTeam(server, 'Globex');
  await server.services.teams.addMember({ teamId: globex.teamId, email: acme.admin.email, role: 'admin' });
  await acme.admin.api.keys.create.mutate({ teamId: acme.teamId, name: 'acme-ci' });
  await acme.admin.api.keys.create.mutate({ teamId: globex.teamId, name: 'globex-ci' });
  const user = acme.admin;
  await setSession(
    ext,
    {
      token: user.token,
      serverUrl: server.url,
      user: { id: user.userId, email: user.email, name: user.email },
      teams: [
        { teamId: acme.teamId, name: 'Acme', role: 'super_admin' },
        { teamId: globex.teamId, name: 'Globex', role: 'admin' },
      ],
    },
    { ...settingsFor(server.url), teamId: acme.teamId },
  );
  return { acme, globex };
}

/** What the switcher shows (its selected option) and how it reads, in each colour scheme. */
async function legibility(page: Page) {
  const select = page.getByRole('combobox', { name: 'Team' });
  const out: Record<string, { shown: string; ratio: number }> = {};
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const shown = await select.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? '');
    const { ratio } = await contrastOf(select);
    out[scheme] = { shown, ratio };
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return out;
}

describe('the team switcher with two teams', () => {
  it('names the current team legibly in the dashboard header, in both schemes, and switches the page to the other team', async () => {
    await twoTeams();
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await page.locator('table.keys td.key-name', { hasText: 'acme-ci' }).waitFor();

    const seen = await legibility(page);
    expect(seen.light!.shown).toBe('Acme (Super admin)');
    expect(seen.dark!.shown).toBe('Acme (Super admin)');
    expect(seen.light!.ratio).toBeGreaterThanOrEqual(4.5);
    expect(seen.dark!.ratio).toBeGreaterThanOrEqual(4.5);

    await page.getByRole('combobox', { name: 'Team' }).selectOption({ label: 'Globex (Admin)' });
    await page.locator('table.keys td.key-name', { hasText: 'globex-ci' }).waitFor();
    await expect.poll(() => page.locator('table.keys td.key-name', { hasText: 'acme-ci' }).count(), POLL).toBe(0);
    expect((await legibility(page)).dark!.shown).toBe('Globex (Admin)');
    await page.close();
  });

  it('names the current team legibly in the popup header, in both schemes', async () => {
    await twoTeams();
    const page = await ext.context.newPage();
    await page.setViewportSize(POPUP);
    await page.goto(ext.url('popup.html'));
    await page.getByRole('heading', { name: 'Team keys' }).waitFor();
    await expect.poll(() => page.locator('.count-enabled dd').textContent(), POLL).not.toBe('…');

    const seen = await legibility(page);
    expect(seen.light).toEqual({ shown: 'Acme (Super admin)', ratio: expect.any(Number) });
    expect(seen.light!.ratio).toBeGreaterThanOrEqual(4.5);
    expect(seen.dark!.ratio).toBeGreaterThanOrEqual(4.5);
    await screenshot(page, 'team-switcher', { dark: true });
    await page.close();
  });

  it('finds nothing serious for axe in the dashboard and the popup with two teams', async () => {
    await twoTeams();
    const found: string[] = [];
    const dashboard = await ext.context.newPage();
    await dashboard.goto(ext.url('dashboard.html'));
    await dashboard.locator('table.keys td.key-name', { hasText: 'acme-ci' }).waitFor();
    await expect.poll(() => dashboard.locator('.loading').count(), POLL).toBe(0);
    found.push(...(await checkBothSchemes(dashboard, 'dashboard, two teams')));
    await dashboard.close();

    const popup = await ext.context.newPage();
    await popup.setViewportSize(POPUP);
    await popup.goto(ext.url('popup.html'));
    await popup.getByRole('heading', { name: 'Team keys' }).waitFor();
    await expect.poll(() => popup.locator('.loading').count(), POLL).toBe(0);
    found.push(...(await checkBothSchemes(popup, 'popup, two teams')));
    await popup.close();
    expect(found).toEqual([]);
  });
});
